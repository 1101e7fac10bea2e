"""The buyer's list of suppliers (each with a Shop button) and the administrator's supplier pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocilink.accounts.decorators import administrator_required, membership_required
from ocilink.accounts.permissions import MembershipRequest
from ocilink.accounts.selectors import default_delivery_address, delivery_addresses_of

from . import services
from .forms import HOLDER_USER, NameForm, NewOrderingRightForm, OrderingRightForm, SupplierForm, VisibilityForm
from .selectors import (
    ordering_rights_of,
    supplier_categories_of,
    supplier_groups_of,
    suppliers_for_administration,
    suppliers_for_buyer,
)
from .services import SupplierAdminError
from .visibility import supplier_visibility


@membership_required
def supplier_list(request: MembershipRequest) -> HttpResponse:
    membership = request.membership
    return render(
        request,
        "suppliers/list.html",
        {
            "suppliers": suppliers_for_buyer(membership=membership),
            "addresses": delivery_addresses_of(organization=membership.organization),
            "default_address": default_delivery_address(membership=membership),
        },
    )


def _organization(request: MembershipRequest) -> Any:
    return request.membership.organization


# --- supplier groups and categories: the same pages for two kinds of named things ----------------------------------


@dataclass(frozen=True)
class NamedKind:
    plural: Promise
    singular: Promise
    empty: Promise
    url_prefix: str
    objects: Callable[..., QuerySet[Any]]
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any]
    object_argument: str

    def url(self, action: str) -> str:
        return f"suppliers:{self.url_prefix}_{action}"


GROUPS = NamedKind(
    plural=gettext_lazy("Supplier groups"),
    singular=gettext_lazy("supplier group"),
    empty=gettext_lazy("No supplier groups yet. Ordering rights are given per group, so start with one."),
    url_prefix="group",
    objects=supplier_groups_of,
    create=services.supplier_group_create,
    update=services.supplier_group_update,
    delete=services.supplier_group_delete,
    object_argument="group",
)
CATEGORIES = NamedKind(
    plural=gettext_lazy("Supplier categories"),
    singular=gettext_lazy("supplier category"),
    empty=gettext_lazy("No supplier categories yet."),
    url_prefix="category",
    objects=supplier_categories_of,
    create=services.supplier_category_create,
    update=services.supplier_category_update,
    delete=services.supplier_category_delete,
    object_argument="category",
)


def _kind_context(kind: NamedKind) -> dict[str, Any]:
    return {
        "kind": kind,
        "list_url": kind.url("list"),
        "create_url": kind.url("create"),
        "edit_url": kind.url("edit"),
        "delete_url": kind.url("delete"),
    }


def _named_list(request: MembershipRequest, kind: NamedKind) -> HttpResponse:
    objects = kind.objects(organization=_organization(request)).order_by("name")
    return render(request, "suppliers/named_list.html", {**_kind_context(kind), "objects": objects})


def _named_form(request: MembershipRequest, kind: NamedKind, pk: int | None) -> HttpResponse:
    organization = _organization(request)
    obj = get_object_or_404(kind.objects(organization=organization), pk=pk) if pk is not None else None
    form = NameForm(request.POST or None, initial={"name": obj.name} if obj else None)
    if request.method == "POST" and form.is_valid():
        try:
            if obj is None:
                kind.create(organization=organization, actor=request.user, name=form.cleaned_data["name"])
            else:
                kind.update(**{kind.object_argument: obj}, actor=request.user, name=form.cleaned_data["name"])
        except SupplierAdminError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": form.cleaned_data["name"]})
            return redirect(kind.url("list"))
    return render(request, "suppliers/named_form.html", {**_kind_context(kind), "form": form, "object": obj})


def _named_delete(request: MembershipRequest, kind: NamedKind, pk: int) -> HttpResponse:
    obj = get_object_or_404(kind.objects(organization=_organization(request)), pk=pk)
    if request.method == "POST":
        kind.delete(**{kind.object_argument: obj}, actor=request.user)
        messages.success(request, _("%(name)s was deleted.") % {"name": obj.name})
        return redirect(kind.url("list"))
    return render(request, "suppliers/named_delete.html", {**_kind_context(kind), "object": obj})


@administrator_required
def group_list(request: MembershipRequest) -> HttpResponse:
    return _named_list(request, GROUPS)


@administrator_required
def group_create(request: MembershipRequest) -> HttpResponse:
    return _named_form(request, GROUPS, None)


@administrator_required
def group_edit(request: MembershipRequest, pk: int) -> HttpResponse:
    return _named_form(request, GROUPS, pk)


@administrator_required
def group_delete(request: MembershipRequest, pk: int) -> HttpResponse:
    return _named_delete(request, GROUPS, pk)


@administrator_required
def category_list(request: MembershipRequest) -> HttpResponse:
    return _named_list(request, CATEGORIES)


@administrator_required
def category_create(request: MembershipRequest) -> HttpResponse:
    return _named_form(request, CATEGORIES, None)


@administrator_required
def category_edit(request: MembershipRequest, pk: int) -> HttpResponse:
    return _named_form(request, CATEGORIES, pk)


@administrator_required
def category_delete(request: MembershipRequest, pk: int) -> HttpResponse:
    return _named_delete(request, CATEGORIES, pk)


# --- suppliers ------------------------------------------------------------------------------------------------------


@administrator_required
def supplier_admin_list(request: MembershipRequest) -> HttpResponse:
    suppliers = suppliers_for_administration(organization=_organization(request))
    return render(request, "suppliers/admin_list.html", {"suppliers": suppliers})


def _supplier_form(request: MembershipRequest, pk: int | None) -> HttpResponse:
    organization = _organization(request)
    supplier = get_object_or_404(suppliers_for_administration(organization=organization), pk=pk) if pk else None
    initial = None
    if supplier is not None:
        initial = {
            "name": supplier.name,
            "group": supplier.group,
            "category": supplier.category,
            "external_connection": supplier.external_connection,
            "is_blocked": supplier.is_blocked,
        }
    form = SupplierForm(request.POST or None, initial=initial, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            if supplier is None:
                saved = services.supplier_create(organization=organization, actor=request.user, **form.cleaned_data)
            else:
                saved = services.supplier_update(supplier=supplier, actor=request.user, **form.cleaned_data)
        except SupplierAdminError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Supplier %(name)s was saved.") % {"name": saved.name})
            return redirect("suppliers:admin_list")
    return render(request, "suppliers/admin_form.html", {"form": form, "supplier": supplier})


@administrator_required
def supplier_create(request: MembershipRequest) -> HttpResponse:
    return _supplier_form(request, None)


@administrator_required
def supplier_edit(request: MembershipRequest, pk: int) -> HttpResponse:
    return _supplier_form(request, pk)


# --- ordering rights ------------------------------------------------------------------------------------------------


@administrator_required
def right_list(request: MembershipRequest) -> HttpResponse:
    return render(
        request, "suppliers/right_list.html", {"rights": ordering_rights_of(organization=_organization(request))}
    )


_RIGHT_VALUES = ("may_order", "all_supplier_groups", "supplier_groups", "limit_without_approval")


@administrator_required
def right_create(request: MembershipRequest) -> HttpResponse:
    organization = _organization(request)
    form = NewOrderingRightForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        holder = {"user": data["user"]} if data["holder"] == HOLDER_USER else {"role": data["role"]}
        try:
            services.ordering_right_create(
                organization=organization, actor=request.user, **holder, **{k: data[k] for k in _RIGHT_VALUES}
            )
        except SupplierAdminError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The ordering right was created."))
            return redirect("suppliers:right_list")
    return render(request, "suppliers/right_form.html", {"form": form, "right": None})


@administrator_required
def right_edit(request: MembershipRequest, pk: int) -> HttpResponse:
    organization = _organization(request)
    right = get_object_or_404(ordering_rights_of(organization=organization), pk=pk)
    initial = {
        "may_order": right.may_order,
        "all_supplier_groups": right.all_supplier_groups,
        "supplier_groups": list(right.supplier_groups.all()),
        "limit_without_approval": right.limit_without_approval,
    }
    form = OrderingRightForm(request.POST or None, initial=initial, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.ordering_right_update(
                right=right, actor=request.user, **{k: form.cleaned_data[k] for k in _RIGHT_VALUES}
            )
        except SupplierAdminError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The ordering right of %(holder)s was saved.") % {"holder": right})
            return redirect("suppliers:right_list")
    return render(request, "suppliers/right_form.html", {"form": form, "right": right})


@administrator_required
def right_delete(request: MembershipRequest, pk: int) -> HttpResponse:
    right = get_object_or_404(ordering_rights_of(organization=_organization(request)), pk=pk)
    if request.method == "POST":
        services.ordering_right_delete(right=right, actor=request.user)
        messages.success(request, _("The ordering right of %(holder)s was deleted.") % {"holder": right})
        return redirect("suppliers:right_list")
    return render(request, "suppliers/right_delete.html", {"right": right})


# --- why doesn't this buyer see this supplier? ---------------------------------------------------------------------


@administrator_required
def visibility(request: MembershipRequest) -> HttpResponse:
    """Pick a member and a supplier; the rules are walked in order and the one that hides the supplier is named."""
    organization = _organization(request)
    form = VisibilityForm(request.GET or None, organization=organization)
    result = None
    if form.is_bound and form.is_valid():
        result = supplier_visibility(member=form.cleaned_data["member"], supplier=form.cleaned_data["supplier"])
    return render(request, "suppliers/visibility.html", {"form": form, "result": result})
