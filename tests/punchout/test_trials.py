"""Test punchouts: made from an organization's account or a supplier's test account, started, returned, reported.

The return to HOOK_URL is checked like ``ocilink check-cart`` and never imported into a cart.
"""

from __future__ import annotations

import html
import logging
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection as db_connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ocilink.accounts.models import Role
from ocilink.connections.services import oci_credential_set
from ocilink.core.crypto import SecretError
from ocilink.punchout import trials
from ocilink.punchout.models import CartReturn, PunchoutSession
from ocilink.punchout.services import punchout_find_session
from ocilink.punchout.states import ReturnOutcome, SessionPurpose
from ocilink.requisitions.models import OrderRequestLine
from tests.factories import DeliveryAddressFactory, MembershipFactory, UserFactory
from tests.raw_files import raw_bytes

from .helpers import cart_body, post_cart

pytestmark = pytest.mark.django_db

_INPUT = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


def _admin_client(shop) -> Client:  # type: ignore[no-untyped-def]
    admin = UserFactory()
    MembershipFactory(user=admin, organization=shop.organization, role=Role.ADMINISTRATOR)
    client = Client()
    client.force_login(admin)
    return client


def _org_test(shop, **changes) -> PunchoutSession:  # type: ignore[no-untyped-def]
    values = {"reference": "onboarding-step:12", "created_by": shop.user}
    values.update(changes)
    return trials.trial_create(organization=shop.organization, connection=shop.connection, **values)


def _start(client: Client, test: PunchoutSession) -> tuple[dict[str, str], str]:
    response = client.get(reverse("punchout:test_start", args=[test.pk]))
    assert response.status_code == 200, response.content[:300]
    fields = {html.unescape(n): html.unescape(v) for n, v in _INPUT.findall(response.content.decode())}
    return fields, urlsplit(fields["HOOK_URL"]).path


def _raw(test: PunchoutSession) -> tuple[str, str, str]:
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT username_encrypted, password_encrypted, token_hash FROM punchout_punchoutsession WHERE id = %s",
            [test.pk.hex],
        )
        return cursor.fetchone()


def test_a_test_of_a_connection_uses_the_organization_account_sealed_in_its_row(shop):
    test = _org_test(shop)

    username_raw, password_raw, _hash = _raw(test)

    assert "org-account" not in username_raw
    assert "org-secret" not in password_raw
    assert password_raw.startswith("gAAAAA")
    assert (test.unseal("username"), test.unseal("password")) == ("org-account", "org-secret")
    assert (test.webshop_url, test.method, test.username_field, test.password_field) == (
        shop.connection.url,
        "POST",
        "USERNAME",
        "PASSWORD",
    )
    assert test.expires_at - test.created_at == timedelta(hours=2)
    assert "org-secret" not in repr(test)


def test_a_sealed_value_copied_to_another_test_does_not_open(shop):
    first, second = _org_test(shop), _org_test(shop)
    second.password_encrypted = first.password_encrypted

    with pytest.raises(SecretError):
        second.unseal("password")


def test_a_test_can_use_the_account_of_a_delivery_address(shop):
    depot = DeliveryAddressFactory(organization=shop.organization, label="Depot")
    oci_credential_set(connection=shop.connection, delivery_address=depot, username="depot", password="depot-pw")

    test = _org_test(shop, credential_user=depot)

    assert (test.unseal("username"), test.delivery_address) == ("depot", depot)


def test_a_test_refuses_a_missing_account_and_another_organizations_connection(shop, other_shop):
    depot = DeliveryAddressFactory(organization=shop.organization, label="Depot")

    with pytest.raises(trials.TrialError, match="no account of .* for the delivery address Depot"):
        _org_test(shop, credential_user=depot)
    with pytest.raises(trials.TrialError, match="another organization"):
        trials.trial_create(
            organization=shop.organization, connection=other_shop.connection, reference="x", created_by=None
        )
    assert PunchoutSession.objects.trials().count() == 0


def test_the_start_page_auto_submits_the_login_form_with_a_test_hook_url(shop):
    test = _org_test(shop)
    client = _admin_client(shop)

    response = client.get(reverse("punchout:test_start", args=[test.pk]))
    fields, hook_path = _start(client, test)

    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    body = response.content.decode()
    assert 'accept-charset="UTF-8"' in body
    assert f'action="{shop.connection.url}"' in body
    assert 'target="_top"' in body
    assert (fields["USERNAME"], fields["PASSWORD"]) == ("org-account", "org-secret")
    assert fields["~OkCode"] == "ADDI"
    assert hook_path.startswith("/punchout/return/")  # the one HOOK_URL of every punchout session
    token = hook_path.rstrip("/").rsplit("/", 1)[1]
    assert punchout_find_session(token=token) == test


def test_only_staff_and_the_organizations_administrators_may_open_the_start_page(shop, other_shop):
    test = _org_test(shop)
    url = reverse("punchout:test_start", args=[test.pk])
    buyer = Client()
    buyer.force_login(shop.user)
    stranger = _admin_client(other_shop)
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))

    assert Client().get(url).status_code == 302  # to the login page
    assert buyer.get(url).status_code == 404
    assert stranger.get(url).status_code == 404
    assert staff.get(url).status_code == 200


def test_the_return_stores_the_raw_body_checks_it_and_imports_nothing(shop):
    test = _org_test(shop)
    _fields, hook_path = _start(_admin_client(shop), test)
    body = cart_body(2)

    response = post_cart(hook_path, body)

    assert response.status_code == 303
    assert response["Location"] == reverse("punchout:test_report", args=[test.pk])
    test.refresh_from_db()
    assert raw_bytes(test.cart_return.body) == body
    assert test.cart_return.content_type == "application/x-www-form-urlencoded"
    assert test.cart_return.outcome == ReturnOutcome.CHECKED
    assert test.cart_return.report["ok"] is True
    assert [line["description"] for line in test.cart_return.report["lines"]] == ["Article 1", "Article 2"]
    assert [line["net_amount"] for line in test.cart_return.report["lines"]] == ["20.00", "20.00"]
    assert OrderRequestLine.objects.count() == 0
    assert list(CartReturn.objects.values_list("session", flat=True)) == [test.pk]  # no buyer's return was made


def test_an_unreadable_body_is_kept_and_reported(shop):
    test = _org_test(shop)
    _fields, hook_path = _start(_admin_client(shop), test)

    response = post_cart(hook_path, b"NEW_ITEM-DESCRIPTION[1]=x", content_type="multipart/form-data")

    assert response.status_code == 303
    test.refresh_from_db()
    assert raw_bytes(test.cart_return.body) == b"NEW_ITEM-DESCRIPTION[1]=x"
    assert test.cart_return.outcome == ReturnOutcome.UNREADABLE
    assert test.cart_return.report["ok"] is False
    assert len(test.cart_return.report["errors"]) == 1


def test_the_token_is_single_use(shop):
    test = _org_test(shop)
    _fields, hook_path = _start(_admin_client(shop), test)
    post_cart(hook_path, cart_body(1))

    second = post_cart(hook_path, cart_body(3))

    assert second.status_code == 303
    test.refresh_from_db()
    assert raw_bytes(test.cart_return.body) == cart_body(1)
    assert len(test.cart_return.report["lines"]) == 1


def test_a_test_keeps_only_its_first_return(shop):
    test = _org_test(shop)
    _fields, hook_path = _start(_admin_client(shop), test)
    PunchoutSession.objects.filter(pk=test.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    post_cart(hook_path, cart_body(1))

    again = [post_cart(hook_path, cart_body(3)).status_code for _ in range(3)]

    assert again == [303, 303, 303]  # to the report, which shows the first return
    assert list(CartReturn.objects.values_list("outcome", flat=True)) == [ReturnOutcome.EXPIRED]


def test_a_buyers_session_has_no_test_pages_and_a_test_has_no_buyers_result_page(shop):
    buyer = Client()
    buyer.force_login(shop.user)
    start = buyer.post(reverse("punchout:start", args=[shop.supplier.pk]))
    assert start.status_code == 200
    order = PunchoutSession.objects.get()
    test = _org_test(shop)
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))

    assert staff.get(reverse("punchout:test_start", args=[order.pk])).status_code == 404
    assert staff.get(reverse("punchout:test_report", args=[order.pk])).status_code == 404
    assert Client().get(reverse("punchout:test_report", args=[order.pk])).status_code == 404
    assert buyer.get(reverse("punchout:result", args=[test.pk])).status_code == 404
    assert (order.purpose, test.purpose) == (SessionPurpose.ORDER, SessionPurpose.ROUNDTRIP_TEST)


def test_an_expired_test_keeps_the_body_and_checks_nothing(shop):
    test = _org_test(shop)
    _fields, hook_path = _start(_admin_client(shop), test)
    PunchoutSession.objects.filter(pk=test.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = post_cart(hook_path, cart_body(1))

    assert response.status_code == 410
    test.refresh_from_db()
    assert raw_bytes(test.cart_return.body) == cart_body(1)
    assert (test.cart_return.outcome, test.cart_return.report) == (ReturnOutcome.EXPIRED, None)


def test_another_token_is_unknown_and_stores_nothing(shop):
    test = _org_test(shop)
    _start(_admin_client(shop), test)

    response = post_cart(reverse("punchout:return", args=["not-the-token"]), cart_body(1))

    assert response.status_code == 404
    test.refresh_from_db()
    assert (test.used_at, test.cart_return) == (None, None)
    assert not CartReturn.objects.exists()


def test_a_real_punchout_token_does_not_reach_a_test(shop):
    test = _org_test(shop)
    client = Client()
    client.force_login(shop.user)
    start = client.post(reverse("punchout:start", args=[shop.supplier.pk]))
    hook_url = html.unescape(re.search(r'name="HOOK_URL" value="([^"]*)"', start.content.decode()).group(1))
    token = urlsplit(hook_url).path.rstrip("/").rsplit("/", 1)[1]

    response = post_cart(reverse("punchout:return", args=[token]), cart_body(1))

    assert response.status_code == 303
    assert response["Location"] != reverse("punchout:test_report", args=[test.pk])
    test.refresh_from_db()
    assert (test.used_at, test.cart_return) == (None, None)


def test_an_oversize_body_is_refused_and_its_start_kept(shop, settings):
    settings.PUNCHOUT_MAX_BODY_BYTES = 100
    test = _org_test(shop)
    _fields, hook_path = _start(_admin_client(shop), test)
    body = cart_body(5)

    response = post_cart(hook_path, body)

    assert response.status_code == 413
    test.refresh_from_db()
    assert test.cart_return.outcome == ReturnOutcome.TOO_LARGE
    assert raw_bytes(test.cart_return.body) == body  # its start (up to 64 KB) is kept, as for a real return
    assert test.cart_return.report is None


def test_a_used_test_cannot_be_started_again(shop):
    test = _org_test(shop)
    client = _admin_client(shop)
    _fields, hook_path = _start(client, test)
    post_cart(hook_path, cart_body(1))

    response = client.get(reverse("punchout:test_start", args=[test.pk]))

    assert response.status_code == 410
    assert "org-secret" not in response.content.decode()


def test_the_report_opens_for_the_organizations_administrator_and_shows_no_account(shop, other_shop):
    test = _org_test(shop)
    admin = _admin_client(shop)
    _fields, hook_path = _start(admin, test)
    post_cart(hook_path, cart_body(1, DESCRIPTION="Stapler", PRICE="12.40", QUANTITY="3"))
    outsider = Client()
    outsider.force_login(other_shop.user)

    response = admin.get(reverse("punchout:test_report", args=[test.pk]))

    assert Client().get(reverse("punchout:test_report", args=[test.pk])).status_code == 302  # to the login page
    assert outsider.get(reverse("punchout:test_report", args=[test.pk])).status_code == 404
    assert response.status_code == 200
    body = response.content.decode()
    assert "visible to the organization's administrators and platform staff" in body
    assert "Stapler" in body
    assert "12.40 EUR / 1" in body
    assert "37.20 EUR" in body
    assert "org-secret" not in body
    assert "org-account" not in body


def test_the_report_of_an_unknown_test_is_not_found():
    response = Client().get(reverse("punchout:test_report", args=["00000000-0000-0000-0000-000000000000"]))

    assert response.status_code == 404


def test_a_supplier_self_test_needs_no_organization_and_opens_only_in_its_own_browser(db):
    test = trials.trial_create_for_supplier(
        webshop_url="https://shop.supplier.example/oci",
        method="get",
        username_field="login",
        password_field="pass",
        extra_params={"LANGU": "NL"},
        username="tester",
        password="Test-Pw-1",
        reference=trials.SELFTEST_REFERENCE,
    )
    mine = Client()
    session = mine.session
    session[trials.SESSION_SELFTESTS_KEY] = [str(test.pk)]
    session.save()

    fields, _hook = _start(mine, test)
    someone_else = Client().get(reverse("punchout:test_start", args=[test.pk]))

    assert test.organization is None
    assert (test.method, fields["login"], fields["pass"], fields["LANGU"]) == ("GET", "tester", "Test-Pw-1", "NL")
    assert someone_else.status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"webshop_url": "javascript:alert(1)"}, "must start with https://"),
        ({"method": "PUT"}, "must be POST or GET"),
        ({"username_field": "X", "password_field": "x"}, "cannot be used"),
        ({"extra_params": {"HOOK_URL": "https://evil.example/"}}, "cannot be used"),
    ],
)
def test_a_self_test_refuses_input_it_cannot_use(db, changes, message):
    values = {
        "webshop_url": "https://shop.example/oci",
        "method": "POST",
        "username_field": "USERNAME",
        "password_field": "PASSWORD",
        "extra_params": {},
        "username": "u",
        "password": "p",
    }
    values.update(changes)

    with pytest.raises(trials.TrialError, match=message):
        trials.trial_create_for_supplier(**values)
    assert PunchoutSession.objects.trials().count() == 0


def test_self_tests_are_capped_per_client_per_hour(db):
    values = {
        "webshop_url": "https://shop.example/oci",
        "method": "POST",
        "username_field": "USERNAME",
        "password_field": "PASSWORD",
        "extra_params": {},
        "username": "u",
        "password": "p",
    }
    for _ in range(trials.SELFTEST_MAX_PER_CLIENT_PER_HOUR):
        trials.trial_create_for_supplier(**values, client="203.0.113.7")

    with pytest.raises(trials.TooManyTrials):
        trials.trial_create_for_supplier(**values, client="203.0.113.7")
    other = trials.trial_create_for_supplier(**values, client="198.51.100.1")

    assert other.client_hash != ""
    assert PunchoutSession.objects.trials().filter(client_hash=trials.client_hash("203.0.113.7")).count() == 10
    assert "203.0.113.7" not in PunchoutSession.objects.trials().values_list("client_hash", flat=True)[0]


def test_tests_are_found_by_their_reference_within_the_organization(shop, other_shop):
    mine = _org_test(shop)
    _org_test(other_shop)

    found = list(trials.trials_with_reference(reference="onboarding-step:12", organization=shop.organization))

    assert found == [mine]


def test_the_account_of_a_test_never_reaches_the_logs(shop, caplog):
    oci_credential_set(
        connection=shop.connection, delivery_address=None, username="canary-user-3", password="Canary-Pw-3"
    )
    client = _admin_client(shop)

    with caplog.at_level(logging.DEBUG):
        test = _org_test(shop)
        _fields, hook_path = _start(client, test)
        post_cart(hook_path, cart_body(1))
        client.get(reverse("punchout:test_report", args=[test.pk]))

    logged = caplog.text + "".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert "Canary-Pw-3" not in logged
    assert "canary-user-3" not in logged


def test_a_test_of_more_lines_than_a_buyer_may_import_is_not_usable_and_its_report_is_bounded(shop, settings):
    settings.PUNCHOUT_MAX_LINES = 5
    test = _org_test(shop)
    client = _admin_client(shop)
    _fields, hook_path = _start(client, test)

    assert post_cart(hook_path, cart_body(7)).status_code == 303

    test.refresh_from_db()
    report = test.cart_return.report
    assert report["ok"] is False  # a buyer could not import it
    assert [line["index"] for line in report["lines"]] == [1, 2, 3, 4, 5]
    assert report["line_count"] == 7
    assert report["errors"][0]["code"] == "too_many_lines"
    page = client.get(reverse("punchout:test_report", args=[test.pk])).content.decode()
    assert "Only the first 5 of 7 lines are listed." in page
    assert "The webshop sent 7 lines in one cart; ocilink takes at most 5 lines from one cart" in page
    assert "too_many_lines" not in page
