"""A cart as a JSON-able dict (the ``check-cart --json`` shape)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

from .model import OciCart, OciLine, Problem

__all__ = ["cart_report", "decimal_text", "problem_report"]

_MILLI = Decimal("0.001")
_WIDE = Context(prec=200, rounding=ROUND_HALF_UP)


def decimal_text(value: Decimal | None) -> str | None:
    """Plain decimal notation (never an exponent), None for None."""
    return None if value is None else format(value, "f")


def problem_report(problem: Problem) -> dict[str, object]:
    """``{"line": int|None, "field": str|None, "message": str}``."""
    return {"line": problem.line, "field": problem.field, "message": problem.message}


def _line_report(line: OciLine) -> dict[str, object]:
    quantity = None if line.quantity is None else format(line.quantity.quantize(_MILLI, context=_WIDE), "f")
    return {
        "index": line.index,
        "description": line.description,
        "quantity": quantity,
        "unit": line.unit,
        "unit_price": decimal_text(line.unit_price),
        "price_unit": format(line.price_unit, "f"),
        "currency": line.currency,
        "net_amount": decimal_text(line.net_amount),
        "vendormat": line.vendormat,
        "matgroup": line.matgroup,
        "leadtime_days": line.leadtime_days,
        "longtext": line.longtext,
        "fields": dict(line.fields),
        "extra": dict(line.extra),
    }


def cart_report(cart: OciCart, *, max_lines: int | None = None, max_problems: int | None = None) -> dict[str, object]:
    """Return the cart as a JSON-able dict.

    Shape: ``{"ok", "charset", "lines": [...], "errors": [...], "warnings": [...]}``;
    quantities have 3 decimals, other amounts are plain decimal strings as
    parsed (``net_amount`` has 2 decimals).

    With ``max_lines`` or ``max_problems`` the report keeps at most that many lines, and that many errors and
    warnings each (the first ones), for a report that is stored and shown; it then also says how many there were
    in all: ``"line_count"``, ``"error_count"``, ``"warning_count"``. ``ok`` is the whole cart's.
    """
    report: dict[str, object] = {
        "ok": cart.ok,
        "charset": cart.charset,
        "lines": [_line_report(line) for line in cart.lines[:max_lines]],
        "errors": [problem_report(p) for p in cart.errors[:max_problems]],
        "warnings": [problem_report(p) for p in cart.warnings[:max_problems]],
    }
    if max_lines is not None or max_problems is not None:
        report["line_count"] = len(cart.lines)
        report["error_count"] = len(cart.errors)
        report["warning_count"] = len(cart.warnings)
    return report
