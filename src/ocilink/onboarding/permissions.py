"""Who may do what on a connection request. The responsible party of a step decides who may tick it.

- customer steps: the organization's administrator;
- consultant steps: platform staff with the role consultant;
- support steps: platform staff with the role support;
- supplier steps: whoever receives the supplier's answer, so the administrator or any platform staff.

A superuser counts as both consultant and support (the demo's consultant is one).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from ocilink.accounts.models import Membership, Organization, PlatformRole, PlatformStaff, Role
from ocilink.accounts.selectors import is_platform_staff as accounts_is_platform_staff

from .plans import Party


def platform_roles(user: Any) -> frozenset[str]:
    """The platform roles of a user: consultant and/or support (none for a customer)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if user.is_superuser:
        return frozenset({PlatformRole.CONSULTANT, PlatformRole.SUPPORT})
    role = PlatformStaff.objects.filter(user_id=user.pk).values_list("role", flat=True).first()
    return frozenset({role}) if role else frozenset()


def is_platform_staff(user: Any) -> bool:
    """A member of the platform's own staff (a PlatformStaff row, or Django's staff flag)."""
    return accounts_is_platform_staff(user=user) or bool(platform_roles(user))


def is_support(user: Any) -> bool:
    return PlatformRole.SUPPORT in platform_roles(user)


def is_administrator(user: Any, organization: Organization | int) -> bool:
    """Whether the user is an administrator of this organization."""
    if not getattr(user, "is_authenticated", False):
        return False
    organization_id = organization if isinstance(organization, int) else organization.pk
    return Membership.objects.filter(user_id=user.pk, organization_id=organization_id, role=Role.ADMINISTRATOR).exists()


def may_act_for_party(*, user: Any, organization: Organization | int, party: str) -> bool:
    """Whether the user may tick, skip or reopen a step of this party in this organization's request."""
    if party == Party.CUSTOMER:
        return is_administrator(user, organization)
    if party == Party.CONSULTANT:
        return PlatformRole.CONSULTANT in platform_roles(user)
    if party == Party.SUPPORT:
        return PlatformRole.SUPPORT in platform_roles(user)
    if party == Party.SUPPLIER:
        return is_administrator(user, organization) or is_platform_staff(user)
    return False


def may_activate(user: Any) -> bool:
    """Activating a connection is for a consultant or a support member."""
    return bool(platform_roles(user) & {PlatformRole.CONSULTANT, PlatformRole.SUPPORT})


def may_manage_request(*, user: Any, organization: Organization | int) -> bool:
    """Edit the details, cancel, hold the next order: the organization's administrator or platform staff."""
    return is_administrator(user, organization) or is_platform_staff(user)


def who_acts(party: str) -> str:
    """Who must act for a step of this party, in words."""
    words = {
        Party.CUSTOMER: _("the organization's administrator"),
        Party.CONSULTANT: _("the platform's consultant"),
        Party.SUPPORT: _("platform support"),
        Party.SUPPLIER: _("the supplier (the administrator or platform staff records the answer)"),
    }
    return str(words.get(party, party))  # type: ignore[call-overload]
