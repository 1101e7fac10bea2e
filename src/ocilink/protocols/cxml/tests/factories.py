"""Purchase order snapshots and helpers for the cXML tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from ocilink.protocols.cxml import CxmlIdentity, build_order_request
from ocilink.protocols.order import OrderLine, PostalAddress, PurchaseOrderSnapshot

CET = timezone(timedelta(hours=1))
TIMESTAMP = datetime(2026, 11, 27, 10, 16, 5, tzinfo=CET)
IDENTITIES: dict[str, Any] = {
    "from_": CxmlIdentity("NetworkId", "AN-BUYER-01"),
    "to": CxmlIdentity("DUNS", "123456789"),
    "sender": CxmlIdentity("NetworkId", "AN-BUYER-01"),
    "shared_secret": "s3cr3t-<&>",
}

SHIP_TO = PostalAddress(
    name="Acme Facilities B.V.",
    street="Keizersgracht 1\nGebouw B",
    postal_code="1015 CJ",
    city="Amsterdam",
    country="NL",
    address_id="LOC-0042",
    email="goods-in@acme.example",
    phone="+31 20 555 0100",
)
BILL_TO = PostalAddress(
    name="Acme Holding B.V.", street="Postbus 12", postal_code="1000 AA", city="Amsterdam", country="NL"
)


def make_line(number: int, **changes: Any) -> OrderLine:
    """A typical line; ``changes`` override fields."""
    values: dict[str, Any] = {
        "line_number": number,
        "quantity": Decimal("10"),
        "unit": "H87",
        "unit_price": Decimal("2.35"),
        "price_unit": Decimal("1"),
        "currency": "EUR",
        "description": f"Article {number}",
        "net_amount": Decimal("23.50"),
        "supplier_part_id": f"ART-{number:05d}",
    }
    values.update(changes)
    return OrderLine(**values)


def make_order(lines: tuple[OrderLine, ...] | None = None, **changes: Any) -> PurchaseOrderSnapshot:
    """A purchase order with two lines (one with a price unit of 100 and every optional field)."""
    if lines is None:
        lines = (
            make_line(
                1,
                quantity=Decimal("250"),
                unit_price=Decimal("12.50"),
                price_unit=Decimal("100"),
                description="Büroklammern 26/6 (Größe M)",
                net_amount=Decimal("31.25"),
                supplier_part_id="BK-266-M",
                supplier_part_auxiliary_id="cart-7f3a/1",
                manufacturer_part_id="MPN-266",
                manufacturer_name="Clipfabrik GmbH",
                classification_domain="UNSPSC",
                classification_code="44122106",
                leadtime_days=3,
                longtext="Verzinkt, 1000 Stück pro Packung.\nFarbe: silber",
                ledger_account="4930",
            ),
            make_line(2, quantity=Decimal("2"), unit_price=Decimal("8.10"), net_amount=Decimal("16.20")),
        )
    total = sum((line.net_amount for line in lines), Decimal(0))
    values: dict[str, Any] = {
        "order_number": "PO-2026-000123",
        "order_date": datetime(2026, 11, 27, 10, 15, tzinfo=CET),
        "currency": "EUR",
        "total": total,
        "buyer_organization": "Acme Facilities B.V.",
        "buyer_name": "Jan de Vries",
        "buyer_email": "jan.devries@acme.example",
        "supplier_name": "Kantoor & Co",
        "ship_to": SHIP_TO,
        "bill_to": BILL_TO,
        "lines": lines,
        "reference": "Project “Noord”",
        "notes": "Please deliver before 10:00 at gate 3.",
        "customer_number": "C-998877",
        "debtor_number": "D-4411",
        "location_code": "AMS-01",
        "extrinsics": {"CostCenter": "CC-100"},
    }
    values.update(changes)
    return PurchaseOrderSnapshot(**values)


def build(order: PurchaseOrderSnapshot | None = None, **changes: Any) -> bytes:
    """Build the OrderRequest of ``order`` (default :func:`make_order`) with the test identities."""
    arguments: dict[str, Any] = {"payload_id": "dispatch-42@ocilink", "timestamp": TIMESTAMP, **IDENTITIES}
    arguments.update(changes)
    return build_order_request(order if order is not None else make_order(), **arguments)


def tree(document: bytes) -> Any:
    """Parse one of our own documents for assertions (the DOCTYPE's DTD is not loaded)."""
    return etree.fromstring(document, etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False))


def assert_valid(dtd: Any, document: bytes) -> None:
    """Fail with the DTD's error log unless ``document`` is valid."""
    valid = dtd.validate(tree(document))
    assert valid, dtd.error_log.filter_from_errors()
