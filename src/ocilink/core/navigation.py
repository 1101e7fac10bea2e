"""The counts in the navigation of a member's pages ("To approve (3)", "Orders (2 need attention)").

Each app that shows one registers it at start-up (``AppConfig.ready()``) with :func:`register_navigation_count`, so
``core`` knows no app above it; the context processor :func:`navigation_counts` runs them all in one query
(``core.counts``) and gives each to the templates under its name, as a ``BoundedCount``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from .counts import CountQuery, bounded_counts

_COUNTS: dict[str, Callable[[Any], CountQuery]] = {}


def register_navigation_count(name: str, query_for: Callable[[Any], CountQuery]) -> None:
    """Register (or replace) the count the templates find as ``name``; ``query_for(membership)`` describes it for
    a member (their ``Membership``, or platform staff's transient one)."""
    _COUNTS[name] = query_for


def navigation_counts(request: HttpRequest) -> dict[str, object]:
    """Context processor: every registered count for the member the request acts as; none without a membership
    (``accounts.decorators.membership_required`` sets it)."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    return dict(bounded_counts({name: query_for(membership) for name, query_for in _COUNTS.items()}))
