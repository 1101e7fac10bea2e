"""Writes around a working connection: activate it, the roundtrip test, the first order, and the catalogue.

Same habits as ``services.py``: lock, check who and what, save, record, e-mail after commit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ocilink.accounts.audit import audit_log
from ocilink.accounts.permissions import is_support
from ocilink.connections.models import CatalogueEntry, Connection, OciCredential
from ocilink.punchout.models import PunchoutSession
from ocilink.punchout.trials import TrialError, trial_create

from . import notifications
from .exceptions import NotAllowed, OnboardingError
from .models import ConnectionRequest, RequestEvent, RequestStep
from .parties import may_activate, may_manage_request
from .plans import ACTIVATE
from .selectors import has_credentials, latest_roundtrip_for, progress_of, roundtrip_reference
from .services import after_step_closed, append_note, ensure_open, lock_request, record_event
from .states import RequestStatus, StepStatus


@transaction.atomic
def connection_activate(*, connection: Connection, actor: Any) -> Connection:
    """Activate an organization's connection (a consultant or support member).

    From now on it can be chosen as a supplier's external connection. The activation step of every open request
    for it is marked done, and the organization's administrators are told by e-mail.
    """
    if not may_activate(actor):
        raise NotAllowed(_("Only a platform consultant or support member can activate a connection."))
    locked = Connection.objects.select_for_update(of=("self",)).select_related("organization").get(pk=connection.pk)
    if locked.is_active:
        raise OnboardingError(_("The connection %(name)s is already active.") % {"name": locked.name})
    if not has_credentials(connection=locked):
        raise OnboardingError(
            _("Enter the OCI login details of %(name)s first: without them nobody can log in at the webshop.")
            % {"name": locked.name}
        )
    locked.is_active = True
    locked.activated_at = timezone.now()
    locked.activated_by = actor
    locked.save(update_fields=["is_active", "activated_at", "activated_by", "updated_at"])
    audit_log(
        organization=locked.organization,
        actor=actor,
        action="connection.activated",
        obj=locked,
        summary=_("Connection %(name)s activated.") % {"name": locked.name},
    )
    for request in ConnectionRequest.objects.filter(connection=locked, status=RequestStatus.OPEN):
        request = lock_request(request)
        step = RequestStep.objects.select_for_update().filter(request=request, key=ACTIVATE).first()
        if step is None or step.status != StepStatus.OPEN:
            record_event(request=request, actor=actor, action=RequestEvent.Action.ACTIVATED)
            continue
        before = progress_of(request=request).next_step
        step.status = StepStatus.DONE
        step.done_by = actor
        step.done_at = locked.activated_at
        append_note(step, _("Connection activated."))
        step.save()
        record_event(request=request, actor=actor, action=RequestEvent.Action.ACTIVATED, step=step)
        after_step_closed(request=request, actor=actor, before=before)
    connection_id = locked.pk
    transaction.on_commit(lambda: notifications.notify_connection_activated(connection_id=connection_id))
    return locked


@transaction.atomic
def connection_hold_next_order_set(*, request: ConnectionRequest, actor: Any, hold: bool) -> Connection:
    """Hold the next order through the request's connection for inspection (a test order), or stop holding it."""
    request = lock_request(request)
    ensure_open(request)
    if not may_manage_request(user=actor, organization=request.organization):
        raise NotAllowed(_("Only an administrator of the organization or platform staff can change this."))
    if request.connection is None:
        raise OnboardingError(_("This request has no connection yet."))
    connection = Connection.objects.select_for_update().get(pk=request.connection.pk)
    connection.hold_next_order = hold
    connection.save(update_fields=["hold_next_order", "updated_at"])
    action = RequestEvent.Action.HOLD_SET if hold else RequestEvent.Action.HOLD_CLEARED
    record_event(request=request, actor=actor, action=action)
    return connection


def roundtrip_available() -> bool:
    """Whether this URLconf routes the start page of a roundtrip test (the punchout app's ``test_start``)."""
    try:
        reverse("punchout:test_start", args=["00000000-0000-0000-0000-000000000000"])
    except NoReverseMatch:
        return False
    return True


def _test_account(request: ConnectionRequest) -> OciCredential | None:
    """The account the roundtrip test logs in with: the organization-wide one, else the first per address."""
    return (
        OciCredential.objects.filter(organization_id=request.organization_id, connection=request.connection)
        .order_by(F("delivery_address").asc(nulls_first=True), "pk")
        .first()
    )


@transaction.atomic
def request_roundtrip_start(*, step: RequestStep, actor: Any) -> PunchoutSession:
    """Start a test punchout with the organization's login details; its report is kept under the step's reference."""
    request = lock_request(step.request)
    ensure_open(request)
    if not may_activate(actor):
        raise NotAllowed(_("Only a platform consultant or support member can start a roundtrip test."))
    account = _test_account(request) if request.connection is not None else None
    if request.connection is None or account is None:
        raise OnboardingError(_("Enter the OCI login details first: the roundtrip test logs in with them."))
    try:
        test = trial_create(
            organization=request.organization,
            connection=request.connection,
            credential_user=account,
            reference=roundtrip_reference(step),
            created_by=actor,
        )
    except TrialError as exc:
        raise OnboardingError(str(exc)) from exc
    record_event(request=request, actor=actor, action=RequestEvent.Action.ROUNDTRIP_STARTED, step=step)
    return test


@transaction.atomic
def request_step_record_report(*, step: RequestStep, actor: Any) -> RequestStep:
    """Copy the latest roundtrip test's check report onto the step."""
    request = lock_request(step.request)
    ensure_open(request)
    if not may_activate(actor):
        raise NotAllowed(_("Only a platform consultant or support member can record a roundtrip report."))
    step = RequestStep.objects.select_for_update().get(pk=step.pk, request=request)
    test = latest_roundtrip_for(step=step)
    cart_return = test.cart_return if test is not None else None
    report = cart_return.report if cart_return is not None else None
    if test is None or not report:
        raise OnboardingError(_("No roundtrip test has come back for this step yet."))
    step.report = {
        **(step.report or {}),
        "roundtrip": {
            "test_punchout_id": str(test.pk),
            "reference": roundtrip_reference(step),
            "recorded_at": timezone.now().isoformat(),
            "recorded_by": actor.get_username(),
            "cart_report": report,
        },
    }
    step.save(update_fields=["report"])
    lines = report.get("lines") or []
    note = _("%(lines)s lines, %(errors)s errors, %(warnings)s warnings") % {
        "lines": len(lines),
        "errors": len(report.get("errors") or []),
        "warnings": len(report.get("warnings") or []),
    }
    record_event(request=request, actor=actor, action=RequestEvent.Action.REPORT_RECORDED, step=step, note=note)
    return step


@transaction.atomic
def catalogue_entry_create_from_request(*, request: ConnectionRequest, actor: Any, publish: bool) -> CatalogueEntry:
    """Support adds a new supplier's webshop to the catalogue from what the request holds (scenarios 2 and 4)."""
    if not is_support(user=actor):
        raise NotAllowed(_("Only platform support keeps the catalogue of available webshops."))
    request = lock_request(request)
    if request.catalogue_entry_id is not None:
        raise OnboardingError(_("This webshop is already in the catalogue."))
    if not request.login_url:
        raise OnboardingError(_("The request has no login URL yet: the catalogue needs it."))
    entry = CatalogueEntry.objects.create(
        supplier_name=request.supplier_name,
        webshop_url=request.login_url,
        method=request.method,
        username_field=request.username_field,
        password_field=request.password_field,
        ordering_methods=[request.ordering_method] if request.ordering_method else [],
        notes=request.notes,
        contact_email=request.contact_email,
        is_published=publish,
    )
    request.catalogue_entry = entry
    request.save(update_fields=["catalogue_entry", "updated_at"])
    if request.connection is not None and request.connection.catalogue_entry_id is None:
        Connection.objects.filter(pk=request.connection.pk).update(catalogue_entry=entry)
    note = _("Shown to organizations.") if publish else _("Not yet shown to organizations.")
    record_event(request=request, actor=actor, action=RequestEvent.Action.ADDED_TO_CATALOGUE, note=note)
    return entry


@transaction.atomic
def catalogue_entry_save(*, entry: CatalogueEntry, actor: Any) -> CatalogueEntry:
    """Create or change a catalogue webshop (platform support)."""
    if not is_support(user=actor):
        raise NotAllowed(_("Only platform support keeps the catalogue of available webshops."))
    entry.full_clean()
    entry.save()
    return entry
