"""classify_response (cxml.md §2.2), build_response, and the hardened parser against hostile XML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ocilink.protocols.cxml import (
    MAX_DOCUMENT_BYTES,
    CxmlParseError,
    build_response,
    classify_response,
    parse_document,
)

from .factories import TIMESTAMP, assert_valid, tree

GOLDEN = Path(__file__).parent / "golden"


def response(code: int, text: str = "", message: str = "") -> bytes:
    return build_response(payload_id="r-1@supplier.example", code=code, text=text, timestamp=TIMESTAMP, message=message)


def test_build_response_is_valid_and_complete(cxml_dtd: Any) -> None:
    document = response(200, "OK", "Order PO-1 received.")
    assert_valid(cxml_dtd, document)
    assert document.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE cXML SYSTEM ')
    root = tree(document)
    assert root.get("payloadID") == "r-1@supplier.example"
    assert root.get("timestamp") == "2026-11-27T10:16:05+01:00"
    status = root.find("Response/Status")
    assert (status.get("code"), status.get("text"), status.text) == ("200", "OK", "Order PO-1 received.")
    assert_valid(cxml_dtd, response(401, "Unauthorized"))
    with pytest.raises(ValueError, match="unsigned"):
        response(-1, "x")


@pytest.mark.parametrize(
    ("code", "text", "message", "outcome"),
    [
        (200, "OK", "", "delivered"),
        (201, "Accepted", "", "delivered"),
        (204, "No Content", "", "delivered"),
        (281, "OK", "Forwarded by e-mail", "delivered"),
        (400, "Bad Request", "Unknown article", "permanent"),
        (401, "Unauthorized", "", "permanent"),
        (409, "Conflict", "already processed", "permanent"),  # 4xx stays permanent whatever it says
        (500, "Internal Server Error", "", "transient"),
        (503, "Service Unavailable", "", "transient"),
        (550, "Unable to reach next supplier", "", "transient"),
        (500, "Internal Server Error", "PO Number: 123 has already been processed.", "delivered"),
        (500, "Internal Server Error", "Order ALREADY RECEIVED", "delivered"),
        (500, "Duplicate Order", "", "delivered"),
        (500, "Error", "duplicate payloadID dispatch-42@ocilink", "delivered"),
        (560, "Temporary server error", "order already exists", "delivered"),
        (500, "Error", "Duplicate line numbers are not allowed", "transient"),  # not a duplicate order
        (100, "Continue", "", "permanent"),
        (302, "Found", "", "permanent"),
        (600, "Strange", "", "permanent"),
    ],
)
def test_the_cxml_status_decides(code: int, text: str, message: str, outcome: str) -> None:
    for http_status in (200, 500):  # the HTTP status does not matter once there is a cXML status
        verdict = classify_response(http_status=http_status, body=response(code, text, message))
        assert (verdict.outcome, verdict.cxml_code, verdict.http_status) == (outcome, code, http_status)


@pytest.mark.parametrize(
    ("http_status", "body", "outcome"),
    [
        (200, b"", "delivered"),
        (204, b"", "delivered"),
        (200, b"  \r\n", "delivered"),
        (200, b"OK", "permanent"),
        (200, b"<html><body>Thank you</body></html>", "permanent"),
        (202, b"<cXML><Message/></cXML>", "permanent"),
        (200, b'<cXML><Response><Status code="abc" text="OK"/></Response></cXML>', "permanent"),
        (200, b'<cXML><Response><Status code="99999999999999999999" text="x"/></Response></cXML>', "permanent"),
        (400, b"Bad request", "permanent"),
        (401, b"", "permanent"),
        (404, b"<html>Not Found</html>", "permanent"),
        (408, b"", "transient"),
        (429, b"slow down", "transient"),
        (500, b"", "transient"),
        (502, (GOLDEN / "not_cxml.html").read_bytes(), "transient"),
        (503, b"<cXML", "transient"),
        (301, b"", "permanent"),
        (0, b"", "permanent"),
    ],
)
def test_without_cxml_the_http_status_decides(http_status: int, body: bytes, outcome: str) -> None:
    verdict = classify_response(http_status=http_status, body=body, content_type="text/html")
    assert (verdict.outcome, verdict.cxml_code, verdict.cxml_text) == (outcome, None, "")


def test_messages_are_one_plain_sentence() -> None:
    verdicts = [
        classify_response(http_status=200, body=response(401, "Unauthorized")),
        classify_response(http_status=200, body=response(200, "OK")),
        classify_response(http_status=200, body=response(500, "Error", "already received")),
        classify_response(http_status=503, body=b""),
        classify_response(http_status=200, body=b"", content_type="text/xml"),
        classify_response(http_status=200, body=b"<html/>", content_type="text/html"),
        classify_response(http_status=200, body=response(500, "E", "x" * 5000)),
    ]
    assert verdicts[0].message == "The supplier's server refused the order: 401 Unauthorized."
    assert "empty body" in verdicts[4].message
    assert "(text/html)" in verdicts[5].message
    assert "a person must check" in verdicts[5].message
    for verdict in verdicts:
        assert verdict.message.startswith("The supplier")
        assert verdict.message.endswith(".")
        assert "\n" not in verdict.message
        assert len(verdict.message) < 400
        assert len(verdict.cxml_text) <= 500


def test_xxe_does_not_read_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    hostile = (
        f'<?xml version="1.0"?>\n<!DOCTYPE cXML [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n'
        '<cXML payloadID="p" timestamp="t"><Response><Status code="200" text="OK">&x;</Status></Response></cXML>'
    ).encode()
    with pytest.raises(CxmlParseError, match="entities"):
        parse_document(hostile)
    verdict = classify_response(http_status=200, body=hostile)
    assert verdict.outcome == "permanent"
    assert "TOP-SECRET-MARKER" not in verdict.message + verdict.cxml_text


def test_external_dtd_is_not_loaded(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY x "FROM-THE-DTD">')
    document = (
        f'<?xml version="1.0"?>\n<!DOCTYPE cXML SYSTEM "{dtd.as_uri()}">\n'
        '<cXML payloadID="p" timestamp="t"><Response><Status code="200" text="OK">&x;</Status></Response></cXML>'
    ).encode()
    root = parse_document(document)  # the DTD is never read, so the reference stays unexpanded
    assert "".join(root.itertext()) == "&x;"
    verdict = classify_response(http_status=200, body=document)
    assert "FROM-THE-DTD" not in verdict.message + verdict.cxml_text


def test_parameter_entities_are_refused() -> None:
    document = b'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><cXML/>'
    with pytest.raises(CxmlParseError, match="entities"):
        parse_document(document)


def test_billion_laughs_is_refused() -> None:
    document = (GOLDEN / "billion_laughs.xml").read_bytes()
    with pytest.raises(CxmlParseError):
        parse_document(document)
    assert classify_response(http_status=200, body=document).outcome == "permanent"


def test_entity_declarations_found_after_parsing_are_refused() -> None:
    # UTF-16 hides the declaration from the byte check; the parsed internal subset still shows it.
    document = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE cXML [<!ENTITY a "b">]><cXML>&a;</cXML>'
    with pytest.raises(CxmlParseError, match="entities"):
        parse_document(document.encode("utf-16"))


def test_oversized_bodies_are_not_parsed() -> None:
    body = response(200, "OK").replace(b"<Response>", b"<Response>" + b" " * MAX_DOCUMENT_BYTES)
    assert len(body) > MAX_DOCUMENT_BYTES
    with pytest.raises(CxmlParseError, match="limit"):
        parse_document(body)
    assert classify_response(http_status=200, body=body).outcome == "permanent"
    assert classify_response(http_status=503, body=body).outcome == "transient"


@pytest.mark.parametrize("body", [b"", b"   ", b"<", b"\xff\xfe\x00", b"<a></b>", b"<?xml version='1.0'?>"])
def test_parse_document_raises_only_cxml_parse_error(body: bytes) -> None:
    with pytest.raises(CxmlParseError):
        parse_document(body)
