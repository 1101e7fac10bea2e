"""Fixtures for the dispatch channels: a realistic order, its envelope, and the demo supplier's real servers.

Nothing here touches the database: the channels and the inbox are pure Python.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ocilink.demo_webshop.inbox import CxmlInbox, InboxStore, SmtpInbox, TlsMaterial, make_tls_material
from ocilink.dispatch.types import DispatchEnvelope, OrderLine, OutboundOrder, PostalAddress


@pytest.fixture
def store(tmp_path: Path) -> InboxStore:
    return InboxStore(tmp_path / "inbox")


@pytest.fixture
def smtp_inbox(store: InboxStore) -> Iterator[SmtpInbox]:
    with SmtpInbox(store) as inbox:
        yield inbox


@pytest.fixture(scope="session")
def tls_material() -> TlsMaterial:
    return make_tls_material()


@pytest.fixture
def cxml_inbox(store: InboxStore, tls_material: TlsMaterial) -> Iterator[CxmlInbox]:
    with CxmlInbox(store, certificate=tls_material) as inbox:
        yield inbox


@pytest.fixture
def cxml_ca_pem(cxml_inbox: CxmlInbox) -> str:
    return cxml_inbox.ca_pem


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def order() -> OutboundOrder:
    ship_to = PostalAddress(
        name="Acme B.V. - Magazijn",
        street="Industrieweg 12",
        postal_code="3542 AD",
        city="Utrecht",
        country="NL",
        address_id="ACME-UTR",
        email="magazijn@acme.test",
        phone="+31 30 123 4567",
    )
    bill_to = PostalAddress(
        name="Acme B.V. - Crediteurenadministratie",
        street="Postbus 400",
        postal_code="3500 AK",
        city="Utrecht",
        country="NL",
    )
    lines = (
        OrderLine(
            line_number=1,
            quantity=Decimal("10"),
            unit="PK",
            unit_price=Decimal("1.95"),
            price_unit=Decimal("1"),
            currency="EUR",
            description="Büroklammern 26/6 (Größe M)",
            net_amount=Decimal("19.50"),
            supplier_part_id="BK-266-M",
            classification_domain="UNSPSC",
            classification_code="44122104",
            ledger_account="4410",
        ),
        OrderLine(
            line_number=2,
            quantity=Decimal("5"),
            unit="RM",
            unit_price=Decimal("4.49"),
            price_unit=Decimal("1"),
            currency="EUR",
            description="Kopierpapier A4, 80 g/m², 500 Blatt",
            net_amount=Decimal("22.45"),
            supplier_part_id="KP-A4-80",
            manufacturer_name="Navigator",
            manufacturer_part_id="NAV-80-500",
            leadtime_days=2,
        ),
        OrderLine(
            line_number=3,
            quantity=Decimal("300"),
            unit="C62",
            unit_price=Decimal("8.50"),
            price_unit=Decimal("100"),  # the price is per 100 pieces
            currency="EUR",
            description="Schrauben M4x20 verzinkt",
            net_amount=Decimal("25.50"),
            supplier_part_id="SCR-M4-20",
            supplier_part_auxiliary_id="cart-7781-3",
            longtext="Verpackt zu je 100 Stück.",
        ),
    )
    return OutboundOrder(
        order_number="PO-2026-000123",
        order_date=datetime(2026, 3, 2, 9, 15, tzinfo=UTC),
        currency="EUR",
        total=Decimal("67.45"),
        buyer_organization="Acme B.V.",
        buyer_name="Anna de Vries",
        buyer_email="anna.devries@acme.test",
        supplier_name="Bürobedarf Müller GmbH",
        ship_to=ship_to,
        bill_to=bill_to,
        lines=lines,
        reference="Project Atlas",
        supplier_id="SUP-0042",
        customer_number="100234",
    )


@pytest.fixture
def envelope() -> DispatchEnvelope:
    return DispatchEnvelope(
        dispatch_id=17,
        payload_id="dispatch-17.8f3a2c@ocilink.test",
        timestamp=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        file_name="PO-2026-000123-v1-dispatch-17.xml",
        message_id="<po-2026-000123.17@ocilink.test>",
    )
