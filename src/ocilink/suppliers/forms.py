"""Forms of the supplier administration; every choice is limited to the organization acted in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from ocilink.accounts.models import Membership, Organization, Role
from ocilink.accounts.selectors import members_of
from ocilink.connections.models import Connection
from ocilink.connections.selectors import connections_of

from .models import Supplier, SupplierCategory, SupplierGroup
from .selectors import members_without_own_right, supplier_categories_of, supplier_groups_of, suppliers_of


def _limit(form: forms.Form, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.get_full_name() or obj.user.get_username()} ({obj.get_role_display()})"


class NameForm(forms.Form):
    """A supplier group or category: just a name."""

    name = forms.CharField(label=_("Name"), max_length=SupplierGroup._meta.get_field("name").max_length)


class SupplierForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=Supplier._meta.get_field("name").max_length)
    group = forms.ModelChoiceField(
        label=_("Supplier group"),
        queryset=SupplierGroup.objects.none(),
        required=False,
        help_text=_("Ordering rights are given per supplier group."),
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=SupplierCategory.objects.none(), required=False)
    external_connection = forms.ModelChoiceField(
        label=_("External connection"),
        queryset=Connection.objects.none(),
        required=False,
        help_text=_("The webshop connection buyers shop through."),
    )
    is_blocked = forms.BooleanField(
        label=_("Blocked"), required=False, help_text=_("A blocked supplier is hidden from every buyer.")
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "group", supplier_groups_of(organization=organization))
        _limit(self, "category", supplier_categories_of(organization=organization))
        _limit(self, "external_connection", connections_of(organization=organization))


class OrderingRightForm(forms.Form):
    may_order = forms.BooleanField(label=_("May order"), required=False, initial=True)
    all_supplier_groups = forms.BooleanField(label=_("At every supplier group"), required=False)
    supplier_groups = forms.ModelMultipleChoiceField(
        label=_("At these supplier groups"),
        queryset=SupplierGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    limit_without_approval = forms.DecimalField(
        label=_("May order without approval up to"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.00"),
        initial=Decimal("0.00"),
        help_text=_("Per order. Above it, the order needs approval; 0 means every order needs approval."),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "supplier_groups", supplier_groups_of(organization=organization))


HOLDER_ROLE = "role"
HOLDER_USER = "user"


class NewOrderingRightForm(OrderingRightForm):
    """A new right: for a role, or for one member (whose own right then replaces the right of their role)."""

    holder = forms.ChoiceField(
        label=_("For"),
        choices=[(HOLDER_ROLE, _("a role")), (HOLDER_USER, _("one member"))],
        widget=forms.RadioSelect,
        initial=HOLDER_ROLE,
    )
    role = forms.ChoiceField(label=_("Role"), choices=[("", "---------"), *Role.choices], required=False)
    user = UserChoiceField(label=_("Member"), queryset=get_user_model().objects.none(), required=False)

    field_order = ["holder", "role", "user"]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        _limit(self, "user", members_without_own_right(organization=organization))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("holder") == HOLDER_ROLE:
            data["user"] = None
            if not data.get("role"):
                self.add_error("role", _("Choose the role this right is for."))
        elif data.get("holder") == HOLDER_USER:
            data["role"] = ""
            if not data.get("user"):
                self.add_error("user", _("Choose the member this right is for."))
        return data


class VisibilityForm(forms.Form):
    member = MemberChoiceField(label=_("Buyer"), queryset=Membership.objects.none())
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.none())

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "member", members_of(organization=organization))
        _limit(self, "supplier", suppliers_of(organization_id=organization.pk).select_related("external_connection"))
