""" "To approve (N)" in the navigation: the waiting list's own reads, counted in the navigation's one query with SQL
made once per process, for each member of each organization with their own values; a step counts as long as it is
pending, whatever became of the rule that made it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from ocilink.accounts.models import Membership
from ocilink.accounts.selectors import staff_membership
from ocilink.core.counts import bound_sources
from ocilink.requisitions.models import ApprovalRule
from ocilink.requisitions.selectors import (
    LONGEST_WAITING_FIRST,
    WAITING_COUNT_LIMIT,
    approval_steps_waiting_for,
    approvals_waiting_query,
)
from tests.factories import UserFactory
from tests.prepared_sql import unwrapped

from .conftest import logged_in, rule, submitted

pytestmark = pytest.mark.django_db

TO_APPROVE = re.compile(r"To approve \((\d+)\)")


def _to_approve(user: Any) -> int:
    """The count in the navigation of the user's cart page."""
    response = logged_in(user).get(reverse("requisitions:cart"))
    assert response.status_code == 200
    found = TO_APPROVE.findall(response.content.decode())
    assert len(found) == 1
    return int(found[0])


def test_the_count_reads_what_the_waiting_list_reads(org):
    for user in (org.approver, org.buyer, org.admin):
        membership = Membership.objects.select_related("user").get(user=user)

        counted = bound_sources(approvals_waiting_query(membership))

        assert unwrapped(counted) == unwrapped(
            [
                LONGEST_WAITING_FIRST.seek(steps)[: WAITING_COUNT_LIMIT + 1].query.sql_with_params()
                for steps in approval_steps_waiting_for(membership=membership)
            ]
        )
        assert len(counted) == 2


def test_platform_staff_acting_in_an_organization_have_nothing_to_approve(org, django_assert_num_queries):
    staff = staff_membership(user=UserFactory(is_staff=True), organization=org.organization)

    assert bound_sources(approvals_waiting_query(staff)) == []
    assert approval_steps_waiting_for(membership=staff) == []


def test_each_member_of_each_organization_gets_their_own_count(org, other_org):
    rule(org.organization, approver_role="approver")
    rule(other_org.organization, approver=other_org.admin)
    for _ in range(2):
        submitted(org, prices=("250.00",))
    submitted(other_org, prices=("250.00",))

    counts = {
        name: _to_approve(user)
        for name, user in (
            ("approver", org.approver),
            ("other organization's approver", other_org.approver),
            ("second approver", org.second_approver),
            ("buyer", org.buyer),
            ("other organization's administrator", other_org.admin),
            ("administrator", org.admin),
        )
    }

    assert counts == {
        "approver": 2,
        "other organization's approver": 0,
        "second approver": 2,
        "buyer": 0,
        "other organization's administrator": 1,
        "administrator": 0,
    }


def test_a_step_counts_while_it_is_pending_whatever_became_of_its_rule(org):
    by_role = rule(org.organization, approver_role="administrator")
    by_name = rule(org.organization, approver=org.second_approver)
    submitted(org, prices=("250.00",))
    # The rules change after the request was submitted: one names another role now, the other is gone. The steps
    # they made stay as they were, and so does who decides them.
    ApprovalRule.objects.filter(pk=by_role.pk).update(approver_role="approver")
    by_name.delete()

    counts = {user.first_name: _to_approve(user) for user in (org.admin, org.second_approver, org.approver)}

    assert counts == {"Ada": 1, "Anna": 1, "Arno": 0}
