"""Ledger pages: administrators manage accounts, tables, mappings, import and export; buyers change a line's
account. Other members get 403, other organizations' objects 404, and neither changes anything."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import include, path, reverse
from openpyxl import load_workbook

from ocilink import urls as root_urls
from ocilink.accounts.models import Role
from ocilink.requisitions.models import OrderRequest, OrderRequestLine
from ocilink.requisitions.states import OrderRequestStatus
from ocilink.suppliers.ledger import ledger_line_options
from ocilink.suppliers.models import LedgerAccount, LedgerMapping, LedgerTable
from tests.factories import ConnectionFactory, MembershipFactory

# The lead mounts the ledger URLs at ledger/; until then (and after) the tests route them themselves.
urlpatterns = list(root_urls.urlpatterns)
if not any(getattr(pattern, "namespace", None) == "ledger" for pattern in urlpatterns):
    urlpatterns.append(path("ledger/", include("ocilink.suppliers.ledger_urls")))

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def client_for(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def texts(response):  # type: ignore[no-untyped-def]
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def ledger(shop):  # type: ignore[no-untyped-def]
    """The shop's organization with two accounts, its table (one mapping) and a connection table."""
    organization = shop.organization
    office = LedgerAccount.objects.create(organization=organization, code="4000", name="Office")
    ict = LedgerAccount.objects.create(organization=organization, code="4100", name="ICT")
    table = LedgerTable.objects.create(organization=organization, default_account=office)
    mapping = LedgerMapping.objects.create(table=table, code="43211500", account=ict)
    shop_table = LedgerTable.objects.create(organization=organization, connection=shop.connection)
    return {"office": office, "ict": ict, "table": table, "mapping": mapping, "shop_table": shop_table}


@pytest.fixture
def administrator(shop):  # type: ignore[no-untyped-def]
    membership = MembershipFactory(organization=shop.organization, role=Role.ADMINISTRATOR)
    return client_for(membership.user)


def page_urls(ledger):  # type: ignore[no-untyped-def]
    table, mapping, office = ledger["table"], ledger["mapping"], ledger["office"]
    return [
        reverse("ledger:index"),
        reverse("ledger:accounts"),
        reverse("ledger:account_add"),
        reverse("ledger:account_edit", args=[office.pk]),
        reverse("ledger:table_add"),
        reverse("ledger:table", args=[table.pk]),
        reverse("ledger:table_edit", args=[table.pk]),
        reverse("ledger:table_delete", args=[table.pk]),
        reverse("ledger:mapping_add", args=[table.pk]),
        reverse("ledger:mapping_edit", args=[mapping.pk]),
        reverse("ledger:table_import", args=[table.pk]),
        reverse("ledger:table_export", args=[table.pk, "xlsx"]),
        reverse("ledger:table_export", args=[table.pk, "csv"]),
    ]


def changes(ledger):  # type: ignore[no-untyped-def]
    """Every POST of the administrators' pages, each with data that would change something."""
    table, mapping, office = ledger["table"], ledger["mapping"], ledger["office"]
    return [
        (reverse("ledger:account_add"), {"code": "4900", "name": "New"}),
        (reverse("ledger:account_edit", args=[office.pk]), {"code": "4001", "name": "Renamed"}),
        (reverse("ledger:account_deactivate", args=[office.pk]), {}),
        (reverse("ledger:table_add"), {"source_field": "MATGROUP", "scheme": "exact"}),
        (reverse("ledger:table_edit", args=[table.pk]), {"source_field": "CUST_FIELD1", "scheme": "exact"}),
        (reverse("ledger:table_delete", args=[table.pk]), {}),
        (reverse("ledger:mapping_add", args=[table.pk]), {"code": "44122104", "account": office.pk}),
        (reverse("ledger:mapping_edit", args=[mapping.pk]), {"code": "43211500", "account": office.pk}),
        (reverse("ledger:mapping_delete", args=[mapping.pk]), {}),
        (
            reverse("ledger:table_import", args=[table.pk]),
            {"file": io.BytesIO(b"code,account code\n44122104,4000\n")},
        ),
    ]


def state(shop):  # type: ignore[no-untyped-def]
    organization = shop.organization
    return (
        sorted(LedgerAccount.objects.filter(organization=organization).values_list("code", "name", "is_active")),
        sorted(
            LedgerTable.objects.filter(organization=organization).values_list(
                "connection_id", "source_field", "scheme", "default_account_id", "buyer_may_change"
            ),
            key=str,
        ),
        sorted(LedgerMapping.objects.filter(table__organization=organization).values_list("code", "account_id")),
    )


# --- who may ----------------------------------------------------------------------------------------------------


def test_every_page_opens_for_an_administrator(shop, ledger, administrator):
    statuses = [administrator.get(url).status_code for url in page_urls(ledger)]

    assert statuses == [200] * len(statuses)


def test_members_who_are_not_administrators_are_refused_and_change_nothing(shop, ledger):
    buyer = client_for(shop.user)
    before = state(shop)

    page_statuses = [buyer.get(url).status_code for url in page_urls(ledger)]
    change_statuses = [buyer.post(url, data).status_code for url, data in changes(ledger)]

    assert page_statuses == [403] * len(page_statuses)
    assert change_statuses == [403] * len(change_statuses)
    assert state(shop) == before


def test_platform_staff_may_manage_the_table(shop, ledger):
    shop.user.is_staff = True
    shop.user.save()

    response = client_for(shop.user).get(reverse("ledger:table", args=[ledger["table"].pk]))

    assert response.status_code == 200


def test_another_organizations_administrator_gets_404_and_changes_nothing(shop, other_shop, ledger):
    intruder = client_for(MembershipFactory(organization=other_shop.organization, role=Role.ADMINISTRATOR).user)
    before = state(shop)
    without_object = {reverse("ledger:index"), reverse("ledger:accounts"), reverse("ledger:account_add")}
    without_object.add(reverse("ledger:table_add"))
    object_pages = [url for url in page_urls(ledger) if url not in without_object]
    object_changes = [(url, data) for url, data in changes(ledger) if url not in without_object]

    page_statuses = [intruder.get(url).status_code for url in object_pages]
    change_statuses = [intruder.post(url, data).status_code for url, data in object_changes]

    assert page_statuses == [404] * len(object_pages)
    assert change_statuses == [404] * len(object_changes)
    assert state(shop) == before


def test_another_organizations_connection_and_accounts_cannot_be_chosen(shop, other_shop, ledger, administrator):
    foreign_connection = ConnectionFactory(organization=other_shop.organization)
    foreign_account = LedgerAccount.objects.create(organization=other_shop.organization, code="9", name="Elsewhere")
    before = state(shop)

    table = administrator.post(
        reverse("ledger:table_add"),
        {"connection": foreign_connection.pk, "source_field": "MATGROUP", "scheme": "unspsc"},
    )
    mapping = administrator.post(
        reverse("ledger:mapping_add", args=[ledger["table"].pk]), {"code": "44122104", "account": foreign_account.pk}
    )

    assert table.context["form"].errors == {
        "connection": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert mapping.context["form"].errors == {
        "account": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert state(shop) == before


# --- accounts ---------------------------------------------------------------------------------------------------


def test_an_administrator_creates_and_renames_an_account(shop, ledger, administrator):
    created = administrator.post(reverse("ledger:account_add"), {"code": " 4700 ", "name": "Print"})
    account = LedgerAccount.objects.get(organization=shop.organization, code="4700")
    renamed = administrator.post(
        reverse("ledger:account_edit", args=[account.pk]), {"code": "4700", "name": "Drukwerk"}
    )

    assert (created.status_code, created["Location"]) == (302, reverse("ledger:accounts"))
    assert renamed.status_code == 302
    account.refresh_from_db()
    assert (account.code, account.name, account.is_active) == ("4700", "Drukwerk", True)


def test_a_duplicate_account_code_is_explained_on_the_form(shop, ledger, administrator):
    response = administrator.post(reverse("ledger:account_add"), {"code": "4000", "name": "Again"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["There is already a ledger account 4000."]
    assert LedgerAccount.objects.filter(organization=shop.organization, code="4000").count() == 1


def test_deactivating_an_account_in_use_warns_where_it_is_used(shop, ledger, administrator):
    response = administrator.post(reverse("ledger:account_deactivate", args=[ledger["office"].pk]))

    ledger["office"].refresh_from_db()
    assert ledger["office"].is_active is False
    assert texts(response) == [
        "Deactivated the ledger account 4000 Office.",
        "It is still used by 0 mappings and is the default account of 1 tables; those no longer book to it. "
        "Point them to another account.",
    ]


def test_a_deactivated_account_can_be_reactivated(shop, ledger, administrator):
    LedgerAccount.objects.filter(pk=ledger["ict"].pk).update(is_active=False)

    administrator.post(reverse("ledger:account_activate", args=[ledger["ict"].pk]))

    ledger["ict"].refresh_from_db()
    assert ledger["ict"].is_active is True


# --- tables -----------------------------------------------------------------------------------------------------


def test_an_administrator_creates_a_table_for_a_connection(shop, ledger, administrator):
    connection = ConnectionFactory(organization=shop.organization)

    response = administrator.post(
        reverse("ledger:table_add"),
        {
            "connection": connection.pk,
            "source_field": "CUST_FIELD3",
            "scheme": "exact",
            "default_account": ledger["ict"].pk,
        },
    )

    table = LedgerTable.objects.get(connection=connection)
    assert response["Location"] == reverse("ledger:table", args=[table.pk])
    assert (table.source_field, table.scheme, table.default_account, table.buyer_may_change) == (
        "CUST_FIELD3",
        "exact",
        ledger["ict"],
        False,
    )


def test_a_second_organization_table_is_refused_with_a_message(shop, ledger, administrator):
    response = administrator.post(reverse("ledger:table_add"), {"source_field": "MATGROUP", "scheme": "unspsc"})

    assert response.context["form"].non_field_errors() == [
        "The organization already has a table for all suppliers; change that one."
    ]
    assert LedgerTable.objects.filter(organization=shop.organization).count() == 2


def test_deleting_a_table_deletes_its_mappings(shop, ledger, administrator):
    response = administrator.post(reverse("ledger:table_delete", args=[ledger["table"].pk]))

    assert response["Location"] == reverse("ledger:index")
    assert list(LedgerTable.objects.filter(organization=shop.organization)) == [ledger["shop_table"]]
    assert not LedgerMapping.objects.filter(table__organization=shop.organization).exists()


# --- mappings ---------------------------------------------------------------------------------------------------


def test_a_unspsc_segment_is_stored_as_8_digits(shop, ledger, administrator):
    response = administrator.post(
        reverse("ledger:mapping_add", args=[ledger["table"].pk]), {"code": " 44 ", "account": ledger["office"].pk}
    )

    assert response["Location"] == reverse("ledger:table", args=[ledger["table"].pk])
    assert LedgerMapping.objects.get(table=ledger["table"], code="44000000").account == ledger["office"]


def test_a_code_already_in_the_table_is_explained_on_the_form(shop, ledger, administrator):
    response = administrator.post(
        reverse("ledger:mapping_add", args=[ledger["table"].pk]),
        {"code": "43.21.15.00", "account": ledger["office"].pk},
    )

    assert response.context["form"].non_field_errors() == [
        "The code 43211500 is already in this table (to 4100 ICT); change that row instead."
    ]
    assert LedgerMapping.objects.get(table=ledger["table"]).account == ledger["ict"]


def test_a_mapping_is_changed_and_deleted(shop, ledger, administrator):
    mapping = ledger["mapping"]

    administrator.post(
        reverse("ledger:mapping_edit", args=[mapping.pk]), {"code": "43211500", "account": ledger["office"].pk}
    )
    changed = LedgerMapping.objects.get(pk=mapping.pk).account
    administrator.post(reverse("ledger:mapping_delete", args=[mapping.pk]))

    assert changed == ledger["office"]
    assert not LedgerMapping.objects.filter(pk=mapping.pk).exists()


def test_mappings_are_searched_and_paginated(shop, ledger, administrator):
    LedgerMapping.objects.bulk_create(
        LedgerMapping(table=ledger["table"], code=f"441221{n:02}", account=ledger["office"]) for n in range(60)
    )

    second_page = administrator.get(reverse("ledger:table", args=[ledger["table"].pk]), {"page": 2})
    searched = administrator.get(reverse("ledger:table", args=[ledger["table"].pk]), {"q": "4100"})

    assert [m.code for m in second_page.context["page"].object_list] == [f"441221{n:02}" for n in range(49, 60)]
    assert [m.code for m in searched.context["page"].object_list] == ["43211500"]


# --- import and export ------------------------------------------------------------------------------------------


def test_an_import_shows_its_report(shop, ledger, administrator):
    upload = io.BytesIO(b"code;account code\n44122104;4000\n44122105;9999\n")
    upload.name = "table.csv"

    response = administrator.post(reverse("ledger:table_import", args=[ledger["table"].pk]), {"file": upload})

    report = response.context["report"]
    assert (report.created, report.updated, report.unchanged, len(report.rejected)) == (1, 0, 0, 1)
    content = response.content.decode()
    assert "There is no ledger account 9999." in content
    assert '<td class="num">3</td><td>9999</td>' in content


def test_an_unreadable_upload_is_explained_and_changes_nothing(shop, ledger, administrator):
    before = state(shop)
    upload = io.BytesIO(b"%PDF-1.4 not a table")
    upload.name = "table.xlsx"

    response = administrator.post(reverse("ledger:table_import", args=[ledger["table"].pk]), {"file": upload})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": ["This is a PDF document, not a spreadsheet. Import an .xlsx or a CSV file."]
    }
    assert state(shop) == before


@pytest.mark.parametrize(
    ("fmt", "content_type", "filename"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ledger-table-organization.xlsx"),
        ("csv", "text/csv; charset=utf-8", "ledger-table-organization.csv"),
        ("csv-semicolon", "text/csv; charset=utf-8", "ledger-table-organization.csv"),
    ],
)
def test_a_table_is_downloaded(shop, ledger, administrator, fmt, content_type, filename):
    response = administrator.get(reverse("ledger:table_export", args=[ledger["table"].pk, fmt]))

    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    if fmt == "xlsx":
        rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].values)
        assert rows == [("code", "account code", "account name"), ("43211500", "4100", "ICT")]
    else:
        separator = ";" if fmt == "csv-semicolon" else ","
        expected = (
            f"\ufeffcode{separator}account code{separator}account name\r\n43211500{separator}4100{separator}ICT\r\n"
        )
        assert response.content.decode() == expected


def test_an_unknown_export_format_is_not_found(shop, ledger, administrator):
    response = administrator.get(reverse("ledger:table_export", args=[ledger["table"].pk, "pdf"]))

    assert response.status_code == 404


# --- the buyer's line account -----------------------------------------------------------------------------------


@pytest.fixture
def cart_line(shop, ledger):  # type: ignore[no-untyped-def]
    order_request = OrderRequest.objects.create(organization=shop.organization, requester=shop.user)
    return OrderRequestLine.objects.create(
        order_request=order_request,
        position=1,
        supplier=shop.supplier,
        connection=None,
        description="Paper",
        quantity=Decimal(1),
        ledger_account=ledger["office"],
    )


def test_the_buyer_changes_a_lines_account(shop, ledger, cart_line):
    response = client_for(shop.user).post(
        reverse("requisitions:line_account", args=[cart_line.pk]), {"account": ledger["ict"].pk}
    )

    assert response["Location"] == reverse("requisitions:cart")
    assert texts(response) == ["Line 1 now books to 4100 ICT."]
    cart_line.refresh_from_db()
    assert cart_line.ledger_account == ledger["ict"]


def test_the_buyer_cannot_change_it_where_the_table_forbids(shop, ledger, cart_line):
    LedgerTable.objects.filter(pk=ledger["table"].pk).update(buyer_may_change=False)

    response = client_for(shop.user).post(
        reverse("requisitions:line_account", args=[cart_line.pk]), {"account": ledger["ict"].pk}
    )

    assert texts(response) == [
        "The ledger translation table decides the account of this line; buyers may not change it. Ask an "
        "administrator if it is wrong."
    ]
    cart_line.refresh_from_db()
    assert cart_line.ledger_account == ledger["office"]


@pytest.mark.parametrize("choice", ["foreign", "inactive", "nonsense", None])
def test_only_an_active_account_of_the_organization_can_be_chosen(shop, other_shop, ledger, cart_line, choice):
    foreign = LedgerAccount.objects.create(organization=other_shop.organization, code="4100", name="Elsewhere")
    LedgerAccount.objects.filter(pk=ledger["ict"].pk).update(is_active=False)
    data = {"foreign": {"account": foreign.pk}, "inactive": {"account": ledger["ict"].pk}, "nonsense": {"account": "x"}}

    response = client_for(shop.user).post(
        reverse("requisitions:line_account", args=[cart_line.pk]), data.get(choice, {})
    )

    assert texts(response) == ["Choose one of your organization's active ledger accounts."]
    cart_line.refresh_from_db()
    assert cart_line.ledger_account == ledger["office"]


def test_another_users_line_is_not_found(shop, ledger, cart_line):
    colleague = MembershipFactory(organization=shop.organization, role=Role.ADMINISTRATOR).user

    response = client_for(colleague).post(
        reverse("requisitions:line_account", args=[cart_line.pk]), {"account": ledger["ict"].pk}
    )

    assert response.status_code == 404
    cart_line.refresh_from_db()
    assert cart_line.ledger_account == ledger["office"]


def test_a_line_of_a_submitted_request_is_not_found(shop, ledger, cart_line):
    OrderRequest.objects.filter(pk=cart_line.order_request_id).update(status=OrderRequestStatus.SUBMITTED)

    response = client_for(shop.user).post(
        reverse("requisitions:line_account", args=[cart_line.pk]), {"account": ledger["ict"].pk}
    )

    assert response.status_code == 404
    cart_line.refresh_from_db()
    assert cart_line.ledger_account == ledger["office"]


def test_the_line_account_view_takes_only_post(shop, ledger, cart_line):
    response = client_for(shop.user).get(reverse("requisitions:line_account", args=[cart_line.pk]))

    assert response.status_code == 405


def test_the_cart_snippet_offers_the_active_accounts_only_where_allowed(
    shop, ledger, cart_line, django_assert_num_queries
):
    ict = ledger["ict"]
    LedgerAccount.objects.create(organization=shop.organization, code="4900", name="Closed", is_active=False)
    cart_line = OrderRequestLine.objects.select_related("ledger_account").get(pk=cart_line.pk)
    request = RequestFactory().get("/cart/")
    request.user = shop.user

    with django_assert_num_queries(2):
        options = ledger_line_options(organization=shop.organization, lines=[cart_line])
    allowed = render_to_string(
        "requisitions/_line_account.html", {"line": cart_line, "ledger": options}, request=request
    )
    LedgerTable.objects.filter(organization=shop.organization).update(buyer_may_change=False)
    forbidden = render_to_string(
        "requisitions/_line_account.html",
        {"line": cart_line, "ledger": ledger_line_options(organization=shop.organization, lines=[cart_line])},
        request=request,
    )

    assert [account.code for account in options.accounts] == ["4000", "4100"]
    assert options.changeable_line_ids == frozenset({cart_line.pk})
    assert f'action="{reverse("requisitions:line_account", args=[cart_line.pk])}"' in allowed
    assert f'<option value="{ict.pk}">4100 ICT</option>' in allowed
    assert "Closed" not in allowed
    assert "<select" not in forbidden
    assert "4000 Office" in forbidden
