"""The orders list: every order that needs a person stays findable (filter, paging, a count in the navigation),
with a plain "what to do" per such order, whatever the size of the organization."""

from __future__ import annotations

import html
import random
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ocilink.accounts.models import Role
from ocilink.accounts.selectors import SESSION_ORGANIZATION_KEY, staff_membership
from ocilink.core.counts import bound_sources
from ocilink.core.keyset import Cursor
from ocilink.orders.models import PurchaseOrder, PurchaseOrderEvent
from ocilink.orders.selectors import ATTENTION_COUNT_LIMIT, needs_attention, orders_needing_attention_query
from ocilink.orders.states import PurchaseOrderStatus
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    PlatformStaffFactory,
    SupplierFactory,
    UserFactory,
)
from tests.prepared_sql import unwrapped

from .seeding import seed_orders

pytestmark = pytest.mark.django_db
S = PurchaseOrderStatus
ROW = re.compile(r'<tr data-order="([^"]+)"')
NEXT = re.compile(r'<a href="([^"]+)" rel="next"')
PREVIOUS = re.compile(r'<a href="([^"]+)" rel="prev"')


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _walk(client: Client, query: str, link: re.Pattern[str] = NEXT) -> list[list[str]]:
    """The order numbers of each page, following the page links from ``query`` until there is none."""
    return [numbers for numbers, _query in _walk_with_queries(client, query, link)]


def _walk_with_queries(client: Client, query: str, link: re.Pattern[str] = NEXT) -> list[tuple[list[str], str]]:
    pages = []
    for _ in range(200):
        response = client.get(reverse("orders:list") + query)
        assert response.status_code == 200
        content = response.content.decode()
        pages.append((ROW.findall(content), query))
        found = link.search(content)
        if found is None:
            return pages
        query = html.unescape(found.group(1))
    raise AssertionError("the page links never end")


def _visible_text(content: str) -> str:
    """What a person reads: the page without tags and attributes."""
    return html.unescape(re.sub(r"<[^>]+>", " ", content))


@pytest.fixture
def organization_with_1000_orders():  # type: ignore[no-untyped-def]
    """1,000 orders, 23 of them failed, scattered; the rest on their way, received or cancelled. Two buyers, an
    approver and an administrator; the buyer "bea" placed every third order."""
    organization = OrganizationFactory()
    bea = UserFactory(username="bea")
    bob = UserFactory(username="bob")
    admin = UserFactory(username="ada")
    MembershipFactory(user=bea, organization=organization, role=Role.BUYER)
    MembershipFactory(user=bob, organization=organization, role=Role.BUYER)
    MembershipFactory(user=admin, organization=organization, role=Role.ADMINISTRATOR)
    suppliers = [SupplierFactory(organization=organization) for _ in range(3)]
    statuses = [S.FAILED] * 23 + [S.TO_BE_RECEIVED] * 300 + [S.RECEIVED] * 600 + [S.CANCELLED] * 77
    rng = random.Random(23)
    rng.shuffle(statuses)
    # The newest order is an hour old: none of them was sent a moment ago.
    orders = seed_orders(
        organization=organization,
        buyers=[bea, bob, bob],
        suppliers=suppliers,
        statuses=statuses,
        newest=timezone.now() - timedelta(hours=1),
    )
    return organization, orders, {"bea": bea, "bob": bob, "admin": admin}


def test_needs_attention_lists_every_failed_order_and_the_navigation_counts_them(organization_with_1000_orders):
    organization, orders, people = organization_with_1000_orders
    failed = [order.number for order in orders if order.status == S.FAILED]
    client = _client(people["admin"])

    pages = _walk(client, "?status=attention")

    assert sorted(number for page in pages for number in page) == sorted(failed)
    assert len(failed) == 23
    response = client.get(reverse("orders:list"))
    assert "Orders (23 need attention)" in _visible_text(response.content.decode())


def test_every_order_is_on_exactly_one_page_newest_first(organization_with_1000_orders):
    _organization, orders, people = organization_with_1000_orders

    pages = _walk(_client(people["admin"]), "?per_page=100")

    assert len(pages) == 10
    assert all(len(page) == 100 for page in pages)
    # seed_orders returns them newest first
    assert [number for page in pages for number in page] == [order.number for order in orders]


def test_the_previous_links_walk_back_over_the_same_pages(organization_with_1000_orders):
    _organization, _orders, people = organization_with_1000_orders
    client = _client(people["admin"])
    forward = _walk_with_queries(client, "?status=received&per_page=50")

    backward = _walk(client, forward[-1][1], link=PREVIOUS)

    assert len(forward) == 12
    assert backward == list(reversed([numbers for numbers, _query in forward]))


def test_held_and_long_sending_orders_need_attention_too_across_pages(organization_with_1000_orders):
    organization, orders, people = organization_with_1000_orders
    now = timezone.now()
    bea, bob = people["bea"], people["bob"]
    suppliers = [orders[0].supplier]
    held = seed_orders(organization=organization, buyers=[bob], suppliers=suppliers, statuses=[S.HELD] * 20, newest=now)
    stuck = seed_orders(
        organization=organization,
        buyers=[bea],
        suppliers=suppliers,
        statuses=[S.SENDING] * 12,
        newest=now - timedelta(minutes=16),
        spacing=timedelta(minutes=1),
    )
    just_sent = seed_orders(
        organization=organization,
        buyers=[bea],
        suppliers=suppliers,
        statuses=[S.SENDING] * 5,
        newest=now - timedelta(minutes=1),
        spacing=timedelta(seconds=30),
    )
    # A failed order retried a minute ago is sending again: not yet a matter for a person.
    retried = stuck[0]
    PurchaseOrderEvent.objects.create(
        purchase_order=retried, at=now - timedelta(minutes=1), action="retry_now", from_status=S.FAILED,
        to_status=S.SENDING,
    )  # fmt: skip
    expected = {o.number for o in orders if o.status == S.FAILED} | {o.number for o in held + stuck[1:]}

    pages = _walk(_client(people["admin"]), "?status=attention")

    assert len(pages) == 3  # 23 + 20 + 11 = 54 at 25 per page
    listed = [number for page in pages for number in page]
    assert len(listed) == len(set(listed)) == 54
    assert set(listed) == expected
    assert not {o.number for o in just_sent} & set(listed)
    sending_page = _client(people["admin"]).get(reverse("orders:list") + "?status=sending").content.decode()
    assert set(ROW.findall(sending_page)) == {o.number for o in stuck + just_sent}
    nav = _visible_text(_client(people["admin"]).get(reverse("orders:list")).content.decode())
    assert "Orders (54 need attention)" in nav


def test_a_buyer_sees_only_their_own_orders_and_the_count_of_their_own(organization_with_1000_orders):
    _organization, orders, people = organization_with_1000_orders
    bea = people["bea"]
    beas = [o.number for o in orders if o.buyer_id == bea.pk]
    beas_failed = [o.number for o in orders if o.buyer_id == bea.pk and o.status == S.FAILED]
    client = _client(bea)

    all_pages = _walk(client, "?per_page=100")
    attention = _walk(client, "?status=attention")

    assert [n for page in all_pages for n in page] == beas
    assert sorted(n for page in attention for n in page) == sorted(beas_failed)
    assert 0 < len(beas_failed) < 23
    text = _visible_text(client.get(reverse("orders:list")).content.decode())
    assert f"Orders ({len(beas_failed)} need attention)" in text


def test_no_count_when_nothing_needs_attention(shop):
    client = _client(shop.user)

    text = _visible_text(client.get(reverse("orders:list")).content.decode())

    assert "need attention" not in text
    assert "needs attention)" not in text


def test_platform_staff_acting_in_the_organization_see_the_count(organization_with_1000_orders):
    organization, _orders, _people = organization_with_1000_orders
    consultant = PlatformStaffFactory().user
    client = _client(consultant)
    session = client.session
    session[SESSION_ORGANIZATION_KEY] = organization.pk
    session.save()

    text = _visible_text(client.get(reverse("orders:list")).content.decode())

    assert "Orders (23 need attention)" in text


def test_the_count_reads_what_the_attention_filter_reads(shop):
    """The navigation's count of a buyer (their own orders), an administrator and platform staff (all of the
    organization's), as Django writes it for the same values: the organization, the buyer and the moment before which
    an order still sending needs a person."""
    administrator = MembershipFactory(organization=shop.organization, role=Role.ADMINISTRATOR)
    staff = staff_membership(user=UserFactory(is_staff=True), organization=shop.organization)
    for membership, own in ((shop.membership, True), (administrator, False), (staff, False)):
        query = orders_needing_attention_query(membership)
        orders = PurchaseOrder.objects.filter(organization_id=shop.organization.pk)
        if own:
            orders = orders.filter(buyer_id=shop.user.pk)

        counted = bound_sources(query)

        attention = orders.filter(needs_attention(query.values["cutoff"])).values("pk").order_by()
        assert unwrapped(counted) == unwrapped([attention[: ATTENTION_COUNT_LIMIT + 1].query.sql_with_params()])


def test_another_organizations_orders_never_show(organization_with_1000_orders, shop):
    admin_elsewhere = UserFactory()
    MembershipFactory(user=admin_elsewhere, organization=shop.organization, role=Role.ADMINISTRATOR)
    client = _client(admin_elsewhere)

    for query in ("", "?status=attention", "?status=received", "?per_page=100"):
        content = client.get(reverse("orders:list") + query).content.decode()
        assert ROW.findall(content) == []
        assert "need attention" not in _visible_text(content)


def test_what_to_do_in_plain_words_in_english_and_dutch(shop):
    now = timezone.now()
    suppliers = [shop.supplier]
    for status in (S.FAILED, S.HELD):
        seed_orders(
            organization=shop.organization, buyers=[shop.user], suppliers=suppliers, statuses=[status], newest=now
        )
    seed_orders(
        organization=shop.organization,
        buyers=[shop.user],
        suppliers=suppliers,
        statuses=[S.SENDING, S.TO_BE_RECEIVED],
        newest=now - timedelta(minutes=30),
    )
    client = _client(shop.user)

    english = _visible_text(client.get(reverse("orders:list")).content.decode())
    dutch = _visible_text(_dutch(shop.user))

    assert "The supplier did not accept this order." in english
    assert "Held before sending." in english
    assert "not accepted by the supplier after 15 minutes" in english
    assert "De leverancier heeft deze bestelling niet aangenomen." in dutch
    assert "Bestellingen (3 vragen aandacht)" in dutch
    for text in (english, dutch):
        assert "to_be_received" not in text
        assert "status=" not in text
    for code in ("failed", "held", "sending", "attention", "cancelled"):
        assert code not in dutch.lower(), code


def _dutch(user) -> str:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(user)
    return client.get(reverse("orders:list")).content.decode()


def test_a_cursor_that_makes_no_sense_shows_the_first_page(organization_with_1000_orders):
    _organization, orders, people = organization_with_1000_orders
    client = _client(people["admin"])

    for query in (
        "?after=nonsense",
        "?before=12-x",
        "?after=99999999999999999999999-1",
        "?after=999999999999999999-1",  # past the year 9999
        "?before=1-9999999999999999999",  # past a 64-bit integer
        "?per_page=7&status=x",
    ):
        response = client.get(reverse("orders:list") + query)
        assert response.status_code == 200
        assert ROW.findall(response.content.decode())[0] == orders[0].number


@pytest.mark.parametrize("query", ["", "?status=attention", "?status=received"])
def test_the_queries_do_not_grow_with_the_page_and_leave_out_the_snapshot(organization_with_1000_orders, query):
    _organization, _orders, people = organization_with_1000_orders
    client = _client(people["admin"])
    separator = "&" if query else "?"
    counts = {}
    for size in (25, 100):
        client.get(reverse("orders:list") + query)  # warm the session
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{reverse('orders:list')}{query}{separator}per_page={size}")
        assert response.status_code == 200
        counts[size] = len(captured)
        page_sql = [q["sql"] for q in captured if "orders_purchaseorder" in q["sql"]]
        assert page_sql
        assert not any("snapshot" in sql or "orders_dispatch" in sql for sql in page_sql)

    assert counts[25] == counts[100]


def test_previous_from_near_the_top_shows_the_full_first_page(organization_with_1000_orders):
    _organization, orders, people = organization_with_1000_orders
    cursor = Cursor.at(orders[3].created_at, orders[3].pk)  # only three orders are newer than this one

    content = _client(people["admin"]).get(reverse("orders:list"), {"before": str(cursor)}).content.decode()

    assert ROW.findall(content) == [order.number for order in orders[:25]]
    assert PREVIOUS.search(content) is None


def test_the_attention_count_stops_after_its_limit_and_says_so(organization_with_1000_orders):
    organization, orders, people = organization_with_1000_orders
    suppliers = [orders[0].supplier]
    held = ATTENTION_COUNT_LIMIT - 23  # with the 23 failed ones: exactly the limit
    seed_orders(
        organization=organization,
        buyers=[people["bob"]],
        suppliers=suppliers,
        statuses=[S.HELD] * held,
        newest=timezone.now(),
    )
    client = _client(people["admin"])

    at_limit = _visible_text(client.get(reverse("orders:list")).content.decode())
    seed_orders(
        organization=organization,
        buyers=[people["bob"]],
        suppliers=suppliers,
        statuses=[S.FAILED],
        newest=timezone.now(),
    )
    beyond = _visible_text(client.get(reverse("orders:list")).content.decode())
    dutch = _visible_text(_dutch(people["admin"]))
    pages = _walk(client, "?status=attention&per_page=100")

    assert f"Orders ({ATTENTION_COUNT_LIMIT} need attention)" in at_limit
    assert f"{ATTENTION_COUNT_LIMIT} orders need attention." in at_limit
    assert f"Orders (more than {ATTENTION_COUNT_LIMIT} need attention)" in beyond
    assert f"More than {ATTENTION_COUNT_LIMIT} orders need attention." in beyond
    assert f"Bestellingen (meer dan {ATTENTION_COUNT_LIMIT} vragen aandacht)" in dutch
    assert f"Meer dan {ATTENTION_COUNT_LIMIT} bestellingen vragen aandacht." in dutch
    # The list itself still holds every one of them.
    assert len({number for page in pages for number in page}) == ATTENTION_COUNT_LIMIT + 1
