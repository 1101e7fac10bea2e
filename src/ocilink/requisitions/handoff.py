"""Where an order request goes once it is approved.

A decision (``services.order_request_submit`` / ``order_request_approve``) only decides and returns an
``ApprovalOutcome``. Placing what was approved is the job of the orders app, one layer up: it registers its service
here when Django starts (``OrdersConfig.ready``), so this app never imports the one above it.

The two functions below are what the pages call: each runs the decision and the placing in one transaction, so a
request is approved only together with its purchase orders; when placing fails, nothing of the decision is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from ocilink.accounts.models import CostCentre

from .models import OrderRequest
from .services import (
    UNCHANGED,
    ApprovalError,
    ApprovalOutcome,
    SubmitError,
    _Unchanged,
    order_request_approve,
    order_request_event,
    order_request_submit,
)
from .states import EventAction


class PlacingError(Exception):
    """An approved request cannot be placed; the message says what to change. The placer raises a subclass."""


class Placed(Protocol):
    """What a placer returns per order it made: its number, for the request's history."""

    @property
    def number(self) -> str: ...


Placer = Callable[..., Sequence[Placed]]

_placer: Placer | None = None


def register_placer(placer: Placer) -> None:
    """Called once at start-up by the app that places approved requests: ``placer(order_request=…, actor=…)``."""
    global _placer
    _placer = placer


def registered_placer() -> Placer:
    if _placer is None:
        raise ImproperlyConfigured("No app places approved order requests; is ocilink.orders in INSTALLED_APPS?")
    return _placer


def _place(outcome: ApprovalOutcome, actor: Any, error: type[Exception]) -> list[Any]:
    try:
        placed = list(registered_placer()(order_request=outcome.order_request, actor=actor))
    except PlacingError as exc:  # raised inside the transaction: nothing of the decision is kept
        raise error(str(exc)) from exc
    order_request_event(outcome.order_request, EventAction.ORDERED, actor, ", ".join(p.number for p in placed))
    return placed


def order_request_submit_and_place(
    *,
    order_request: OrderRequest,
    requester: Any,
    reference: str = "",
    cost_centre: CostCentre | None | _Unchanged = UNCHANGED,
) -> list[Any]:
    """Submit the cart; when it is approved at once (within the requester's limit), place it in the same
    transaction. Returns the purchase orders made (none while approval is pending). Raises ``SubmitError``."""
    with transaction.atomic():
        outcome = order_request_submit(
            order_request=order_request, requester=requester, reference=reference, cost_centre=cost_centre
        )
        if not outcome.approved:
            return []
        return _place(outcome, requester, SubmitError)


def order_request_approve_and_place(*, order_request: OrderRequest, approver: Any, comment: str = "") -> OrderRequest:
    """Approve at the current level; when that was the last step, place the request in the same transaction.
    Returns the request. Raises ``ApprovalError``."""
    with transaction.atomic():
        outcome = order_request_approve(order_request=order_request, approver=approver, comment=comment)
        if outcome.approved:
            _place(outcome, approver, ApprovalError)
    return outcome.order_request
