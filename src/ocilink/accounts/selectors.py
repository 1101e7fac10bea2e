"""Reads about organizations, memberships, cost centres and the audit trail, always scoped to an organization.

Platform staff (a ``PlatformStaff`` row or Django's ``is_staff``) work across organizations. Inside the
organization they chose they act through a *transient* membership: an unsaved ``Membership`` with the role
administrator, built by ``staff_membership``. Views and selectors take it like any other membership; it is never
saved, so no Membership row is ever created for staff (``acts_as_platform_staff`` tells it apart).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import AuditEvent, CostCentre, DeliveryAddress, Membership, Organization, Role
from .permissions import is_platform_staff

SESSION_ORGANIZATION_KEY = "ocilink.organization_id"


def staff_membership(*, user: Any, organization: Organization) -> Membership:
    """The transient membership through which a staff member acts in an organization: administrator, never saved."""
    return Membership(user=user, organization=organization, role=Role.ADMINISTRATOR, delivery_address=None)


def acts_as_platform_staff(membership: Membership) -> bool:
    """Whether this is a staff member's transient membership rather than a member's own."""
    return membership.pk is None


def membership_for(*, user: Any, organization_id: int | None = None) -> Membership | None:
    """The user's membership of the chosen organization, else of their first one.

    Platform staff who chose an organization they are not a member of get a transient administrator membership
    for it; without a choice (or a member's own organization) they get None.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    # Not the user again (it is loaded: the request's): it is set on the membership found.
    memberships = Membership.objects.select_related("organization", "delivery_address").filter(user_id=user.pk)
    if organization_id is not None:
        chosen = memberships.filter(organization_id=organization_id).first()
        if chosen is not None:
            chosen.user = user
            return chosen
        if is_platform_staff(user=user):
            organization = Organization.objects.filter(pk=organization_id).first()
            if organization is not None:
                return staff_membership(user=user, organization=organization)
    first = memberships.order_by("organization__name").first()
    if first is not None:
        first.user = user
    return first


def organizations_for(*, user: Any) -> QuerySet[Organization]:
    """The organizations a user may act in: every one for platform staff, else those they are a member of."""
    if is_platform_staff(user=user):
        return Organization.objects.order_by("name")
    return Organization.objects.filter(memberships__user=user).order_by("name").distinct()


def delivery_addresses_of(*, organization: Organization) -> QuerySet[DeliveryAddress]:
    return DeliveryAddress.objects.filter(organization=organization)


def default_delivery_address(*, membership: Membership) -> DeliveryAddress | None:
    """The member's usual address, else the organization's default, else its first."""
    if membership.delivery_address_id:
        return membership.delivery_address
    addresses = delivery_addresses_of(organization=membership.organization)
    return addresses.filter(is_default=True).first() or addresses.first()


def members_of(*, organization: Organization) -> QuerySet[Membership]:
    """The organization's members with their user and usual delivery address, by name."""
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user", "delivery_address", "organization")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def cost_centres_of(*, organization: Organization, active_only: bool = False) -> QuerySet[CostCentre]:
    centres = CostCentre.objects.filter(organization=organization)
    if active_only:
        centres = centres.filter(is_active=True)
    return centres.order_by("code")


def audit_events_of(*, organization: Organization) -> QuerySet[AuditEvent]:
    """The organization's audit trail, newest first."""
    return AuditEvent.objects.filter(organization=organization).select_related("actor").order_by("-at", "-pk")
