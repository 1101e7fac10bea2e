"""Writes on an organization's people and cost centres. Each one is audited, in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from .audit import audit_log
from .models import CostCentre, DeliveryAddress, Membership, Organization, Role
from .permissions import is_platform_staff


class AccountsError(Exception):
    """A change to an organization's people or cost centres that cannot be made; the message says why."""


def _clean_code(code: str) -> str:
    code = code.strip()
    if not code:
        raise AccountsError(_("Enter a code for the cost centre."))
    return code


def _ensure_unique_code(*, organization: Organization, code: str, exclude_pk: int | None = None) -> None:
    clash = CostCentre.objects.filter(organization=organization, code__iexact=code)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise AccountsError(
            _("There is already a cost centre with code %(code)s. Choose another code or edit that one.")
            % {"code": code}
        )


@transaction.atomic
def cost_centre_create(*, organization: Organization, actor: Any, code: str, name: str) -> CostCentre:
    code = _clean_code(code)
    _ensure_unique_code(organization=organization, code=code)
    centre = CostCentre.objects.create(organization=organization, code=code, name=name.strip())
    audit_log(
        organization=organization,
        actor=actor,
        action="cost_centre.created",
        obj=centre,
        summary=_("Cost centre %(centre)s created.") % {"centre": centre},
    )
    return centre


@transaction.atomic
def cost_centre_update(*, cost_centre: CostCentre, actor: Any, code: str, name: str, is_active: bool) -> CostCentre:
    centre = CostCentre.objects.select_for_update().get(pk=cost_centre.pk)
    code = _clean_code(code)
    _ensure_unique_code(organization=centre.organization, code=code, exclude_pk=centre.pk)
    before = f"{centre} ({_('active') if centre.is_active else _('inactive')})"
    centre.code, centre.name, centre.is_active = code, name.strip(), is_active
    centre.save()
    audit_log(
        organization=centre.organization,
        actor=actor,
        action="cost_centre.updated",
        obj=centre,
        summary=_("Cost centre %(before)s changed to %(after)s.")
        % {"before": before, "after": f"{centre} ({_('active') if centre.is_active else _('inactive')})"},
    )
    return centre


@transaction.atomic
def cost_centre_deactivate(*, cost_centre: CostCentre, actor: Any) -> CostCentre:
    """Take a cost centre out of use; it stays on the requests that carry it (so it is never deleted)."""
    centre = CostCentre.objects.select_for_update().get(pk=cost_centre.pk)
    if not centre.is_active:
        return centre
    centre.is_active = False
    centre.save(update_fields=["is_active", "updated_at"])
    audit_log(
        organization=centre.organization,
        actor=actor,
        action="cost_centre.deactivated",
        obj=centre,
        summary=_("Cost centre %(centre)s deactivated.") % {"centre": centre},
    )
    return centre


@transaction.atomic
def membership_update(
    *, membership: Membership, actor: Any, role: str, delivery_address: DeliveryAddress | None
) -> Membership:
    """Change a member's role and usual delivery address.

    The organization keeps at least one administrator, so it can never lock itself out.
    """
    if membership.pk is None:
        raise AccountsError(_("Platform staff have no membership to change."))
    locked = (
        Membership.objects.select_for_update(of=("self",)).select_related("user", "organization").get(pk=membership.pk)
    )
    organization = locked.organization
    if role not in Role.values:
        raise AccountsError(_("Choose one of the roles buyer, approver or administrator."))
    if delivery_address is not None and delivery_address.organization_id != organization.pk:
        raise AccountsError(_("Choose one of your organization's delivery addresses."))
    if locked.role == Role.ADMINISTRATOR and role != Role.ADMINISTRATOR:
        administrators = Membership.objects.select_for_update().filter(
            organization=organization, role=Role.ADMINISTRATOR
        )
        if not administrators.exclude(pk=locked.pk).exists():
            raise AccountsError(
                _(
                    "%(user)s is the organization's only administrator. Make another member administrator first, "
                    "so someone can still manage the organization."
                )
                % {"user": _user_label(locked.user)}
            )
    changes = []
    if locked.role != role:
        changes.append(
            _("role %(before)s → %(after)s") % {"before": locked.get_role_display(), "after": Role(role).label}
        )
    if locked.delivery_address_id != (delivery_address.pk if delivery_address else None):
        changes.append(
            _("delivery address %(before)s → %(after)s")
            % {
                "before": locked.delivery_address.label if locked.delivery_address else _("none"),
                "after": delivery_address.label if delivery_address else _("none"),
            }
        )
    if not changes:
        return locked
    locked.role = role
    locked.delivery_address = delivery_address
    locked.save(update_fields=["role", "delivery_address", "updated_at"])
    audit_log(
        organization=organization,
        actor=actor,
        action="membership.updated",
        obj=locked,
        summary=_("%(user)s: %(changes)s.") % {"user": _user_label(locked.user), "changes": "; ".join(changes)},
    )
    return locked


def organization_enter(*, organization: Organization, user: Any) -> None:
    """Record that a staff member starts to act inside an organization (members' own choices are not recorded)."""
    if not is_platform_staff(user=user):
        return
    if Membership.objects.filter(organization=organization, user_id=user.pk).exists():
        return
    audit_log(
        organization=organization,
        actor=user,
        action="organization.entered",
        obj=organization,
        summary=_("%(user)s (platform staff) started to act in this organization.") % {"user": _user_label(user)},
    )


def _user_label(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())
