"""The credentials page: accounts and numbers per delivery address, encrypted, masked, never logged."""

from __future__ import annotations

import logging

import pytest
from django.db import connection as db_connection
from django.test import Client
from django.urls import reverse

from ocilink.accounts.models import AuditEvent
from ocilink.connections.models import OciCredential

pytestmark = pytest.mark.django_db

CANARY_USER = "canary-user-7Q2"
CANARY_SECRET = "Canary-Secret-9fXk2"


def _raw(credential_pk: int) -> tuple[str, str]:
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT username_encrypted, password_encrypted FROM connections_ocicredential WHERE id = %s",
            [credential_pk],
        )
        return cursor.fetchone()


def _row(prefix: str, **values: str) -> dict[str, str]:
    fields = {"username": "", "password": "", "customer_number": "", "debtor_number": "", "location_code": ""}
    fields.update(values)
    return {f"{prefix}-{name}": value for name, value in fields.items()}


def _post(org_admin, *rows: dict[str, str]):  # type: ignore[no-untyped-def]
    data: dict[str, str] = {}
    for row in rows:
        data.update(row)
    return org_admin.client.post(reverse("connections:credentials", args=[org_admin.connection.pk]), data)


def _current_rows(org_admin) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """What the page posts back unchanged: every row with its numbers as shown."""
    rows = []
    credentials = {c.delivery_address_id: c for c in OciCredential.objects.filter(connection=org_admin.connection)}
    addresses = [None, *org_admin.organization.delivery_addresses.all()]
    for address in addresses:
        credential = credentials.get(address.pk if address else None)
        numbers = (
            {n: getattr(credential, n) for n in ("customer_number", "debtor_number", "location_code")}
            if credential
            else {}
        )
        rows.append(_row("org" if address is None else f"a{address.pk}", **numbers))
    return rows


def _with(org_admin, prefix: str, row: dict[str, str]) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """The unchanged rows, with the row ``prefix`` replaced."""
    return [row if f"{prefix}-username" in current else current for current in _current_rows(org_admin)]


def test_the_page_lists_the_organization_account_and_every_delivery_address(org_admin):
    response = org_admin.client.get(reverse("connections:credentials", args=[org_admin.connection.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="row-org"' in body
    for address in org_admin.organization.delivery_addresses.all():
        assert f'id="row-a{address.pk}"' in body
        assert address.label in body
    assert "org-account" not in body
    assert "org-secret" not in body
    assert "••••••nt" in body  # the stored organization-wide username, masked


def test_saving_an_address_account_stores_it_encrypted_and_never_shows_it_again(org_admin):
    depot = org_admin.depot
    rows = _with(
        org_admin,
        f"a{depot.pk}",
        _row(
            f"a{depot.pk}",
            username=CANARY_USER,
            password=CANARY_SECRET,
            customer_number="C-77",
            debtor_number="D-88",
            location_code="LOC-99",
        ),
    )

    response = _post(org_admin, *rows)

    assert response.status_code == 302
    credential = OciCredential.objects.get(connection=org_admin.connection, delivery_address=depot)
    username_raw, password_raw = _raw(credential.pk)
    assert CANARY_USER not in username_raw
    assert CANARY_SECRET not in password_raw
    assert password_raw.startswith("gAAAAA")
    assert (credential.username, credential.password) == (CANARY_USER, CANARY_SECRET)
    assert (credential.customer_number, credential.debtor_number, credential.location_code) == (
        "C-77",
        "D-88",
        "LOC-99",
    )
    page = org_admin.client.get(reverse("connections:credentials", args=[org_admin.connection.pk])).content.decode()
    assert CANARY_SECRET not in page
    assert CANARY_USER not in page
    assert "••••••" + CANARY_USER[-2:] in page
    assert 'value="C-77"' in page
    event = AuditEvent.objects.get(action="oci_credential.set", object_id=str(credential.pk))
    assert CANARY_SECRET not in event.summary
    assert CANARY_USER not in event.summary


def test_an_empty_password_keeps_the_stored_one_and_numbers_change_alone(org_admin):
    rows = _with(org_admin, "org", _row("org", customer_number="C-1", debtor_number="D-2", location_code=""))

    response = _post(org_admin, *rows)

    assert response.status_code == 302
    credential = OciCredential.objects.get(connection=org_admin.connection, delivery_address__isnull=True)
    assert (credential.username, credential.password) == ("org-account", "org-secret")
    assert (credential.customer_number, credential.debtor_number) == ("C-1", "D-2")


def test_a_new_address_account_needs_both_username_and_password_and_nothing_is_saved(org_admin):
    depot = org_admin.depot
    rows = _with(org_admin, "org", _row("org", customer_number="C-SHOULD-NOT-STICK"))
    rows = [r for r in rows if f"a{depot.pk}-username" not in r] + [_row(f"a{depot.pk}", username="only-user")]

    response = _post(org_admin, *rows)

    assert response.status_code == 400
    assert "Enter both the username and the password for a new account." in response.content.decode()
    assert not OciCredential.objects.filter(delivery_address=depot).exists()
    assert (
        OciCredential.objects.get(delivery_address__isnull=True, connection=org_admin.connection).customer_number == ""
    )


def test_numbers_for_an_address_without_its_own_account_are_refused(org_admin):
    depot = org_admin.depot
    rows = _with(org_admin, f"a{depot.pk}", _row(f"a{depot.pk}", customer_number="C-5"))

    response = _post(org_admin, *rows)

    assert response.status_code == 400
    assert "kept with an account of its own" in response.content.decode()
    assert not OciCredential.objects.filter(delivery_address=depot).exists()


def test_removing_an_address_account_falls_back_to_the_organization_account(org_admin):
    from ocilink.connections.services import oci_credential_set

    depot = org_admin.depot
    oci_credential_set(connection=org_admin.connection, delivery_address=depot, username="d", password="d-pw")
    rows = _with(org_admin, f"a{depot.pk}", {**_row(f"a{depot.pk}"), f"a{depot.pk}-remove": "on"})

    response = _post(org_admin, *rows)

    assert response.status_code == 302
    assert not OciCredential.objects.filter(delivery_address=depot).exists()
    assert OciCredential.objects.filter(connection=org_admin.connection, delivery_address__isnull=True).exists()


def test_another_organizations_connection_is_not_found_and_nothing_changes(org_admin, other_org_admin):
    theirs = other_org_admin.connection
    url = reverse("connections:credentials", args=[theirs.pk])

    get = org_admin.client.get(url)
    post = org_admin.client.post(url, _row("org", username="intruder", password="intruder-pw"))

    assert (get.status_code, post.status_code) == (404, 404)
    credential = OciCredential.objects.get(connection=theirs, delivery_address__isnull=True)
    assert (credential.username, credential.password) == ("org-account", "org-secret")


def test_a_buyer_may_not_open_the_credentials_page(org_admin):
    client = Client()
    client.force_login(org_admin.shop.user)  # the shop's buyer

    response = client.get(reverse("connections:credentials", args=[org_admin.connection.pk]))

    assert response.status_code == 403


def test_platform_staff_work_in_the_organization_they_chose(org_admin):
    from ocilink.accounts.selectors import SESSION_ORGANIZATION_KEY
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    client = Client()
    client.force_login(staff)
    session = client.session
    session[SESSION_ORGANIZATION_KEY] = org_admin.organization.pk
    session.save()

    response = client.get(reverse("connections:credentials", args=[org_admin.connection.pk]))

    assert response.status_code == 200


def test_a_canary_secret_never_reaches_the_logs_while_saving_and_while_a_punchout_starts(org_admin, caplog):
    depot = org_admin.depot
    rows = _with(org_admin, f"a{depot.pk}", _row(f"a{depot.pk}", username=CANARY_USER, password=CANARY_SECRET))
    buyer = Client()
    buyer.force_login(org_admin.shop.user)

    with caplog.at_level(logging.DEBUG):
        saved = _post(org_admin, *rows)
        started = buyer.post(
            reverse("punchout:start", args=[org_admin.shop.supplier.pk]), {"delivery_address": str(depot.pk)}
        )

    assert saved.status_code == 302
    assert started.status_code == 200
    assert CANARY_SECRET in started.content.decode()  # it did go to the webshop's login form …
    logged = caplog.text + "".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert CANARY_SECRET not in logged  # … and never into a log line, not even redacted
    assert CANARY_USER not in logged


def test_the_credentials_index_lists_only_the_organizations_own_connections(org_admin, other_org_admin):
    response = org_admin.client.get(reverse("connections:credentials_index"))

    assert response.status_code == 200
    body = response.content.decode()
    assert org_admin.connection.name in body
    assert other_org_admin.connection.name not in body
