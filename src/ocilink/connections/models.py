"""An organization's connection to a supplier's OCI webshop, and the OCI credentials per delivery address."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ocilink.accounts.models import DeliveryAddress, Organization
from ocilink.core.crypto import decrypt_secret, encrypt_secret, mask
from ocilink.core.models import TimeStampedModel


class CatalogueEntry(TimeStampedModel):
    """A webshop in the platform's catalogue of available webshops, kept by platform support for every organization.

    An organization's connection made from it starts with these settings.
    """

    supplier_name = models.CharField(_("supplier"), max_length=200)
    webshop_url = models.URLField(_("webshop (OCI) URL"), max_length=500)
    method = models.CharField(_("method"), max_length=4, default="POST")
    username_field = models.CharField(_("name of the username field"), max_length=60, default="USERNAME")
    password_field = models.CharField(_("name of the password field"), max_length=60, default="PASSWORD")
    extra_params = models.JSONField(_("extra fixed parameters"), default=dict, blank=True)
    ordering_methods = models.JSONField(
        _("ordering methods the supplier supports"), default=list, blank=True, help_text=_('e.g. ["email_pdf"]')
    )
    ledger_translation = models.BooleanField(_("sends category codes for the ledger translation table"), default=False)
    accounts_per_address = models.BooleanField(_("OCI accounts per delivery address"), default=False)
    xml_invoices = models.BooleanField(_("sends invoices as XML"), default=False)
    assortment = models.TextField(_("assortment"), blank=True)
    discounts = models.TextField(_("discounts"), blank=True)
    order_confirmations = models.TextField(_("order confirmations"), blank=True)
    extra_costs = models.TextField(_("extra costs"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    contact_email = models.EmailField(_("supplier's contact e-mail"), blank=True)
    is_published = models.BooleanField(_("shown to organizations"), default=True)

    class Meta:
        ordering = ["supplier_name"]
        verbose_name = _("catalogue webshop")
        verbose_name_plural = _("catalogue of available webshops")

    def __str__(self) -> str:
        return self.supplier_name


class Connection(TimeStampedModel):
    """How this organization punches out to one webshop: URL, method, field names and the quirks of the shop."""

    class Method(models.TextChoices):
        POST = "POST", _("POST (recommended)")
        GET = "GET", _("GET (only where the supplier needs it)")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="connections")
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("webshop (OCI) URL"), max_length=500)
    method = models.CharField(_("method"), max_length=4, choices=Method.choices, default=Method.POST)
    username_field = models.CharField(_("name of the username field"), max_length=60, default="USERNAME")
    password_field = models.CharField(_("name of the password field"), max_length=60, default="PASSWORD")
    extra_params = models.JSONField(
        _("extra fixed parameters"), default=dict, blank=True, help_text=_('For example {"LANGU": "NL"}')
    )
    charset_override = models.CharField(
        _("charset of the returned cart"),
        max_length=40,
        blank=True,
        help_text=_("Leave empty to detect it. Set it only for a webshop that sends a wrong or no charset."),
    )
    unit_map = models.JSONField(
        _("unit map"), default=dict, blank=True, help_text=_('Supplier unit -> UN/ECE Rec 20 unit, e.g. {"ST": "H87"}')
    )
    is_active = models.BooleanField(_("active"), default=True)
    ordering_method = models.CharField(
        _("ordering method"),
        max_length=30,
        blank=True,
        help_text=_("How approved orders reach the supplier: e-mail with PDF, HTTPS with cXML or SFTP with cXML."),
    )
    ordering_settings = models.JSONField(_("ordering settings"), default=dict, blank=True)
    ordering_secrets_encrypted = models.TextField(blank=True, editable=False)
    catalogue_entry = models.ForeignKey(
        CatalogueEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="connections"
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hold_next_order = models.BooleanField(
        _("hold the next order for inspection"),
        default=False,
        help_text=_("Test order: the next order is built but not sent until a consultant releases it."),
    )

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("connection")
        verbose_name_plural = _("connections")

    def __str__(self) -> str:
        return self.name

    def _secrets_context(self) -> str:
        return f"ordering-secrets:{self.organization_id}:{self.pk}"

    def set_ordering_secrets(self, secrets: dict[str, str]) -> None:
        """Seal the ordering method's secrets (shared secret, passwords, keys) as one encrypted JSON object."""
        self.ordering_secrets_encrypted = encrypt_secret(json.dumps(secrets), context=self._secrets_context())

    set_ordering_secrets.alters_data = True  # type: ignore[attr-defined]

    @property
    def ordering_secrets(self) -> dict[str, str]:
        if not self.ordering_secrets_encrypted:
            return {}
        return dict(json.loads(decrypt_secret(self.ordering_secrets_encrypted, context=self._secrets_context())))


class OciCredential(TimeStampedModel):
    """The OCI account for a connection: organization-wide (no address) or for one delivery address.

    Username and password are sealed with the key ring and bound to this organization, connection and address,
    so a value copied to another row does not open.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="oci_credentials")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="credentials")
    delivery_address = models.ForeignKey(
        DeliveryAddress,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="oci_credentials",
        help_text=_("Empty: the organization-wide default account."),
    )
    username_encrypted = models.TextField(editable=False)
    password_encrypted = models.TextField(editable=False)
    customer_number = models.CharField(_("customer number"), max_length=60, blank=True)
    debtor_number = models.CharField(_("debtor number"), max_length=60, blank=True)
    location_code = models.CharField(_("location code"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("OCI credential")
        verbose_name_plural = _("OCI credentials")
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "delivery_address"], name="one_credential_per_connection_address"
            ),
            models.UniqueConstraint(
                fields=["connection"],
                condition=models.Q(delivery_address__isnull=True),
                name="one_default_credential_per_connection",
            ),
        ]

    def __str__(self) -> str:
        scope = self.delivery_address.label if self.delivery_address is not None else _("all addresses")
        return f"{self.connection} ({scope})"

    def __repr__(self) -> str:
        return f"<OciCredential {self.pk} connection={self.connection_id} address={self.delivery_address_id}>"

    def _context(self, field: str) -> str:
        return f"oci-credential:{self.organization_id}:{self.connection_id}:{self.delivery_address_id or '-'}:{field}"

    def set_secrets(self, *, username: str, password: str) -> None:
        self.username_encrypted = encrypt_secret(username, context=self._context("username"))
        self.password_encrypted = encrypt_secret(password, context=self._context("password"))

    set_secrets.alters_data = True  # type: ignore[attr-defined]

    @property
    def username(self) -> str:
        return decrypt_secret(self.username_encrypted, context=self._context("username"))

    @property
    def password(self) -> str:
        return decrypt_secret(self.password_encrypted, context=self._context("password"))

    @property
    def masked_username(self) -> str:
        return mask(self.username)
