"""The two list pages: who sees what, and a fixed number of queries whatever the page size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ocilink.requisitions.handoff import order_request_approve_and_place

from .conftest import grant, logged_in, make_cart, rule, submitted

pytestmark = pytest.mark.django_db

# Today 7 on the list of requests and 9 on what waits for approval: session, user, membership, the page (what
# waits: the steps naming me by name and by role, then their requests), its lines, its open steps, and the
# navigation's counts in one query (waiting for my approval; orders needing attention). Room for one read that
# other parts of the page may add.
MAX_QUERIES = 10


def _shown(response) -> list[int]:  # type: ignore[no-untyped-def]
    return [row.pk for row in response.context["rows"]]


def test_waiting_shows_what_each_approver_decides_now_and_never_their_own(org):
    rule(org.organization, level=1, approver=org.approver)
    rule(org.organization, level=2, approver=org.admin)
    grant(org.organization, org.approver, limit="0.00")
    first = submitted(org, prices=("250.00",))
    second = submitted(org, prices=("300.00",))
    own = submitted(org, requester=org.approver, prices=("400.00",))
    order_request_approve_and_place(order_request=first, approver=org.approver)
    waiting = reverse("requisitions:waiting")

    for_approver = logged_in(org.approver).get(waiting)
    for_admin = logged_in(org.admin).get(waiting)
    for_buyer = logged_in(org.buyer).get(waiting)

    assert _shown(for_approver) == [second.pk]
    assert own.pk not in _shown(for_approver)
    assert _shown(for_admin) == [first.pk]
    assert _shown(for_buyer) == []


def test_a_buyer_lists_their_own_requests_and_approvers_list_all_but_other_peoples_carts(org):
    rule(org.organization, approver_role="approver")
    grant(org.organization, org.approver, limit="0.00")
    mine = submitted(org, prices=("250.00",))
    cart = make_cart(org, prices=("1.00",))
    theirs = submitted(org, requester=org.approver, prices=("250.00",))
    their_cart = make_cart(org, requester=org.approver, prices=("1.00",))
    requests = reverse("requisitions:request_list")

    for_buyer = logged_in(org.buyer).get(requests)
    for_approver = logged_in(org.approver).get(requests)
    for_admin = logged_in(org.admin).get(requests)

    assert _shown(for_buyer) == [cart.pk, mine.pk]
    assert _shown(for_approver) == [their_cart.pk, theirs.pk, mine.pk]
    assert _shown(for_admin) == [theirs.pk, mine.pk]
    assert for_buyer.context["approvals_waiting"].value == 0
    assert for_admin.context["approvals_waiting"].value == 0
    for_second_approver = logged_in(org.second_approver).get(requests)
    assert for_second_approver.context["approvals_waiting"].value == 2
    assert "Waiting for my approval (2)" in for_second_approver.content.decode()


def test_the_status_filter_and_the_page_size(org):
    rule(org.organization, approver_role="approver")
    submitted_ones = [submitted(org, prices=("250.00",)) for _ in range(3)]
    approved = submitted(org, prices=("5.00",))
    client = logged_in(org.admin)

    only_approved = client.get(reverse("requisitions:request_list"), {"status": "approved"})
    first_page = client.get(reverse("requisitions:request_list"), {"per_page": "25", "status": "submitted"})
    unknown_size = client.get(reverse("requisitions:request_list"), {"per_page": "7"})

    assert _shown(only_approved) == [approved.pk]
    assert _shown(first_page) == [r.pk for r in reversed(submitted_ones)]
    assert unknown_size.context["per_page"] == 25


def _fill(org, count: int) -> None:  # type: ignore[no-untyped-def]
    rule(org.organization, level=1, approver_role="approver")
    rule(org.organization, level=2, approver=org.admin)
    for n in range(count):
        submitted(org, prices=("150.00", "20.00", "3.50"), vendormat=f"A-{n}-{{n}}")


@pytest.mark.parametrize(
    ("url", "user"), [("requisitions:waiting", "approver"), ("requisitions:request_list", "admin")]
)
def test_a_page_runs_the_same_queries_whatever_its_size(org, django_assert_max_num_queries, url, user):
    _fill(org, 60)
    client = logged_in(getattr(org, user))
    client.get(reverse(url))  # warm the session

    counts = {}
    for size in (25, 50):
        with CaptureQueriesContext(connection) as captured, django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(reverse(url), {"per_page": size})
        assert len(response.context["rows"]) == size
        counts[size] = len(captured)

    assert counts[25] == counts[50]
