"""The most lines a cart return may bring (``PUNCHOUT_MAX_LINES``): more is refused whole, kept, and explained."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ocilink.punchout.models import CartReturn, PunchoutSession
from ocilink.punchout.states import ReturnOutcome, SessionStatus
from ocilink.requisitions.models import OrderRequest, OrderRequestLine
from tests.factories import UserFactory
from tests.raw_files import raw_bytes

from .helpers import cart_body, post_cart, start_punchout

pytestmark = pytest.mark.django_db

LIMIT = 5


@pytest.fixture(autouse=True)
def _limit(settings):  # type: ignore[no-untyped-def]
    settings.PUNCHOUT_MAX_LINES = LIMIT
    yield
    # A Dutch request leaves Dutch active in this thread (the locale middleware does not switch back).
    translation.activate(settings.LANGUAGE_CODE)


def _buyer(shop, language: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(shop.user)
    return client


def _punch_out(client: Client, shop, count: int):  # type: ignore[no-untyped-def]
    """A punchout whose webshop returns ``count`` lines; the buyer's result page."""
    _, hook_path = start_punchout(client, shop.supplier.pk)
    response = post_cart(hook_path, cart_body(count))
    assert response.status_code == 303
    return client.get(response["Location"])


def _consultant() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    return client


def test_a_return_of_one_line_more_than_the_limit_imports_nothing_and_says_why(shop):
    page = _punch_out(_buyer(shop), shop, LIMIT + 1)

    stored = CartReturn.objects.get()
    assert page.status_code == 422
    text = page.content.decode()
    assert "The webshop sent 6 lines in one cart; ocilink takes at most 5 lines from one cart" in text
    assert "nothing was imported" in text
    assert stored.reference in text
    assert OrderRequestLine.objects.count() == 0
    assert not OrderRequest.objects.exists()
    assert stored.outcome == ReturnOutcome.REJECTED
    assert stored.line_count == LIMIT + 1
    assert raw_bytes(stored.body) == cart_body(LIMIT + 1)
    assert [(e["code"], e["params"]) for e in stored.errors] == [("too_many_lines", {"count": 6, "limit": 5})]
    assert PunchoutSession.objects.get().status == SessionStatus.REJECTED


def test_a_dutch_buyer_reads_the_refusal_in_dutch(shop):
    page = _punch_out(_buyer(shop, "nl"), shop, LIMIT + 1)

    text = page.content.decode()
    assert "De webshop stuurde 6 regels in één winkelwagen; ocilink neemt hoogstens 5 regels" in text
    assert "er is niets geïmporteerd" in text
    assert CartReturn.objects.get().reference in text
    assert "too_many_lines" not in text


def test_the_consultant_sees_the_refusal_on_the_returns_page(shop):
    _punch_out(_buyer(shop), shop, LIMIT + 1)
    stored = CartReturn.objects.get()

    page = _consultant().get(reverse("punchout:return_detail", args=[stored.reference]))

    assert page.status_code == 200
    text = page.content.decode()
    assert "The webshop sent 6 lines in one cart; ocilink takes at most 5 lines from one cart" in text
    assert "NEW_ITEM-VENDORMAT%5B6%5D=A-6" in text  # the raw body is there


def test_a_return_of_exactly_the_limit_is_imported(shop):
    client = _buyer(shop)

    page = _punch_out(client, shop, LIMIT)

    assert page.status_code == 302
    assert page["Location"] == reverse("requisitions:cart")
    assert OrderRequestLine.objects.count() == LIMIT
    assert CartReturn.objects.get().outcome == ReturnOutcome.IMPORTED


def test_a_return_that_would_overfill_the_cart_imports_nothing_and_says_why(shop):
    client = _buyer(shop)
    _punch_out(client, shop, 3)

    page = _punch_out(client, shop, 3)

    assert page.status_code == 422
    text = page.content.decode()
    assert "Your cart already holds 3 lines. Together with the 3 from the webshop that would be more than 5" in text
    assert OrderRequestLine.objects.count() == 3
    refused = CartReturn.objects.get(outcome=ReturnOutcome.REJECTED)
    assert refused.reference in text
    assert [(e["code"], e["params"]) for e in refused.errors] == [("cart_full", {"in_cart": 3, "count": 3, "limit": 5})]
    assert raw_bytes(refused.body) == cart_body(3)


def test_a_dutch_buyer_reads_that_the_cart_is_full_in_dutch(shop):
    client = _buyer(shop, "nl")
    _punch_out(client, shop, 4)

    page = _punch_out(client, shop, 2)

    text = page.content.decode()
    assert "Je winkelwagen bevat al 4 regels. Samen met de 2 uit de webshop" in text
    assert OrderRequestLine.objects.count() == 4


def test_a_return_that_fills_the_cart_to_the_limit_is_imported(shop):
    client = _buyer(shop)
    _punch_out(client, shop, 3)

    page = _punch_out(client, shop, 2)

    assert page.status_code == 302
    assert OrderRequestLine.objects.count() == LIMIT
    assert list(OrderRequestLine.objects.order_by("position").values_list("position", flat=True)) == [1, 2, 3, 4, 5]


def test_the_limit_grows_with_numbers_grouped_for_the_reader(shop, settings):
    settings.PUNCHOUT_MAX_LINES = 1000

    english = _punch_out(_buyer(shop), shop, 1001).content.decode()
    dutch = _punch_out(_buyer(shop, "nl"), shop, 1001).content.decode()

    assert "sent 1,001 lines in one cart; ocilink takes at most 1,000 lines" in english
    assert "stuurde 1.001 regels in één winkelwagen; ocilink neemt hoogstens 1.000 regels" in dutch


def _misnamed_fields(count: int) -> bytes:
    """A cart of ``count`` lines, each with one field named NEW_ITEM_ instead of NEW_ITEM- (a warning per line)."""
    extra = "&".join(f"NEW_ITEM_MATGROUP%5B{n}%5D=X{n}" for n in range(1, count + 1))
    return cart_body(count) + b"&" + extra.encode()


def test_a_return_keeps_its_first_problems_and_how_many_more_there_were(shop, settings):
    settings.PUNCHOUT_MAX_KEPT_PROBLEMS = 3
    client = _buyer(shop)
    _, hook_path = start_punchout(client, shop.supplier.pk)

    assert post_cart(hook_path, _misnamed_fields(LIMIT)).status_code == 303

    stored = CartReturn.objects.get()
    assert stored.outcome == ReturnOutcome.IMPORTED
    assert [w["line"] for w in stored.warnings[:3]] == [1, 2, 3]
    assert [(w.get("code"), w.get("params")) for w in stored.warnings[3:]] == [("more_problems", {"count": 2})]
    page = _consultant().get(reverse("punchout:return_detail", args=[stored.reference])).content.decode()
    # The whole body is checked again for the page, bounded the same way.
    assert "Only the first errors and warnings are listed (0 errors and 5 warnings in all)." in page
    assert page.count("uses NEW_ITEM_ instead of NEW_ITEM-") == 3


def test_the_consultant_reads_the_count_of_problems_not_listed_in_dutch(shop, settings):
    settings.PUNCHOUT_MAX_KEPT_PROBLEMS = 2
    settings.PUNCHOUT_MAX_LINES = 2000
    client = _buyer(shop)
    _, hook_path = start_punchout(client, shop.supplier.pk)
    post_cart(hook_path, _misnamed_fields(6))
    stored = CartReturn.objects.get()
    CartReturn.objects.filter(pk=stored.pk).update(body_truncated=True)  # the page lists what was kept on arrival

    consultant = _consultant()
    english = consultant.get(reverse("punchout:return_detail", args=[stored.reference])).content.decode()
    dutch = consultant.get(
        reverse("punchout:return_detail", args=[stored.reference]), HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()

    assert "… and 4 more of this kind, not listed here." in english
    assert "… en nog 4 van deze soort, die hier niet staan." in dutch


def test_the_consultants_page_of_a_long_return_lists_the_first_lines(shop):
    _punch_out(_buyer(shop), shop, LIMIT + 2)
    stored = CartReturn.objects.get()

    page = _consultant().get(reverse("punchout:return_detail", args=[stored.reference])).content.decode()

    assert f"Only the first {LIMIT} of {LIMIT + 2} lines are listed." in page
