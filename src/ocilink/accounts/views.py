"""The organization's administration: members, cost centres, the audit trail; and choosing an organization."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .decorators import administrator_required
from .forms import CostCentreForm, MembershipForm
from .permissions import MembershipRequest, is_platform_staff
from .selectors import (
    SESSION_ORGANIZATION_KEY,
    audit_events_of,
    cost_centres_of,
    members_of,
    membership_for,
    organizations_for,
)
from .services import (
    AccountsError,
    cost_centre_create,
    cost_centre_deactivate,
    cost_centre_update,
    membership_update,
    organization_enter,
)

AUDIT_PAGE_SIZE = 50  # a screenful; the trail can hold years of events


@administrator_required
def administration(request: MembershipRequest) -> HttpResponse:
    """The Administration menu."""
    return render(request, "accounts/administration.html")


@login_required
def choose_organization(request: HttpRequest) -> HttpResponse:
    """Choose the organization to act in: every one for platform staff, else the user's own."""
    organizations = organizations_for(user=request.user)
    if request.method == "POST":
        chosen = request.POST.get("organization", "")
        organization = get_object_or_404(organizations, pk=int(chosen) if chosen.isdigit() else 0)
        request.session[SESSION_ORGANIZATION_KEY] = organization.pk
        organization_enter(organization=organization, user=request.user)
        messages.success(request, _("You now act in %(organization)s.") % {"organization": organization.name})
        if is_platform_staff(user=request.user):
            return redirect("accounts:administration")
        return redirect("suppliers:list")
    current = membership_for(user=request.user, organization_id=request.session.get(SESSION_ORGANIZATION_KEY))
    return render(
        request,
        "accounts/choose_organization.html",
        {
            "organizations": organizations,
            "current": current.organization if current is not None else None,
            "is_platform_staff": is_platform_staff(user=request.user),
        },
    )


@administrator_required
def member_list(request: MembershipRequest) -> HttpResponse:
    organization = request.membership.organization
    return render(request, "accounts/member_list.html", {"members": members_of(organization=organization)})


@administrator_required
def member_edit(request: MembershipRequest, pk: int) -> HttpResponse:
    organization = request.membership.organization
    member = get_object_or_404(members_of(organization=organization), pk=pk)
    initial = {"role": member.role, "delivery_address": member.delivery_address}
    form = MembershipForm(request.POST or None, initial=initial, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            membership_update(
                membership=member,
                actor=request.user,
                role=form.cleaned_data["role"],
                delivery_address=form.cleaned_data["delivery_address"],
            )
        except AccountsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The changes to %(user)s were saved.") % {"user": member.user})
            return redirect("accounts:member_list")
    return render(request, "accounts/member_form.html", {"form": form, "member": member})


@administrator_required
def cost_centre_list(request: MembershipRequest) -> HttpResponse:
    organization = request.membership.organization
    return render(
        request, "accounts/cost_centre_list.html", {"cost_centres": cost_centres_of(organization=organization)}
    )


@administrator_required
def cost_centre_create_view(request: MembershipRequest) -> HttpResponse:
    organization = request.membership.organization
    form = CostCentreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            centre = cost_centre_create(
                organization=organization,
                actor=request.user,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
            )
        except AccountsError as exc:
            form.add_error("code", str(exc))
        else:
            messages.success(request, _("Cost centre %(centre)s was created.") % {"centre": centre})
            return redirect("accounts:cost_centre_list")
    return render(request, "accounts/cost_centre_form.html", {"form": form, "cost_centre": None})


@administrator_required
def cost_centre_edit(request: MembershipRequest, pk: int) -> HttpResponse:
    organization = request.membership.organization
    centre = get_object_or_404(cost_centres_of(organization=organization), pk=pk)
    initial = {"code": centre.code, "name": centre.name, "is_active": centre.is_active}
    form = CostCentreForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cost_centre_update(cost_centre=centre, actor=request.user, **form.cleaned_data)
        except AccountsError as exc:
            form.add_error("code", str(exc))
        else:
            messages.success(request, _("Cost centre %(centre)s was saved.") % {"centre": centre.code})
            return redirect("accounts:cost_centre_list")
    return render(request, "accounts/cost_centre_form.html", {"form": form, "cost_centre": centre})


@require_POST
@administrator_required
def cost_centre_deactivate_view(request: MembershipRequest, pk: int) -> HttpResponse:
    organization = request.membership.organization
    centre = get_object_or_404(cost_centres_of(organization=organization), pk=pk)
    cost_centre_deactivate(cost_centre=centre, actor=request.user)
    messages.success(
        request,
        _("Cost centre %(centre)s was deactivated; it can no longer be chosen for new requests.") % {"centre": centre},
    )
    return redirect("accounts:cost_centre_list")


@administrator_required
def audit_list(request: MembershipRequest) -> HttpResponse:
    organization = request.membership.organization
    page = Paginator(audit_events_of(organization=organization), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_list.html", {"page": page})
