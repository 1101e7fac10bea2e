"""Reads about connections, always scoped to an organization."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ocilink.accounts.models import DeliveryAddress, Organization

from .models import Connection, OciCredential


def credential_for(*, connection: Connection, delivery_address: DeliveryAddress | None) -> OciCredential | None:
    """The OCI account for this address, else the organization-wide one, else None. One query: a connection has at
    most one account per address and one organization-wide."""
    for_address = Q(delivery_address__isnull=True)
    if delivery_address is not None:
        for_address |= Q(delivery_address=delivery_address)
    found = list(
        OciCredential.objects.filter(for_address, organization_id=connection.organization_id, connection=connection)
    )
    # The address's own account first.
    found.sort(key=lambda credential: credential.delivery_address_id is None)
    return found[0] if found else None


def connections_of(*, organization: Organization) -> QuerySet[Connection]:
    return Connection.objects.filter(organization=organization)
