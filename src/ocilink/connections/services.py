"""Writes for connections and their credentials."""

from __future__ import annotations

from django.db import transaction

from ocilink.accounts.models import DeliveryAddress

from .models import Connection, OciCredential


@transaction.atomic
def oci_credential_set(
    *,
    connection: Connection,
    delivery_address: DeliveryAddress | None,
    username: str,
    password: str,
    customer_number: str | None = None,
    debtor_number: str | None = None,
    location_code: str | None = None,
) -> OciCredential:
    """Create or replace the OCI account of a connection for one address (or organization-wide with None).

    The supplier's numbers for the address are changed only where given.
    """
    if delivery_address is not None and delivery_address.organization_id != connection.organization_id:
        raise ValueError("The delivery address belongs to another organization.")
    credential = (
        OciCredential.objects.select_for_update()
        .filter(connection=connection, delivery_address=delivery_address)
        .first()
    )
    if credential is None:
        credential = OciCredential(
            organization_id=connection.organization_id, connection=connection, delivery_address=delivery_address
        )
    credential.set_secrets(username=username, password=password)
    for name, value in (
        ("customer_number", customer_number),
        ("debtor_number", debtor_number),
        ("location_code", location_code),
    ):
        if value is not None:
            setattr(credential, name, value)
    credential.save()
    return credential
