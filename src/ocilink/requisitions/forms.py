"""Forms of the cart and of the approval pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ocilink.accounts.models import CostCentre, Organization


class SubmitForm(forms.Form):
    """Submitting the cart: an optional reference, and the cost centre that decides which approval rules apply."""

    reference = forms.CharField(label=_("Your reference (optional)"), max_length=100, required=False)
    cost_centre = forms.ModelChoiceField(
        label=_("Cost centre"), queryset=CostCentre.objects.none(), required=False, empty_label=_("(none)")
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cost_centre"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = CostCentre.objects.filter(organization=organization, is_active=True).order_by("code")


class DecisionForm(forms.Form):
    """An approver's comment: optional when approving, required when rejecting (the service says so)."""

    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
