"""States of a punchout session and the transitions between them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ocilink.core.states import InvalidTransition


class SessionStatus(models.TextChoices):
    STARTED = "started", _("Shopping in the webshop")
    IMPORTED = "imported", _("Cart imported")
    REJECTED = "rejected", _("Cart refused: the webshop sent errors")


class ReturnOutcome(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    REJECTED = "rejected", _("Refused: errors in the cart")
    UNREADABLE = "unreadable", _("Refused: the body could not be read")
    DUPLICATE = "duplicate", _("Ignored: this punchout had already returned")
    EXPIRED = "expired", _("Refused: the punchout had expired")
    TOO_LARGE = "too_large", _("Refused: the body was too large")


TRANSITIONS: dict[str, set[str]] = {
    SessionStatus.STARTED: {SessionStatus.IMPORTED, SessionStatus.REJECTED},
    SessionStatus.IMPORTED: set(),
    SessionStatus.REJECTED: set(),
}


def ensure_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, set()):
        raise InvalidTransition(f"A punchout session cannot go from {current} to {target}.")
