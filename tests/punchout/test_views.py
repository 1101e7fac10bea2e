"""The punchout roundtrip through the views: start, return (HOOK_URL), result, cart."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ocilink.connections.services import oci_credential_set
from ocilink.protocols.oci import encode_cart_body
from ocilink.punchout.models import CartReturn, PunchoutSession
from ocilink.punchout.states import ReturnOutcome, SessionStatus
from ocilink.punchout.tokens import hash_token
from ocilink.requisitions.models import OrderRequestLine
from tests.factories import DeliveryAddressFactory
from tests.raw_files import raw_bytes

from .helpers import cart_body, line, post_cart, start_punchout

pytestmark = pytest.mark.django_db


def _buyer_client(shop) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(shop.user)
    return client


def test_start_renders_an_auto_submitting_form_with_the_organization_account(shop):
    client = _buyer_client(shop)

    response = client.post(reverse("punchout:start", args=[shop.supplier.pk]))
    fields, hook_path = start_punchout(client, shop.supplier.pk)

    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    body = response.content.decode()
    assert 'accept-charset="UTF-8"' in body
    assert 'method="post"' in body
    assert f'action="{shop.connection.url}"' in body
    assert fields["USERNAME"] == "org-account"
    assert fields["PASSWORD"] == "org-secret"
    assert fields["~OkCode"] == "ADDI"
    assert fields["~TARGET"] == "_top"
    assert fields["~CALLER"] == "CTLG"
    assert fields["http_content_charset"] == "utf-8"
    assert fields["HOOK_URL"].startswith("http://testserver/punchout/return/")
    token = hook_path.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 22  # at least 128 bits in url-safe base64
    session = PunchoutSession.objects.get(token_hash=hash_token(token))
    assert session.user == shop.user
    assert session.delivery_address == shop.address
    assert not PunchoutSession.objects.filter(token_hash=token).exists()


def test_the_start_page_speaks_the_buyers_language_and_runs_no_query_for_the_navigation(
    shop, django_assert_num_queries
):
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(shop.user)
    url = reverse("punchout:start", args=[shop.supplier.pk])

    # The session, the user, the membership, the right, the supplier, the account, the new punchout.
    with django_assert_num_queries(7):
        response = client.post(url)

    body = response.content.decode()
    assert '<html lang="nl">' in body
    assert f"Je wordt doorgestuurd naar de webshop van {shop.supplier.name}" in body


def test_start_uses_the_account_of_the_chosen_delivery_address(shop):
    depot = DeliveryAddressFactory(organization=shop.organization, label="Depot")
    oci_credential_set(connection=shop.connection, delivery_address=depot, username="depot-account", password="d-pw")
    client = _buyer_client(shop)

    fields, _ = start_punchout(client, shop.supplier.pk, delivery_address=str(depot.pk))

    assert fields["USERNAME"] == "depot-account"
    assert fields["PASSWORD"] == "d-pw"


def test_start_uses_the_field_names_and_method_of_the_connection(shop):
    connection = shop.connection
    connection.username_field, connection.password_field, connection.method = "login", "pass", "GET"
    connection.extra_params = {"LANGU": "NL"}
    connection.save()

    response = _buyer_client(shop).post(reverse("punchout:start", args=[shop.supplier.pk]))

    body = response.content.decode()
    assert 'method="get"' in body
    assert 'name="login" value="org-account"' in body
    assert 'name="pass" value="org-secret"' in body
    assert 'name="LANGU" value="NL"' in body
    assert 'name="USERNAME"' not in body


def test_start_without_an_account_says_what_to_do(shop):
    shop.connection.credentials.all().delete()

    response = _buyer_client(shop).post(reverse("punchout:start", args=[shop.supplier.pk]), follow=True)

    assert b"There is no webshop account of" in response.content
    assert not PunchoutSession.objects.exists()


def test_start_for_a_supplier_of_another_organization_is_not_found(shop, other_shop):
    response = _buyer_client(shop).post(reverse("punchout:start", args=[other_shop.supplier.pk]))

    assert response.status_code == 404
    assert not PunchoutSession.objects.exists()


def test_start_with_an_address_of_another_organization_is_not_found(shop, other_shop):
    response = _buyer_client(shop).post(
        reverse("punchout:start", args=[shop.supplier.pk]), {"delivery_address": other_shop.address.pk}
    )

    assert response.status_code == 404


def test_start_needs_a_login(shop):
    response = Client().post(reverse("punchout:start", args=[shop.supplier.pk]))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_return_imports_the_cart_and_the_buyer_sees_it(shop):
    client = _buyer_client(shop)
    _, hook_path = start_punchout(client, shop.supplier.pk)
    body = encode_cart_body(
        [
            line(1, DESCRIPTION="Büroklammern 26/6 (Größe M)", UNIT="BX", PRICE="1.95", QUANTITY="3"),
            line(2, DESCRIPTION="Copy paper", PRICE="4.50", PRICEUNIT="100", QUANTITY="500"),
            line(3, DESCRIPTION="Chair", PRICE="389.00", QUANTITY="1", LONGTEXT="Mesh back.\nFive years."),
        ]
    )

    response = post_cart(hook_path, body)

    assert response.status_code == 303
    session = PunchoutSession.objects.get()
    assert response["Location"] == reverse("punchout:result", args=[session.pk])
    result = client.get(response["Location"])
    assert result.status_code == 302
    assert result["Location"] == reverse("requisitions:cart")
    cart = client.get(result["Location"])
    content = cart.content.decode()
    assert "3 lines from" in content
    assert "Büroklammern 26/6 (Größe M)" in content
    assert "EUR 22.50" in content  # 500 sheets at 4.50 per 100
    assert "EUR 5.85" in content
    assert "EUR 417.35" in content  # total
    lines = list(OrderRequestLine.objects.order_by("position"))
    assert [ln.description for ln in lines] == ["Büroklammern 26/6 (Größe M)", "Copy paper", "Chair"]
    assert lines[1].price_unit == Decimal(100)
    assert lines[2].longtext == "Mesh back.\nFive years."
    assert lines[0].oci_fields["DESCRIPTION"] == "Büroklammern 26/6 (Größe M)"
    assert lines[0].cart_return == CartReturn.objects.get()
    assert {ln.supplier_id for ln in lines} == {shop.supplier.pk}
    session.refresh_from_db()
    assert session.status == SessionStatus.IMPORTED


def test_a_return_into_the_buyers_cart_takes_sixteen_statements(shop, django_assert_num_queries):
    buyer = _buyer_client(shop)
    post_cart(start_punchout(buyer, shop.supplier.pk)[1], cart_body(3))  # the cart exists from here on
    hook_path = start_punchout(buyer, shop.supplier.pk)[1]

    # The session; the return's row and the token (a savepoint here, the transaction in production); the cart,
    # its lines' count, the ledger table and the lines; the cart, the return and the session updated; the quota's
    # lock and sum (in a savepoint).
    with django_assert_num_queries(16):
        response = post_cart(hook_path, cart_body(3))

    assert response.status_code == 303
    assert OrderRequestLine.objects.filter(order_request__requester=shop.user).count() == 6


def test_return_keeps_the_raw_body_and_headers(shop):
    _, hook_path = start_punchout(_buyer_client(shop), shop.supplier.pk)
    body = cart_body(2)

    post_cart(hook_path, body)

    stored = CartReturn.objects.get()
    assert raw_bytes(stored.body) == body
    assert stored.body_size == len(body)
    assert stored.headers["CONTENT_TYPE"] == "application/x-www-form-urlencoded"
    assert "HTTP_COOKIE" not in stored.headers
    assert stored.outcome == ReturnOutcome.IMPORTED
    assert stored.reference.startswith("RT-")


def test_token_is_single_use_and_a_second_post_imports_nothing(shop):
    client = _buyer_client(shop)
    _, hook_path = start_punchout(client, shop.supplier.pk)

    first = post_cart(hook_path, cart_body(2))
    second = post_cart(hook_path, cart_body(5))

    assert first.status_code == 303
    assert second.status_code == 303
    assert second["Location"] == first["Location"]
    assert OrderRequestLine.objects.count() == 2
    outcomes = sorted(CartReturn.objects.values_list("outcome", flat=True))
    assert outcomes == [ReturnOutcome.DUPLICATE, ReturnOutcome.IMPORTED]
    assert client.get(first["Location"])["Location"] == reverse("requisitions:cart")


def test_expired_token_gets_a_clear_page_and_imports_nothing(shop):
    _, hook_path = start_punchout(_buyer_client(shop), shop.supplier.pk)
    PunchoutSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = post_cart(hook_path, cart_body(2))

    assert response.status_code == 410
    assert b"expired" in response.content
    assert OrderRequestLine.objects.count() == 0
    stored = CartReturn.objects.get()
    assert stored.outcome == ReturnOutcome.EXPIRED
    assert raw_bytes(stored.body) == cart_body(2)
    assert stored.reference.encode() in response.content


def test_unknown_token_gets_a_clear_page(db):
    response = post_cart("/punchout/return/not-a-token/", cart_body(1))

    assert response.status_code == 404
    assert b"does not belong to a punchout we started" in response.content
    assert not CartReturn.objects.exists()


def test_another_users_token_puts_lines_in_the_token_owners_cart_only(shop, other_shop):
    _, hook_path = start_punchout(_buyer_client(shop), shop.supplier.pk)
    intruder = _buyer_client(other_shop)

    response = intruder.post(hook_path, cart_body(1), content_type="application/x-www-form-urlencoded")
    result = intruder.get(response["Location"])

    assert result.status_code == 404
    line_ = OrderRequestLine.objects.get()
    assert line_.order_request.requester == shop.user
    assert line_.order_request.organization == shop.organization


def test_result_page_of_another_user_in_the_same_organization_is_not_found(shop):
    from tests.factories import MembershipFactory

    colleague = MembershipFactory(organization=shop.organization)
    _, hook_path = start_punchout(_buyer_client(shop), shop.supplier.pk)
    response = post_cart(hook_path, cart_body(1))
    client = Client()
    client.force_login(colleague.user)

    assert client.get(response["Location"]).status_code == 404


def test_over_size_body_gets_413_and_its_start_is_kept(shop, settings):
    settings.PUNCHOUT_MAX_BODY_BYTES = 1000
    _, hook_path = start_punchout(_buyer_client(shop), shop.supplier.pk)
    body = cart_body(50)

    response = post_cart(hook_path, body)

    assert response.status_code == 413
    assert b"too large" in response.content
    stored = CartReturn.objects.get()
    assert stored.outcome == ReturnOutcome.TOO_LARGE
    assert stored.body_truncated
    assert stored.body_size == len(body)
    assert OrderRequestLine.objects.count() == 0


def test_a_cart_with_errors_is_refused_line_by_line_and_kept(shop):
    client = _buyer_client(shop)
    _, hook_path = start_punchout(client, shop.supplier.pk)
    body = encode_cart_body([line(1), line(2, QUANTITY="1.234,50"), line(3, CURRENCY="")])

    response = post_cart(hook_path, body)
    page = client.get(response["Location"])

    assert page.status_code == 422
    content = page.content.decode()
    stored = CartReturn.objects.get()
    assert stored.outcome == ReturnOutcome.REJECTED
    assert stored.reference in content
    assert "1.234,50" in content
    assert {e["line"] for e in stored.errors} == {2, 3}
    assert raw_bytes(stored.body) == body
    assert OrderRequestLine.objects.count() == 0


def test_an_unreadable_body_is_refused_and_kept(shop):
    client = _buyer_client(shop)
    _, hook_path = start_punchout(client, shop.supplier.pk)
    body = b"--x\r\nbroken"

    response = post_cart(hook_path, body, content_type="multipart/form-data; boundary=zzz")
    page = client.get(response["Location"])

    assert page.status_code == 422
    stored = CartReturn.objects.get()
    assert stored.outcome in {ReturnOutcome.UNREADABLE, ReturnOutcome.REJECTED}
    assert raw_bytes(stored.body) == body
    assert OrderRequestLine.objects.count() == 0


def test_get_return_is_accepted(shop):
    client = _buyer_client(shop)
    _, hook_path = start_punchout(client, shop.supplier.pk)

    response = Client().get(hook_path + "?" + cart_body(2).decode("ascii"))

    assert response.status_code == 303
    assert OrderRequestLine.objects.count() == 2
    assert CartReturn.objects.get().http_method == "GET"


def test_multipart_return_is_accepted(shop):
    client = _buyer_client(shop)
    _, hook_path = start_punchout(client, shop.supplier.pk)

    response = Client(enforce_csrf_checks=True).post(
        hook_path,
        {
            "NEW_ITEM-DESCRIPTION[1]": "Pen",
            "NEW_ITEM-QUANTITY[1]": "4",
            "NEW_ITEM-UNIT[1]": "PCE",
            "NEW_ITEM-PRICE[1]": "0.79",
            "NEW_ITEM-CURRENCY[1]": "EUR",
        },
    )

    assert response.status_code == 303
    line_ = OrderRequestLine.objects.get()
    assert line_.description == "Pen"
    assert line_.net_amount == Decimal("3.16")


def test_a_thousand_line_cart_is_imported_whole(shop):
    client = _buyer_client(shop)
    _, hook_path = start_punchout(client, shop.supplier.pk)

    response = post_cart(hook_path, cart_body(1000))

    assert response.status_code == 303
    assert OrderRequestLine.objects.count() == 1000
    assert CartReturn.objects.get().line_count == 1000


def test_two_punchouts_fill_one_cart(shop):
    client = _buyer_client(shop)
    _, first = start_punchout(client, shop.supplier.pk)
    post_cart(first, cart_body(2))
    _, second = start_punchout(client, shop.supplier.pk)
    post_cart(second, cart_body(3))

    positions = list(OrderRequestLine.objects.order_by("position").values_list("position", flat=True))

    assert positions == [1, 2, 3, 4, 5]
    assert len({ln.order_request_id for ln in OrderRequestLine.objects.all()}) == 1
