"""What a POST to a HOOK_URL can make this server store: the whole body only for a valid token, within the storage
quota of its organization or self-test client; the start of anything else, with its size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ocilink.punchout import trials
from ocilink.punchout.models import CartReturn, PunchoutSession
from ocilink.punchout.quotas import QuotaExceeded, organization_quota_exceeded
from ocilink.punchout.services import (
    MAX_RETURNS_PER_SESSION,
    SPENT_BODY_KEEP,
    punchout_find_session,
    punchout_receive,
)
from ocilink.punchout.states import ReturnOutcome, SessionStatus
from ocilink.requisitions.models import OrderRequestLine
from tests.factories import UserFactory
from tests.raw_files import raw_bytes

from .helpers import cart_body, post_cart, start_punchout

pytestmark = pytest.mark.django_db

TEN_MB = 10 * 1024 * 1024


def _hook_path(shop) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(shop.user)
    return start_punchout(client, shop.supplier.pk)[1]


def _padded_cart(size: int) -> bytes:
    """A usable one-line cart padded with a field no one reads to exactly ``size`` bytes."""
    head = cart_body(1) + b"&X-PADDING="
    return head + b"x" * (size - len(head))


def _selftest(client: str = "203.0.113.7") -> tuple[PunchoutSession, str]:
    test = trials.trial_create_for_supplier(
        webshop_url="https://shop.example/oci",
        method="POST",
        username_field="USERNAME",
        password_field="PASSWORD",
        extra_params={},
        username="u",
        password="p",
        client=client,
    )
    return test, reverse("punchout:return", args=[test.unseal("token")])


def _staff() -> Client:
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    return staff


# -- a used or expired token keeps only the start ------------------------------------------------------------------


def test_ten_mb_posted_to_a_used_token_keeps_only_its_start_and_size(shop):
    hook_path = _hook_path(shop)
    assert post_cart(hook_path, cart_body(2)).status_code == 303

    response = post_cart(hook_path, b"x" * TEN_MB)

    assert response.status_code == 303  # a double click lands on the same result page
    second = CartReturn.objects.get(outcome=ReturnOutcome.DUPLICATE)
    assert len(raw_bytes(second.body)) <= SPENT_BODY_KEEP
    assert (second.stored_bytes, second.body_size, second.body_truncated) == (SPENT_BODY_KEEP, TEN_MB, True)
    assert OrderRequestLine.objects.count() == 2


def test_ten_mb_posted_to_an_expired_token_keeps_only_its_start(shop):
    hook_path = _hook_path(shop)
    PunchoutSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = post_cart(hook_path, _padded_cart(TEN_MB))

    assert response.status_code == 410
    stored = CartReturn.objects.get()
    assert stored.outcome == ReturnOutcome.EXPIRED
    assert raw_bytes(stored.body) == _padded_cart(TEN_MB)[:SPENT_BODY_KEEP]
    assert stored.body_size == TEN_MB
    assert stored.reference.encode() in response.content


def test_an_over_size_post_to_a_used_token_keeps_no_more_than_a_spent_tokens_start(shop, settings):
    settings.PUNCHOUT_MAX_BODY_BYTES = 1024 * 1024
    hook_path = _hook_path(shop)
    post_cart(hook_path, cart_body(1))

    response = post_cart(hook_path, b"x" * (2 * 1024 * 1024))

    assert response.status_code == 413
    stored = CartReturn.objects.get(outcome=ReturnOutcome.TOO_LARGE)
    assert stored.stored_bytes == len(raw_bytes(stored.body)) == SPENT_BODY_KEEP


def test_a_valid_token_keeps_the_whole_ten_mb(shop):
    hook_path = _hook_path(shop)
    body = _padded_cart(TEN_MB)

    response = post_cart(hook_path, body)

    assert response.status_code == 303
    stored = CartReturn.objects.get()
    assert stored.outcome == ReturnOutcome.IMPORTED
    assert raw_bytes(stored.body) == body
    assert (stored.stored_bytes, stored.body_size, stored.body_truncated) == (TEN_MB, TEN_MB, False)
    assert OrderRequestLine.objects.count() == 1


def test_a_return_that_loses_the_race_for_the_token_keeps_only_its_start(shop):
    hook_path = _hook_path(shop)
    token = hook_path.rstrip("/").rsplit("/", 1)[1]
    stale = punchout_find_session(token=token)  # read before the other return spent the token
    post_cart(hook_path, cart_body(1))
    body = _padded_cart(100_000)

    result = punchout_receive(
        session=stale,
        http_method="POST",
        meta={"CONTENT_TYPE": "application/x-www-form-urlencoded"},
        body=body,
    )

    assert result.outcome == ReturnOutcome.DUPLICATE
    result.cart_return.refresh_from_db()
    assert raw_bytes(result.cart_return.body) == body[:SPENT_BODY_KEEP]
    assert (result.cart_return.stored_bytes, result.cart_return.body_size) == (SPENT_BODY_KEEP, 100_000)
    assert OrderRequestLine.objects.count() == 1


def test_a_punchout_keeps_a_bounded_number_of_returns(shop):
    hook_path = _hook_path(shop)

    statuses = [post_cart(hook_path, cart_body(1)).status_code for _ in range(MAX_RETURNS_PER_SESSION + 5)]

    assert statuses == [303] * (MAX_RETURNS_PER_SESSION + 5)
    assert CartReturn.objects.count() == MAX_RETURNS_PER_SESSION
    assert OrderRequestLine.objects.count() == 1


def test_an_expired_self_test_keeps_only_the_start_of_its_first_return():
    test, hook_path = _selftest()
    PunchoutSession.objects.filter(pk=test.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = post_cart(hook_path, b"x" * TEN_MB)
    again = post_cart(hook_path, b"x" * TEN_MB)

    assert (response.status_code, again.status_code) == (410, 303)
    stored = CartReturn.objects.get()
    assert (stored.outcome, stored.stored_bytes, stored.body_size) == (ReturnOutcome.EXPIRED, SPENT_BODY_KEEP, TEN_MB)


def test_a_self_test_with_a_valid_token_keeps_its_whole_body():
    _test, hook_path = _selftest()
    body = _padded_cart(3 * 1024 * 1024)

    post_cart(hook_path, body)

    stored = CartReturn.objects.get()
    assert (stored.outcome, raw_bytes(stored.body)) == (ReturnOutcome.CHECKED, body)


def test_the_staff_page_says_that_only_the_start_was_kept_and_why(shop):
    hook_path = _hook_path(shop)
    post_cart(hook_path, cart_body(1))
    post_cart(hook_path, b"x" * TEN_MB)
    duplicate = CartReturn.objects.get(outcome=ReturnOutcome.DUPLICATE)

    page = _staff().get(reverse("punchout:return_detail", args=[duplicate.reference]))

    assert page.status_code == 200
    text = page.content.decode()
    assert f"Only the first {SPENT_BODY_KEEP} of {TEN_MB} bytes were kept" in text
    assert "the punchout had already returned (its one-time address was used)" in text


def test_the_staff_page_in_dutch_says_that_only_the_start_was_kept(shop):
    hook_path = _hook_path(shop)
    PunchoutSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    post_cart(hook_path, b"x" * 100_000)
    staff = _staff()
    staff.cookies["django_language"] = "nl"

    text = staff.get(reverse("punchout:return_detail", args=[CartReturn.objects.get().reference])).content.decode()

    assert f"Alleen de eerste {SPENT_BODY_KEEP} van 100000 bytes zijn bewaard" in text
    assert "de punchout was verlopen toen hij binnenkwam" in text


def test_kept_headers_are_bounded_and_hold_the_client_address(shop):
    hook_path = _hook_path(shop)

    Client(REMOTE_ADDR="198.51.100.23").generic(
        "POST",
        hook_path,
        cart_body(1),
        content_type="application/x-www-form-urlencoded",
        HTTP_USER_AGENT="A" * 50_000,
    )

    headers = CartReturn.objects.get().headers
    assert len(headers["HTTP_USER_AGENT"]) == 1000
    assert headers["CLIENT_ADDRESS"] == "198.51.100.23"


# -- storage quotas ------------------------------------------------------------------------------------------------


def test_an_organization_past_its_hourly_quota_gets_429_and_only_the_start_is_kept(shop, settings):
    settings.PUNCHOUT_ORG_MAX_BYTES_PER_HOUR = 150_000
    assert post_cart(_hook_path(shop), _padded_cart(100_000)).status_code == 303
    client = Client()
    client.force_login(shop.user)
    _fields, hook_path = start_punchout(client, shop.supplier.pk)

    response = post_cart(hook_path, _padded_cart(100_000))

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    text = response.content.decode()
    assert "In the last hour the webshops sent back more cart data for your organization" in text
    assert "Nothing was added to your cart." in text
    refused = CartReturn.objects.get(outcome=ReturnOutcome.OVER_QUOTA)
    assert refused.reference in text
    assert (refused.stored_bytes, refused.body_size) == (SPENT_BODY_KEEP, 100_000)
    assert len(raw_bytes(refused.body)) == SPENT_BODY_KEEP
    assert OrderRequestLine.objects.count() == 1
    session = refused.session
    assert (session.status, session.used_at is not None) == (SessionStatus.REJECTED, True)
    # The buyer's result page says what happened.
    result = client.get(reverse("punchout:result", args=[session.pk]))
    assert result.status_code == 429
    assert "more cart data for your organization than this platform keeps" in result.content.decode()
    assert refused.reference in result.content.decode()


def test_a_post_after_a_refusal_for_the_quota_stores_only_a_start(shop, settings):
    settings.PUNCHOUT_ORG_MAX_BYTES_PER_HOUR = 50_000
    hook_path = _hook_path(shop)
    assert post_cart(hook_path, _padded_cart(100_000)).status_code == 429

    again = post_cart(hook_path, _padded_cart(100_000))

    assert again.status_code == 303
    assert sum(CartReturn.objects.values_list("stored_bytes", flat=True)) == 2 * SPENT_BODY_KEEP


def test_the_hourly_quota_counts_a_rolling_hour(shop, settings):
    settings.PUNCHOUT_ORG_MAX_BYTES_PER_HOUR = 150_000
    post_cart(_hook_path(shop), _padded_cart(100_000))
    CartReturn.objects.update(received_at=timezone.now() - timedelta(minutes=61))

    response = post_cart(_hook_path(shop), _padded_cart(100_000))

    assert response.status_code == 303
    assert OrderRequestLine.objects.count() == 2


def test_the_daily_quota(shop, settings):
    settings.PUNCHOUT_ORG_MAX_BYTES_PER_DAY = 150_000
    post_cart(_hook_path(shop), _padded_cart(100_000))
    CartReturn.objects.update(received_at=timezone.now() - timedelta(hours=23))

    response = post_cart(_hook_path(shop), _padded_cart(100_000))

    assert response.status_code == 429
    assert "In the last 24 hours" in response.content.decode()
    assert CartReturn.objects.filter(outcome=ReturnOutcome.OVER_QUOTA).count() == 1


def test_the_quota_adds_up_the_last_hour_and_day_to_the_microsecond(shop, other_shop, settings):
    now = timezone.now()
    for _ in range(5):
        post_cart(_hook_path(shop), cart_body(1))
    post_cart(_hook_path(other_shop), cart_body(1))
    placed = [
        (now, 10_000),  # the hour and the day
        (now - timedelta(hours=1), 1),  # still the hour: its start counts
        (now - timedelta(hours=1, microseconds=1), 10),  # the day only
        (now - timedelta(days=1), 100),  # still the day
        (now - timedelta(days=1, microseconds=1), 1_000),  # neither
    ]
    for cart_return, (at, size) in zip(CartReturn.objects.filter(organization=shop.organization), placed, strict=True):
        CartReturn.objects.filter(pk=cart_return.pk).update(received_at=at, stored_bytes=size)
    CartReturn.objects.filter(organization=other_shop.organization).update(received_at=now, stored_bytes=100_000)
    settings.PUNCHOUT_ORG_MAX_BYTES_PER_HOUR = 10_001
    settings.PUNCHOUT_ORG_MAX_BYTES_PER_DAY = 10_111

    def exceeded(adding: int) -> QuotaExceeded | None:
        return organization_quota_exceeded(organization_id=shop.organization.pk, adding=adding, now=now)

    assert exceeded(0) is None
    assert exceeded(1) == QuotaExceeded(scope="organization", window="hour", limit=10_001)
    settings.PUNCHOUT_ORG_MAX_BYTES_PER_HOUR = 10_111
    assert exceeded(1) == QuotaExceeded(scope="organization", window="day", limit=10_111)


def test_one_organizations_quota_does_not_touch_another(shop, other_shop, settings):
    settings.PUNCHOUT_ORG_MAX_BYTES_PER_HOUR = 150_000
    post_cart(_hook_path(shop), _padded_cart(100_000))

    response = post_cart(_hook_path(other_shop), _padded_cart(100_000))

    assert response.status_code == 303
    assert OrderRequestLine.objects.filter(order_request__organization=other_shop.organization).count() == 1


def test_a_roundtrip_test_counts_towards_its_organizations_quota(shop, settings):
    settings.PUNCHOUT_ORG_MAX_BYTES_PER_HOUR = 150_000
    post_cart(_hook_path(shop), _padded_cart(100_000))
    test = trials.trial_create(
        organization=shop.organization, connection=shop.connection, reference="r", created_by=None
    )

    response = post_cart(reverse("punchout:return", args=[test.unseal("token")]), _padded_cart(100_000))

    assert response.status_code == 429
    assert "more cart data for this organization than this platform keeps (0 MB per hour)" in response.content.decode()
    test.refresh_from_db()
    assert (test.cart_return.outcome, test.cart_return.stored_bytes) == (ReturnOutcome.OVER_QUOTA, SPENT_BODY_KEEP)


def test_self_tests_of_one_client_are_capped_in_bytes_per_day(settings):
    settings.SELFTEST_MAX_BYTES_PER_CLIENT_PER_DAY = 100_000
    _first, first_hook = _selftest("203.0.113.7")
    second, second_hook = _selftest("203.0.113.7")
    assert post_cart(first_hook, _padded_cart(100_000)).status_code == 303

    response = post_cart(second_hook, _padded_cart(100_000))

    assert response.status_code == 429
    assert "Self-tests from your address sent back more than" in response.content.decode()
    second.refresh_from_db()
    assert (second.cart_return.outcome, second.cart_return.stored_bytes) == (ReturnOutcome.OVER_QUOTA, SPENT_BODY_KEEP)
    # Its bytes for the day are used up: no new self-test either.
    with pytest.raises(trials.TooManyTrials, match="as much as this platform keeps for one day"):
        _selftest("203.0.113.7")
    # Another client is not held back by this one.
    _other, other_hook = _selftest("198.51.100.1")
    assert post_cart(other_hook, _padded_cart(100_000)).status_code == 303


def test_all_self_tests_together_are_capped_in_bytes_per_day(settings):
    settings.SELFTEST_MAX_BYTES_PER_DAY = 100_000
    _first, first_hook = _selftest("203.0.113.7")
    _second, second_hook = _selftest("198.51.100.1")
    post_cart(first_hook, _padded_cart(100_000))

    response = post_cart(second_hook, _padded_cart(100_000))

    assert response.status_code == 429
    assert "All self-tests together sent back more than" in response.content.decode()
    with pytest.raises(trials.TooManyTrials):
        _selftest("192.0.2.44")


def test_the_self_test_report_says_the_quota_was_reached(settings):
    settings.SELFTEST_MAX_BYTES_PER_CLIENT_PER_DAY = 50_000
    test, hook_path = _selftest()
    browser = Client()
    session = browser.session
    session[trials.SESSION_SELFTESTS_KEY] = [str(test.pk)]
    session.save()

    post_cart(hook_path, _padded_cart(100_000))
    report = browser.get(reverse("punchout:test_report", args=[test.pk]))

    assert "Not checked: the storage limit for cart returns was reached" in report.content.decode()
    assert f"Only the first {SPENT_BODY_KEEP} of 100000 bytes were kept." in report.content.decode()
