"""Reads about connections, always scoped to an organization."""

from __future__ import annotations

from django.db.models import QuerySet

from ocilink.accounts.models import DeliveryAddress, Organization

from .models import Connection, OciCredential


def credential_for(*, connection: Connection, delivery_address: DeliveryAddress | None) -> OciCredential | None:
    """The OCI account for this address, else the organization-wide one, else None."""
    credentials = OciCredential.objects.filter(
        organization_id=connection.organization_id, connection=connection
    ).select_related("delivery_address")
    if delivery_address is not None:
        specific = credentials.filter(delivery_address=delivery_address).first()
        if specific is not None:
            return specific
    return credentials.filter(delivery_address__isnull=True).first()


def connections_of(*, organization: Organization) -> QuerySet[Connection]:
    return Connection.objects.filter(organization=organization)
