"""The pure parts of approval: the amount, the steps the rules ask for, the current level, who may act."""

from __future__ import annotations

from decimal import Decimal

from ocilink.requisitions.approval import approval_amount, current_level, may_act, plan_steps
from ocilink.requisitions.models import ApprovalRule, ApprovalStep, OrderRequestLine


def _rule(pk: int, level: int, approver_id: int | None = None, role: str = "") -> ApprovalRule:
    return ApprovalRule(pk=pk, level=level, approver_id=approver_id, approver_role=role)


def _step(level: int, status: str = "pending", approver_id: int | None = None, role: str = "") -> ApprovalStep:
    return ApprovalStep(level=level, status=status, approver_id=approver_id, approver_role=role)


def _line(price: str | None, currency: str = "EUR", quantity: str = "1", price_unit: str = "1") -> OrderRequestLine:
    return OrderRequestLine(
        unit_price=None if price is None else Decimal(price),
        quantity=Decimal(quantity),
        price_unit=Decimal(price_unit),
        currency=currency,
    )


def test_the_amount_sums_every_currency_at_face_value_and_says_so():
    lines = [_line("10.00", quantity="2"), _line("4.50", price_unit="100", quantity="500"), _line("3.00", "USD")]

    amount = approval_amount(lines)

    assert amount.amount == Decimal("45.50")
    assert amount.totals == {"EUR": Decimal("42.50"), "USD": Decimal("3.00")}
    assert amount.foreign_currencies == ("USD",)
    assert amount.note == (
        "Amount for approval: EUR 45.50. Lines in USD are counted at face value, without exchange rate."
    )


def test_steps_follow_the_levels_and_name_each_approver_once_per_level():
    rules = [_rule(3, 2, role="administrator"), _rule(1, 1, role="approver"), _rule(2, 1, role="approver")]

    planned = plan_steps(rules)

    assert [(s.level, s.approver_id, s.approver_role, s.rule_id) for s in planned] == [
        (1, None, "approver", 1),
        (2, None, "administrator", 3),
    ]


def test_a_rule_naming_nobody_is_skipped_and_without_steps_the_approver_role_decides():
    planned = plan_steps([_rule(1, 1)])

    assert [(s.level, s.approver_id, s.approver_role, s.rule_id) for s in planned] == [(1, None, "approver", None)]


def test_the_current_level_is_the_lowest_with_a_pending_step():
    steps = [_step(1, "approved"), _step(2), _step(3)]

    assert current_level(steps) == 2
    assert current_level([_step(1, "approved")]) is None


def test_only_a_named_member_who_is_not_the_requester_may_act_at_the_current_level():
    by_role = _step(1, role="approver")
    by_user = _step(1, approver_id=7)
    later = _step(2, approver_id=7)

    assert may_act(by_role, user_id=5, role="approver", requester_id=9, level=1) is True
    assert may_act(by_role, user_id=9, role="approver", requester_id=9, level=1) is False
    assert may_act(by_role, user_id=5, role="buyer", requester_id=9, level=1) is False
    assert may_act(by_user, user_id=7, role="buyer", requester_id=9, level=1) is True
    assert may_act(later, user_id=7, role="buyer", requester_id=9, level=1) is False
