"""Comparing a count's prepared SQL (``core.counts.bound_sources``) with what Django writes for the same values."""

from __future__ import annotations

from typing import Any


def unwrapped(statements: list[tuple[str, tuple[Any, ...]]]) -> list[tuple[str, tuple[Any, ...]]]:
    """The statements without the parentheses Django puts around an expression's parameter (a slot's) in a filter:
    ``= (%s)`` and ``= %s`` are the same SQL."""
    return [(sql.replace("(%s)", "%s"), params) for sql, params in statements]
