"""Writes on a connection request as a whole: create it (with its plan's steps), change its details, cancel it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocilink.accounts.models import Organization
from ocilink.accounts.permissions import is_administrator
from ocilink.connections.models import CatalogueEntry, Connection
from ocilink.onboarding import notifications
from ocilink.onboarding.connection_setup import (
    Secrets,
    SupplierDetails,
    check_details,
    connection_from_catalogue,
    connection_sync,
)
from ocilink.onboarding.exceptions import ChargeNotAcknowledged, NotAllowed, OnboardingError
from ocilink.onboarding.models import ConnectionRequest, RequestEvent, RequestStep
from ocilink.onboarding.parties import may_manage_request
from ocilink.onboarding.plans import CHECK_CATALOGUE
from ocilink.onboarding.selectors import FREE_CONNECTIONS, charge_position_for_new, scenario_for
from ocilink.onboarding.states import InvalidTransition, RequestStatus, StepStatus, ensure_request_transition

from .common import ensure_open, lock_request, record_event
from .steps import _close_step


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
    if (
        check is not None
        and catalogue_entry is not None
        and is_administrator(user=requested_by, organization=organization)
    ):
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
