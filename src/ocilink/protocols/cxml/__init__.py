"""cXML 1.2.063 for order dispatch: build OrderRequests, read and classify supplier responses.

Pure Python (no Django). Everything foreign is parsed with the hardened parser in
:mod:`.parser`; documents are built with lxml and are valid against ``cXML.dtd`` 1.2.063.
"""

from __future__ import annotations

from .build import DEFAULT_UNIT, UNCLASSIFIED_DOMAIN, CxmlIdentity, build_order_request, new_payload_id
from .parser import (
    MAX_DOCUMENT_BYTES,
    CxmlParseError,
    ParsedLine,
    ParsedOrder,
    parse_document,
    parse_order_request,
)
from .redact import REDACTED, redact_shared_secret
from .response import DUPLICATE_PATTERNS, Outcome, ResponseVerdict, build_response, classify_response
from .xmltext import CXML_VERSION, DOCTYPE

__all__ = [
    "CXML_VERSION",
    "DEFAULT_UNIT",
    "DOCTYPE",
    "DUPLICATE_PATTERNS",
    "MAX_DOCUMENT_BYTES",
    "REDACTED",
    "UNCLASSIFIED_DOMAIN",
    "CxmlIdentity",
    "CxmlParseError",
    "Outcome",
    "ParsedLine",
    "ParsedOrder",
    "ResponseVerdict",
    "build_order_request",
    "build_response",
    "classify_response",
    "new_payload_id",
    "parse_document",
    "parse_order_request",
    "redact_shared_secret",
]
