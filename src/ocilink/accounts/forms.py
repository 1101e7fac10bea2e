"""Forms of the organization's administration pages; every choice is limited to the organization."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CostCentre, DeliveryAddress, Organization, Role
from .selectors import delivery_addresses_of


class CostCentreForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=CostCentre._meta.get_field("code").max_length)
    name = forms.CharField(label=_("Name"), max_length=CostCentre._meta.get_field("name").max_length)
    is_active = forms.BooleanField(
        label=_("Active"), required=False, initial=True, help_text=_("Inactive cost centres cannot be chosen.")
    )


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    delivery_address = forms.ModelChoiceField(
        label=_("Usual delivery address"),
        queryset=DeliveryAddress.objects.none(),
        required=False,
        empty_label=_("(the organization's default)"),
        help_text=_("Decides which OCI account the member uses at a webshop."),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["delivery_address"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = delivery_addresses_of(organization=organization)
