"""The purchase order PDF: read back with pypdf, no database and no Django needed."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from pypdf import PdfReader

from ocilink.documents.pdf import render_purchase_order_pdf
from ocilink.protocols.cxml.tests.factories import make_line as line
from ocilink.protocols.order import OrderLine, PostalAddress, PurchaseOrderSnapshot

CET = timezone(timedelta(hours=1))


def order(lines: tuple[OrderLine, ...] | None = None, **changes: Any) -> PurchaseOrderSnapshot:
    if lines is None:
        lines = (
            line(
                1,
                quantity=Decimal("250"),
                unit_price=Decimal("12.50"),
                price_unit=Decimal("100"),
                description="Büroklammern 26/6 (Größe M)",
                net_amount=Decimal("31.25"),
                supplier_part_id="BK-266-M",
                manufacturer_name="Clipfabrik GmbH",
                manufacturer_part_id="MPN-266",
                longtext="Verzinkt, 1000 Stück pro Packung.\nFarbe: silber",
            ),
            line(2, quantity=Decimal("2"), unit="KGM", unit_price=Decimal("8.10"), net_amount=Decimal("16.20")),
            line(3, quantity=Decimal("1.5"), unit_price=Decimal("1234.5"), net_amount=Decimal("1851.75")),
        )
    values: dict[str, Any] = {
        "order_number": "PO-2026-000123",
        "order_date": datetime(2026, 11, 27, 23, 30, tzinfo=CET),
        "currency": "EUR",
        "total": sum((item.net_amount for item in lines), Decimal(0)),
        "buyer_organization": "Acme Facilities B.V.",
        "buyer_name": "Jan de Vries",
        "buyer_email": "jan.devries@acme.example",
        "supplier_name": "Kantoor & Co <Benelux>",
        "ship_to": PostalAddress(
            name="Acme Facilities B.V.",
            street="Keizersgracht 1\nGebouw B",
            postal_code="1015 CJ",
            city="Amsterdam",
            country="NL",
            address_id="LOC-0042",
            email="goods-in@acme.example",
            phone="+31 20 555 0100",
        ),
        "bill_to": PostalAddress(
            name="Acme Holding B.V.", street="Postbus 12", postal_code="1000 AA", city="Rotterdam", country="NL"
        ),
        "lines": lines,
        "reference": "Project “Noord”",
        "notes": "Deliver before 10:00 at gate 3.\nBudget: € 2.000 – “urgent”",
        "customer_number": "C-998877",
        "debtor_number": "D-4411",
        "location_code": "AMS-01",
    }
    values.update(changes)
    return PurchaseOrderSnapshot(**values)


def pages(pdf: bytes) -> list[str]:
    assert pdf.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Extracted text with all whitespace runs as one space (table cells come out on separate lines)."""
    return " ".join(text.split())


def test_header_parties_and_addresses() -> None:
    text = flat("\n".join(pages(render_purchase_order_pdf(order()))))
    for expected in (
        "Acme Facilities B.V.",
        "Purchase order",
        "Order number: PO-2026-000123",
        "Order date: 2026-11-27",
        "Kantoor & Co <Benelux>",
        "Jan de Vries",
        "jan.devries@acme.example",
        "Reference: Project “Noord”",
        "Keizersgracht 1 Gebouw B 1015 CJ Amsterdam NL",
        "goods-in@acme.example",
        "+31 20 555 0100",
        "Customer number: C-998877",
        "Location code: AMS-01",
        "Address code: LOC-0042",
        "Acme Holding B.V. Postbus 12 1000 AA Rotterdam NL",
        "Debtor number: D-4411",
    ):
        assert expected in text, expected


def test_lines_totals_and_notes() -> None:
    text = flat("\n".join(pages(render_purchase_order_pdf(order()))))
    for expected in (
        "Büroklammern 26/6 (Größe M)",
        "BK-266-M",
        "Verzinkt, 1000 Stück pro Packung. Farbe: silber",
        "Clipfabrik GmbH MPN-266",
        "250 pc",
        "12.50 per 100",
        "31.25",
        "2 kg",
        "8.10",
        "16.20",
        "1.5 pc",
        "1,234.50",
        "1,851.75",
        "Amount (EUR)",
        "Total (EUR) 1,899.20",
        "Deliver before 10:00 at gate 3. Budget: € 2.000 – “urgent”",
    ):
        assert expected in text, expected


def test_every_line_of_a_twenty_line_order() -> None:
    lines = tuple(
        line(n, quantity=Decimal(n), net_amount=Decimal(n) * Decimal("2.35"), unit_price=Decimal("2.35"))
        for n in range(1, 21)
    )
    text = flat("\n".join(pages(render_purchase_order_pdf(order(lines)))))
    for n in range(1, 21):
        match = re.search(rf"\b{n} ART-{n:05d} Article {n} (\S+) pc 2\.35 (\S+)", text)
        assert match, f"line {n}"
        assert match.groups() == (str(n), f"{Decimal(n) * Decimal('2.35'):,.2f}")
    assert "Total (EUR) 493.50" in text
    assert "Page 1 of 1" in text


def test_many_lines_paginate_with_repeated_header_and_page_numbers() -> None:
    lines = tuple(line(n) for n in range(1, 501))
    texts = pages(render_purchase_order_pdf(order(lines, total=Decimal("11750.00"))))
    assert len(texts) > 1
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {len(texts)}" in text
        assert "Description" in text, f"table header missing on page {number}"
    last = flat(texts[-1])
    assert "500 ART-00500 Article 500 10 pc 2.35 23.50" in last
    assert "Total (EUR) 11,750.00" in last
    every = flat("\n".join(texts))
    assert all(f"ART-{n:05d}" in every for n in range(1, 501))


def test_text_that_is_not_plain_is_printed_safely() -> None:
    hostile = order(
        (
            line(1, description="<b>bold?</b> & <br/> \x00\x07 \u201cq\u201d", supplier_part_id="X" * 120),
            line(2, longtext="Very long text. " * 1500, description="Huge"),
            line(3, description="Line one\nline two\nline three\nline four"),
        ),
        notes="",
        reference="",
        customer_number=None,
        location_code=None,
        debtor_number=None,
    )
    texts = pages(render_purchase_order_pdf(hostile))
    text = flat("\n".join(texts))
    assert "<b>bold?</b> & <br/> “q”" in text
    assert "Line one line two line three line four" in text
    assert "Customer number" not in text
    assert "Notes" not in text
    assert len(texts) > 2  # the huge long text is split across pages inside its row


def test_other_title_and_non_default_currencies() -> None:
    lines = (line(1, currency="USD", net_amount=Decimal("5.00"), unit_price=Decimal("5")),)
    text = flat("\n".join(pages(render_purchase_order_pdf(order(lines), title="Bestellung"))))
    assert "Bestellung" in text
    assert "5.00 USD" in text
    assert "Lines in USD 5.00" in text


def test_rendering_is_deterministic() -> None:
    assert render_purchase_order_pdf(order()) == render_purchase_order_pdf(order())


def test_document_metadata() -> None:
    metadata = PdfReader(io.BytesIO(render_purchase_order_pdf(order()))).metadata
    assert metadata is not None
    assert metadata.title == "Purchase order PO-2026-000123"
    assert metadata.author == "Acme Facilities B.V."
