"""Property tests: arbitrary orders build valid cXML that reads back; classify/redact never fail."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocilink.protocols.cxml import (
    REDACTED,
    CxmlIdentity,
    build_order_request,
    build_response,
    classify_response,
    parse_order_request,
    redact_shared_secret,
)
from ocilink.protocols.cxml.xmltext import clean_text
from ocilink.protocols.order import OrderLine, PostalAddress, PurchaseOrderSnapshot

from .factories import TIMESTAMP, assert_valid, tree

TEXT = st.one_of(
    st.text(max_size=40),  # any code point, including controls and lone surrogates
    st.sampled_from(["<&>\"'", "Büroklammern 26/6 (Größe M)", "“quoted” € 5", "]]>", "\r\n\t", ""]),
)
OPTIONAL_TEXT = st.one_of(st.none(), TEXT)
AMOUNTS = st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False)
QUANTITIES = st.decimals(min_value=Decimal("0.001"), max_value=10**6, places=3, allow_nan=False)
PRICE_UNITS = st.one_of(st.sampled_from([Decimal(1), Decimal(10), Decimal(100), Decimal(1000)]), QUANTITIES)
ZONES = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
DATES = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zone),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),  # noqa: DTZ001
    ZONES,
)
ADDRESSES = st.builds(
    PostalAddress,
    name=TEXT,
    street=TEXT,
    postal_code=TEXT,
    city=TEXT,
    country=st.sampled_from(["NL", "DE", "BE", "CH", ""]),
    address_id=OPTIONAL_TEXT,
    email=OPTIONAL_TEXT,
    phone=OPTIONAL_TEXT,
)


@st.composite
def orders(draw: Any) -> PurchaseOrderSnapshot:
    count = draw(st.integers(min_value=1, max_value=50))
    numbers = draw(st.lists(st.integers(min_value=0, max_value=99999), min_size=count, max_size=count, unique=True))
    lines = tuple(
        OrderLine(
            line_number=number,
            quantity=draw(QUANTITIES),
            unit=draw(st.sampled_from(["H87", "C62", "KGM", "", " pce "])),
            unit_price=draw(AMOUNTS),
            price_unit=draw(PRICE_UNITS),
            currency=draw(st.sampled_from(["EUR", "USD", ""])),
            description=draw(TEXT),
            net_amount=draw(AMOUNTS),
            supplier_part_id=draw(TEXT),
            supplier_part_auxiliary_id=draw(OPTIONAL_TEXT),
            manufacturer_part_id=draw(OPTIONAL_TEXT),
            manufacturer_name=draw(OPTIONAL_TEXT),
            classification_domain=draw(OPTIONAL_TEXT),
            classification_code=draw(OPTIONAL_TEXT),
            leadtime_days=draw(st.one_of(st.none(), st.integers(min_value=-1, max_value=365))),
            longtext=draw(OPTIONAL_TEXT),
            ledger_account=draw(OPTIONAL_TEXT),
        )
        for number in numbers
    )
    return PurchaseOrderSnapshot(
        order_number=draw(TEXT),
        order_date=draw(DATES),
        currency=draw(st.sampled_from(["EUR", "USD", "CHF"])),
        total=draw(AMOUNTS),
        buyer_organization=draw(TEXT),
        buyer_name=draw(TEXT),
        buyer_email=draw(TEXT),
        supplier_name=draw(TEXT),
        ship_to=draw(ADDRESSES),
        bill_to=draw(ADDRESSES),
        lines=lines,
        reference=draw(TEXT),
        notes=draw(TEXT),
        customer_number=draw(OPTIONAL_TEXT),
        debtor_number=draw(OPTIONAL_TEXT),
        location_code=draw(OPTIONAL_TEXT),
        extrinsics=draw(st.dictionaries(TEXT, TEXT, max_size=3)),
    )


def _build(order: PurchaseOrderSnapshot, secret: str = "secret") -> bytes:
    identity = CxmlIdentity("NetworkId", "buyer")
    return build_order_request(
        order,
        payload_id="dispatch-1@ocilink",
        timestamp=TIMESTAMP,
        from_=identity,
        to=CxmlIdentity("DUNS", "1"),
        sender=identity,
        shared_secret=secret,
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(order=orders())
def test_arbitrary_orders_are_valid_and_read_back(cxml_dtd: Any, order: PurchaseOrderSnapshot) -> None:
    document = _build(order)
    assert_valid(cxml_dtd, document)
    parsed = parse_order_request(document)
    assert parsed.order_id == clean_text(order.order_number)
    assert parsed.total == order.total
    assert parsed.currency == order.currency
    assert parsed.ship_to_address_id == (clean_text(order.ship_to.address_id) if order.ship_to.address_id else None)
    assert len(parsed.lines) == len(order.lines)
    for line, read in zip(order.lines, parsed.lines, strict=True):
        assert read.line_number == line.line_number
        assert read.quantity == line.quantity
        assert read.unit_price == line.unit_price
        assert read.price_basis_quantity == line.price_unit
        assert read.supplier_part_id == clean_text(line.supplier_part_id)
        assert read.description == clean_text(line.description)


@settings(max_examples=300, deadline=None)
@given(
    http_status=st.integers(min_value=-1, max_value=1000),
    body=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(lambda text: f"<cXML><Response>{text}</Response></cXML>".encode(errors="replace")),
        st.builds(
            lambda code, text: f'<cXML><Response><Status code="{code}" text="{text}"/></Response></cXML>'.encode(
                errors="replace"
            ),
            st.text(max_size=12),
            st.text(max_size=30),
        ),
    ),
    content_type=st.one_of(st.none(), st.text(max_size=40)),
)
def test_classify_response_always_returns_a_verdict(http_status: int, body: bytes, content_type: str | None) -> None:
    verdict = classify_response(http_status=http_status, body=body, content_type=content_type)
    assert verdict.outcome in ("delivered", "permanent", "transient")
    assert verdict.http_status == http_status
    assert verdict.message.startswith("The supplier")
    assert verdict.message.endswith(".")


@settings(max_examples=200, deadline=None)
@given(code=st.integers(min_value=0, max_value=999), text=TEXT, message=TEXT, http_status=st.sampled_from([200, 500]))
def test_cxml_status_classes(cxml_dtd: Any, code: int, text: str, message: str, http_status: int) -> None:
    body = build_response(payload_id="p@s", code=code, text=text, timestamp=TIMESTAMP, message=message)
    assert_valid(cxml_dtd, body)
    verdict = classify_response(http_status=http_status, body=body)
    assert verdict.cxml_code == code
    if 200 <= code <= 299:
        assert verdict.outcome == "delivered"
    elif 400 <= code <= 499 or not 500 <= code <= 599:
        assert verdict.outcome == "permanent"
    else:
        assert verdict.outcome in ("transient", "delivered")


@settings(max_examples=100, deadline=None)
@given(secret=TEXT)
def test_redaction_changes_only_the_secret(secret: str) -> None:
    order = PurchaseOrderSnapshot(
        order_number="PO-1",
        order_date=TIMESTAMP,
        currency="EUR",
        total=Decimal(1),
        buyer_organization="B",
        buyer_name="N",
        buyer_email="e@x",
        supplier_name="S",
        ship_to=PostalAddress("A", "S 1", "1000", "C", "NL"),
        bill_to=PostalAddress("A", "S 1", "1000", "C", "NL"),
        lines=(OrderLine(1, Decimal(1), "H87", Decimal(1), Decimal(1), "EUR", "x", Decimal(1), "P"),),
    )
    document = _build(order, secret)
    redacted_root = tree(redact_shared_secret(document))
    original_root = tree(document)
    assert redacted_root.findtext("Header/Sender/Credential/SharedSecret") == REDACTED
    for element in (redacted_root, original_root):
        element.find("Header/Sender/Credential/SharedSecret").text = ""
    assert redacted_root.attrib == original_root.attrib
    assert list(redacted_root.itertext()) == list(original_root.itertext())
