"""Turn a posted form body into decoded ``(name, value)`` pairs (oci.md §3.3, §3.4).

Percent-decoding works on BYTES first; text decoding comes second. Internally
each name and value is first held as a "byte string": a ``str`` whose code
points are the raw bytes (a Latin-1 view), which makes percent-decoding and
charset detection cheap and linear. The charset is then chosen in this order:

1. ``charset_override`` (the connection's setting) wins; if it cannot decode
   the body, ``OciDecodeError`` is raised.
2. The ``charset`` parameter of the Content-Type.
3. A ``_charset_`` form field: browsers fill a hidden field of that name with
   the encoding they actually used (HTML standard). ``http_content_charset``
   is NOT used: it is the buyer's request in the outbound call, not a
   statement about the posted body.
4. Strict UTF-8.
5. Windows-1252, with a warning. If even that fails, ``OciDecodeError``.

A declared charset (2, 3) that is unknown, not ASCII-compatible, or that
cannot decode the body gives a warning and falls through to detection (4, 5).
"""

from __future__ import annotations

import binascii
import codecs
import email
import email.errors
import email.message
import email.policy
import functools
import re
from dataclasses import dataclass, field
from email.utils import collapse_rfc2231_value
from urllib.parse import unquote_to_bytes

from .errors import OciDecodeError
from .model import Problem

__all__ = [
    "DecodedForm",
    "charset_display_name",
    "decode_form",
    "lookup_charset",
    "parse_content_type",
    "percent_decode",
]

_ASCII_PROBE = b"\x00\x01\x02azAZ09&=%+-_[]:~.;"
_CP1252_WARNING = (
    "The cart was decoded as Windows-1252 because the body is not valid UTF-8; "
    'the webshop should send UTF-8 (accept-charset="UTF-8" on its form).'
)
# Separator between names and values in the joined urlencoded body. A data
# NUL byte is "stuffed" as NUL + \x01, so NUL + \x02 never occurs in data.
_SEP = b"\x00\x02"
_SEP_TEXT = "\x00\x02"
# Text codecs that pass the ASCII probe but are not charsets a form could be posted in.
_NOT_CHARSETS = frozenset({"idna", "punycode", "undefined", "raw_unicode_escape", "unicode_escape"})
_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")
_NOT_STRUCTURAL = bytes(b for b in range(256) if b not in b"&=")


@dataclass(slots=True)
class DecodedForm:
    """The decoded form: names and values in received order, the charset used, warnings."""

    names: list[str]
    values: list[str]
    charset: str
    warnings: list[Problem] = field(default_factory=list)


def parse_content_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    """Split a Content-Type into its lower-cased media type and parameters.

    Parameter names are lower-cased; values are unquoted. Never raises.
    """
    if not content_type:
        return "", {}
    parts = content_type.split(";")
    media = parts[0].strip().lower()
    params: dict[str, str] = {}
    for part in parts[1:]:
        key, sep, value = part.partition("=")
        if not sep:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        params.setdefault(key.strip().lower(), value)
    return media, params


@functools.lru_cache(maxsize=64)
def lookup_charset(name: str) -> str | None:
    """Return Python's codec name for ``name`` if it can decode form bodies.

    Returns None when the name is unknown, not a text encoding, not a charset
    (unicode_escape, idna...), or not ASCII-compatible (UTF-16, UTF-7,
    EBCDIC...): a form body's structure is ASCII, so such a charset cannot be
    what the webshop really used.
    """
    cleaned = name.strip().strip('"').strip()
    if not cleaned or len(cleaned) > 40:
        return None
    try:
        info = codecs.lookup(cleaned)
        decoded = _ASCII_PROBE.decode(info.name)
    except (LookupError, ValueError, TypeError):
        return None
    if decoded != _ASCII_PROBE.decode("ascii") or info.name.replace("-", "_") in _NOT_CHARSETS:
        return None
    return str(info.name)


def charset_display_name(codec: str) -> str:
    """A lower-case, conventional name for a Python codec name.

    ``cp1252`` -> ``windows-1252``, ``iso8859-1`` -> ``iso-8859-1``.
    """
    if codec.startswith("cp125") and len(codec) == 6:
        return "windows-" + codec[2:]
    if codec.startswith("iso8859-"):
        return "iso-8859-" + codec[8:]
    return codec


def percent_decode(data: bytes) -> bytes:
    """Percent-decode ``data`` exactly like ``urllib.parse.unquote_to_bytes``, faster.

    When every "%" starts a valid escape and there is no raw "=", the work is
    done in C by ``binascii.a2b_qp`` ("=XX" escapes); otherwise (rare) by
    ``unquote_to_bytes``. Invalid escapes such as "%zz" stay as they are.
    """
    if b"%" not in data:
        return data
    if b"=" not in data and _BAD_ESCAPE.search(data) is None:
        return binascii.a2b_qp(data.replace(b"%", b"="))
    return unquote_to_bytes(data)


class _RawForm:
    """An undecoded form: knows how to decode itself with a codec."""

    def charset_field(self) -> str | None:
        """The value of a ``_charset_`` field, if any."""
        raise NotImplementedError

    def decode(self, codec: str, *, honour_parts: bool) -> tuple[list[str], list[str]] | None:
        """Names and values decoded with ``codec``; None when the bytes are not valid in it."""
        raise NotImplementedError


class _UrlencodedForm(_RawForm):
    """An application/x-www-form-urlencoded body (or a GET query string).

    The body is split on "&" and the first "=" of each field, then all names
    and values are joined with ``_SEP`` and percent-decoded and text-decoded
    in one go: linear time, with the loops in C.
    """

    def __init__(self, body: bytes, max_fields: int) -> None:
        body = body.strip(b" \t\r\n")
        if body.startswith(b"?"):
            body = body[1:]
        self.stuffed = b"\x00" in body
        if self.stuffed:
            body = body.replace(b"\x00", b"\x00\x01")
        if b"+" in body:
            body = body.replace(b"+", b" ")
        structure = body.translate(None, _NOT_STRUCTURAL)
        count = structure.count(b"&") + 1
        if structure == b"=&" * (count - 1) + b"=":
            # The usual case: every field is name=value with no other raw "=" or "&".
            if count > max_fields:
                raise _too_many(count, max_fields)
            joined = body.replace(b"&", _SEP).replace(b"=", _SEP)
        else:
            chunks = [(c if b"=" in c else c + b"=").replace(b"=", _SEP, 1) for c in body.split(b"&") if c]
            if len(chunks) > max_fields:
                raise _too_many(len(chunks), max_fields)
            joined = _SEP.join(chunks)
        if b"%" in joined:
            if self.stuffed or b"%00" in joined:
                self.stuffed = True
                joined = joined.replace(b"%00", b"%00\x01")
            joined = percent_decode(joined)
        self.joined = joined

    def _split(self, text: str) -> tuple[list[str], list[str]]:
        if not text:
            return [], []
        parts = text.split(_SEP_TEXT)
        if self.stuffed:
            parts = [p.replace("\x00\x01", "\x00") if "\x00" in p else p for p in parts]
        return parts[0::2], parts[1::2]

    def charset_field(self) -> str | None:
        if b"_charset_" not in self.joined.lower():
            return None
        names, values = self._split(self.joined.decode("latin-1"))
        for name, value in zip(names, values, strict=True):
            if name.strip().lower() == "_charset_" and value.strip():
                return value
        return None

    def decode(self, codec: str, *, honour_parts: bool) -> tuple[list[str], list[str]] | None:
        try:
            text = self.joined.decode(codec)
        except ValueError:  # UnicodeDecodeError, or UnicodeError from exotic codecs
            return None
        return self._split(text)


class _MultipartForm(_RawForm):
    """A multipart/form-data body; each part may declare its own charset."""

    def __init__(self, raw: list[tuple[bytes, bytes, str | None]]) -> None:
        self.raw = raw

    def charset_field(self) -> str | None:
        for name, value, _ in self.raw:
            if name.strip().lower() == b"_charset_" and value.strip():
                return value.decode("latin-1")
        return None

    def decode(self, codec: str, *, honour_parts: bool) -> tuple[list[str], list[str]] | None:
        names: list[str] = []
        values: list[str] = []
        try:
            for name, value, part_charset in self.raw:
                part_codec = lookup_charset(part_charset) if honour_parts and part_charset else None
                if part_codec is not None:
                    try:
                        names.append(name.decode(part_codec))
                        values.append(value.decode(part_codec))
                        continue
                    except ValueError:  # UnicodeDecodeError, or UnicodeError from exotic codecs
                        pass
                names.append(name.decode(codec))
                values.append(value.decode(codec))
        except ValueError:  # UnicodeDecodeError, or UnicodeError from exotic codecs
            return None
        return names, values


def decode_form(body: bytes, content_type: str | None, *, charset_override: str | None, max_fields: int) -> DecodedForm:
    """Decode ``body`` into ``(name, value)`` text pairs.

    Raises ``OciDecodeError`` when the body cannot be read at all.
    """
    media, params = parse_content_type(content_type)
    if media == "multipart/form-data":
        raw: _RawForm = _MultipartForm(_multipart_parts(body, content_type or "", params, max_fields))
    else:
        raw = _UrlencodedForm(body, max_fields)

    if charset_override is not None:
        codec = lookup_charset(charset_override)
        if codec is None:
            raise OciDecodeError(
                f'The charset override "{_short(charset_override)}" is not a known ASCII-compatible charset; '
                "fix the connection's charset setting (e.g. utf-8 or iso-8859-1)."
            )
        pairs = raw.decode(codec, honour_parts=False)
        if pairs is None:
            raise OciDecodeError(
                f"The body is not valid {charset_display_name(codec)}, the charset set as override for this "
                "connection; fix the connection's charset setting or ask the webshop to send that charset.",
                charset=charset_display_name(codec),
            )
        return DecodedForm(*pairs, charset_display_name(codec))

    warnings: list[Problem] = []
    declared = params.get("charset") or raw.charset_field()
    if declared:
        codec = lookup_charset(declared)
        if codec is None:
            warnings.append(
                Problem(
                    None,
                    None,
                    f'The webshop declared the unknown charset "{_short(declared)}", so the charset was detected '
                    "instead; the supplier must declare a valid charset, preferably UTF-8.",
                )
            )
        else:
            pairs = raw.decode(codec, honour_parts=True)
            if pairs is not None:
                return DecodedForm(*pairs, charset_display_name(codec))
            warnings.append(
                Problem(
                    None,
                    None,
                    f'The body is not valid {charset_display_name(codec)} although the webshop declared "'
                    f'{_short(declared)}", so the charset was detected instead; the supplier must send the '
                    "charset it declares, preferably UTF-8.",
                )
            )

    pairs = raw.decode("utf-8", honour_parts=True)
    if pairs is not None:
        return DecodedForm(*pairs, "utf-8", warnings)
    pairs = raw.decode("cp1252", honour_parts=True)
    if pairs is not None:
        warnings.append(Problem(None, None, _CP1252_WARNING))
        return DecodedForm(*pairs, "windows-1252", warnings)
    raise OciDecodeError(
        "The body is neither valid UTF-8 nor Windows-1252 text, so the cart cannot be read; the webshop must "
        'post its form as UTF-8 (accept-charset="UTF-8"), or the connection needs a charset override.',
        charset="",
    )


def _short(value: str, limit: int = 60) -> str:
    value = "".join(ch if ch.isprintable() else "?" for ch in value[: limit + 1])
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _too_many(count: int, max_fields: int) -> OciDecodeError:
    return OciDecodeError(
        f"The cart has {count} form fields, more than the limit of {max_fields}; the supplier must split the "
        "cart into smaller carts, or the limit must be raised."
    )


def _multipart_parts(
    body: bytes, content_type: str, params: dict[str, str], max_fields: int
) -> list[tuple[bytes, bytes, str | None]]:
    """Split a multipart/form-data body with the stdlib ``email`` parser."""
    boundary = params.get("boundary", "")
    if not boundary:
        raise OciDecodeError(
            "The Content-Type is multipart/form-data but names no boundary, so the body cannot be split into "
            "fields; the webshop must post a well-formed form (or use application/x-www-form-urlencoded)."
        )
    count = body.count(b"--" + boundary.encode("latin-1", "replace"))
    if count - 1 > max_fields:
        raise _too_many(count - 1, max_fields)
    header = "".join(ch if " " <= ch <= "~" else " " for ch in content_type)
    try:
        message = email.message_from_bytes(
            b"MIME-Version: 1.0\r\nContent-Type: " + header.encode("ascii") + b"\r\n\r\n" + body,
            policy=email.policy.compat32,
        )
        broken = [
            defect
            for defect in message.defects
            if isinstance(
                defect,
                email.errors.StartBoundaryNotFoundDefect
                | email.errors.CloseBoundaryNotFoundDefect
                | email.errors.MultipartInvariantViolationDefect
                | email.errors.NoBoundaryInMultipartDefect,
            )
        ]
        if broken or not message.is_multipart():
            raise OciDecodeError(
                "The multipart/form-data body is broken (missing or unclosed boundary, or cut off), so the "
                "fields cannot be read; the webshop must post a complete, well-formed form."
            )
        raw: list[tuple[bytes, bytes, str | None]] = []
        parts = message.get_payload()
        if not isinstance(parts, list):  # pragma: no cover - guaranteed by is_multipart()
            parts = []
        for part in parts:
            if not isinstance(part, email.message.Message):
                continue
            name = part.get_param("name", header="content-disposition")
            if name is None or part.is_multipart():
                continue
            text_name = collapse_rfc2231_value(name, errors="replace", fallback_charset="latin-1")
            if isinstance(name, tuple):  # RFC 2231 name*=charset'lang'value, already decoded
                name_bytes = text_name.encode("utf-8", "surrogateescape")
            else:
                name_bytes = text_name.encode("ascii", "surrogateescape")
            if part.get_param("filename", header="content-disposition") is not None:
                raw.append((name_bytes, b"", None))  # file uploads are never cart data
                continue
            payload = part.get_payload(decode=True)
            raw.append((name_bytes, payload if isinstance(payload, bytes) else b"", part.get_content_charset()))
    except OciDecodeError:
        raise
    except Exception as exc:  # the email package may raise on hostile input
        raise OciDecodeError(
            f"The multipart/form-data body cannot be parsed ({type(exc).__name__}); the webshop must post a "
            "well-formed form."
        ) from exc
    return raw
