"""Writes on the steps of a connection request: mark done, skip or reopen a step; the last required step makes the
request live, and a step that passes the turn to the platform tells it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocilink.onboarding import notifications
from ocilink.onboarding.exceptions import NotAllowed, OnboardingError
from ocilink.onboarding.models import ConnectionRequest, RequestEvent, RequestStep
from ocilink.onboarding.parties import may_act_for_party
from ocilink.onboarding.selectors import progress_of
from ocilink.onboarding.states import (
    InvalidTransition,
    RequestStatus,
    StepStatus,
    ensure_request_transition,
    ensure_step_transition,
)

from .common import ensure_open, lock_request, record_event
from .step_requirements import _check_requirements


def append_note(step: RequestStep, note: str) -> None:
    note = note.strip()
    if note:
        step.notes = f"{step.notes}\n{note}" if step.notes else note


def _close_step(*, request: ConnectionRequest, step: RequestStep, actor: Any, target: str, note: str) -> RequestStep:
    """Mark a locked step done or skipped, record it, then let the request go live or hand over to the next party."""
    before = progress_of(request=request).next_step
    step.status = target
    step.done_by = actor
    step.done_at = timezone.now()
    append_note(step, note)
    step.save()
    action = RequestEvent.Action.STEP_DONE if target == StepStatus.DONE else RequestEvent.Action.STEP_SKIPPED
    record_event(request=request, actor=actor, action=action, step=step, note=note.strip())
    after_step_closed(request=request, actor=actor, before=before)
    return step


def after_step_closed(*, request: ConnectionRequest, actor: Any, before: RequestStep | None) -> None:
    steps = list(request.steps.all())
    if all(step.is_closed for step in steps if not step.optional):
        _go_live(request=request, actor=actor, steps=steps)
        return
    after = progress_of(request=request, steps=steps).next_step
    if after is not None and (before is None or after.pk != before.pk) and after.party in ("consultant", "support"):
        request_id, step_id = request.pk, after.pk
        transaction.on_commit(lambda: notifications.notify_platform_turn(request_id=request_id, step_id=step_id))


def _go_live(*, request: ConnectionRequest, actor: Any, steps: list[RequestStep]) -> None:
    """Every required step is done or skipped: the request is live. Open optional steps are no longer needed."""
    if request.connection is None or not request.connection.is_active:
        return
    ensure_request_transition(request.status, RequestStatus.LIVE)
    now = timezone.now()
    for step in steps:
        if step.status == StepStatus.OPEN:
            step.status = StepStatus.SKIPPED
            step.done_by = actor
            step.done_at = now
            append_note(step, _("Not needed: the request went live without it."))
            step.save()
    request.status = RequestStatus.LIVE
    request.closed_at = now
    request.save(update_fields=["status", "closed_at", "updated_at"])
    record_event(request=request, actor=actor, action=RequestEvent.Action.WENT_LIVE)


def _locked_step(step: RequestStep) -> tuple[ConnectionRequest, RequestStep]:
    request = lock_request(step.request)
    locked = RequestStep.objects.select_for_update().get(pk=step.pk, request=request)
    return request, locked


def _ensure_may_act(*, request: ConnectionRequest, step: RequestStep, actor: Any) -> None:
    if not may_act_for_party(user=actor, organization=request.organization_id, party=step.party):
        raise NotAllowed(_("Only %(who)s can change this step.") % {"who": _who_may(step.party)})


def _who_may(party: str) -> str:
    return {
        "customer": _("an administrator of the organization"),
        "consultant": _("a platform consultant"),
        "support": _("platform support"),
        "supplier": _("an administrator of the organization or platform staff (whoever received the answer)"),
    }.get(party, party)


def _transition(current: str, target: str) -> None:
    try:
        ensure_step_transition(current, target)
    except InvalidTransition as exc:
        raise OnboardingError(str(exc)) from exc


@transaction.atomic
def request_step_complete(*, step: RequestStep, actor: Any, note: str = "") -> RequestStep:
    """Mark a step done. The last required step makes the request live."""
    request, step = _locked_step(step)
    ensure_open(request)
    _ensure_may_act(request=request, step=step, actor=actor)
    _transition(step.status, StepStatus.DONE)
    report = _check_requirements(request=request, step=step, note=note)
    if report:
        step.report = {**(step.report or {}), **report}
    return _close_step(request=request, step=step, actor=actor, target=StepStatus.DONE, note=note)


@transaction.atomic
def request_step_skip(*, step: RequestStep, actor: Any, reason: str) -> RequestStep:
    """Skip a step that is not needed, saying why."""
    request, step = _locked_step(step)
    ensure_open(request)
    _ensure_may_act(request=request, step=step, actor=actor)
    _transition(step.status, StepStatus.SKIPPED)
    if not step.may_skip:
        raise OnboardingError(_("This step cannot be skipped: the connection does not work without it."))
    if not reason.strip():
        raise OnboardingError(_("Say why the step is skipped."))
    return _close_step(request=request, step=step, actor=actor, target=StepStatus.SKIPPED, note=reason)


@transaction.atomic
def request_step_reopen(*, step: RequestStep, actor: Any, note: str) -> RequestStep:
    """Open a done or skipped step again, with a note saying why."""
    request, step = _locked_step(step)
    ensure_open(request)
    _ensure_may_act(request=request, step=step, actor=actor)
    _transition(step.status, StepStatus.OPEN)
    if not note.strip():
        raise OnboardingError(_("Say why the step is reopened."))
    step.status = StepStatus.OPEN
    step.done_by = None
    step.done_at = None
    append_note(step, note)
    step.save()
    record_event(request=request, actor=actor, action=RequestEvent.Action.STEP_REOPENED, step=step, note=note.strip())
    return step
