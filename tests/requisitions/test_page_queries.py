"""What the cart page and the request page read: never a raw cart return, each line once as the model holds it, and
as many queries for 30 lines (of two suppliers and cart returns, booked to accounts, with earlier prices) as for 3."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ocilink.connections.services import oci_credential_set
from ocilink.protocols.oci import encode_cart_body
from ocilink.punchout.models import CartReturn
from ocilink.requisitions.handoff import order_request_submit_and_place
from ocilink.requisitions.models import OrderRequest, OrderRequestLine
from ocilink.requisitions.selectors.cart import page_lines
from ocilink.suppliers.models import LedgerAccount
from tests.factories import SupplierFactory
from tests.punchout.helpers import line, post_cart, start_punchout

from .conftest import logged_in, rule, submitted

pytestmark = pytest.mark.django_db

# The columns of a cart return that may be megabytes (the raw body) or grow with its lines (errors, warnings, the
# check report); headers are kept out too, the pages never show them.
HEAVY_COLUMNS = ("body", "headers", "errors", "warnings", "report")
RETURN_TABLE = CartReturn._meta.db_table


def _punch_out(org, client, count: int, supplier=None, first: int = 1) -> None:  # type: ignore[no-untyped-def]
    _, hook_path = start_punchout(client, (supplier or org.supplier).pk)
    body = encode_cart_body([line(n, PRICE="300.00", LONGTEXT=f"Long text {n}") for n in range(first, first + count)])
    assert post_cart(hook_path, body).status_code == 303


def _second_supplier(org):  # type: ignore[no-untyped-def]
    supplier = SupplierFactory(organization=org.organization, group=org.group, name="Second supplier")
    supplier.external_connection.ordering_method = "fake"
    supplier.external_connection.save()
    oci_credential_set(connection=supplier.external_connection, delivery_address=None, username="u", password="p")
    return supplier


def _mixed_cart(org, client) -> OrderRequest:  # type: ignore[no-untyped-def]
    """30 lines from two punchouts at two suppliers, some booked to an account (one deactivated), one with warnings,
    one not from a punchout."""
    _punch_out(org, client, 20)
    _punch_out(org, client, 10, supplier=_second_supplier(org), first=21)
    cart = OrderRequest.objects.get(requester=org.buyer, status="draft")
    office = LedgerAccount.objects.create(organization=org.organization, code="4000", name="Office")
    closed = LedgerAccount.objects.create(organization=org.organization, code="4900", name="Closed", is_active=False)
    cart.lines.filter(position__lte=10).update(ledger_account=office, ledger_code="44122104")
    cart.lines.filter(position=11).update(ledger_account=closed)
    cart.lines.filter(position=12).update(warnings=["Unit unknown"])
    cart.lines.filter(position=13).update(cart_return=None)
    return cart


def _heavy_reads(queries: list[dict[str, str]]) -> list[str]:
    """The statements that read one of a cart return's heavy columns."""
    pattern = re.compile(
        rf"""["`]?{RETURN_TABLE}["`]?\.["`]?({"|".join(HEAVY_COLUMNS)})["`]?""",
        re.IGNORECASE,
    )
    return [query["sql"] for query in queries if pattern.search(query["sql"])]


def _get(client, url: str) -> tuple[int, list[dict[str, str]], str]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), captured.captured_queries, response.content.decode()


def test_the_cart_page_never_reads_a_raw_cart_return(org):
    buyer = logged_in(org.buyer)
    _punch_out(org, buyer, 3)
    reference = CartReturn.objects.get().reference

    _, queries, page = _get(buyer, reverse("requisitions:cart"))

    assert _heavy_reads(queries) == []
    assert page.count(f"from webshop return {reference}") == 3


def test_the_request_page_never_reads_a_raw_cart_return(org):
    rule(org.organization, approver_role="approver")
    buyer = logged_in(org.buyer)
    _punch_out(org, buyer, 3)
    order_request = OrderRequest.objects.get(requester=org.buyer, status="draft")
    order_request_submit_and_place(order_request=order_request, requester=org.buyer)
    reference = CartReturn.objects.get().reference

    _, queries, page = _get(logged_in(org.approver), reverse("requisitions:request_detail", args=[order_request.pk]))

    assert _heavy_reads(queries) == []
    assert page.count(reference) == 3


def test_the_check_for_heavy_reads_sees_a_select_of_the_body():
    """The pattern above must match what Django writes for a select of the body, on either backend."""
    with CaptureQueriesContext(connection) as captured:
        list(CartReturn.objects.filter(pk=0))

    assert len(_heavy_reads(captured.captured_queries)) == 1


# What the cart page reads, whatever its size: the session, its user, the user's membership (with its organization
# and delivery address; the user is the one already read), the cart, its lines (with their accounts), the ledger
# tables and the active accounts to choose from, and the navigation's counts (to approve, orders needing
# attention) together in one query.
CART_PAGE_QUERIES = 8
# The request page: the session, its user, the membership, the request, its steps, its lines, the last approved
# price of each line's article, the lines of the request a price was approved in, who may decide, the history, the
# purchase orders, and the navigation's counts.
REQUEST_PAGE_QUERIES = 12
USER_TABLE = re.compile(r"""FROM ["`]?auth_user["`]?|JOIN ["`]?auth_user["`]?""", re.IGNORECASE)


def test_the_cart_page_reads_the_user_once_and_the_navigation_counts_in_one_query(org):
    buyer = logged_in(org.buyer)
    _punch_out(org, buyer, 3)
    buyer.get(reverse("requisitions:cart"))  # the session is warm, as on every page after the first

    count, queries, page = _get(buyer, reverse("requisitions:cart"))

    assert count == CART_PAGE_QUERIES
    assert len([query for query in queries if USER_TABLE.search(query["sql"])]) == 1
    assert "To approve (0)" in page


def test_the_request_page_runs_its_queries_and_the_navigation_counts_in_one(org):
    rule(org.organization, approver_role="approver")
    buyer = logged_in(org.buyer)
    submitted(org, prices=("4.00",) * 3, vendormat="A-{n}")  # within the buyer's limit: approved at once
    _punch_out(org, buyer, 3)
    order_request = OrderRequest.objects.get(requester=org.buyer, status="draft")
    order_request_submit_and_place(order_request=order_request, requester=org.buyer)
    approver = logged_in(org.approver)
    url = reverse("requisitions:request_detail", args=[order_request.pk])
    approver.get(url)

    count, _, page = _get(approver, url)

    assert count == REQUEST_PAGE_QUERIES
    assert page.count('data-flag="price_differs"') == 3
    assert "To approve (1)" in page


def test_the_cart_page_runs_as_many_queries_for_thirty_lines_as_for_three(org):
    buyer = logged_in(org.buyer)
    _punch_out(org, buyer, 3)
    few, _, _ = _get(buyer, reverse("requisitions:cart"))
    _punch_out(org, buyer, 27)

    many, _, page = _get(buyer, reverse("requisitions:cart"))

    assert page.count('<tr data-line="') == 30
    assert many == few


def test_the_request_page_runs_as_many_queries_for_thirty_lines_as_for_three(org):
    rule(org.organization, approver_role="approver")
    buyer = logged_in(org.buyer)
    approver = logged_in(org.approver)
    _punch_out(org, buyer, 3)
    first = OrderRequest.objects.get(requester=org.buyer, status="draft")
    order_request_submit_and_place(order_request=first, requester=org.buyer)
    _punch_out(org, buyer, 30)
    second = OrderRequest.objects.get(requester=org.buyer, status="draft")
    order_request_submit_and_place(order_request=second, requester=org.buyer)
    few, _, _ = _get(approver, reverse("requisitions:request_detail", args=[first.pk]))

    many, _, page = _get(approver, reverse("requisitions:request_detail", args=[second.pk]))

    assert page.count('<tr data-line="') == 30
    assert many == few


def test_the_cart_page_runs_as_many_queries_for_a_mixed_cart_as_for_one_line(org):
    buyer = logged_in(org.buyer)
    _punch_out(org, buyer, 1)
    few, _, _ = _get(buyer, reverse("requisitions:cart"))
    OrderRequest.objects.filter(requester=org.buyer).delete()
    _mixed_cart(org, buyer)

    many, _, page = _get(buyer, reverse("requisitions:cart"))

    assert page.count('<tr data-line="') == 30
    assert "4000 Office" in page
    assert "4900 Closed (deactivated)" in page
    assert "Second supplier" in page
    assert many == few


def test_the_request_page_runs_as_many_queries_for_a_mixed_request_as_for_one_line(org):
    rule(org.organization, approver_role="approver")
    buyer = logged_in(org.buyer)
    approver = logged_in(org.approver)
    _punch_out(org, buyer, 1)
    first = OrderRequest.objects.get(requester=org.buyer, status="draft")
    order_request_submit_and_place(order_request=first, requester=org.buyer)
    submitted(org, prices=("4.00",) * 5, vendormat="A-{n}")  # within the buyer's limit: approved at once
    second = _mixed_cart(org, buyer)
    order_request_submit_and_place(order_request=second, requester=org.buyer)
    few, _, _ = _get(approver, reverse("requisitions:request_detail", args=[first.pk]))

    many, _, page = _get(approver, reverse("requisitions:request_detail", args=[second.pk]))

    assert page.count('<tr data-line="') == 30
    assert page.count('data-flag="price_differs"') == 5
    assert "booked to 4900 Closed" in page
    assert "not from a punchout" in page
    assert many == few


def test_page_lines_hold_each_line_as_the_model_holds_it(org):
    _mixed_cart(org, logged_in(org.buyer))
    cart = OrderRequest.objects.get(requester=org.buyer, status="draft")

    lines = page_lines(cart)

    models = list(
        OrderRequestLine.objects.filter(order_request=cart)
        .select_related("supplier", "connection", "cart_return", "ledger_account")
        .order_by("position")
    )
    assert [line.pk for line in lines] == [model.pk for model in models]
    for shown, model in zip(lines, models, strict=True):
        assert (shown.supplier_name, shown.connection_name) == (model.supplier.name, model.connection.name)
        assert (shown.cart_return_reference, shown.cart_return_received_at) == (
            (model.cart_return.reference, model.cart_return.received_at) if model.cart_return else (None, None)
        )
        assert (str(shown.ledger_account), getattr(shown.ledger_account, "is_active", None)) == (
            str(model.ledger_account),
            getattr(model.ledger_account, "is_active", None),
        )
        for name in (
            "position",
            "supplier_id",
            "connection_id",
            "cart_return_id",
            "description",
            "quantity",
            "unit",
            "unit_price",
            "price_unit",
            "currency",
            "vendormat",
            "longtext",
            "warnings",
            "ledger_code",
            "ledger_account_id",
            "net_amount",
        ):
            assert getattr(shown, name) == getattr(model, name), name
    assert len({id(line.ledger_account) for line in lines if line.ledger_account}) == 2  # one object per account
