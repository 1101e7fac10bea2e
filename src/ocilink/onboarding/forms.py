"""Forms of connection requests and of the catalogue. Secrets are write-only: a form never shows them again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ocilink.connections.models import CatalogueEntry, Connection
from ocilink.dispatch.choices import channel_choices, channel_label
from ocilink.dispatch.registry import channel_keys

from .connection_setup import Secrets, SupplierDetails
from .models import ConnectionRequest


def _ordering_choices() -> list[tuple[str, Any]]:
    return [("", _("Not agreed yet")), *channel_choices()]


class _OrderingFields(forms.Form):
    ordering_method = forms.ChoiceField(label=_("ordering method"), choices=_ordering_choices, required=False)
    ordering_address = forms.CharField(
        label=_("order address"),
        max_length=500,
        required=False,
        help_text=_("The e-mail address for orders, the order URL (not the login URL) or the SFTP server."),
    )
    ordering_username = forms.CharField(label=_("user name for placing orders"), max_length=200, required=False)
    ordering_password = forms.CharField(
        label=_("password for placing orders"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Only for HTTPS or SFTP, where needed. Stored encrypted and never shown again."),
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class _ChargeField(forms.Form):
    charge_acknowledged = forms.BooleanField(label=_("I understand that this connection is charged"), required=False)


class CatalogueRequestForm(_OrderingFields, _ChargeField):
    """Request a webshop from the catalogue (scenarios 1 and 3)."""

    def __init__(self, *args: Any, entry: CatalogueEntry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        supported = [value for value in entry.ordering_methods or [] if value in channel_keys()]
        if supported:
            field = self.fields["ordering_method"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("Not agreed yet")), *[(v, channel_label(v)) for v in supported]]


class _WebshopFields(forms.Form):
    supplier_name = forms.CharField(label=_("supplier"), max_length=200)
    contact_name = forms.CharField(label=_("supplier's contact"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("supplier's contact e-mail"), required=False)
    login_url = forms.URLField(
        label=_("webshop login (OCI) URL"),
        max_length=500,
        required=False,
        help_text=_("As the supplier gave it."),
    )
    method = forms.ChoiceField(label=_("method"), choices=Connection.Method.choices, initial="POST")
    username_field = forms.CharField(label=_("name of the username field"), max_length=60, initial="USERNAME")
    password_field = forms.CharField(label=_("name of the password field"), max_length=60, initial="PASSWORD")
    username = forms.CharField(label=_("OCI username"), max_length=200, required=False)
    password = forms.CharField(
        label=_("OCI password"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted and never shown again. Leave both empty to keep what is stored."),
    )


class NewSupplierRequestForm(_WebshopFields, _OrderingFields, _ChargeField):
    """Request a webshop that is not in the catalogue (scenarios 2 and 4): what support needs to set it up."""


class RequestDetailsForm(_WebshopFields, _OrderingFields):
    """Change the details of a request. For a catalogue webshop the webshop itself comes from the catalogue."""

    WEBSHOP_FIELDS = ("supplier_name", "login_url", "method", "username_field", "password_field")

    def __init__(self, *args: Any, connection_request: ConnectionRequest, **kwargs: Any) -> None:
        request = connection_request
        initial = {
            "supplier_name": request.supplier_name,
            "contact_name": request.contact_name,
            "contact_email": request.contact_email,
            "login_url": request.login_url,
            "method": request.method,
            "username_field": request.username_field,
            "password_field": request.password_field,
            "ordering_method": request.ordering_method,
            "ordering_address": request.ordering_address,
            "ordering_username": request.ordering_username,
            "notes": request.notes,
        }
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        if not request.is_new_supplier:
            for name in self.WEBSHOP_FIELDS:
                del self.fields[name]


def details_from(data: dict[str, Any], *, request: ConnectionRequest | None = None) -> SupplierDetails:
    """The request's details from a form's cleaned data (fields a form does not have keep the request's value)."""

    def value(name: str, default: str = "") -> str:
        if name in data:
            return str(data[name] or "")
        return str(getattr(request, name, default) or default) if request is not None else default

    return SupplierDetails(
        supplier_name=value("supplier_name"),
        contact_name=value("contact_name"),
        contact_email=value("contact_email"),
        login_url=value("login_url"),
        method=value("method", "POST"),
        username_field=value("username_field", "USERNAME"),
        password_field=value("password_field", "PASSWORD"),
        ordering_method=value("ordering_method"),
        ordering_address=value("ordering_address"),
        ordering_username=value("ordering_username"),
        notes=value("notes"),
    )


def secrets_from(data: dict[str, Any]) -> Secrets:
    return Secrets(
        username=str(data.get("username") or ""),
        password=str(data.get("password") or ""),
        ordering_password=str(data.get("ordering_password") or ""),
    )


class CatalogueEntryForm(forms.ModelForm):
    """A webshop of the catalogue, kept by platform support."""

    ordering_methods = forms.MultipleChoiceField(
        label=_("ordering methods the supplier supports"),
        choices=channel_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    method = forms.ChoiceField(label=_("method"), choices=Connection.Method.choices)

    class Meta:
        model = CatalogueEntry
        fields = [
            "supplier_name",
            "webshop_url",
            "method",
            "username_field",
            "password_field",
            "extra_params",
            "ordering_methods",
            "ledger_translation",
            "accounts_per_address",
            "xml_invoices",
            "assortment",
            "discounts",
            "order_confirmations",
            "extra_costs",
            "notes",
            "contact_email",
            "is_published",
        ]
        widgets = {
            "assortment": forms.Textarea(attrs={"rows": 2}),
            "discounts": forms.Textarea(attrs={"rows": 2}),
            "order_confirmations": forms.Textarea(attrs={"rows": 2}),
            "extra_costs": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "extra_params": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_extra_params(self) -> dict[str, str]:
        value = self.cleaned_data.get("extra_params") or {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise forms.ValidationError(_('Give an object of names and texts, e.g. {"LANGU": "NL"}.'))
        return value
