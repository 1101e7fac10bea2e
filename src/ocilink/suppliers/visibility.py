"""Why doesn't this buyer see this supplier? The rules of ``suppliers_for_buyer`` walked one by one, in order.

Each rule gives one sentence: what holds, or what hides the supplier and what to change. A rule that depends on
an earlier failed one (credentials need a connection of the organization, groups need a right to order) is
reported as not checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ocilink.accounts.models import Membership, Role
from ocilink.accounts.selectors import default_delivery_address
from ocilink.connections.models import OciCredential

from .models import Supplier, SupplierGroup
from .rights import EffectiveRight, right_for

# The rules, in the order they are walked.
BLOCKED = "blocked"
CONNECTION = "connection"
RIGHT = "right"
GROUP = "group"
CREDENTIALS = "credentials"
RULES = (BLOCKED, CONNECTION, RIGHT, GROUP, CREDENTIALS)


@dataclass(frozen=True)
class Check:
    """One rule: ``passed`` is True, False, or None when an earlier failure made it impossible to check."""

    rule: str
    passed: bool | None
    message: str


@dataclass(frozen=True)
class Visibility:
    member: Membership
    supplier: Supplier
    checks: tuple[Check, ...]

    @property
    def visible(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def hidden_by(self) -> Check | None:
        """The first rule that hides the supplier, or None when the member sees it."""
        return next((check for check in self.checks if check.passed is False), None)

    @property
    def conclusion(self) -> str:
        who, supplier = _name(self.member), self.supplier.name
        if self.visible:
            return _("%(member)s sees %(supplier)s and can shop there.") % {"member": who, "supplier": supplier}
        return _("%(member)s does not see %(supplier)s.") % {"member": who, "supplier": supplier}

    def check(self, rule: str) -> Check:
        return next(check for check in self.checks if check.rule == rule)


def _name(membership: Membership) -> str:
    return str(membership.user.get_full_name() or membership.user.get_username())


def _right_label(right: EffectiveRight, membership: Membership) -> str:
    if right.source == "user":
        return _("the own ordering right of %(member)s") % {"member": _name(membership)}
    return _("the ordering right of the role %(role)s") % {"role": Role(membership.role).label}


def _blocked(supplier: Supplier) -> Check:
    if supplier.is_blocked:
        return Check(
            BLOCKED,
            False,
            _("%(supplier)s is blocked. Unblock it on the supplier's page if the organization may order there again.")
            % {"supplier": supplier.name},
        )
    return Check(BLOCKED, True, _("%(supplier)s is not blocked.") % {"supplier": supplier.name})


def _connection(supplier: Supplier) -> Check:
    connection = supplier.external_connection
    if connection is None:
        return Check(
            CONNECTION,
            False,
            _(
                "%(supplier)s has no external connection. Link it to its webshop connection on the supplier's page "
                "(or request a connection first)."
            )
            % {"supplier": supplier.name},
        )
    if connection.organization_id != supplier.organization_id:
        return Check(
            CONNECTION,
            False,
            _(
                "The external connection of %(supplier)s belongs to another organization. Link it to a connection "
                "of this organization."
            )
            % {"supplier": supplier.name},
        )
    if not connection.is_active:
        return Check(
            CONNECTION,
            False,
            _(
                "The connection %(connection)s of %(supplier)s is not active. Ask the consultant or support to "
                "activate it (they test it with a first roundtrip)."
            )
            % {"connection": connection.name, "supplier": supplier.name},
        )
    return Check(
        CONNECTION,
        True,
        _("%(supplier)s is linked to the active connection %(connection)s.")
        % {"supplier": supplier.name, "connection": connection.name},
    )


def _right(right: EffectiveRight, member: Membership) -> Check:
    role = Role(member.role).label
    if right.source == "none":
        return Check(
            RIGHT,
            False,
            _(
                "Neither %(member)s nor the role %(role)s has an ordering right, so %(member)s may not order. Give "
                "the role %(role)s or %(member)s an ordering right."
            )
            % {"member": _name(member), "role": role},
        )
    if not right.may_order:
        return Check(
            RIGHT,
            False,
            _("%(right)s does not allow ordering. Tick “may order” in that right.")
            % {"right": capfirst(_right_label(right, member))},
        )
    return Check(
        RIGHT,
        True,
        _("%(member)s may order, by %(right)s.") % {"member": _name(member), "right": _right_label(right, member)},
    )


def _group(right: EffectiveRight, member: Membership, supplier: Supplier) -> Check:
    label = _right_label(right, member)
    if right.all_supplier_groups:
        return Check(GROUP, True, _("%(right)s covers every supplier group.") % {"right": capfirst(label)})
    permitted = list(
        SupplierGroup.objects.filter(organization_id=supplier.organization_id, pk__in=right.supplier_group_ids)
        .order_by("name")
        .values_list("name", flat=True)
    )
    names = ", ".join(permitted) if permitted else _("none")
    if supplier.group_id is None:
        return Check(
            GROUP,
            False,
            _(
                "%(supplier)s is in no supplier group, and %(right)s only covers these groups: %(groups)s. Put the "
                "supplier in one of them, or let the right cover every supplier group."
            )
            % {"supplier": supplier.name, "right": label, "groups": names},
        )
    group = supplier.group
    assert group is not None
    if supplier.group_id not in right.supplier_group_ids:
        return Check(
            GROUP,
            False,
            _(
                "The group %(group)s of %(supplier)s is not among the groups %(right)s covers (%(groups)s). Add "
                "%(group)s to that right, or move the supplier to one of these groups."
            )
            % {"group": group.name, "supplier": supplier.name, "right": label, "groups": names},
        )
    return Check(
        GROUP,
        True,
        _("%(right)s covers the group %(group)s of %(supplier)s.")
        % {"right": capfirst(label), "group": group.name, "supplier": supplier.name},
    )


def _credentials(supplier: Supplier, member: Membership) -> Check:
    connection = supplier.external_connection
    assert connection is not None
    address = default_delivery_address(membership=member)
    credentials = {
        credential.delivery_address_id
        for credential in OciCredential.objects.filter(
            organization_id=supplier.organization_id, connection=connection
        ).only("delivery_address_id")
    }
    if address is not None and address.pk in credentials:
        return Check(
            CREDENTIALS,
            True,
            _("The connection %(connection)s has an OCI account for the delivery address %(address)s.")
            % {"connection": connection.name, "address": address.label},
        )
    if None in credentials:
        return Check(
            CREDENTIALS,
            True,
            _("The connection %(connection)s has an organization-wide OCI account.") % {"connection": connection.name},
        )
    if address is None:
        return Check(
            CREDENTIALS,
            False,
            _(
                "The connection %(connection)s has no organization-wide OCI account, and %(member)s has no delivery "
                "address. Enter an organization-wide account for the connection."
            )
            % {"connection": connection.name, "member": _name(member)},
        )
    return Check(
        CREDENTIALS,
        False,
        _(
            "The connection %(connection)s has no OCI account for the delivery address %(address)s of %(member)s, "
            "nor an organization-wide one. Enter the supplier's credentials for that address or an "
            "organization-wide account."
        )
        % {"connection": connection.name, "address": address.label, "member": _name(member)},
    )


def _not_checked(rule: str, reason: str) -> Check:
    return Check(rule, None, reason)


def supplier_visibility(*, member: Membership, supplier: Supplier) -> Visibility:
    """Walk the rules for one member and one supplier of the same organization."""
    if member.organization_id != supplier.organization_id:
        raise ValueError("The member and the supplier belong to different organizations.")
    right = right_for(membership=member)
    blocked = _blocked(supplier)
    connection = _connection(supplier)
    right_check = _right(right, member)
    if right_check.passed:
        group = _group(right, member, supplier)
    else:
        group = _not_checked(GROUP, _("Not checked: without a right to order, no supplier group is permitted."))
    linked = supplier.external_connection
    if linked is not None and linked.organization_id == supplier.organization_id:
        credentials = _credentials(supplier, member)
    else:
        credentials = _not_checked(CREDENTIALS, _("Not checked: OCI accounts belong to a connection."))
    return Visibility(member=member, supplier=supplier, checks=(blocked, connection, right_check, group, credentials))
