"""The two request lists page by keyset: every request on exactly one page while requests come and go between pages,
filters kept across pages, another organization's requests never shown (whatever cursor a link carries), the same
queries on page 1 and page 12 of a list ten times longer, and counts in the navigation that stop early."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ocilink.accounts.models import Role
from ocilink.core.keyset import Cursor
from ocilink.requisitions.models import ApprovalStep, OrderRequest
from ocilink.requisitions.selectors import WAITING_COUNT_LIMIT, order_requests_waiting_for
from ocilink.requisitions.states import OrderRequestStatus

from .conftest import Org, logged_in
from .test_lists import MAX_QUERIES

pytestmark = pytest.mark.django_db
ROW = re.compile(r'<tr data-request="(\d+)"')
NEXT = re.compile(r'<a href="([^"]+)" rel="next"')
PREVIOUS = re.compile(r'<a href="([^"]+)" rel="prev"')
LIST = "requisitions:request_list"
WAITING = "requisitions:waiting"


def _requests(
    org: Org,
    count: int,
    *,
    status: str = OrderRequestStatus.SUBMITTED,
    requester: Any = None,
    oldest: datetime | None = None,
    same_moment: int = 3,
) -> list[OrderRequest]:
    """``count`` requests made and submitted five minutes apart from ``oldest`` on, ``same_moment`` of them at a time
    (so that rows of one moment straddle the pages' edges); a submitted one waits for the role "approver"."""
    oldest = oldest or timezone.now() - timedelta(days=30)
    made = OrderRequest.objects.bulk_create(
        OrderRequest(
            organization=org.organization, requester=requester or org.buyer, status=status, delivery_address=org.address
        )
        for _ in range(count)
    )
    for n, order_request in enumerate(made):
        order_request.created_at = oldest + (n // same_moment) * timedelta(minutes=5)
        order_request.submitted_at = order_request.created_at + timedelta(minutes=1)
    OrderRequest.objects.bulk_update(made, ["created_at", "submitted_at"])
    if status == OrderRequestStatus.SUBMITTED:
        ApprovalStep.objects.bulk_create(
            ApprovalStep(
                order_request=order_request,
                organization=org.organization,
                waiting_since=order_request.submitted_at,
                level=1,
                approver_role=Role.APPROVER,
            )
            for order_request in made
        )
    return made


def _newest_first(requests: list[OrderRequest]) -> list[int]:
    return [r.pk for r in sorted(requests, key=lambda r: (r.created_at, r.pk), reverse=True)]


def _longest_waiting_first(requests: list[OrderRequest]) -> list[int]:
    return [r.pk for r in sorted(requests, key=lambda r: (r.submitted_at, r.pk))]


def _page(client: Client, url: str, query: str = "") -> tuple[list[int], str]:
    response = client.get(reverse(url) + query)
    assert response.status_code == 200
    content = response.content.decode()
    return [int(pk) for pk in ROW.findall(content)], content


def _link(content: str, link: re.Pattern[str] = NEXT) -> str | None:
    found = link.search(content)
    return html.unescape(found.group(1)) if found else None


def _walk(client: Client, url: str, query: str = "", link: re.Pattern[str] = NEXT) -> list[list[int]]:
    """The request ids of each page, following the page links from ``query`` until there is none."""
    pages = []
    for _ in range(100):
        rows, content = _page(client, url, query)
        pages.append(rows)
        following = _link(content, link)
        if following is None:
            return pages
        query = following
    raise AssertionError("the page links never end")


def _flat(pages: list[list[int]]) -> list[int]:
    return [pk for page in pages for pk in page]


def _queries(client: Client, url: str, query: str = "", *, pages: int = 100) -> list[str]:
    """The query of each page, following the "next" links (up to ``pages`` pages)."""
    queries = [query]
    for _ in range(pages - 1):
        _rows, content = _page(client, url, queries[-1])
        following = _link(content)
        if following is None:
            return queries
        queries.append(following)
    if pages < 100:
        return queries
    raise AssertionError("the page links never end")


def test_every_request_is_on_exactly_one_page_newest_first_and_back(org):
    requests = _requests(org, 130) + _requests(org, 20, status=OrderRequestStatus.APPROVED)
    client = logged_in(org.admin)

    queries = _queries(client, LIST)
    forward = [_page(client, LIST, query)[0] for query in queries]
    backward = _walk(client, LIST, queries[-1], link=PREVIOUS)

    assert [len(page) for page in forward] == [25] * 6
    assert _flat(forward) == _newest_first(requests)
    assert backward == list(reversed(forward))


def test_requests_made_between_pages_neither_shift_the_pages_nor_repeat(org):
    requests = _requests(org, 60)
    client = logged_in(org.admin)
    first, content = _page(client, LIST)
    second_query = _link(content)
    assert second_query is not None

    newer = _requests(org, 7, oldest=timezone.now())
    rest = _walk(client, LIST, second_query)

    assert first + _flat(rest) == _newest_first(requests)
    assert not set(_flat(rest)) & {r.pk for r in newer}
    # Back from the second page: the same first page, now with a link to the newest requests above it.
    back, content = _page(client, LIST, _link(_page(client, LIST, second_query)[1], PREVIOUS) or "")
    assert back == first
    assert "Newest" in content
    assert _flat(_walk(client, LIST)) == _newest_first(requests + newer)


def test_waiting_pages_oldest_first_lose_nothing_when_requests_are_decided_or_submitted_between_pages(org):
    waiting = _requests(org, 70)
    client = logged_in(org.approver)
    first, content = _page(client, WAITING)
    assert first == _longest_waiting_first(waiting)[:25]
    # The last request of the first page is decided meanwhile, and new ones are submitted.
    OrderRequest.objects.filter(pk=first[-1]).update(status=OrderRequestStatus.APPROVED)
    ApprovalStep.objects.filter(order_request_id=first[-1]).update(status=ApprovalStep.Status.APPROVED)
    submitted_later = _requests(org, 4, oldest=timezone.now())

    rest = _walk(client, WAITING, _link(content) or "")

    assert first + _flat(rest) == _longest_waiting_first(waiting) + _longest_waiting_first(submitted_later)


def _dutch(user: Any, url: str, query: str = "") -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(user)
    return client.get(reverse(url) + query).content.decode()


def _links(content: str, *labels: str) -> tuple[bool, ...]:
    return tuple(f">{label}</a>" in content for label in labels)


def test_the_newer_and_older_links_speak_the_members_language(org):
    _requests(org, 60)
    admin, approver = logged_in(org.admin), logged_in(org.approver)
    _rows, first = _page(admin, LIST)
    _rows, second = _page(admin, LIST, _link(first) or "")
    _rows, waiting_first = _page(approver, WAITING)
    _rows, waiting_second = _page(approver, WAITING, _link(waiting_first) or "")

    dutch = _dutch(org.admin, LIST, _link(first) or "")
    dutch_waiting = _dutch(org.approver, WAITING, _link(waiting_first) or "")

    # Newest first: "older" goes on, "newer" goes back; oldest first, the other way round.
    assert _links(first, "Newest", "Newer", "Older") == (False, False, True)
    assert _links(second, "Newest", "Newer", "Older") == (True, True, True)
    assert _links(waiting_first, "Oldest", "Older", "Newer") == (False, False, True)
    assert _links(waiting_second, "Oldest", "Older", "Newer") == (True, True, True)
    assert _links(dutch, "Nieuwste", "Nieuwer", "Ouder") == (True, True, True)
    assert _links(dutch_waiting, "Oudste", "Ouder", "Nieuwer") == (True, True, True)
    assert 'rel="next">Older<' in first
    assert 'rel="next">Newer<' in waiting_first
    for content in (first, second, waiting_second):
        assert not re.search(r"[?&;]page=", content)  # no page numbers: the links carry cursors


def test_the_status_filter_and_the_page_size_hold_across_pages(org):
    rejected = _requests(org, 55, status=OrderRequestStatus.REJECTED)
    _requests(org, 40)
    _requests(org, 30, status=OrderRequestStatus.APPROVED)
    client = logged_in(org.admin)

    pages = _walk(client, LIST, "?status=rejected&per_page=50")
    queries = _queries(client, LIST, "?status=rejected&per_page=50")

    assert [len(page) for page in pages] == [50, 5]
    assert _flat(pages) == _newest_first(rejected)
    assert all("status=rejected" in query and "per_page=50" in query for query in queries)


def test_a_buyer_pages_through_their_own_requests_only(org):
    mine = _requests(org, 40)
    _requests(org, 40, requester=org.second_approver)
    client = logged_in(org.buyer)

    pages = _walk(client, LIST)

    assert _flat(pages) == _newest_first(mine)


def test_another_organizations_requests_never_show_whatever_the_cursor(org, other_org):
    ours = _requests(org, 30)
    theirs = _requests(other_org, 30)
    client = logged_in(org.admin)
    approver = logged_in(org.approver)
    cursors = [str(Cursor.at(r.created_at, r.pk)) for r in theirs[::7]]
    cursors += [str(Cursor.at(r.submitted_at, r.pk)) for r in theirs[::7]]  # type: ignore[arg-type]
    cursors += [str(Cursor.at(ours[5].created_at, theirs[-1].pk)), "0-0", "999999999999999999-999999999999999999"]

    shown: set[int] = set()
    for cursor in cursors:
        for direction in ("after", "before"):
            for member, url in ((client, LIST), (approver, WAITING)):
                rows, _content = _page(member, url, f"?{direction}={cursor}")
                shown |= set(rows)

    assert shown <= {r.pk for r in ours}
    assert len(shown) > 25  # the cursors did move the pages
    assert set(_flat(_walk(client, LIST))) == {r.pk for r in ours}
    assert set(_flat(_walk(approver, WAITING))) == {r.pk for r in ours}


def test_a_cursor_that_makes_no_sense_shows_the_first_page(org):
    requests = _requests(org, 30)
    client = logged_in(org.admin)

    for query in (
        "?after=nonsense",
        "?before=12-x",
        "?after=99999999999999999999999-1",
        "?after=999999999999999999-1",  # past the year 9999
        "?before=1-9999999999999999999",  # past a 64-bit integer
        "?per_page=7&status=x",
    ):
        rows, _content = _page(client, LIST, query)
        assert rows == _newest_first(requests)[:25], query


def _query_counts(url: str, user: Any, *, hops: int, at_most: Any) -> tuple[int, int]:
    """The queries of the list's first page and of the page ``hops`` "next" links further, for this user; each at
    most ``MAX_QUERIES``."""
    client = logged_in(user)
    queries = _queries(client, url, pages=hops + 1)  # also warms the session
    counts = []
    for query in (queries[0], queries[hops]):
        with CaptureQueriesContext(connection) as captured, at_most(MAX_QUERIES):
            rows, _content = _page(client, url, query)
        assert len(rows) == 25
        counts.append(len(captured))
    return counts[0], counts[1]


@pytest.mark.parametrize(("url", "user"), [(WAITING, "approver"), (LIST, "admin"), (LIST, "buyer")])
def test_the_queries_do_not_grow_with_the_number_of_requests_nor_the_depth(
    org, django_assert_max_num_queries, url, user
):
    _requests(org, 60, same_moment=1)
    few = _query_counts(url, getattr(org, user), hops=1, at_most=django_assert_max_num_queries)
    _requests(org, 600, same_moment=1, oldest=timezone.now() - timedelta(days=90))

    many = _query_counts(url, getattr(org, user), hops=11, at_most=django_assert_max_num_queries)

    assert few[0] == few[1] == many[0] == many[1]


def _visible_text(content: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", content))


def test_the_count_to_approve_stops_after_its_limit_and_says_so(org):
    _requests(org, WAITING_COUNT_LIMIT)
    approver = logged_in(org.approver)

    at_limit = _visible_text(approver.get(reverse(LIST)).content.decode())
    _requests(org, 1, oldest=timezone.now())
    beyond = _visible_text(approver.get(reverse(LIST)).content.decode())
    dutch = _visible_text(_dutch(org.approver, LIST))

    assert f"To approve ({WAITING_COUNT_LIMIT})" in at_limit
    assert f"Waiting for my approval ({WAITING_COUNT_LIMIT})" in at_limit
    assert f"To approve (more than {WAITING_COUNT_LIMIT})" in beyond
    assert f"Waiting for my approval (more than {WAITING_COUNT_LIMIT})" in beyond
    assert f"Te beoordelen (meer dan {WAITING_COUNT_LIMIT})" in dutch
    assert f"Wacht op mijn goedkeuring (meer dan {WAITING_COUNT_LIMIT})" in dutch


def _step(
    order_request: OrderRequest, *, level: int, status: str = ApprovalStep.Status.PENDING, **who: Any
) -> ApprovalStep:
    return ApprovalStep(
        order_request=order_request,
        organization_id=order_request.organization_id,
        waiting_since=order_request.submitted_at,
        level=level,
        status=status,
        **who,
    )


def test_what_waits_for_a_named_approver_and_for_their_role_is_listed_once_in_full_pages(org):
    requests = _requests(org, 40)  # each waits for the role "approver" at level 1
    # Half of them name Arno himself at level 1 too (one request, two reasons); others name him at level 2 only
    # after level 1 (then still open: not his to decide yet).
    ApprovalStep.objects.bulk_create(_step(r, level=1, approver=org.approver) for r in requests[::2])
    later = _requests(org, 30, oldest=timezone.now() - timedelta(days=10))
    ApprovalStep.objects.bulk_create(_step(r, level=2, approver=org.approver) for r in later)
    ApprovalStep.objects.filter(order_request__in=later[:20], level=1).update(status=ApprovalStep.Status.APPROVED)
    ApprovalStep.objects.filter(order_request__in=later[20:], level=1).update(approver_role=Role.ADMINISTRATOR)
    membership = org.approver.memberships.get()
    client = logged_in(org.approver)

    queries = _queries(client, WAITING)
    pages = [_page(client, WAITING, query)[0] for query in queries]
    backward = _walk(client, WAITING, queries[-1], link=PREVIOUS)
    text = _visible_text(client.get(reverse(WAITING)).content.decode())

    expected = _longest_waiting_first(requests) + _longest_waiting_first(later[:20])
    assert [len(page) for page in pages] == [25, 25, 10]
    assert _flat(pages) == expected
    assert backward == list(reversed(pages))
    assert [r.pk for r in order_requests_waiting_for(membership=membership)] == expected
    assert "To approve (60)" in text
