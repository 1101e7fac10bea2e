"""Setting up a request's connection: the supplier details and secrets a request brings, and the organization's
(inactive) connection made from a catalogue webshop or from those details. Secrets go straight into the
connection's sealed fields and are never kept on the request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ocilink.accounts.models import Organization
from ocilink.connections.models import CatalogueEntry, Connection
from ocilink.connections.services import oci_credential_set
from ocilink.dispatch.choices import channel_labels_joined
from ocilink.dispatch.registry import channel_keys, get_channel_class

from .exceptions import OnboardingError
from .models import ConnectionRequest


@dataclass(frozen=True)
class SupplierDetails:
    """What a request knows about the supplier's webshop and how it takes orders (no secrets)."""

    supplier_name: str = ""
    contact_name: str = ""
    contact_email: str = ""
    login_url: str = ""
    method: str = "POST"
    username_field: str = "USERNAME"
    password_field: str = "PASSWORD"
    ordering_method: str = ""
    ordering_address: str = ""
    ordering_username: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Secrets:
    """Secrets entered with a request: sealed on the connection at once and never shown again."""

    username: str = field(default="", repr=False)
    password: str = field(default="", repr=False)
    ordering_password: str = field(default="", repr=False)


def check_details(*, details: SupplierDetails, secrets: Secrets, new_supplier: bool, has_url: bool) -> None:
    if bool(secrets.username) != bool(secrets.password):
        raise OnboardingError(_("Enter both the username and the password of the OCI account, or neither."))
    if new_supplier and secrets.username and not (details.login_url or has_url):
        raise OnboardingError(_("Enter the webshop's login URL too: the login details belong to that webshop."))
    if details.ordering_method and details.ordering_method not in channel_keys():
        raise OnboardingError(
            _("Choose one of these ordering methods: %(methods)s.") % {"methods": channel_labels_joined()}
        )
    if secrets.ordering_password:
        if not details.ordering_method or get_channel_class(details.ordering_method).password_secret is None:
            raise OnboardingError(
                _("A password for placing orders is only used with %(methods)s.")
                % {"methods": channel_labels_joined(logs_in=True)}
            )
        if not (details.login_url or has_url or not new_supplier):
            raise OnboardingError(_("Enter the webshop's login URL too: the ordering password is kept with it."))


def connection_from_catalogue(*, organization: Organization, entry: CatalogueEntry) -> Connection:
    """The organization's (inactive) connection made from a catalogue webshop; an earlier inactive one is reused."""
    existing = Connection.objects.filter(organization=organization, catalogue_entry=entry, is_active=False).first()
    if existing is not None:
        return existing
    return Connection.objects.create(
        organization=organization,
        name=entry.supplier_name,
        url=entry.webshop_url,
        method=entry.method,
        username_field=entry.username_field,
        password_field=entry.password_field,
        extra_params=dict(entry.extra_params or {}),
        catalogue_entry=entry,
        is_active=False,
    )


def connection_sync(*, request: ConnectionRequest, secrets: Secrets) -> None:
    """Make or update the request's inactive connection from its details, then seal the secrets on it."""
    connection = request.connection
    if connection is None and request.login_url:
        connection = Connection.objects.create(
            organization=request.organization,
            name=request.supplier_name,
            url=request.login_url,
            method=request.method,
            username_field=request.username_field,
            password_field=request.password_field,
            is_active=False,
        )
        request.connection = connection
        request.save(update_fields=["connection", "updated_at"])
    if connection is None:
        return
    connection = Connection.objects.select_for_update().get(pk=connection.pk)
    if connection.is_active:
        return  # a live connection is changed by a consultant or support, not from the request
    if request.is_new_supplier and connection.catalogue_entry_id is None and request.login_url:
        connection.name = request.supplier_name
        connection.url = request.login_url
        connection.method = request.method
        connection.username_field = request.username_field
        connection.password_field = request.password_field
    if request.ordering_method:
        channel = get_channel_class(request.ordering_method)
        address_key, username_key, password_key = (
            channel.address_setting,
            channel.username_setting,
            channel.password_secret,
        )
        if connection.ordering_method != request.ordering_method:
            connection.ordering_settings = {}
        connection.ordering_method = request.ordering_method
        ordering_settings = dict(connection.ordering_settings or {})
        if request.ordering_address:
            ordering_settings[address_key] = request.ordering_address
        if username_key and request.ordering_username:
            ordering_settings[username_key] = request.ordering_username
        connection.ordering_settings = ordering_settings
        if password_key and secrets.ordering_password:
            connection.set_ordering_secrets({**connection.ordering_secrets, password_key: secrets.ordering_password})
    connection.save()
    if secrets.username:
        oci_credential_set(
            connection=connection, delivery_address=None, username=secrets.username, password=secrets.password
        )
