"""Reads about purchase orders, always scoped to an organization."""

from __future__ import annotations

from django.db.models import QuerySet

from ocilink.accounts.models import Membership, Role

from .models import PurchaseOrder


def purchase_orders_for(*, membership: Membership) -> QuerySet[PurchaseOrder]:
    """Administrators and approvers see all orders of their organization; a buyer sees their own."""
    orders = PurchaseOrder.objects.filter(organization_id=membership.organization_id).select_related(
        "supplier", "buyer", "dispatch"
    )
    if membership.role == Role.BUYER and not membership.user.is_staff:
        orders = orders.filter(buyer_id=membership.user_id)
    return orders


def may_act_on(*, membership: Membership, purchase_order: PurchaseOrder) -> bool:
    return (
        membership.role == Role.ADMINISTRATOR
        or membership.user.is_staff
        or purchase_order.buyer_id == membership.user_id
    )
