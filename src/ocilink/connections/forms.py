"""Forms for connections. Secrets are write-only: the form never shows a stored password again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import OciCredential


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
