"""States of an order request (the cart is a draft order request) and of its approval steps."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ocilink.core.states import InvalidTransition


class OrderRequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (cart)")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


TRANSITIONS: dict[str, set[str]] = {
    OrderRequestStatus.DRAFT: {OrderRequestStatus.SUBMITTED, OrderRequestStatus.CANCELLED},
    OrderRequestStatus.SUBMITTED: {
        OrderRequestStatus.APPROVED,
        OrderRequestStatus.REJECTED,
        OrderRequestStatus.DRAFT,  # withdrawn by the requester to edit it: its approvals become void
        OrderRequestStatus.CANCELLED,
    },
    OrderRequestStatus.APPROVED: set(),
    OrderRequestStatus.REJECTED: {OrderRequestStatus.DRAFT},  # edited after a rejection, then submitted again
    OrderRequestStatus.CANCELLED: set(),
}


def ensure_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, set()):
        raise InvalidTransition(f"An order request cannot go from {current} to {target}.")


# An approval step is decided once: pending -> approved | rejected, and any undecided or approved step becomes void
# when its request is withdrawn (a changed request needs new approvals). Rejected steps stay as the history of why.
STEP_TRANSITIONS: dict[str, set[str]] = {
    "pending": {"approved", "rejected", "void"},
    "approved": {"void"},
    "rejected": set(),
    "void": set(),
}


def ensure_step_transition(current: str, target: str) -> None:
    if target not in STEP_TRANSITIONS.get(current, set()):
        raise InvalidTransition(f"An approval step cannot go from {current} to {target}.")


class EventAction(models.TextChoices):
    """What an ``OrderRequestEvent`` records; the history on the request page shows the label."""

    SUBMITTED = "submitted", _("Submitted")
    LEVEL_APPROVED = "level_approved", _("Approved a step")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REOPENED = "reopened", _("Withdrawn to edit (approvals void)")
    ORDERED = "ordered", _("Ordered")


def event_label(action: str) -> str:
    try:
        return str(EventAction(action).label)
    except ValueError:  # an action written by another part of the platform: show it as stored
        return action
