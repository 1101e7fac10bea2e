"""Who may act on a connection request. The responsible party of a step decides who may tick it.

- customer steps: the organization's administrator;
- consultant steps: platform staff with the role consultant;
- support steps: platform staff with the role support;
- supplier steps: whoever receives the supplier's answer, so the administrator or any platform staff.

A superuser counts as both consultant and support (the demo's consultant is one).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from ocilink.accounts.models import Organization
from ocilink.accounts.permissions import is_administrator, is_consultant, is_platform_staff, is_support

from .plans import Party


def may_act_for_party(*, user: Any, organization: Organization | int, party: str) -> bool:
    """Whether the user may tick, skip or reopen a step of this party in this organization's request."""
    if party == Party.CUSTOMER:
        return is_administrator(user=user, organization=organization)
    if party == Party.CONSULTANT:
        return is_consultant(user=user)
    if party == Party.SUPPORT:
        return is_support(user=user)
    if party == Party.SUPPLIER:
        return is_administrator(user=user, organization=organization) or is_platform_staff(user=user)
    return False


def may_activate(user: Any) -> bool:
    """Activating a connection is for a consultant or a support member."""
    return is_consultant(user=user) or is_support(user=user)


def may_manage_request(*, user: Any, organization: Organization | int) -> bool:
    """Edit the details, cancel, hold the next order: the organization's administrator or platform staff."""
    return is_administrator(user=user, organization=organization) or is_platform_staff(user=user)


def who_acts(party: str) -> str:
    """Who must act for a step of this party, in words."""
    words = {
        Party.CUSTOMER: _("the organization's administrator"),
        Party.CONSULTANT: _("the platform's consultant"),
        Party.SUPPORT: _("platform support"),
        Party.SUPPLIER: _("the supplier (the administrator or platform staff records the answer)"),
    }
    return str(words.get(party, party))  # type: ignore[call-overload]
