"""Writes for connections and their credentials.

Secrets never leave these functions in any form but the sealed one: no log line, no audit summary and no error
message holds a username or a password.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ocilink.accounts.audit import audit_log
from ocilink.accounts.models import DeliveryAddress

from .models import Connection, OciCredential

NUMBER_FIELDS = ("customer_number", "debtor_number", "location_code")


class CredentialError(ValueError):
    """A credential change that cannot be made; the message says what to enter instead (and holds no secret)."""


@dataclass(frozen=True)
class CredentialChange:
    """One wanted change of the OCI account of a connection, for one address (None: organization-wide).

    ``None`` keeps what is stored: a username or password of None keeps the stored one, a number of None keeps
    the stored number (an empty string clears it). ``remove`` deletes the account of that address.
    """

    delivery_address: DeliveryAddress | None
    username: str | None = None
    password: str | None = None
    customer_number: str | None = None
    debtor_number: str | None = None
    location_code: str | None = None
    remove: bool = False

    def __repr__(self) -> str:  # never show a secret, not even in a traceback
        return f"<CredentialChange address={getattr(self.delivery_address, 'pk', None)} remove={self.remove}>"

    @property
    def changes_anything(self) -> bool:
        return self.remove or any(
            value is not None
            for value in (self.username, self.password, self.customer_number, self.debtor_number, self.location_code)
        )


def _scope(delivery_address: DeliveryAddress | None) -> str:
    return delivery_address.label if delivery_address is not None else _("the whole organization")


@transaction.atomic
def oci_credential_set(
    *,
    connection: Connection,
    delivery_address: DeliveryAddress | None,
    username: str | None,
    password: str | None,
    customer_number: str | None = None,
    debtor_number: str | None = None,
    location_code: str | None = None,
    actor: Any = None,
) -> OciCredential:
    """Create or change the OCI account of a connection for one address (or organization-wide with None).

    ``username`` or ``password`` None keeps the stored one; a new account needs both. The supplier's numbers
    for the address are changed only where given. With ``actor`` the change is written to the audit trail
    (which fields changed, never their values).
    """
    if delivery_address is not None and delivery_address.organization_id != connection.organization_id:
        raise ValueError("The delivery address belongs to another organization.")
    credential = (
        OciCredential.objects.select_for_update()
        .filter(connection=connection, delivery_address=delivery_address)
        .first()
    )
    changed: list[str] = []
    if credential is None:
        if not username or not password:
            raise CredentialError(
                _("Enter the username and the password of the OCI account for %(scope)s.")
                % {"scope": _scope(delivery_address)}
            )
        credential = OciCredential(
            organization_id=connection.organization_id, connection=connection, delivery_address=delivery_address
        )
    if username is not None or password is not None:
        if username == "" or password == "":
            raise CredentialError(
                _("The username and the password of %(scope)s cannot be empty.") % {"scope": _scope(delivery_address)}
            )
        new_username = username if username is not None else credential.username
        new_password = password if password is not None else credential.password
        credential.set_secrets(username=new_username, password=new_password)
        changed += [name for name, value in (("username", username), ("password", password)) if value is not None]
    for name, value in zip(NUMBER_FIELDS, (customer_number, debtor_number, location_code), strict=True):
        if value is not None and value != getattr(credential, name):
            setattr(credential, name, value)
            changed.append(name.replace("_", " "))
    credential.save()
    if actor is not None and changed:
        audit_log(
            organization=connection.organization,
            actor=actor,
            action="oci_credential.set",
            obj=credential,
            summary=f"OCI account of {connection.name} for {_scope(delivery_address)}: changed {', '.join(changed)}.",
        )
    return credential


@transaction.atomic
def oci_credential_remove(*, connection: Connection, delivery_address: DeliveryAddress, actor: Any = None) -> bool:
    """Delete the account of one delivery address (the organization-wide one is then used there)."""
    if delivery_address.organization_id != connection.organization_id:
        raise ValueError("The delivery address belongs to another organization.")
    credential = OciCredential.objects.filter(connection=connection, delivery_address=delivery_address).first()
    if credential is None:
        return False
    if actor is not None:
        audit_log(
            organization=connection.organization,
            actor=actor,
            action="oci_credential.removed",
            obj=credential,
            summary=f"OCI account of {connection.name} for {delivery_address.label} removed.",
        )
    credential.delete()
    return True


@transaction.atomic
def oci_credentials_apply(*, connection: Connection, changes: Sequence[CredentialChange], actor: Any = None) -> int:
    """Apply several changes in one transaction: all of them or, on any error, none. Returns how many changed.

    A change of an address that has no account of its own and gives no username and password is refused: its
    numbers would need an account to live on (the organization-wide account is used for that address otherwise).
    """
    applied = 0
    for change in changes:
        if change.remove:
            if change.delivery_address is None:
                raise CredentialError(_("The organization-wide account cannot be removed here; replace it instead."))
            applied += oci_credential_remove(
                connection=connection, delivery_address=change.delivery_address, actor=actor
            )
            continue
        if not change.changes_anything:
            continue
        oci_credential_set(
            connection=connection,
            delivery_address=change.delivery_address,
            username=change.username,
            password=change.password,
            customer_number=change.customer_number,
            debtor_number=change.debtor_number,
            location_code=change.location_code,
            actor=actor,
        )
        applied += 1
    return applied
