"""Reads about suppliers, their groups, categories and ordering rights, always scoped to an organization."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from ocilink.accounts.models import Membership, Organization
from ocilink.accounts.selectors import default_delivery_address
from ocilink.connections.models import OciCredential

from .models import OrderingRight, Supplier, SupplierCategory, SupplierGroup
from .rights import right_for


def suppliers_of(*, organization_id: int) -> QuerySet[Supplier]:
    return Supplier.objects.filter(organization_id=organization_id)


def suppliers_for_buyer(*, membership: Membership, check_credentials: bool = True) -> QuerySet[Supplier]:
    """The suppliers this member can shop at. The same rules, in the same order, as ``visibility.supplier_visibility``:

    not blocked; an external connection of the member's organization that is active; the member's effective right
    (their own, else their role's) may order and covers the supplier's group; an OCI account exists for the
    member's delivery address or organization-wide. A fixed number of queries, however many suppliers there are.

    ``check_credentials=False`` leaves out the last rule, for a caller that explains a missing account itself.
    """
    organization_id = membership.organization_id
    right = right_for(membership=membership)
    if not right.may_order:
        return Supplier.objects.none()
    suppliers = suppliers_of(organization_id=organization_id).filter(
        is_blocked=False,
        external_connection__isnull=False,
        external_connection__organization_id=organization_id,
        external_connection__is_active=True,
    )
    if not right.all_supplier_groups:
        suppliers = suppliers.filter(group_id__in=right.supplier_group_ids)
    suppliers = suppliers.select_related("external_connection").order_by("name")
    if not check_credentials:
        return suppliers
    address = default_delivery_address(membership=membership)
    for_address = Q(delivery_address__isnull=True)
    if address is not None:
        for_address |= Q(delivery_address_id=address.pk)
    credentials = OciCredential.objects.filter(
        for_address, organization_id=organization_id, connection_id=OuterRef("external_connection_id")
    )
    return suppliers.filter(Exists(credentials))


def supplier_groups_of(*, organization: Organization) -> QuerySet[SupplierGroup]:
    """The organization's supplier groups, each with its number of suppliers."""
    return SupplierGroup.objects.filter(organization=organization).annotate(supplier_count=Count("suppliers"))


def supplier_categories_of(*, organization: Organization) -> QuerySet[SupplierCategory]:
    return SupplierCategory.objects.filter(organization=organization).annotate(supplier_count=Count("suppliers"))


def suppliers_for_administration(*, organization: Organization) -> QuerySet[Supplier]:
    return suppliers_of(organization_id=organization.pk).select_related("group", "category", "external_connection")


def ordering_rights_of(*, organization: Organization) -> QuerySet[OrderingRight]:
    """Role rights first (buyer, approver, administrator), then the users' own rights by name."""
    return (
        OrderingRight.objects.filter(organization=organization)
        .select_related("user")
        .prefetch_related("supplier_groups")
        .order_by("-role", "user__last_name", "user__first_name", "user__username")
    )


def members_without_own_right(*, organization: Organization) -> QuerySet[Any]:
    """Users of the organization who have no own ordering right yet: who may get one."""
    users = get_user_model().objects.filter(memberships__organization=organization)
    return users.exclude(ordering_rights__organization=organization).order_by("last_name", "first_name", "username")
