"""States of an order request (the cart is a draft order request)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderRequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (cart)")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class InvalidTransition(Exception):
    """A state change that the transition table does not allow."""


TRANSITIONS: dict[str, set[str]] = {
    OrderRequestStatus.DRAFT: {OrderRequestStatus.SUBMITTED, OrderRequestStatus.CANCELLED},
    OrderRequestStatus.SUBMITTED: {
        OrderRequestStatus.APPROVED,
        OrderRequestStatus.REJECTED,
        OrderRequestStatus.DRAFT,
        OrderRequestStatus.CANCELLED,
    },
    OrderRequestStatus.APPROVED: set(),
    OrderRequestStatus.REJECTED: {OrderRequestStatus.DRAFT},
    OrderRequestStatus.CANCELLED: set(),
}


def ensure_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, set()):
        raise InvalidTransition(f"An order request cannot go from {current} to {target}.")
