"""What the cart page and the request page read: never a raw cart return, and as many queries for 30 lines as for 3."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ocilink.protocols.oci import encode_cart_body
from ocilink.punchout.models import CartReturn
from ocilink.requisitions.handoff import order_request_submit_and_place
from ocilink.requisitions.models import OrderRequest
from tests.punchout.helpers import line, post_cart, start_punchout

from .conftest import logged_in, rule

pytestmark = pytest.mark.django_db

# The columns of a cart return that may be megabytes (the raw body) or grow with its lines (errors, warnings, the
# check report); headers are kept out too, the pages never show them.
HEAVY_COLUMNS = ("body", "headers", "errors", "warnings", "report")
RETURN_TABLE = CartReturn._meta.db_table


def _punch_out(org, client, count: int) -> None:  # type: ignore[no-untyped-def]
    _, hook_path = start_punchout(client, org.supplier.pk)
    body = encode_cart_body([line(n, PRICE="300.00", LONGTEXT=f"Long text {n}") for n in range(1, count + 1)])
    assert post_cart(hook_path, body).status_code == 303


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
