"""Writes on suppliers, supplier groups and categories, and ordering rights. Each one is audited.

Every object passed in must belong to the organization acted on; a service refuses anything else, so a form
that was tampered with changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ocilink.accounts.audit import audit_log
from ocilink.accounts.models import Membership, Organization, Role
from ocilink.connections.models import Connection

from .models import OrderingRight, Supplier, SupplierCategory, SupplierGroup

MAX_LIMIT = Decimal("999999999999.99")  # what limit_without_approval can hold (14 digits, 2 decimals)


class SupplierAdminError(Exception):
    """A change to suppliers or rights that cannot be made; the message says why."""


def _same_organization(organization: Organization, *objects: Any) -> None:
    for obj in objects:
        if obj is not None and obj.organization_id != organization.pk:
            raise SupplierAdminError(_("%(object)s belongs to another organization.") % {"object": obj})


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise SupplierAdminError(_("Enter a name."))
    return name


# --- supplier groups and categories -------------------------------------------------------------------------------


def _ensure_unique_name(
    model: type[SupplierGroup] | type[SupplierCategory], organization: Organization, name: str, exclude_pk: int | None
) -> None:
    clash = model.objects.filter(organization=organization, name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise SupplierAdminError(
            _("There is already a %(kind)s named %(name)s. Choose another name.")
            % {"kind": model._meta.verbose_name, "name": name}
        )


@transaction.atomic
def supplier_group_create(*, organization: Organization, actor: Any, name: str) -> SupplierGroup:
    name = _clean_name(name)
    _ensure_unique_name(SupplierGroup, organization, name, None)
    group = SupplierGroup.objects.create(organization=organization, name=name)
    audit_log(
        organization=organization,
        actor=actor,
        action="supplier_group.created",
        obj=group,
        summary=_("Supplier group %(name)s created.") % {"name": name},
    )
    return group


@transaction.atomic
def supplier_group_update(*, group: SupplierGroup, actor: Any, name: str) -> SupplierGroup:
    group = SupplierGroup.objects.select_for_update().get(pk=group.pk)
    name = _clean_name(name)
    _ensure_unique_name(SupplierGroup, group.organization, name, group.pk)
    before, group.name = group.name, name
    group.save(update_fields=["name", "updated_at"])
    audit_log(
        organization=group.organization,
        actor=actor,
        action="supplier_group.updated",
        obj=group,
        summary=_("Supplier group %(before)s renamed to %(after)s.") % {"before": before, "after": name},
    )
    return group


@transaction.atomic
def supplier_group_delete(*, group: SupplierGroup, actor: Any) -> None:
    """Delete a group: its suppliers keep existing without a group; rights no longer name it."""
    group = SupplierGroup.objects.select_for_update().get(pk=group.pk)
    organization, name = group.organization, group.name
    suppliers = group.suppliers.count()
    audit_log(
        organization=organization,
        actor=actor,
        action="supplier_group.deleted",
        obj=group,
        summary=_("Supplier group %(name)s deleted (%(count)d suppliers left without a group).")
        % {"name": name, "count": suppliers},
    )
    group.delete()


@transaction.atomic
def supplier_category_create(*, organization: Organization, actor: Any, name: str) -> SupplierCategory:
    name = _clean_name(name)
    _ensure_unique_name(SupplierCategory, organization, name, None)
    category = SupplierCategory.objects.create(organization=organization, name=name)
    audit_log(
        organization=organization,
        actor=actor,
        action="supplier_category.created",
        obj=category,
        summary=_("Supplier category %(name)s created.") % {"name": name},
    )
    return category


@transaction.atomic
def supplier_category_update(*, category: SupplierCategory, actor: Any, name: str) -> SupplierCategory:
    category = SupplierCategory.objects.select_for_update().get(pk=category.pk)
    name = _clean_name(name)
    _ensure_unique_name(SupplierCategory, category.organization, name, category.pk)
    before, category.name = category.name, name
    category.save(update_fields=["name", "updated_at"])
    audit_log(
        organization=category.organization,
        actor=actor,
        action="supplier_category.updated",
        obj=category,
        summary=_("Supplier category %(before)s renamed to %(after)s.") % {"before": before, "after": name},
    )
    return category


@transaction.atomic
def supplier_category_delete(*, category: SupplierCategory, actor: Any) -> None:
    category = SupplierCategory.objects.select_for_update().get(pk=category.pk)
    audit_log(
        organization=category.organization,
        actor=actor,
        action="supplier_category.deleted",
        obj=category,
        summary=_("Supplier category %(name)s deleted.") % {"name": category.name},
    )
    category.delete()


# --- suppliers ------------------------------------------------------------------------------------------------------


def _describe(supplier: Supplier) -> dict[str, str]:
    return {
        str(_("name")): supplier.name,
        str(_("group")): str(supplier.group or "-"),
        str(_("category")): str(supplier.category or "-"),
        str(_("external connection")): str(supplier.external_connection or "-"),
        str(_("blocked")): str(_("yes") if supplier.is_blocked else _("no")),
    }


@transaction.atomic
def supplier_create(
    *,
    organization: Organization,
    actor: Any,
    name: str,
    group: SupplierGroup | None = None,
    category: SupplierCategory | None = None,
    external_connection: Connection | None = None,
    is_blocked: bool = False,
) -> Supplier:
    _same_organization(organization, group, category, external_connection)
    supplier = Supplier.objects.create(
        organization=organization,
        name=_clean_name(name),
        group=group,
        category=category,
        external_connection=external_connection,
        is_blocked=is_blocked,
    )
    audit_log(
        organization=organization,
        actor=actor,
        action="supplier.created",
        obj=supplier,
        summary=_("Supplier %(name)s created: %(values)s.")
        % {"name": supplier.name, "values": ", ".join(f"{k} {v}" for k, v in _describe(supplier).items())},
    )
    return supplier


@transaction.atomic
def supplier_update(
    *,
    supplier: Supplier,
    actor: Any,
    name: str,
    group: SupplierGroup | None,
    category: SupplierCategory | None,
    external_connection: Connection | None,
    is_blocked: bool,
) -> Supplier:
    """Change a supplier's name, group, category, external connection and blocked state."""
    locked = Supplier.objects.select_for_update(of=("self",)).select_related("organization").get(pk=supplier.pk)
    organization = locked.organization
    _same_organization(organization, group, category, external_connection)
    before = _describe(locked)
    locked.name = _clean_name(name)
    locked.group, locked.category = group, category
    locked.external_connection, locked.is_blocked = external_connection, is_blocked
    locked.save()
    after = _describe(locked)
    changes = [f"{key} {before[key]} → {after[key]}" for key in after if before[key] != after[key]]
    if changes:
        audit_log(
            organization=organization,
            actor=actor,
            action="supplier.updated",
            obj=locked,
            summary=_("Supplier %(name)s: %(changes)s.") % {"name": locked.name, "changes": "; ".join(changes)},
        )
    return locked


# --- ordering rights ------------------------------------------------------------------------------------------------


def _check_right_values(
    organization: Organization,
    *,
    may_order: bool,
    all_supplier_groups: bool,
    supplier_groups: list[SupplierGroup],
    limit_without_approval: Decimal,
) -> None:
    _same_organization(organization, *supplier_groups)
    if limit_without_approval < 0 or limit_without_approval > MAX_LIMIT:
        raise SupplierAdminError(_("The amount without approval must be between 0 and 999,999,999,999.99."))
    if may_order and not all_supplier_groups and not supplier_groups:
        raise SupplierAdminError(
            _("Choose the supplier groups this right may order at, or tick “at every supplier group”.")
        )


def _describe_right(right: OrderingRight, groups: Iterable[SupplierGroup]) -> str:
    if right.all_supplier_groups:
        where = str(_("every supplier group"))
    else:
        where = ", ".join(sorted(group.name for group in groups)) or str(_("no supplier group"))
    return str(
        _("may order: %(may)s; at: %(where)s; without approval up to %(limit)s")
        % {"may": _("yes") if right.may_order else _("no"), "where": where, "limit": right.limit_without_approval}
    )


def _right_holder(right: OrderingRight) -> str:
    if right.user_id:
        user = right.user
        assert user is not None
        return str(_("user %(user)s") % {"user": user.get_full_name() or user.get_username()})
    return str(_("role %(role)s") % {"role": right.get_role_display()})


@transaction.atomic
def ordering_right_create(
    *,
    organization: Organization,
    actor: Any,
    role: str = "",
    user: Any = None,
    may_order: bool = True,
    all_supplier_groups: bool = False,
    supplier_groups: Iterable[SupplierGroup] = (),
    limit_without_approval: Decimal = Decimal("0.00"),
) -> OrderingRight:
    """Give a role, or one user (whose own right then replaces their role's), a right to order."""
    groups = list(supplier_groups)
    if bool(role) == (user is not None):
        raise SupplierAdminError(_("A right is for a role or for one user: choose one of them."))
    if role and role not in Role.values:
        raise SupplierAdminError(_("Choose one of the roles buyer, approver or administrator."))
    if user is not None and not Membership.objects.filter(organization=organization, user_id=user.pk).exists():
        raise SupplierAdminError(_("%(user)s is not a member of this organization.") % {"user": user})
    existing = OrderingRight.objects.filter(organization=organization)  # the unique constraints back this up
    if role and existing.filter(role=role).exists():
        raise SupplierAdminError(
            _("The role %(role)s already has an ordering right. Change that one.") % {"role": Role(role).label}
        )
    if user is not None and existing.filter(user_id=user.pk).exists():
        raise SupplierAdminError(_("%(user)s already has an own ordering right. Change that one.") % {"user": user})
    _check_right_values(
        organization,
        may_order=may_order,
        all_supplier_groups=all_supplier_groups,
        supplier_groups=groups,
        limit_without_approval=limit_without_approval,
    )
    right = OrderingRight.objects.create(
        organization=organization,
        role=role,
        user=user,
        may_order=may_order,
        all_supplier_groups=all_supplier_groups,
        limit_without_approval=limit_without_approval,
    )
    right.supplier_groups.set(groups)
    audit_log(
        organization=organization,
        actor=actor,
        action="ordering_right.created",
        obj=right,
        summary=_("Ordering right for %(holder)s created: %(values)s.")
        % {"holder": _right_holder(right), "values": _describe_right(right, groups)},
    )
    return right


@transaction.atomic
def ordering_right_update(
    *,
    right: OrderingRight,
    actor: Any,
    may_order: bool,
    all_supplier_groups: bool,
    supplier_groups: Iterable[SupplierGroup],
    limit_without_approval: Decimal,
) -> OrderingRight:
    locked = (
        OrderingRight.objects.select_for_update(of=("self",)).select_related("organization", "user").get(pk=right.pk)
    )
    groups = list(supplier_groups)
    _check_right_values(
        locked.organization,
        may_order=may_order,
        all_supplier_groups=all_supplier_groups,
        supplier_groups=groups,
        limit_without_approval=limit_without_approval,
    )
    before = _describe_right(locked, locked.supplier_groups.all())
    locked.may_order, locked.all_supplier_groups = may_order, all_supplier_groups
    locked.limit_without_approval = limit_without_approval
    locked.save()
    locked.supplier_groups.set(groups)
    after = _describe_right(locked, groups)
    if before != after:
        audit_log(
            organization=locked.organization,
            actor=actor,
            action="ordering_right.updated",
            obj=locked,
            summary=_("Ordering right for %(holder)s changed from (%(before)s) to (%(after)s).")
            % {"holder": _right_holder(locked), "before": before, "after": after},
        )
    return locked


@transaction.atomic
def ordering_right_delete(*, right: OrderingRight, actor: Any) -> None:
    """Delete a right: a user's own right, so their role's right applies again; or a role's right."""
    locked = (
        OrderingRight.objects.select_for_update(of=("self",)).select_related("organization", "user").get(pk=right.pk)
    )
    audit_log(
        organization=locked.organization,
        actor=actor,
        action="ordering_right.deleted",
        obj=locked,
        summary=_("Ordering right for %(holder)s deleted (%(values)s).")
        % {"holder": _right_holder(locked), "values": _describe_right(locked, locked.supplier_groups.all())},
    )
    locked.delete()
