"""Reads about suppliers, always scoped to an organization."""

from __future__ import annotations

from django.db.models import QuerySet

from ocilink.accounts.models import Membership

from .models import Supplier


def suppliers_of(*, organization_id: int) -> QuerySet[Supplier]:
    return Supplier.objects.filter(organization_id=organization_id)


def suppliers_for_buyer(*, membership: Membership) -> QuerySet[Supplier]:
    """Suppliers this member can shop at: not blocked, with an active webshop connection of their organization.

    Rights per supplier group and amount come with the rights issue; until then every member may shop.
    """
    return (
        suppliers_of(organization_id=membership.organization_id)
        .filter(is_blocked=False, external_connection__is_active=True)
        .filter(external_connection__organization_id=membership.organization_id)
        .select_related("external_connection")
    )
