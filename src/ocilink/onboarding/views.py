"""Pages of connection requests: request one, follow its steps, act on them; billing and the staff queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ocilink.accounts.decorators import administrator_required, platform_staff_required
from ocilink.accounts.permissions import MembershipRequest, is_support
from ocilink.accounts.selectors import SESSION_ORGANIZATION_KEY
from ocilink.accounts.services import organization_enter
from ocilink.connections.models import Connection

from . import activation, services
from .exceptions import ChargeNotAcknowledged, OnboardingError
from .forms import CatalogueRequestForm, NewSupplierRequestForm, RequestDetailsForm, details_from, secrets_from
from .models import ConnectionRequest, RequestStep
from .parties import may_act_for_party, may_activate, may_manage_request
from .plans import ACTIVATE, FIRST_ORDER, PLANS
from .selectors import (
    FREE_CONNECTIONS,
    billing_overview,
    charge_position_for_new,
    connection_requests_for,
    first_purchase_order_for,
    has_credentials,
    latest_roundtrip_for,
    progress_of,
    published_catalogue_entry,
    scenario_for,
    tier_for,
)
from .states import RequestStatus, StepStatus


def _organization(request: MembershipRequest) -> Any:
    return request.membership.organization


def _connection_request(request: MembershipRequest, pk: int) -> ConnectionRequest:
    """A request of the current organization; another organization's gives 404."""
    return get_object_or_404(connection_requests_for(organization=_organization(request)), pk=pk)


def _step(connection_request: ConnectionRequest, step_pk: int) -> RequestStep:
    return get_object_or_404(RequestStep.objects.select_related("request"), pk=step_pk, request=connection_request)


def _charge_context(organization: Any) -> dict[str, Any]:
    position = charge_position_for_new(organization=organization)
    return {"charge_position": position, "charged": position > FREE_CONNECTIONS, "free_connections": FREE_CONNECTIONS}


def credentials_url(connection: Connection | None) -> str | None:
    """The page where the OCI login details of a connection are entered (per delivery address), if installed."""
    if connection is None:
        return None
    try:
        return reverse("connections:credentials", args=[connection.pk])
    except NoReverseMatch:
        return None


@administrator_required
def request_list(request: MembershipRequest) -> HttpResponse:
    organization = _organization(request)
    return render(
        request,
        "onboarding/request_list.html",
        {
            "requests": connection_requests_for(organization=organization),
            "tier": tier_for(organization=organization),
            "free_connections": FREE_CONNECTIONS,
        },
    )


@administrator_required
def request_from_catalogue(request: MembershipRequest, entry_pk: int) -> HttpResponse:
    """Request a webshop of the catalogue (scenario 1 in implementation, 3 when live)."""
    organization = _organization(request)
    entry = published_catalogue_entry(pk=entry_pk)
    if entry is None:
        raise Http404("No such webshop in the catalogue")
    form = CatalogueRequestForm(request.POST or None, entry=entry)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.connection_request_create(
                organization=organization,
                requested_by=request.user,
                catalogue_entry=entry,
                details=details_from(form.cleaned_data),
                secrets=secrets_from(form.cleaned_data),
                charge_acknowledged=form.cleaned_data["charge_acknowledged"],
            )
        except ChargeNotAcknowledged as exc:
            form.add_error("charge_acknowledged", str(exc))
        except OnboardingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Your request for %(supplier)s is made. Enter the OCI login details next.")
                % {"supplier": created.supplier_name},
            )
            return redirect("onboarding:detail", pk=created.pk)
    scenario = scenario_for(organization=organization, catalogue_entry=entry)
    return render(
        request,
        "onboarding/request_form.html",
        {"form": form, "entry": entry, "plan": PLANS[scenario], **_charge_context(organization)},
    )


@administrator_required
def request_new_supplier(request: MembershipRequest) -> HttpResponse:
    """Request a webshop that is not in the catalogue (scenario 2 in implementation, 4 when live)."""
    organization = _organization(request)
    form = NewSupplierRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.connection_request_create(
                organization=organization,
                requested_by=request.user,
                details=details_from(form.cleaned_data),
                secrets=secrets_from(form.cleaned_data),
                charge_acknowledged=form.cleaned_data["charge_acknowledged"],
            )
        except ChargeNotAcknowledged as exc:
            form.add_error("charge_acknowledged", str(exc))
        except OnboardingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your request for %(supplier)s is made.") % {"supplier": created.supplier_name})
            return redirect("onboarding:detail", pk=created.pk)
    scenario = scenario_for(organization=organization, catalogue_entry=None)
    return render(
        request,
        "onboarding/request_form.html",
        {"form": form, "entry": None, "plan": PLANS[scenario], **_charge_context(organization)},
    )


@dataclass(frozen=True)
class StepView:
    """A step with what the current user may do on it."""

    step: RequestStep
    may_act: bool
    can_complete: bool
    can_skip: bool
    can_reopen: bool
    is_activation: bool
    is_first_order: bool
    roundtrip: Any = None


@administrator_required
def request_detail(request: MembershipRequest, pk: int) -> HttpResponse:
    connection_request = _connection_request(request, pk)
    user = request.user
    organization = connection_request.organization
    steps = list(connection_request.steps.select_related("done_by"))
    is_open = connection_request.status == RequestStatus.OPEN
    step_views = []
    for step in steps:
        may_act = may_act_for_party(user=user, organization=organization, party=step.party)
        step_views.append(
            StepView(
                step=step,
                may_act=may_act,
                can_complete=is_open and may_act and step.status == StepStatus.OPEN,
                can_skip=is_open and may_act and step.status == StepStatus.OPEN and step.may_skip,
                can_reopen=is_open and may_act and step.status != StepStatus.OPEN,
                is_activation=step.key == ACTIVATE,
                is_first_order=step.key == FIRST_ORDER,
                roundtrip=latest_roundtrip_for(step=step) if step.key == ACTIVATE else None,
            )
        )
    connection = connection_request.connection
    return render(
        request,
        "onboarding/request_detail.html",
        {
            "req": connection_request,
            "steps": step_views,
            "progress": progress_of(request=connection_request, steps=steps),
            "events": connection_request.events.select_related("actor", "step"),
            "connection": connection,
            "has_credentials": has_credentials(connection=connection),
            "credentials_url": credentials_url(connection),
            "first_order": first_purchase_order_for(connection=connection),
            "is_open": is_open,
            "may_manage": may_manage_request(user=user, organization=organization),
            "may_activate": may_activate(user),
            "roundtrip_available": activation.roundtrip_available(),
            "is_support": is_support(user=user),
        },
    )


@administrator_required
def request_edit_details(request: MembershipRequest, pk: int) -> HttpResponse:
    connection_request = _connection_request(request, pk)
    form = RequestDetailsForm(request.POST or None, connection_request=connection_request)
    if request.method == "POST" and form.is_valid():
        try:
            services.connection_request_update_details(
                request=connection_request,
                actor=request.user,
                details=details_from(form.cleaned_data, request=connection_request),
                secrets=secrets_from(form.cleaned_data),
            )
        except OnboardingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The details are saved."))
            return redirect("onboarding:detail", pk=connection_request.pk)
    return render(
        request,
        "onboarding/request_details_form.html",
        {"form": form, "req": connection_request, "credentials_url": credentials_url(connection_request.connection)},
    )


STEP_ACTIONS = {
    "done": lambda step, user, note: services.request_step_complete(step=step, actor=user, note=note),
    "skip": lambda step, user, note: services.request_step_skip(step=step, actor=user, reason=note),
    "reopen": lambda step, user, note: services.request_step_reopen(step=step, actor=user, note=note),
}


@require_POST
@administrator_required
def step_action(request: MembershipRequest, pk: int, step_pk: int, action: str) -> HttpResponse:
    connection_request = _connection_request(request, pk)
    step = _step(connection_request, step_pk)
    if action not in STEP_ACTIONS:
        raise Http404("No such action")
    try:
        STEP_ACTIONS[action](step, request.user, request.POST.get("note", ""))
    except OnboardingError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("onboarding:detail", args=[connection_request.pk]) + f"#step-{step.position}")


def _run(request: HttpRequest, connection_request: ConnectionRequest, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except OnboardingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("onboarding:detail", pk=connection_request.pk)


@require_POST
@administrator_required
def request_activate(request: MembershipRequest, pk: int) -> HttpResponse:
    connection_request = _connection_request(request, pk)
    if connection_request.connection is None:
        messages.error(request, _("This request has no connection yet: enter the webshop's login URL first."))
        return redirect("onboarding:detail", pk=connection_request.pk)
    connection = connection_request.connection
    return _run(
        request,
        connection_request,
        lambda: activation.connection_activate(connection=connection, actor=request.user),
        _("The connection is active; the organization's administrators are told."),
    )


@require_POST
@administrator_required
def request_hold(request: MembershipRequest, pk: int) -> HttpResponse:
    connection_request = _connection_request(request, pk)
    hold = request.POST.get("hold") == "1"
    return _run(
        request,
        connection_request,
        lambda: activation.connection_hold_next_order_set(request=connection_request, actor=request.user, hold=hold),
        _("The next order will be held for inspection.") if hold else _("The next order will be sent normally."),
    )


@require_POST
@administrator_required
def roundtrip_start(request: MembershipRequest, pk: int, step_pk: int) -> HttpResponse:
    connection_request = _connection_request(request, pk)
    step = _step(connection_request, step_pk)
    if not activation.roundtrip_available():
        raise Http404("Roundtrip tests are not installed")
    try:
        test = activation.request_roundtrip_start(step=step, actor=request.user)
    except OnboardingError as exc:
        messages.error(request, str(exc))
        return redirect("onboarding:detail", pk=connection_request.pk)
    return redirect("punchout:test_start", test.pk)


@require_POST
@administrator_required
def roundtrip_record(request: MembershipRequest, pk: int, step_pk: int) -> HttpResponse:
    connection_request = _connection_request(request, pk)
    step = _step(connection_request, step_pk)
    return _run(
        request,
        connection_request,
        lambda: activation.request_step_record_report(step=step, actor=request.user),
        _("The roundtrip report is recorded on the step."),
    )


@require_POST
@administrator_required
def add_to_catalogue(request: MembershipRequest, pk: int) -> HttpResponse:
    connection_request = _connection_request(request, pk)
    publish = request.POST.get("publish") == "1"
    return _run(
        request,
        connection_request,
        lambda: activation.catalogue_entry_create_from_request(
            request=connection_request, actor=request.user, publish=publish
        ),
        _("The webshop is added to the catalogue."),
    )


@require_POST
@administrator_required
def request_cancel(request: MembershipRequest, pk: int) -> HttpResponse:
    connection_request = _connection_request(request, pk)
    reason = request.POST.get("reason", "")
    return _run(
        request,
        connection_request,
        lambda: services.connection_request_cancel(request=connection_request, actor=request.user, reason=reason),
        _("The request is cancelled."),
    )


@platform_staff_required
def staff_queue(request: HttpRequest) -> HttpResponse:
    """For platform staff: the open requests of every organization, with who must act next."""
    rows = []
    for connection_request in (
        ConnectionRequest.objects.filter(status=RequestStatus.OPEN)
        .select_related("organization")
        .order_by("created_at", "pk")
    ):
        rows.append((connection_request, progress_of(request=connection_request)))
    return render(request, "onboarding/staff_queue.html", {"rows": rows})


@platform_staff_required
def staff_open(request: HttpRequest, pk: int) -> HttpResponse:
    """For platform staff (the link in their e-mail): act in the request's organization and open the request."""
    connection_request = get_object_or_404(ConnectionRequest.objects.select_related("organization"), pk=pk)
    organization = connection_request.organization
    if request.session.get(SESSION_ORGANIZATION_KEY) == organization.pk:
        return redirect("onboarding:detail", pk=pk)
    if request.method == "POST":
        request.session[SESSION_ORGANIZATION_KEY] = organization.pk
        organization_enter(organization=organization, user=request.user)
        return redirect("onboarding:detail", pk=pk)
    return render(request, "onboarding/staff_open.html", {"req": connection_request})


@platform_staff_required
def billing(request: HttpRequest) -> HttpResponse:
    """For platform staff: per organization the active connections, how many are free, how many charged, since when."""
    return render(
        request, "onboarding/billing.html", {"rows": billing_overview(), "free_connections": FREE_CONNECTIONS}
    )
