"""The golden documents in ``golden/`` (see its README): exact builder output and response verdicts."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ocilink.protocols.cxml import classify_response, parse_order_request

from .factories import assert_valid, build

GOLDEN = Path(__file__).parent / "golden"


def test_order_request_bytes_are_stable() -> None:
    assert build() == (GOLDEN / "order_request.xml").read_bytes()


def test_golden_order_request_is_valid(cxml_dtd: Any) -> None:
    assert_valid(cxml_dtd, (GOLDEN / "order_request.xml").read_bytes())


def test_golden_order_request_reads_back() -> None:
    order = parse_order_request((GOLDEN / "order_request.xml").read_bytes())
    assert (order.order_id, order.total, order.currency) == ("PO-2026-000123", Decimal("47.45"), "EUR")
    assert [(line.line_number, line.supplier_part_id) for line in order.lines] == [(1, "BK-266-M"), (2, "ART-00002")]
    assert order.lines[0].description == "Büroklammern 26/6 (Größe M)"


@pytest.mark.parametrize(
    ("name", "http_status", "outcome", "code"),
    [
        ("response_200_ok.xml", 200, "delivered", 200),
        ("response_201_accepted.xml", 200, "delivered", 201),
        ("response_400_unknown_item.xml", 200, "permanent", 400),
        ("response_400_unknown_item.xml", 400, "permanent", 400),
        ("response_401_unauthorized.xml", 200, "permanent", 401),
        ("response_500_already_processed.xml", 200, "delivered", 500),
        ("response_500_already_processed.xml", 500, "delivered", 500),
        ("response_500_try_later.xml", 500, "transient", 500),
        ("response_500_try_later.xml", 200, "transient", 500),
        ("not_cxml.html", 502, "transient", None),
        ("not_cxml.html", 200, "permanent", None),
        ("xxe_file_entity.xml", 200, "permanent", None),
        ("billion_laughs.xml", 200, "permanent", None),
    ],
)
def test_golden_responses(name: str, http_status: int, outcome: str, code: int | None) -> None:
    verdict = classify_response(http_status=http_status, body=(GOLDEN / name).read_bytes())
    assert (verdict.outcome, verdict.cxml_code, verdict.http_status) == (outcome, code, http_status)


def test_golden_response_texts(cxml_dtd: Any) -> None:
    verdict = classify_response(http_status=200, body=(GOLDEN / "response_401_unauthorized.xml").read_bytes())
    assert verdict.cxml_text == "Unauthorized: Credentials in the Sender element were not recognised."
    assert verdict.message == (
        "The supplier's server refused the order: 401 Unauthorized: "
        "Credentials in the Sender element were not recognised."
    )
    for name in ("response_200_ok.xml", "response_400_unknown_item.xml", "response_500_already_processed.xml"):
        assert_valid(cxml_dtd, (GOLDEN / name).read_bytes())
