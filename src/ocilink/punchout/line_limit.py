"""The most lines a cart return may bring into a cart (``PUNCHOUT_MAX_LINES``), and the most problems kept with it.

A larger return, or one that would make the buyer's cart longer than that, is refused whole: the raw return stays
stored and nothing is imported. The refusal is kept with the return like the webshop's own errors (in
``CartReturn.errors``), but as a code with its numbers, so the result page and the return's page say it in the
reader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from django.utils.formats import number_format
from django.utils.translation import ngettext

from ocilink.requisitions.cart import CartFull

TOO_MANY_LINES = "too_many_lines"
CART_FULL = "cart_full"
MORE_PROBLEMS = "more_problems"

T = TypeVar("T")


def too_many_lines_problem(*, count: int, limit: int) -> dict[str, Any]:
    """The error kept with a return of ``count`` lines, more than ``limit``."""
    return _problem(TOO_MANY_LINES, {"count": count, "limit": limit})


def cart_full_problem(error: CartFull) -> dict[str, Any]:
    """The error kept with a return whose lines would make the buyer's cart longer than allowed."""
    return _problem(CART_FULL, {"in_cart": error.in_cart, "count": error.count, "limit": error.limit})


def kept_problems(problems: Sequence[T], convert: Callable[[T], dict[str, Any]], *, limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` of ``problems`` as kept entries, and when there are more, one entry saying how many.

    A webshop that sends a warning on each of 20,000 lines must not make a page of 20,000 rows
    (``PUNCHOUT_MAX_KEPT_PROBLEMS``)."""
    kept = [convert(problem) for problem in problems[:limit]]
    if len(problems) > limit:
        kept.append(_problem(MORE_PROBLEMS, {"count": len(problems) - limit}))
    return kept


def _problem(code: str, params: dict[str, int]) -> dict[str, Any]:
    problem: dict[str, Any] = {"line": None, "field": None, "code": code, "params": params}
    problem["message"] = problem_text(problem)  # for readers that know no codes, in the language of the moment
    return problem


def problem_text(problem: Mapping[str, Any]) -> str:
    """What a kept error says, in the active language: from its code and numbers where it has them."""
    params = problem.get("params") or {}
    try:
        if problem.get("code") == TOO_MANY_LINES:
            count, limit = int(params["count"]), int(params["limit"])
            return ngettext(
                "The webshop sent %(count)s line in one cart; ocilink takes at most %(limit)s lines from one cart, "
                "so nothing was imported. Transfer the order in parts of at most %(limit)s lines each.",
                "The webshop sent %(count)s lines in one cart; ocilink takes at most %(limit)s lines from one cart, "
                "so nothing was imported. Transfer the order in parts of at most %(limit)s lines each.",
                count,
            ) % {"count": _number(count), "limit": _number(limit)}
        if problem.get("code") == MORE_PROBLEMS:
            count = int(params["count"])
            return ngettext(
                "… and %(count)s more of this kind, not listed here.",
                "… and %(count)s more of this kind, not listed here.",
                count,
            ) % {"count": _number(count)}
        if problem.get("code") == CART_FULL:
            return str(CartFull(in_cart=int(params["in_cart"]), count=int(params["count"]), limit=int(params["limit"])))
    except (KeyError, TypeError, ValueError):
        pass  # a code without its numbers: the stored text is all there is
    return str(problem.get("message") or "")


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)
