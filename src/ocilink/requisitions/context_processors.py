"""Template context: how many order requests wait for the current member's approval (one bounded COUNT per page)."""

from __future__ import annotations

from django.http import HttpRequest

from .selectors import approvals_waiting_count


def approvals(request: HttpRequest) -> dict[str, object]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    return {"approvals_waiting": approvals_waiting_count(membership=membership)}
