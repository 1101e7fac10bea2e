"""redact_shared_secret: works on well-formed, odd and broken documents alike."""

from __future__ import annotations

import codecs

import pytest

from ocilink.protocols.cxml import redact_shared_secret

from .factories import build


def test_redacts_a_built_order_request_and_nothing_else() -> None:
    document = build(shared_secret="hunter2-ÄÖ")
    redacted = redact_shared_secret(document)
    assert b"hunter2" not in redacted
    assert redacted == document.replace("hunter2-ÄÖ".encode(), b"[redacted]")


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (b"<SharedSecret>abc</SharedSecret>", b"<SharedSecret>[redacted]</SharedSecret>"),
        (b'<SharedSecret type="x">abc</SharedSecret >', b'<SharedSecret type="x">[redacted]</SharedSecret >'),
        (b"<c:SharedSecret>abc</c:SharedSecret>", b"<c:SharedSecret>[redacted]</c:SharedSecret>"),
        (b"<SharedSecret><![CDATA[a<b]]></SharedSecret>", b"<SharedSecret>[redacted]</SharedSecret>"),
        (b"<SharedSecret>\n  multi\n  line\n</SharedSecret>", b"<SharedSecret>[redacted]</SharedSecret>"),
        (b"<SharedSecret/>", b"<SharedSecret/>"),
        (b"<SharedSecret />", b"<SharedSecret />"),
        (b"<A><SharedSecret>a</SharedSecret><SharedSecret>b</SharedSecret></A>", None),
        (b"<Sender><SharedSecret>truncated-docum", b"<Sender><SharedSecret>[redacted]"),
        (
            b"<SharedSecret>a</SharedSecret><SharedSecret>b",
            b"<SharedSecret>[redacted]</SharedSecret><SharedSecret>[redacted]",
        ),
        (b"<sharedsecret>odd case</SHAREDSECRET>", b"<sharedsecret>[redacted]</SHAREDSECRET>"),
        (b"<SharedSecretX>kept</SharedSecretX>", b"<SharedSecretX>kept</SharedSecretX>"),
        (b"\xff\xfe not xml at all", b"\xff\xfe not xml at all"),
        (b"", b""),
    ],
)
def test_odd_documents(document: bytes, expected: bytes | None) -> None:
    redacted = redact_shared_secret(document)
    if expected is None:
        assert redacted.count(b"[redacted]") == 2
        assert b">a<" not in redacted
        assert b">b<" not in redacted
    else:
        assert redacted == expected


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_documents_keep_their_encoding(encoding: str) -> None:
    bom = codecs.BOM_UTF16_LE if encoding == "utf-16-le" else codecs.BOM_UTF16_BE
    document = bom + "<Credential><SharedSecret>geheim</SharedSecret></Credential>".encode(encoding)
    redacted = redact_shared_secret(document)
    assert redacted == bom + "<Credential><SharedSecret>[redacted]</SharedSecret></Credential>".encode(encoding)
    truncated = redact_shared_secret(document[:-3])  # cut in the middle of a character
    assert "geheim" not in truncated[2:-1].decode(encoding)
