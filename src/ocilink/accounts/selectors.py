"""Reads about organizations and memberships."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import DeliveryAddress, Membership, Organization

SESSION_ORGANIZATION_KEY = "ocilink.organization_id"


def membership_for(*, user: Any, organization_id: int | None = None) -> Membership | None:
    """The user's membership of the given organization, or of their first one."""
    if not getattr(user, "is_authenticated", False):
        return None
    memberships = Membership.objects.select_related("organization", "delivery_address", "user").filter(user=user)
    if organization_id is not None:
        chosen = memberships.filter(organization_id=organization_id).first()
        if chosen is not None:
            return chosen
    return memberships.order_by("organization__name").first()


def delivery_addresses_of(*, organization: Organization) -> QuerySet[DeliveryAddress]:
    return DeliveryAddress.objects.filter(organization=organization)


def default_delivery_address(*, membership: Membership) -> DeliveryAddress | None:
    """The member's usual address, else the organization's default, else its first."""
    if membership.delivery_address_id:
        return membership.delivery_address
    addresses = delivery_addresses_of(organization=membership.organization)
    return addresses.filter(is_default=True).first() or addresses.first()
