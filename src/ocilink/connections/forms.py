"""Forms for connections. Secrets are write-only: the form never shows a stored password again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Connection, OciCredential


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
        from ocilink.dispatch.registry import channel_choices

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
