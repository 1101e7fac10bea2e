"""States of a purchase order, in words a buyer understands, of its dispatch (the order on its way to the
supplier) and of the notices that tell people about it, with the transitions between them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ocilink.core.states import InvalidTransition


class PurchaseOrderStatus(models.TextChoices):
    SENDING = "sending", _("Sending")
    HELD = "held", _("Held for inspection")
    TO_BE_RECEIVED = "to_be_received", _("To be received")
    FAILED = "failed", _("Failed, needs attention")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


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


# --- the dispatch of a purchase order ---------------------------------------------------------------------


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


D = DispatchStatus
DISPATCH_TRANSITIONS: dict[str, set[str]] = {
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


def ensure_dispatch_transition(current: str, target: str) -> None:
    if target not in DISPATCH_TRANSITIONS.get(current, set()):
        raise InvalidTransition(f"A dispatch cannot go from {current} to {target}.")


# --- notices: e-mails that tell people about an order (it could not be placed) -----------------------------


class NoticeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    RETRY_WAIT = "retry_wait", _("Waiting to retry")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")


N = NoticeStatus
NOTICE_TRANSITIONS: dict[str, set[str]] = {
    N.PENDING: {N.SENDING},
    N.SENDING: {N.SENT, N.RETRY_WAIT, N.FAILED},
    N.RETRY_WAIT: {N.SENDING},
    N.FAILED: {N.PENDING},  # staff send it again
    N.SENT: set(),
}
# A notice in these states may be picked up by a worker.
NOTICE_SENDABLE = (N.PENDING, N.RETRY_WAIT)


def ensure_notice_transition(current: str, target: str) -> None:
    if target not in NOTICE_TRANSITIONS.get(current, set()):
        raise InvalidTransition(f"A notice cannot go from {current} to {target}.")
