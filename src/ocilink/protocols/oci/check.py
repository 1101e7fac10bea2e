"""``ocilink check-cart FILE``: check a saved OCI cart body and report on it.

Exit status: 0 when the cart is usable (warnings allowed), 1 when it has
errors (including an unreadable body), 2 on a usage error (bad option,
missing or unreadable file, unknown ``--charset``). Never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import BinaryIO, NoReturn, TextIO

from .decoding import lookup_charset
from .errors import OciDecodeError, OciError
from .inbound import parse_cart
from .model import OciCart, OciLine, Problem
from .report import cart_report, decimal_text

__all__ = ["check_main"]

PROG = "ocilink check-cart"
_CONTROL = {i: " " for i in (*range(32), 127)}


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that writes to the given streams and never calls sys.exit."""

    def __init__(self, out: TextIO, err: TextIO, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._out = out
        self._err = err

    def _print_message(self, message: str, file: object = None) -> None:
        if message:
            _write(self._err if file is sys.stderr else self._out, message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            _write(self._err, message)
        raise _Exit(status)

    def error(self, message: str) -> NoReturn:
        _write(self._err, f"{PROG}: error: {message} (see --help)\n")
        raise _Exit(2)


def _write(stream: TextIO, text: str) -> None:
    """Write ``text``, escaping what the stream's encoding cannot represent."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))


def _parser(out: TextIO, err: TextIO) -> _Parser:
    parser = _Parser(
        out,
        err,
        prog=PROG,
        description="Check an OCI cart body (as posted by a webshop to HOOK_URL) and report its lines and problems.",
    )
    parser.add_argument("file", metavar="FILE", help="the cart body (raw bytes as posted), or - for standard input")
    parser.add_argument("--charset", metavar="NAME", help="decode the body with this charset instead of detecting it")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a text report")
    parser.add_argument(
        "--content-type",
        metavar="TYPE",
        default="application/x-www-form-urlencoded",
        help="the Content-Type the body was posted with (default: application/x-www-form-urlencoded)",
    )
    return parser


def check_main(
    argv: Sequence[str] | None = None,
    *,
    stdin: BinaryIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run ``check-cart`` with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    try:
        return _run(argv, stdin, out, err)
    except _Exit as done:
        return done.status
    except BrokenPipeError:
        return 1


def _run(argv: Sequence[str] | None, stdin: BinaryIO | None, out: TextIO, err: TextIO) -> int:
    args = _parser(out, err).parse_args(list(sys.argv[1:] if argv is None else argv))
    path: str = args.file
    charset: str | None = args.charset
    if charset is not None and lookup_charset(charset) is None:
        _write(err, f"{PROG}: error: unknown charset {charset!r} (use e.g. utf-8, iso-8859-1 or windows-1252)\n")
        return 2
    try:
        if path == "-":
            body = (stdin if stdin is not None else sys.stdin.buffer).read()
        else:
            with open(path, "rb") as handle:
                body = handle.read()
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        _write(err, f"{PROG}: error: cannot read {path!r}: {reason}\n")
        return 2

    try:
        cart = parse_cart(body, args.content_type, charset_override=charset)
    except OciError as exc:
        guess = exc.charset if isinstance(exc, OciDecodeError) else ""
        if args.json:
            report = {
                "ok": False,
                "charset": guess,
                "lines": [],
                "errors": [{"line": None, "field": None, "message": str(exc)}],
                "warnings": [],
            }
            _write(out, json.dumps(report, ensure_ascii=True, indent=2) + "\n")
        else:
            _write(out, f"Charset: {guess or 'unknown'}\nThe cart cannot be read: {exc}\n")
            _write(out, "Result: NOT USABLE, the body cannot be read.\n")
        return 1

    if args.json:
        _write(out, json.dumps(cart_report(cart), ensure_ascii=True, indent=2) + "\n")
    else:
        _write(out, text_report(cart))
    return 0 if cart.ok else 1


def _clean(text: str) -> str:
    return text.translate(_CONTROL)


def _line_text(line: OciLine) -> str:
    title = line.description or line.matnr or "(no description)"
    quantity = decimal_text(line.quantity) or "?"
    unit = line.unit or "?"
    if line.unit_received is not None and line.unit_received.strip() != line.unit:
        unit += f" (received {line.unit_received.strip()})"
    parts = [f"qty {quantity} {unit}"]
    if line.unit_price is not None:
        parts.append(
            f"price {decimal_text(line.unit_price)} {line.currency or '?'} per {decimal_text(line.price_unit)}"
        )
    else:
        parts.append("no price")
    if line.net_amount is not None:
        parts.append(f"net {decimal_text(line.net_amount)} {line.currency or '?'}")
    return f"  [{line.index}] {_clean(title)}\n      {_clean(' | '.join(parts))}\n"


def _problems_text(title: str, problems: Sequence[Problem]) -> str:
    if not problems:
        return f"{title}: none\n"
    rows = [f"{title} ({len(problems)}):"]
    for problem in problems:
        where = f"line {problem.line if problem.line is not None else '-'}, {problem.field or '-'}"
        rows.append(_clean(f"  {where}: {problem.message}"))
    return "\n".join(rows) + "\n"


def text_report(cart: OciCart) -> str:
    """The plain-text report of ``cart`` printed by ``check-cart``."""
    chunks = [f"Charset: {cart.charset}\n", f"Lines: {len(cart.lines)}\n"]
    chunks.extend(_line_text(line) for line in cart.lines)
    chunks.append(_problems_text("Errors", cart.errors))
    chunks.append(_problems_text("Warnings", cart.warnings))
    warnings = f"{len(cart.warnings)} warning{'s' if len(cart.warnings) != 1 else ''}"
    if cart.ok:
        chunks.append(f"Result: OK, the cart can be imported ({warnings}).\n")
    else:
        errors = f"{len(cart.errors)} error{'s' if len(cart.errors) != 1 else ''}"
        chunks.append(f"Result: NOT USABLE, {errors} and {warnings}; the supplier must fix the errors.\n")
    return "".join(chunks)
