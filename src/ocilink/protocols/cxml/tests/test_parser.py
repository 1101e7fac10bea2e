"""parse_order_request: reading back our own OrderRequests, and refusing everything else."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ocilink.protocols.cxml import CxmlIdentity, CxmlParseError, build_response, parse_order_request

from .factories import TIMESTAMP, build, make_line, make_order


def test_reads_back_the_built_order() -> None:
    parsed = parse_order_request(build(deployment_mode="test", order_version=2))
    assert parsed.payload_id == "dispatch-42@ocilink"
    assert (parsed.order_id, parsed.order_date, parsed.order_type) == (
        "PO-2026-000123",
        "2026-11-27T10:15:00+01:00",
        "new",
    )
    assert (parsed.order_version, parsed.deployment_mode) == (2, "test")
    assert (parsed.total, parsed.currency) == (Decimal("47.45"), "EUR")
    assert parsed.ship_to_address_id == "LOC-0042"
    assert parsed.extrinsics == {
        "CustomerNumber": "C-998877",
        "DebtorNumber": "D-4411",
        "LocationCode": "AMS-01",
        "BuyerReference": "Project “Noord”",
        "CostCenter": "CC-100",
    }
    assert parsed.from_ == CxmlIdentity("NetworkId", "AN-BUYER-01")
    assert parsed.to == CxmlIdentity("DUNS", "123456789")
    assert parsed.sender == CxmlIdentity("NetworkId", "AN-BUYER-01")
    assert parsed.shared_secret == "s3cr3t-<&>"
    assert "s3cr3t" not in repr(parsed)
    first, second = parsed.lines
    assert (first.line_number, first.quantity, first.supplier_part_id) == (1, Decimal("250"), "BK-266-M")
    assert (first.unit_price, first.price_basis_quantity, first.unit) == (Decimal("12.50"), Decimal("100"), "H87")
    assert first.description == "Büroklammern 26/6 (Größe M)"
    assert first.supplier_part_auxiliary_id == "cart-7f3a/1"
    assert (second.line_number, second.quantity, second.unit_price) == (2, Decimal("2"), Decimal("8.10"))
    assert (second.price_basis_quantity, second.supplier_part_auxiliary_id) == (Decimal(1), None)
    assert second.description == "Article 2"


def test_without_ship_to_address_id() -> None:
    order = make_order(lines=(make_line(1),))
    order = type(order)(**{**order.__dict__, "ship_to": order.bill_to})
    assert parse_order_request(build(order)).ship_to_address_id is None


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"not xml", "well-formed"),
        (b"<Other/>", "root element"),
        (build_response(payload_id="p", code=200, text="OK", timestamp=TIMESTAMP), "not a cXML OrderRequest"),
        (build().replace(b">47.45<", b">lots<"), "total is not a number"),
        (build().replace(b">47.45<", b">NaN<"), "finite"),
        (build().replace(b'quantity="250"', b'quantity="x"'), "quantity"),
        (build().replace(b'lineNumber="1"', b'lineNumber="one"'), "lineNumber"),
        (build().replace(b'orderVersion="1"', b'orderVersion="v1"'), "orderVersion"),
        (build().replace(b"<Total><Money", b"<Total><Cash").replace(b"</Money></Total>", b"</Cash></Total>"), "Total"),
        (build().replace(b"<ItemDetail>", b"<X>").replace(b"</ItemDetail>", b"</X>"), "no ItemDetail"),
    ],
)
def test_refuses_what_is_not_an_order_request(document: bytes, message: str) -> None:
    with pytest.raises(CxmlParseError, match=message):
        parse_order_request(document)
