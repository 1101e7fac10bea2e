"""States of a connection request and of its steps, and the transitions between them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ocilink.core.states import InvalidTransition


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    LIVE = "live", _("Live")
    CANCELLED = "cancelled", _("Cancelled")


class StepStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")


REQUEST_TRANSITIONS: dict[str, set[str]] = {
    RequestStatus.OPEN: {RequestStatus.LIVE, RequestStatus.CANCELLED},
    RequestStatus.LIVE: set(),
    RequestStatus.CANCELLED: set(),
}

STEP_TRANSITIONS: dict[str, set[str]] = {
    StepStatus.OPEN: {StepStatus.DONE, StepStatus.SKIPPED},
    StepStatus.DONE: {StepStatus.OPEN},  # reopened, with a note saying why
    StepStatus.SKIPPED: {StepStatus.OPEN},
}

# A step counts as finished when it is done or skipped (with a reason).
CLOSED_STEP_STATUSES = frozenset({StepStatus.DONE, StepStatus.SKIPPED})


def ensure_request_transition(current: str, target: str) -> None:
    if target not in REQUEST_TRANSITIONS.get(current, set()):
        raise InvalidTransition(
            _("A connection request cannot go from “%(current)s” to “%(target)s”.")
            % {"current": RequestStatus(current).label, "target": RequestStatus(target).label}
        )


def ensure_step_transition(current: str, target: str) -> None:
    if target not in STEP_TRANSITIONS.get(current, set()):
        raise InvalidTransition(
            _("A step cannot go from “%(current)s” to “%(target)s”.")
            % {"current": StepStatus(current).label, "target": StepStatus(target).label}
        )
