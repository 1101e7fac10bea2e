"""States of a purchase order, in words a buyer understands, and the transitions between them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PurchaseOrderStatus(models.TextChoices):
    SENDING = "sending", _("Sending")
    HELD = "held", _("Held for inspection")
    TO_BE_RECEIVED = "to_be_received", _("To be received")
    FAILED = "failed", _("Failed, needs attention")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class InvalidTransition(Exception):
    """A state change that the transition table does not allow."""


S = PurchaseOrderStatus
TRANSITIONS: dict[str, set[str]] = {
    S.SENDING: {S.TO_BE_RECEIVED, S.FAILED, S.HELD, S.CANCELLED},
    S.HELD: {S.SENDING, S.CANCELLED, S.TO_BE_RECEIVED},
    S.FAILED: {S.SENDING, S.HELD, S.CANCELLED, S.TO_BE_RECEIVED},
    S.TO_BE_RECEIVED: {S.RECEIVED},
    S.RECEIVED: set(),
    S.CANCELLED: set(),
}


def ensure_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, set()):
        raise InvalidTransition(
            _("A purchase order cannot go from “%(current)s” to “%(target)s”.")
            % {"current": S(current).label, "target": S(target).label}
        )
