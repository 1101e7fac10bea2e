"""Approval rules: the amount a request is judged on, the steps its rules ask for, and who may decide a step.

The planning and the "who may act" checks are plain functions over plain values, so they are tested without a
database; ``rules_matching`` is the one read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.db.models import Q
from django.utils.translation import gettext as _

from ocilink.accounts.models import Role
from ocilink.core.money import totals_per_currency

from .models import ApprovalRule, ApprovalStep

# Every organization keeps its books in euros for now (the platform serves Dutch organizations); limits and rule
# amounts are in this currency. Lines in another currency count at face value, and the request says so.
ORGANIZATION_CURRENCY = "EUR"

# When a request needs approval but no active rule matches its amount and cost centre, one level-1 step goes to
# every member with this role: approval is never skipped because the rules have a gap.
FALLBACK_ROLE = Role.APPROVER


@dataclass(frozen=True)
class ApprovalAmount:
    """The amount an order request is approved on: all priced lines, summed at face value."""

    amount: Decimal
    totals: dict[str, Decimal]
    foreign_currencies: tuple[str, ...]

    @property
    def note(self) -> str:
        """One sentence for the history and the request page."""
        text = _("Amount for approval: %(currency)s %(amount)s.") % {
            "currency": ORGANIZATION_CURRENCY,
            "amount": self.amount,
        }
        if self.foreign_currencies:
            text += " " + _("Lines in %(currencies)s are counted at face value, without exchange rate.") % {
                "currencies": ", ".join(self.foreign_currencies)
            }
        return text


class PricedLine(Protocol):
    """A line as its amount sees it: an ``OrderRequestLine``, or a line as a page shows it."""

    @property
    def currency(self) -> str: ...

    @property
    def net_amount(self) -> Decimal | None: ...


def approval_amount(lines: Iterable[PricedLine]) -> ApprovalAmount:
    """Sum the net amounts of the lines per currency, and all of them as one amount in the organization's currency."""
    totals = totals_per_currency((line.currency, line.net_amount) for line in lines)
    amount = sum(totals.values(), Decimal("0.00"))
    foreign = tuple(currency for currency in totals if currency != ORGANIZATION_CURRENCY)
    return ApprovalAmount(amount=amount, totals=totals, foreign_currencies=foreign)


@dataclass(frozen=True)
class PlannedStep:
    """An approval step still to be written: who decides it, at which level, because of which rule."""

    level: int
    approver_id: int | None
    approver_role: str
    rule_id: int | None


def rules_matching(*, organization_id: int, amount: Decimal, cost_centre_id: int | None) -> list[ApprovalRule]:
    """Active rules of the organization from an amount at most ``amount``, for every or for this cost centre."""
    for_cost_centre = Q(cost_centre__isnull=True)
    if cost_centre_id is not None:
        for_cost_centre |= Q(cost_centre_id=cost_centre_id)
    return list(
        ApprovalRule.objects.filter(organization_id=organization_id, is_active=True, min_amount__lte=amount)
        .filter(for_cost_centre)
        .order_by("level", "min_amount", "pk")
    )


def plan_steps(rules: Sequence[ApprovalRule]) -> list[PlannedStep]:
    """One step per rule, in level order; a rule naming nobody is skipped, and the same approver twice at one level
    counts once. Without any step, the fallback: one level-1 step for ``FALLBACK_ROLE``."""
    planned: list[PlannedStep] = []
    seen: set[tuple[int, int | None, str]] = set()
    for rule in sorted(rules, key=lambda r: (r.level, r.pk or 0)):
        if rule.approver_id is None and not rule.approver_role:
            continue
        key = (rule.level, rule.approver_id, rule.approver_role)
        if key in seen:
            continue
        seen.add(key)
        planned.append(PlannedStep(rule.level, rule.approver_id, rule.approver_role, rule.pk))
    if not planned:
        planned.append(PlannedStep(1, None, FALLBACK_ROLE, None))
    return planned


def current_level(steps: Iterable[ApprovalStep]) -> int | None:
    """The lowest level with a pending step: only its steps can be decided now. None when nothing is pending."""
    levels = [step.level for step in steps if step.status == ApprovalStep.Status.PENDING]
    return min(levels) if levels else None


def names(step: ApprovalStep, *, user_id: int, role: str) -> bool:
    """Whether the step names this member: as its approver, or through their role."""
    return step.approver_id == user_id or (bool(step.approver_role) and step.approver_role == role)


def may_act(step: ApprovalStep, *, user_id: int, role: str, requester_id: int, level: int | None) -> bool:
    """Whether this member may decide this step now: it is pending at the current level, it names them, and they
    are not the requester (nobody approves their own request, whatever the rules say)."""
    return (
        step.status == ApprovalStep.Status.PENDING
        and step.level == level
        and user_id != requester_id
        and names(step, user_id=user_id, role=role)
    )
