"""The supplier's answer to an OrderRequest: classify it, or build one (for the demo inbox and test servers).

:func:`classify_response` turns an HTTP status and body into a :class:`ResponseVerdict`. The cXML
``Status`` decides whenever the body carries one (HTTP 200 with cXML 401 is common); the HTTP
status only decides when there is no readable cXML status:

============================================  ===========  ===============================================
What came back                                Outcome      Why
============================================  ===========  ===============================================
cXML status 2xx                               delivered    200 OK, 201 Accepted, 204, 280/281 forwarded
cXML status 4xx                               permanent    bad data or credentials: resending won't help
cXML status 5xx                               transient    server trouble: retry with the same payloadID
cXML status 5xx saying "already processed"    delivered    the supplier has the order (see
                                                           :data:`DUPLICATE_PATTERNS`)
cXML status of any other class                permanent    unknown meaning: a person must check
HTTP 2xx, empty body                          delivered    cXML allows an empty 200 as a confirmation
HTTP 2xx, body not a cXML status              permanent    the supplier may have accepted the order;
                                                           resending could duplicate it, so a person checks
HTTP 408 / 429                                transient    "try again later"
HTTP 4xx (others)                             permanent
HTTP 5xx                                      transient
HTTP 1xx / 3xx / other                        permanent    redirects are not followed: check the URL
============================================  ===========  ===============================================

Bodies larger than 5 MB are not parsed, and hostile XML (entity declarations) is refused by the
hardened parser; both then count as "no cXML status". :func:`classify_response` never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Literal

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from .parser import CxmlParseError, element_text, parse_document
from .xmltext import DEFAULT_LANG, XML_LANG, clean_text, document_bytes, iso_timestamp

__all__ = ["DUPLICATE_PATTERNS", "Outcome", "ResponseVerdict", "build_response", "classify_response"]

Outcome = Literal["delivered", "permanent", "transient"]

# A cXML 5xx whose text matches one of these (case-insensitively) means the supplier already has
# the order, e.g. Coupa's "PO Number: 123 has already been processed.". Kept narrow on purpose:
# a false match would mark an order delivered that never arrived, a missed one only costs retries.
DUPLICATE_PATTERNS: tuple[str, ...] = (
    r"already\s+(?:been\s+)?(?:processed|received|submitted|imported)",
    r"duplicate\s+(?:order|po|purchase\s+order|payload(?:\s*id)?|document|request|submission)",
    r"(?:order|po)\s+already\s+exists",
)
_DUPLICATE = re.compile("|".join(DUPLICATE_PATTERNS), re.IGNORECASE)
_MAX_TEXT = 500
_MAX_QUOTE = 200
_RETRY_LATER_HTTP = frozenset({408, 429})


@dataclass(frozen=True)
class ResponseVerdict:
    """What a supplier's answer means for the dispatch of one order."""

    outcome: Outcome
    http_status: int
    cxml_code: int | None  # the cXML Status code, None when the body had none
    cxml_text: str  # Status text attribute and, after ": ", the Status content ("" without cXML)
    message: str  # one plain English sentence for a person


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _http_phrase(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _read_status(body: bytes) -> tuple[int, str] | str:
    """Return ``(code, text)`` of the body's cXML ``Response/Status``, or why there is none."""
    if not body.strip():
        return "the body is empty"
    try:
        root = parse_document(body)
    except CxmlParseError as error:
        return str(error)
    if not isinstance(root.tag, str) or root.tag != "cXML":
        return "the body is XML but not cXML"
    status = root.find("Response/Status")
    if status is None:
        return "the cXML has no Response/Status"
    code_text = (status.get("code") or "").strip()
    if not code_text.isascii() or not code_text.isdigit() or len(code_text) > 9:
        return f"the cXML status code {code_text!r} is not a number"
    label = " ".join((status.get("text") or "").split())
    detail = " ".join(element_text(status).split())
    text = f"{label}: {detail}" if label and detail else label or detail
    return int(code_text), _shorten(text, _MAX_TEXT)


def _from_cxml(http_status: int, code: int, text: str) -> ResponseVerdict:
    quoted = _shorten(f"{code} {text}".strip(), _MAX_QUOTE).rstrip(".")
    outcome: Outcome
    if 200 <= code <= 299:
        outcome, message = "delivered", f"The supplier accepted the order: {quoted}."
    elif 400 <= code <= 499:
        outcome, message = "permanent", f"The supplier's server refused the order: {quoted}."
    elif 500 <= code <= 599 and _DUPLICATE.search(text):
        outcome = "delivered"
        message = f"The supplier's server says it already has this order ({quoted}), so it counts as delivered."
    elif 500 <= code <= 599:
        outcome = "transient"
        message = f"The supplier's server could not process the order for now and a later attempt may work: {quoted}."
    else:
        outcome = "permanent"
        message = f"The supplier answered with an unknown cXML status, so a person must check the order: {quoted}."
    return ResponseVerdict(outcome, http_status, code, text, message)


def _from_http(http_status: int, reason: str, empty: bool, content_type: str | None) -> ResponseVerdict:
    phrase = _http_phrase(http_status)
    outcome: Outcome
    if 200 <= http_status <= 299 and empty:
        outcome = "delivered"
        message = f"The supplier's server answered {phrase} with an empty body, which cXML allows as a receipt."
    elif 200 <= http_status <= 299:
        kind = f" ({_shorten(content_type, 80)})" if content_type else ""
        outcome = "permanent"
        message = (
            f"The supplier's server answered {phrase} with something that is not a cXML status{kind}, "
            f"so a person must check whether the order arrived: {_shorten(reason, _MAX_QUOTE).rstrip('.')}."
        )
    elif http_status in _RETRY_LATER_HTTP:
        outcome, message = "transient", f"The supplier's server asked to try again later: {phrase}."
    elif 400 <= http_status <= 499:
        outcome, message = "permanent", f"The supplier's server refused the order: {phrase}."
    elif 500 <= http_status <= 599:
        outcome = "transient"
        message = f"The supplier's server failed and a later attempt may work: {phrase}."
    else:
        outcome = "permanent"
        message = f"The supplier's server answered {phrase} instead of a cXML response; check the connection's URL."
    return ResponseVerdict(outcome, http_status, None, "", message)


def classify_response(*, http_status: int, body: bytes, content_type: str | None = None) -> ResponseVerdict:
    """Decide what a supplier's HTTP answer to an OrderRequest means (see the module docstring)."""
    status = _read_status(body)
    if isinstance(status, tuple):
        return _from_cxml(http_status, *status)
    return _from_http(http_status, status, not body.strip(), content_type)


def build_response(*, payload_id: str, code: int, text: str, timestamp: datetime, message: str = "") -> bytes:
    """Return a cXML ``Response`` document (valid against cXML.dtd 1.2.063).

    ``text`` is the Status ``text`` attribute (the textual status, e.g. "OK"); ``message`` the
    optional specific explanation, written as the Status content.
    """
    if code < 0:
        raise ValueError(f"a cXML status code is an unsigned number, not {code}")
    root = etree.Element(
        "cXML", {"payloadID": clean_text(payload_id), "timestamp": iso_timestamp(timestamp), XML_LANG: DEFAULT_LANG}
    )
    status = etree.SubElement(
        etree.SubElement(root, "Response"), "Status", {"code": str(code), "text": clean_text(text), XML_LANG: "en"}
    )
    if message:
        status.text = clean_text(message)
    serialized: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return document_bytes(serialized)
