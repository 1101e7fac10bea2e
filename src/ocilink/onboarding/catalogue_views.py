"""The catalogue of available webshops: browsed by an organization's administrator, kept by platform support."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ocilink.accounts.decorators import administrator_required, support_required
from ocilink.accounts.permissions import MembershipRequest
from ocilink.connections.models import CatalogueEntry
from ocilink.dispatch.choices import channel_choices

from .activation import catalogue_entry_save
from .exceptions import OnboardingError
from .forms import CatalogueEntryForm
from .selectors import FREE_CONNECTIONS, catalogue_for, charge_position_for_new, tier_for


@administrator_required
def browse(request: MembershipRequest) -> HttpResponse:
    """Purchasing > Available webshops: every published webshop, marked when it is active for this organization."""
    organization = request.membership.organization
    items = catalogue_for(organization=organization)
    position = charge_position_for_new(organization=organization)
    return render(
        request,
        "onboarding/catalogue_browse.html",
        {
            "items": items,
            "ordering_labels": dict(channel_choices()),
            "tier": tier_for(organization=organization),
            "charge_position": position,
            "charged": position > FREE_CONNECTIONS,
            "free_connections": FREE_CONNECTIONS,
        },
    )


@support_required
def manage_list(request: HttpRequest) -> HttpResponse:
    entries = CatalogueEntry.objects.order_by("supplier_name")
    return render(
        request, "onboarding/catalogue_manage.html", {"entries": entries, "ordering_labels": dict(channel_choices())}
    )


def _edit(request: HttpRequest, entry: CatalogueEntry) -> HttpResponse:
    form = CatalogueEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        try:
            saved = catalogue_entry_save(entry=form.save(commit=False), actor=request.user)
        except OnboardingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(supplier)s is saved.") % {"supplier": saved.supplier_name})
            return redirect("catalogue:manage")
    return render(request, "onboarding/catalogue_form.html", {"form": form, "entry": entry})


@support_required
def entry_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, CatalogueEntry())


@support_required
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(CatalogueEntry, pk=pk))
