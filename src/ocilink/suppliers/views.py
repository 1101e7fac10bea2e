"""The buyer's list of suppliers, each with a Shop button."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ocilink.accounts.decorators import membership_required
from ocilink.accounts.selectors import default_delivery_address, delivery_addresses_of

from .selectors import suppliers_for_buyer


@membership_required
def supplier_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    return render(
        request,
        "suppliers/list.html",
        {
            "suppliers": suppliers_for_buyer(membership=membership),
            "addresses": delivery_addresses_of(organization=membership.organization),
            "default_address": default_delivery_address(membership=membership),
        },
    )
