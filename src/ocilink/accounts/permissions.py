"""Who may do what: the one place that says who is platform staff, support or an organization's administrator.

The page guards built on these checks are in ``decorators.py``; the onboarding's rules for who ticks a step of which
party build on them too (``onboarding.parties``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Membership, Organization, PlatformRole, PlatformStaff, Role

# Cached on the user object for the length of a request: the answers are asked for several times per page.
_STAFF_CACHE_ATTRIBUTE = "_ocilink_platform_roles"


class MembershipRequest(HttpRequest):
    """A request that passed ``membership_required``: it carries the user's membership of the current organization
    (for platform staff, their transient administrator membership of the organization they chose)."""

    membership: Membership


def platform_roles(user: Any) -> frozenset[str]:
    """The platform roles of a user: consultant and/or support (none for a customer). A superuser has both."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, _STAFF_CACHE_ATTRIBUTE, None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset({PlatformRole.CONSULTANT, PlatformRole.SUPPORT})
        else:
            role = PlatformStaff.objects.filter(user_id=user.pk).values_list("role", flat=True).first()
            cached = frozenset({role}) if role else frozenset()
        setattr(user, _STAFF_CACHE_ATTRIBUTE, cached)
    return frozenset(cached)


def is_platform_staff(*, user: Any) -> bool:
    """One of the platform's own staff: a consultant or support (a ``PlatformStaff`` row), a superuser, or a user
    with Django's staff flag."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff) or bool(platform_roles(user))


def is_support(*, user: Any) -> bool:
    """Platform support: it keeps the catalogue of available webshops."""
    return PlatformRole.SUPPORT in platform_roles(user)


def is_consultant(*, user: Any) -> bool:
    return PlatformRole.CONSULTANT in platform_roles(user)


def is_administrator(*, user: Any, organization: Organization | int) -> bool:
    """Whether the user is an administrator of this organization (a member with that role)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    organization_id = organization if isinstance(organization, int) else organization.pk
    return Membership.objects.filter(user_id=user.pk, organization_id=organization_id, role=Role.ADMINISTRATOR).exists()


def acts_as_administrator(membership: Membership) -> bool:
    """Whether the member may use the organization's administration pages: an administrator, or platform staff
    acting in the organization (also when they are a member with another role there)."""
    return membership.role == Role.ADMINISTRATOR or is_platform_staff(user=membership.user)
