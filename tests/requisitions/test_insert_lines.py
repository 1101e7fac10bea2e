"""Cart lines enter the database whole, on either backend: a multi-row INSERT on SQLite, COPY on PostgreSQL."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from ocilink.protocols.oci import encode_cart_body, parse_cart
from ocilink.requisitions import cart as cart_module
from ocilink.requisitions.cart import CartFull, order_request_add_punchout_lines
from ocilink.requisitions.models import OrderRequest, OrderRequestLine

from .conftest import make_org

pytestmark = pytest.mark.django_db

# What a webshop may put in a field, and what the text format of COPY escapes: tabs, new lines, carriage returns,
# backslashes, the COPY end marker, quotes, and characters beyond ASCII and the BMP.
AWKWARD = "Tab\there, line\nbreak, \r\n, back\\slash \\N \\. \"quote\" 'single' Größe € 📎"


def _lines(count: int) -> list[dict[str, str]]:
    return [
        {
            "DESCRIPTION": f"{AWKWARD} {n}",
            "QUANTITY": "1.5",
            "UNIT": "H87",
            "PRICE": "1234.5678",
            "PRICEUNIT": "100",
            "CURRENCY": "EUR",
            "VENDORMAT": f"A-{n}",
            "MATGROUP": "44122104",
            "LEADTIME": "3",
            "LONGTEXT": AWKWARD,
            "CUST_FIELD1": AWKWARD,
        }
        for n in range(1, count + 1)
    ]


def _import(org, count: int) -> list[OrderRequestLine]:  # type: ignore[no-untyped-def]
    cart = parse_cart(encode_cart_body(_lines(count)), "application/x-www-form-urlencoded")
    assert cart.ok, cart.errors
    order_request_add_punchout_lines(
        organization_id=org.organization.pk,
        requester_id=org.buyer.pk,
        supplier_id=org.supplier.pk,
        connection_id=org.supplier.external_connection.pk,
        delivery_address_id=org.address.pk,
        cart_return_id=None,
        cart=cart,
    )
    return list(OrderRequestLine.objects.order_by("position"))


def test_every_value_comes_back_as_it_went_in(org):
    lines = _import(org, 3)

    assert [line.position for line in lines] == [1, 2, 3]
    first = lines[0]
    assert first.description == f"{AWKWARD} 1"
    assert first.longtext == AWKWARD
    assert (first.quantity, first.unit_price, first.price_unit) == (Decimal("1.5"), Decimal("1234.5678"), Decimal(100))
    assert (first.currency, first.unit, first.vendormat, first.leadtime_days) == ("EUR", "H87", "A-1", 3)
    assert first.oci_fields["LONGTEXT"] == AWKWARD
    assert first.oci_fields["DESCRIPTION"] == f"{AWKWARD} 1"
    assert first.cart_return_id is None
    assert first.connection_id == org.supplier.external_connection_id
    assert first.ledger_account_id is None
    assert isinstance(first.oci_extra, dict)
    assert isinstance(first.warnings, list)


def test_the_json_columns_hold_json_objects_not_strings(org):
    _import(org, 1)

    assert OrderRequestLine.objects.filter(oci_fields__VENDORMAT="A-1").count() == 1
    assert OrderRequestLine.objects.filter(oci_fields__LEADTIME="3").count() == 1


def test_many_lines_go_in_in_one_statement_on_postgresql(org):
    with CaptureQueriesContext(connection) as captured:
        lines = _import(org, 600)

    assert len(lines) == 600
    assert lines[-1].description == f"{AWKWARD} 600"
    inserts = [q["sql"] for q in captured.captured_queries if "requisitions_orderrequestline" in q["sql"]]
    writes = [sql for sql in inserts if sql.lstrip().upper().startswith(("INSERT", "COPY"))]
    if connection.vendor == "postgresql":
        assert len(writes) == 1
        assert writes[0].startswith('COPY "requisitions_orderrequestline"')
    else:
        assert writes
        assert all(sql.startswith('INSERT INTO "requisitions_orderrequestline"') for sql in writes)


def test_lines_go_on_after_the_last_position_of_another_import(db):
    org = make_org()
    _import(org, 2)

    lines = _import(org, 2)

    assert [line.position for line in lines] == [1, 2, 3, 4]


@pytest.mark.django_db(transaction=True)
def test_two_returns_at_once_cannot_both_slip_under_the_limit(monkeypatch):
    """Each fits the cart alone, not together: the cart's lock makes the second count the first's lines."""
    org = make_org()
    cart = parse_cart(encode_cart_body(_lines(3)), "application/x-www-form-urlencoded")
    barrier = threading.Barrier(2)
    called = {"one": threading.Event(), "two": threading.Event()}
    overlapped: list[bool] = []
    outcomes: dict[str, str] = {}
    real_insert = cart_module._insert_lines

    def insert_while_the_other_waits(rows: list[tuple[object, ...]]) -> None:
        # Inside the first one's transaction, with the cart locked: wait until the other has called too.
        other = "two" if threading.current_thread().name == "one" else "one"
        overlapped.append(called[other].wait(timeout=10))
        time.sleep(0.2)  # let the other thread reach the lock; the outcome does not depend on it
        real_insert(rows)

    monkeypatch.setattr(cart_module, "_insert_lines", insert_while_the_other_waits)

    def add(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            called[name].set()
            with transaction.atomic():
                added = order_request_add_punchout_lines(
                    organization_id=org.organization.pk,
                    requester_id=org.buyer.pk,
                    supplier_id=org.supplier.pk,
                    connection_id=org.supplier.external_connection.pk,
                    delivery_address_id=org.address.pk,
                    cart_return_id=None,
                    cart=cart,
                    max_lines=5,
                )
            outcomes[name] = f"added {added.count}"
        except CartFull as exc:
            outcomes[name] = f"full: {exc.in_cart} in the cart"
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(name,), name=name) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes.values()) == ["added 3", "full: 3 in the cart"]
    assert overlapped == [True]
    assert OrderRequestLine.objects.count() == 3


def test_a_cart_that_cannot_be_made_is_an_error_after_a_few_tries(org, monkeypatch):
    tries = []

    def refused(**values: object) -> None:
        tries.append(values)
        raise IntegrityError("refused by the database")

    monkeypatch.setattr(OrderRequest.objects, "create", refused)

    with pytest.raises(IntegrityError, match="refused by the database"):
        cart_module.cart_lock_or_create(
            organization_id=org.organization.pk, requester_id=org.buyer.pk, delivery_address_id=org.address.pk
        )

    assert len(tries) == cart_module.CART_CREATE_ATTEMPTS
