"""Forms for connections. Secrets are write-only: the form never shows a stored password again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ocilink.accounts.models import DeliveryAddress
from ocilink.dispatch.choices import channel_choices

from .address_sheet import MAX_UPLOAD_BYTES
from .models import Connection, OciCredential
from .services import CredentialChange


class OciCredentialForm(forms.ModelForm):
    """Enter or replace an OCI account. Leave both fields empty to keep what is stored."""

    username = forms.CharField(label=_("username"), required=False, max_length=200)
    password = forms.CharField(
        label=_("password"), required=False, max_length=200, widget=forms.PasswordInput(render_value=False)
    )

    class Meta:
        model = OciCredential
        fields = ["organization", "connection", "delivery_address"]

    def clean(self) -> dict:
        data = super().clean() or {}
        creating = self.instance.pk is None
        if creating and not (data.get("username") and data.get("password")):
            raise forms.ValidationError(_("Enter the username and the password of the OCI account."))
        if bool(data.get("username")) != bool(data.get("password")):
            raise forms.ValidationError(_("Enter both the username and the password, or neither to keep them."))
        connection, address = data.get("connection"), data.get("delivery_address")
        organization = data.get("organization")
        if connection and organization and connection.organization_id != organization.pk:
            raise forms.ValidationError(_("The connection belongs to another organization."))
        if address and organization and address.organization_id != organization.pk:
            raise forms.ValidationError(_("The delivery address belongs to another organization."))
        return data

    def save(self, commit: bool = True) -> OciCredential:
        credential = super().save(commit=False)
        if self.cleaned_data.get("username"):
            credential.set_secrets(username=self.cleaned_data["username"], password=self.cleaned_data["password"])
        if commit:
            credential.save()
        return credential


class ConnectionAdminForm(forms.ModelForm):
    """A connection with its ordering method. Ordering secrets are write-only: leave empty to keep them."""

    ordering_method = forms.ChoiceField(label=_("ordering method"), required=False)
    ordering_secrets = forms.JSONField(
        label=_("ordering secrets"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            'Write-only, e.g. {"shared_secret": "…"} or {"password": "…"}. Stored encrypted; never shown again. '
            "Leave empty to keep what is stored."
        ),
    )

    class Meta:
        model = Connection
        fields = "__all__"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        method = self.fields["ordering_method"]
        assert isinstance(method, forms.ChoiceField)
        method.choices = [("", "—"), *channel_choices()]

    def clean_ordering_secrets(self) -> dict | None:
        value = self.cleaned_data.get("ordering_secrets")
        if value in (None, "", {}):
            return None
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise forms.ValidationError(_("Give an object of names and texts."))
        return value

    def save(self, commit: bool = True) -> Connection:
        connection = super().save(commit=False)
        secrets = self.cleaned_data.get("ordering_secrets")
        if commit and connection.pk is None:
            connection.save()
        if secrets is not None:
            connection.set_ordering_secrets(secrets)
        if commit:
            connection.save()
        return connection


class CredentialRowForm(forms.Form):
    """One row of the credentials page: the account and numbers of one delivery address (or the whole organization).

    The stored username is never put back into the field (the page shows a mask beside it) and the password field
    never renders a value: leave either empty to keep what is stored. Numbers are shown and changed as plain text.
    """

    username = forms.CharField(label=_("username"), required=False, max_length=200)
    password = forms.CharField(
        label=_("password"),
        required=False,
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    customer_number = forms.CharField(label=_("customer number"), required=False, max_length=60)
    debtor_number = forms.CharField(label=_("debtor number"), required=False, max_length=60)
    location_code = forms.CharField(label=_("location code"), required=False, max_length=60)
    remove = forms.BooleanField(label=_("remove this address's account"), required=False)

    def __init__(self, *args: Any, has_account: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_account = has_account
        self.fields["username"].widget.attrs["autocomplete"] = "off"

    def clean(self) -> dict:
        data = super().clean() or {}
        username, password = data.get("username") or "", data.get("password") or ""
        if self.has_account or data.get("remove"):
            return data
        numbers_changed = any(
            name in self.changed_data for name in ("customer_number", "debtor_number", "location_code")
        )
        if (username or password or numbers_changed) and not (username and password):
            if numbers_changed and not (username or password):
                raise forms.ValidationError(
                    _(
                        "The numbers of an address are kept with an account of its own: enter its username and "
                        "password too (otherwise the organization-wide account is used there)."
                    )
                )
            raise forms.ValidationError(_("Enter both the username and the password for a new account."))
        return data

    def to_change(self, delivery_address: DeliveryAddress | None) -> CredentialChange | None:
        """The ``CredentialChange`` this row asks for (None for an untouched row)."""
        data = self.cleaned_data
        if data.get("remove") and self.has_account and delivery_address is not None:
            return CredentialChange(delivery_address=delivery_address, remove=True)

        def changed(name: str) -> str | None:
            return str(data.get(name) or "") if name in self.changed_data else None

        change = CredentialChange(
            delivery_address=delivery_address,
            username=data.get("username") or None,
            password=data.get("password") or None,
            customer_number=changed("customer_number"),
            debtor_number=changed("debtor_number"),
            location_code=changed("location_code"),
        )
        return change if change.changes_anything else None


class CredentialRequestForm(forms.Form):
    """The credential request e-mail: to whom, in which language, and how the organization is known there."""

    language = forms.ChoiceField(label=_("language of the e-mail"), choices=[("nl", "Nederlands"), ("en", "English")])
    contact_email = forms.EmailField(label=_("supplier's contact e-mail address"))
    contact_name = forms.CharField(label=_("name of the contact"), required=False, max_length=100)
    cc = forms.EmailField(label=_("copy to"), required=False, help_text=_("For example your consultant."))
    reply_to = forms.EmailField(label=_("your e-mail address, for the supplier's reply"))
    sender_name = forms.CharField(label=_("your name, under the e-mail"), required=False, max_length=150)
    debtor_number = forms.CharField(
        label=_("your debtor number at the supplier"),
        required=False,
        max_length=60,
        help_text=_("Filled in from the organization-wide account of this connection, where it has one."),
    )
    coc_number = forms.CharField(label=_("your chamber of commerce (KvK) number"), required=False, max_length=20)
    attach_sheet = forms.BooleanField(
        label=_("attach the sheet of delivery addresses (XLSX)"), required=False, initial=True
    )
    include_guide_link = forms.BooleanField(
        label=_("add the link to the supplier integration guide"), required=False, initial=True
    )


class AddressSheetUploadForm(forms.Form):
    """The delivery-address sheet as the supplier filled it in."""

    sheet = forms.FileField(
        label=_("filled-in sheet (XLSX)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_sheet(self) -> Any:
        upload = self.cleaned_data["sheet"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB. Upload the sheet ocilink made, filled in.")
                % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


def _parse_extra_params(text: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise forms.ValidationError(
                _("Line %(line)d is not of the form NAME=value.") % {"line": number}, code="invalid"
            )
        params[name.strip()] = value.strip()
    return params


class SupplierSelfTestForm(forms.Form):
    """The public self-test of the guide: where and how to punch into the supplier's webshop, with a test account."""

    webshop_url = forms.URLField(
        label=_("webshop (OCI) URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The address ocilink sends the login form to."),
    )
    method = forms.ChoiceField(label=_("method"), choices=Connection.Method.choices, initial=Connection.Method.POST)
    username_field = forms.CharField(label=_("name of the username field"), max_length=60, initial="USERNAME")
    password_field = forms.CharField(label=_("name of the password field"), max_length=60, initial="PASSWORD")
    extra_params = forms.CharField(
        label=_("extra fixed parameters"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, as NAME=value. Leave empty when your webshop needs none."),
    )
    username = forms.CharField(label=_("test username"), max_length=200)
    password = forms.CharField(
        label=_("test password"),
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Use a test account: it is stored encrypted for the two hours the test lasts."),
    )

    def clean_webshop_url(self) -> str:
        value = str(self.cleaned_data.get("webshop_url") or "")
        if not value.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("The webshop URL must start with https:// or http://."))
        return value

    def clean_extra_params(self) -> dict[str, str]:
        return _parse_extra_params(self.cleaned_data.get("extra_params") or "")
