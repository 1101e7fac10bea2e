"""Template context: how many of the orders a member sees need a person (one bounded COUNT per page, for the
navigation)."""

from __future__ import annotations

from django.http import HttpRequest

from .selectors import orders_needing_attention_count


def attention(request: HttpRequest) -> dict[str, object]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    return {"orders_needing_attention": orders_needing_attention_count(membership=membership)}
