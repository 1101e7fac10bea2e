"""Ordering rights: what one member may order, where, and up to which amount without approval."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from ocilink.accounts.models import Membership

from .models import OrderingRight


@dataclass(frozen=True)
class EffectiveRight:
    """The right that applies to a member: their own, else their role's, else none (may not order)."""

    source: str  # "user", "role" or "none"
    may_order: bool
    all_supplier_groups: bool
    supplier_group_ids: frozenset[int]  # the groups a right limited to some covers (none for one that covers all)
    limit_without_approval: Decimal
    right_id: int | None = None  # the OrderingRight row it comes from; None without one

    def covers_group(self, group_id: int | None) -> bool:
        """Whether the member may order at a supplier of this group (a supplier without a group needs all groups)."""
        if not self.may_order:
            return False
        if self.all_supplier_groups:
            return True
        return group_id is not None and group_id in self.supplier_group_ids


NO_RIGHT = EffectiveRight("none", False, False, frozenset(), Decimal("0.00"))


def right_for(*, membership: Membership) -> EffectiveRight:
    """The member's effective right: their own right replaces their role's right as a whole. One query, and one more
    for the groups of a right that covers only some."""
    candidates = list(
        OrderingRight.objects.filter(organization_id=membership.organization_id).filter(
            Q(user_id=membership.user_id) | Q(role=membership.role, user__isnull=True)
        )
    )
    right = next((r for r in candidates if r.user_id == membership.user_id), None)
    source = "user"
    if right is None:
        right = next((r for r in candidates if r.role == membership.role), None)
        source = "role"
    if right is None:
        return NO_RIGHT
    return EffectiveRight(
        source=source,
        may_order=right.may_order,
        all_supplier_groups=right.all_supplier_groups,
        supplier_group_ids=(
            frozenset() if right.all_supplier_groups else frozenset(right.supplier_groups.values_list("pk", flat=True))
        ),
        limit_without_approval=right.limit_without_approval,
        right_id=right.pk,
    )
