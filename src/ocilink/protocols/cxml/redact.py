"""Remove the shared secret from a cXML document before it is logged or stored for people to read.

Works on raw bytes with a regular expression, not a parser, so it also handles documents that are
truncated, not well-formed or hostile: the content of every ``SharedSecret`` element (with or
without a namespace prefix, attributes, CDATA or a missing end tag) becomes ``[redacted]``.
UTF-16 documents (recognised by their byte order mark) are redacted too and keep their encoding.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["REDACTED", "redact_shared_secret"]

REDACTED = "[redacted]"

_OPEN = r"<(?:[\w.-]+:)?SharedSecret(?:\s[^>]*)?(?<!/)>"
_CLOSE = r"</(?:[\w.-]+:)?SharedSecret\s*>"
# An element with its end tag; then an opening tag whose end tag is missing (redact to the end).
_CLOSED = re.compile(rf"({_OPEN})(.*?)({_CLOSE})", re.DOTALL | re.IGNORECASE)
_UNCLOSED = re.compile(rf"({_OPEN})(?:(?!{_CLOSE}).)*\Z", re.DOTALL | re.IGNORECASE)
_CLOSED_B = re.compile(_CLOSED.pattern.encode(), re.DOTALL | re.IGNORECASE)
_UNCLOSED_B = re.compile(_UNCLOSED.pattern.encode(), re.DOTALL | re.IGNORECASE)
_REDACTED_B = REDACTED.encode("ascii")
_UTF16_BOMS = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def _redact_bytes(document: bytes) -> bytes:
    document = _CLOSED_B.sub(lambda match: match.group(1) + _REDACTED_B + match.group(3), document)
    return _UNCLOSED_B.sub(lambda match: match.group(1) + _REDACTED_B, document)


def _redact_text(document: str) -> str:
    document = _CLOSED.sub(lambda match: match.group(1) + REDACTED + match.group(3), document)
    return _UNCLOSED.sub(lambda match: match.group(1) + REDACTED, document)


def redact_shared_secret(document: bytes) -> bytes:
    """Return ``document`` with the content of every ``SharedSecret`` element replaced by ``[redacted]``."""
    for bom, encoding in _UTF16_BOMS:
        if document.startswith(bom):
            end = len(document) - (len(document) - len(bom)) % 2  # a truncated document may end mid-character
            text = document[len(bom) : end].decode(encoding, errors="surrogatepass")
            return bom + _redact_text(text).encode(encoding, errors="surrogatepass") + document[end:]
    return _redact_bytes(document)
