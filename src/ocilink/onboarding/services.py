"""Writes on connection requests: create, update the details, tick / skip / reopen a step, cancel, go live.

Every write locks its rows, checks the transition and who may do it, saves, records a ``RequestEvent`` and an
audit event in the same transaction, and sends e-mail only after commit. Activation, the first order and the
catalogue actions are in ``activation.py``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocilink.accounts.audit import audit_log
from ocilink.accounts.models import Organization
from ocilink.connections.models import CatalogueEntry, Connection
from ocilink.orders.states import PurchaseOrderStatus

from . import notifications
from .connection_setup import Secrets, SupplierDetails, check_details, connection_from_catalogue, connection_sync
from .exceptions import ChargeNotAcknowledged, NotAllowed, OnboardingError
from .models import ConnectionRequest, RequestEvent, RequestStep
from .permissions import is_administrator, may_act_for_party, may_manage_request
from .plans import CHECK_CATALOGUE, Requirement
from .selectors import (
    FREE_CONNECTIONS,
    charge_position_for_new,
    first_purchase_order_for,
    has_credentials,
    progress_of,
    scenario_for,
)
from .states import InvalidTransition, RequestStatus, StepStatus, ensure_request_transition, ensure_step_transition


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


def _due_dates(request: ConnectionRequest) -> list[tuple[Any, Any]]:
    day = timezone.localdate()
    dates = []
    for spec in request.plan.steps:
        day = day + timedelta(days=spec.due_days)
        dates.append((spec, day))
    return dates


@transaction.atomic
def connection_request_create(
    *,
    organization: Organization,
    requested_by: Any,
    catalogue_entry: CatalogueEntry | None = None,
    details: SupplierDetails | None = None,
    secrets: Secrets | None = None,
    charge_acknowledged: bool = False,
) -> ConnectionRequest:
    """Request a connection: from a catalogue webshop (scenarios 1 and 3) or to a new supplier (2 and 4).

    The scenario follows from the organization's phase and whether a catalogue webshop is given; its plan's steps
    are copied with due dates. A catalogue webshop gets the organization's inactive connection at once, so the login
    details can be entered against it; a new supplier gets one as soon as its login URL is known.
    """
    details = details or SupplierDetails()
    secrets = secrets or Secrets()
    if not may_manage_request(user=requested_by, organization=organization):
        raise NotAllowed(_("Only an administrator of the organization or platform staff can request a connection."))
    # One request at a time per organization: the duplicate check and the count for the price tier stay true.
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if catalogue_entry is not None:
        if not catalogue_entry.is_published:
            raise OnboardingError(_("This webshop is not in the catalogue of available webshops."))
        supplier_name = catalogue_entry.supplier_name
        if Connection.objects.filter(
            organization=organization, catalogue_entry=catalogue_entry, is_active=True
        ).exists():
            raise OnboardingError(
                _("%(supplier)s is already active for your organization.") % {"supplier": supplier_name}
            )
        if ConnectionRequest.objects.filter(
            organization=organization, catalogue_entry=catalogue_entry, status=RequestStatus.OPEN
        ).exists():
            raise OnboardingError(
                _("There is already an open request for %(supplier)s: continue that one.") % {"supplier": supplier_name}
            )
    else:
        supplier_name = details.supplier_name.strip()
        if not supplier_name:
            raise OnboardingError(_("Enter the name of the supplier."))
    check_details(details=details, secrets=secrets, new_supplier=catalogue_entry is None, has_url=False)
    position = charge_position_for_new(organization=organization)
    if position > FREE_CONNECTIONS and not charge_acknowledged:
        raise ChargeNotAcknowledged(position)

    request = ConnectionRequest(
        organization=organization,
        supplier_name=supplier_name,
        catalogue_entry=catalogue_entry,
        requested_by=requested_by,
        scenario=scenario_for(organization=organization, catalogue_entry=catalogue_entry),
        charge_acknowledged=position > FREE_CONNECTIONS,
        contact_name=details.contact_name.strip(),
        contact_email=details.contact_email.strip() or (catalogue_entry.contact_email if catalogue_entry else ""),
        ordering_method=details.ordering_method,
        ordering_address=details.ordering_address.strip(),
        ordering_username=details.ordering_username.strip(),
        notes=details.notes.strip(),
    )
    if catalogue_entry is None:
        request.login_url = details.login_url.strip()
        request.method = details.method or "POST"
        request.username_field = details.username_field.strip() or "USERNAME"
        request.password_field = details.password_field.strip() or "PASSWORD"
    else:
        request.connection = connection_from_catalogue(organization=organization, entry=catalogue_entry)
    request.save()
    RequestStep.objects.bulk_create(
        RequestStep(
            request=request,
            position=position_number,
            key=spec.key,
            title=str(spec.title),
            description=str(spec.description),
            party=spec.party,
            with_party=spec.with_party or "",
            due_date=due,
            requires=[str(requirement) for requirement in spec.requires],
            may_skip=spec.may_skip,
            optional=spec.optional,
        )
        for position_number, (spec, due) in enumerate(_due_dates(request), start=1)
    )
    connection_sync(request=request, secrets=secrets)
    note = _("Scenario %(scenario)s.") % {"scenario": request.scenario}
    if position > FREE_CONNECTIONS:
        note += " " + _("It will be active connection number %(position)s, which is charged.") % {"position": position}
    record_event(request=request, actor=requested_by, action=RequestEvent.Action.CREATED, note=note)
    check = request.steps.filter(key=CHECK_CATALOGUE).first()
    if check is not None and catalogue_entry is not None and is_administrator(requested_by, organization):
        _close_step(
            request=request,
            step=check,
            actor=requested_by,
            target=StepStatus.DONE,
            note=_("Picked from the catalogue of available webshops."),
        )
    request_id = request.pk
    transaction.on_commit(lambda: notifications.notify_request_created(request_id=request_id))
    return request


@transaction.atomic
def connection_request_update_details(
    *, request: ConnectionRequest, actor: Any, details: SupplierDetails, secrets: Secrets | None = None
) -> ConnectionRequest:
    """Change what the request knows about the supplier; seal new login details and an ordering password."""
    secrets = secrets or Secrets()
    request = lock_request(request)
    ensure_open(request)
    if not may_manage_request(user=actor, organization=request.organization):
        raise NotAllowed(_("Only an administrator of the organization or platform staff can change this request."))
    check_details(
        details=details, secrets=secrets, new_supplier=request.is_new_supplier, has_url=bool(request.login_url)
    )
    if request.is_new_supplier:
        name = details.supplier_name.strip()
        if not name:
            raise OnboardingError(_("Enter the name of the supplier."))
        request.supplier_name = name
        request.login_url = details.login_url.strip()
        request.method = details.method or "POST"
        request.username_field = details.username_field.strip() or "USERNAME"
        request.password_field = details.password_field.strip() or "PASSWORD"
    request.contact_name = details.contact_name.strip()
    request.contact_email = details.contact_email.strip()
    request.ordering_method = details.ordering_method
    request.ordering_address = details.ordering_address.strip()
    request.ordering_username = details.ordering_username.strip()
    request.notes = details.notes.strip()
    request.save()
    connection_sync(request=request, secrets=secrets)
    entered = []
    if secrets.username:
        entered.append(_("OCI login details entered"))
    if secrets.ordering_password:
        entered.append(_("ordering password entered"))
    record_event(request=request, actor=actor, action=RequestEvent.Action.DETAILS_UPDATED, note=", ".join(entered))
    return request


def _check_requirements(*, request: ConnectionRequest, step: RequestStep, note: str) -> dict[str, Any]:
    """Raise when a requirement of the step is not met; return what to record in the step's report."""
    report: dict[str, Any] = {}
    connection = request.connection
    for requirement in step.requires:
        if requirement == Requirement.CREDENTIALS and not has_credentials(connection=connection):
            raise OnboardingError(_("Enter the OCI login details first: this step is done when they are in ocilink."))
        if requirement == Requirement.ACTIVE_CONNECTION and not (connection is not None and connection.is_active):
            raise OnboardingError(
                _("Activate the connection first (“Activate the connection”): this step is done when it is active.")
            )
        if requirement == Requirement.ORDER_DELIVERED:
            order = first_purchase_order_for(connection=connection)
            if order is None:
                raise OnboardingError(_("No order has been placed through this connection yet."))
            if order.status not in (PurchaseOrderStatus.TO_BE_RECEIVED, PurchaseOrderStatus.RECEIVED):
                raise OnboardingError(
                    _(
                        "The first order %(number)s is “%(status)s”: it has not reached the supplier. Release or "
                        "retry it first, then record the supplier's confirmation."
                    )
                    % {"number": order.number, "status": order.get_status_display()}
                )
            report["first_order"] = {
                "purchase_order_id": order.pk,
                "number": order.number,
                "status": order.status,
                "supplier_confirmed": note,
            }
        if requirement == Requirement.NOTE and not note.strip():
            raise OnboardingError(_("Write in the note what happened (for example who at the supplier confirmed it)."))
    return report


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


@transaction.atomic
def connection_request_cancel(*, request: ConnectionRequest, actor: Any, reason: str) -> ConnectionRequest:
    """Stop a request. Its connection, if any, stays inactive."""
    request = lock_request(request)
    if not may_manage_request(user=actor, organization=request.organization):
        raise NotAllowed(_("Only an administrator of the organization or platform staff can cancel this request."))
    try:
        ensure_request_transition(request.status, RequestStatus.CANCELLED)
    except InvalidTransition as exc:
        raise OnboardingError(str(exc)) from exc
    if not reason.strip():
        raise OnboardingError(_("Say why the request is cancelled."))
    request.status = RequestStatus.CANCELLED
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at", "updated_at"])
    record_event(request=request, actor=actor, action=RequestEvent.Action.CANCELLED, note=reason.strip())
    return request
