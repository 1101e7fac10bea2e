"""Purposes and states of a punchout session, the transitions between them, and the outcomes of a return."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ocilink.core.states import InvalidTransition


class SessionPurpose(models.TextChoices):
    """What a punchout session is for: what happens to the cart that comes back."""

    ORDER = "order", _("Order")
    ROUNDTRIP_TEST = "roundtrip_test", _("Roundtrip test of a connection")
    SUPPLIER_SELFTEST = "supplier_selftest", _("Self-test of a supplier's webshop")


class SessionStatus(models.TextChoices):
    STARTED = "started", _("Shopping in the webshop")
    IMPORTED = "imported", _("Cart imported")
    REJECTED = "rejected", _("Cart refused: the webshop sent errors")
    CHECKED = "checked", _("Cart checked, nothing imported")


class ReturnOutcome(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    CHECKED = "checked", _("Checked, nothing imported")
    REJECTED = "rejected", _("Refused: errors in the cart")
    UNREADABLE = "unreadable", _("Refused: the body could not be read")
    DUPLICATE = "duplicate", _("Ignored: this punchout had already returned")
    EXPIRED = "expired", _("Refused: the punchout had expired")
    TOO_LARGE = "too_large", _("Refused: the body was too large")
    OVER_QUOTA = "over_quota", _("Refused: the storage limit for cart returns was reached")


TRANSITIONS: dict[str, set[str]] = {
    SessionStatus.STARTED: {SessionStatus.IMPORTED, SessionStatus.REJECTED, SessionStatus.CHECKED},
    SessionStatus.IMPORTED: set(),
    SessionStatus.REJECTED: set(),
    SessionStatus.CHECKED: set(),
}


def ensure_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, set()):
        raise InvalidTransition(f"A punchout session cannot go from {current} to {target}.")


def sources_of(target: str) -> set[str]:
    """The states from which a session may go to ``target`` (the guard of a conditional UPDATE)."""
    return {current for current, targets in TRANSITIONS.items() if target in targets}
