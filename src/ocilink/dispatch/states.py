"""States of a dispatch (one purchase order on its way to the supplier) and the transitions between them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DispatchStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    RETRY_WAIT = "retry_wait", _("Waiting to retry")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    HELD = "held", _("Held for inspection")
    CANCELLED = "cancelled", _("Cancelled")


class AttemptOutcome(models.TextChoices):
    SENDING = "sending", _("In progress")
    SENT = "sent", _("Delivered")
    TRANSIENT = "transient", _("Failed, will retry")
    PERMANENT = "permanent", _("Failed")
    CRASHED = "crashed", _("Interrupted: the worker stopped")


class InvalidTransition(Exception):
    """A state change that the transition table does not allow."""


D = DispatchStatus
TRANSITIONS: dict[str, set[str]] = {
    D.PENDING: {D.SENDING, D.HELD, D.CANCELLED, D.SENT},
    D.SENDING: {D.SENT, D.RETRY_WAIT, D.FAILED, D.PENDING},
    D.RETRY_WAIT: {D.SENDING, D.PENDING, D.FAILED, D.HELD, D.CANCELLED, D.SENT},
    D.FAILED: {D.PENDING, D.HELD, D.CANCELLED, D.SENT},
    D.HELD: {D.PENDING, D.CANCELLED, D.SENT},
    D.SENT: set(),
    D.CANCELLED: set(),
}
# A dispatch in these states may be picked up by a worker.
SENDABLE = (D.PENDING, D.RETRY_WAIT)


def ensure_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, set()):
        raise InvalidTransition(f"A dispatch cannot go from {current} to {target}.")
