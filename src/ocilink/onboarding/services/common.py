"""What every write on a connection request uses: lock the row, check the request is still open, and record
what happened in its history and in the organization's audit trail."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ocilink.accounts.audit import audit_log
from ocilink.onboarding.exceptions import OnboardingError
from ocilink.onboarding.models import ConnectionRequest, RequestEvent, RequestStep
from ocilink.onboarding.states import RequestStatus


def record_event(
    *, request: ConnectionRequest, actor: Any, action: str, step: RequestStep | None = None, note: str = ""
) -> RequestEvent:
    """One line of the request's history, and the same in the organization's audit trail."""
    event = RequestEvent.objects.create(
        request=request,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        step=step,
        note=note,
    )
    summary = f"{request.supplier_name}: {RequestEvent.Action(action).label}"
    if step is not None:
        summary += f" · {step.position}. {step.title}"
    if note:
        summary += f" · {note}"
    audit_log(
        organization=request.organization,
        actor=actor,
        action=f"connection_request.{action}",
        obj=request,
        summary=summary,
    )
    return event


def lock_request(request: ConnectionRequest) -> ConnectionRequest:
    return (
        ConnectionRequest.objects.select_for_update(of=("self",))
        .select_related("organization", "connection")
        .get(pk=request.pk)
    )


def ensure_open(request: ConnectionRequest) -> None:
    if request.status != RequestStatus.OPEN:
        raise OnboardingError(
            _("This request is “%(status)s”: it can no longer change.") % {"status": request.get_status_display()}
        )
