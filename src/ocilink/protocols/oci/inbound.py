"""Parse an OCI cart posted to HOOK_URL (oci.md §2, §3.3, §3.4).

``parse_cart`` never raises anything but ``OciError`` subclasses, whatever
bytes and Content-Type it is given.

Field names are matched case-insensitively:

* ``NEW_ITEM-<NAME>[<n>]``: a field of line ``n``. Indices may start at 0 or
  1 and may have gaps; lines are ordered numerically.
* ``NEW_ITEM-LONGTEXT_<n>:132[]`` (one or several values) and
  ``NEW_ITEM-LONGTEXT[<n>]``: the long text of line ``n``.
* ``NEW_ITEM_<NAME>[<n>]`` (underscore instead of hyphen, seen in the wild):
  kept in ``extra``, with a warning when NAME is a standard field.
* A ``NEW_ITEM`` field without a valid index: a warning, the value is unused.
* Any other field (``~OkCode``, ``_charset_``...): listed in ``ignored_fields``.

Empty (or blank) values count as absent. A field sent twice for one line:
the last non-empty value wins, with a warning.

Charset (see ``decoding``): ``charset_override``, else the Content-Type's
charset, else a ``_charset_`` form field, else strict UTF-8, else
Windows-1252 with a warning. ``http_content_charset`` is not used.

Long text: several values are joined without separator when every piece but
the last is exactly 132 characters (SAP's wrapped text lines), else with
"\n"; the result is HTML-unescaped once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .decoding import decode_form
from .errors import OciDecodeError, OciError
from .fields import FIELDS_BY_NAME, wire_name
from .lines import build_line, quote_value
from .model import OciCart, OciLine, Problem
from .units import normalize_unit_map

__all__ = ["parse_cart"]

_INDEX_RE = re.compile(r" *([0-9]{1,9}) *", re.ASCII)
_LONGTEXT_RE = re.compile(r"NEW_ITEM-LONGTEXT_([0-9]{1,9})(?::[0-9]*)?(?:\[[0-9]*\])?", re.ASCII | re.IGNORECASE)
_LOOSE_RE = re.compile(r"NEW_ITEM([-_])([A-Za-z0-9_]+)\[ *([0-9]{1,9}) *\]", re.ASCII | re.IGNORECASE)
_PREFIX_RE = re.compile(r"NEW_ITEM[-_]([A-Za-z0-9_]*)", re.ASCII | re.IGNORECASE)
_SIMPLE = frozenset(FIELDS_BY_NAME) - {"LONGTEXT"}
_HEADS = {f"NEW_ITEM-{name}": name for name in FIELDS_BY_NAME if name != "LONGTEXT"}


class _Acc:
    """The fields of one line index while the form is being read."""

    __slots__ = ("duplicates", "extra", "fields", "longtext")

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.longtext: list[str] | None = None
        self.extra: dict[str, str] = {}
        self.duplicates: list[str] | None = None

    def has_values(self) -> bool:
        return bool(self.fields or self.extra or (self.longtext and any(p.strip() for p in self.longtext)))


def parse_cart(
    body: bytes,
    content_type: str | None = None,
    *,
    charset_override: str | None = None,
    unit_map: Mapping[str, str] | None = None,
    max_fields: int = 200_000,
) -> OciCart:
    """Parse the body of an OCI cart post (or a GET query string) into an ``OciCart``.

    ``content_type``: the request's Content-Type; multipart/form-data is
    parsed as such, anything else (or None) as form-urlencoded.
    ``charset_override``: the connection's charset; wins over any detection
    (order: override, Content-Type charset, ``_charset_`` field, UTF-8,
    Windows-1252 with a warning).
    ``unit_map``: the connection's unit map (keys case-insensitive), applied
    before the default alias table. ``max_fields``: more form fields raise
    ``OciDecodeError``.

    Problems with the content are reported in ``cart.errors`` and
    ``cart.warnings``; only an unreadable body raises ``OciDecodeError``.
    """
    try:
        return _parse(body, content_type, charset_override, unit_map, max_fields)
    except OciError:
        raise
    except Exception as exc:  # a bug must not turn into a 500 on hostile input
        raise OciDecodeError(
            f"The cart could not be read because of an internal error ({type(exc).__name__}); keep the body and "
            "report it to the ocilink maintainers."
        ) from exc


def _parse(
    body: bytes,
    content_type: str | None,
    charset_override: str | None,
    unit_map: Mapping[str, str] | None,
    max_fields: int,
) -> OciCart:
    form = decode_form(bytes(body), content_type, charset_override=charset_override, max_fields=max_fields)
    warnings: list[Problem] = list(form.warnings)
    errors: list[Problem] = []
    lines: dict[str, _Acc] = {}  # keyed by the index digits as received; merged by value below
    ignored: dict[str, None] = {}
    item_fields = 0
    heads = _HEADS
    last_digits = ""
    last: _Acc | None = None

    for name, value in zip(form.names, form.values, strict=True):
        # Fast path: "NEW_ITEM-<KNOWN FIELD>[...]" in upper case (not LONGTEXT); the index digits are checked per
        # line in _by_index. Webshops post line by line, so the previous line's accumulator is usually the one.
        head, _, tail = name.partition("[")
        key = heads.get(head)
        if key is not None and tail[-1:] == "]":
            item_fields += 1
            digits = tail[:-1]
            if digits != last_digits or last is None:
                last = lines.get(digits)
                if last is None:
                    last = lines[digits] = _Acc()
                last_digits = digits
            if value and not value.isspace():
                known = last.fields
                if key in known:
                    if last.duplicates is None:
                        last.duplicates = [key]
                    else:
                        last.duplicates.append(key)
                known[key] = value
            continue

        # Other forms: other case, surrounding blanks, unknown fields, NEW_ITEM_ prefix, long text, bad index,
        # non-item fields.
        stripped = name.strip()
        if not stripped:
            continue
        item = _classify(stripped, value, warnings)
        if item is None:
            ignored[stripped] = None
            continue
        item_fields += 1
        if not item[0]:
            continue
        key, digits, underscore = item
        acc = lines.get(digits)
        if acc is None:
            acc = lines[digits] = _Acc()
        if not value or value.isspace():
            continue
        if underscore:
            acc.extra[key] = value
        elif key in _SIMPLE:
            known = acc.fields
            if key in known:
                if acc.duplicates is None:
                    acc.duplicates = [key]
                else:
                    acc.duplicates.append(key)
            known[key] = value
        elif key == "LONGTEXT":
            if acc.longtext is None:
                acc.longtext = [value]
            else:
                acc.longtext.append(value)
        else:
            acc.extra[key] = value

    units = normalize_unit_map(unit_map)
    built: list[OciLine] = []
    for index, acc in _by_index(lines, warnings):
        if not acc.has_values():
            warnings.append(
                Problem(
                    index,
                    None,
                    f"Line {index}: all its NEW_ITEM fields are empty, so the line was ignored; the supplier must "
                    "not send empty lines.",
                )
            )
            continue
        if acc.duplicates:
            for key in dict.fromkeys(acc.duplicates):
                warnings.append(
                    Problem(
                        index,
                        key,
                        f"Line {index}: {wire_name(key, index)} was received more than once and the last value "
                        f"{quote_value(acc.fields[key])} was used; the supplier must send each field once per line.",
                    )
                )
        built.append(build_line(index, acc.fields, acc.longtext, acc.extra, units, errors, warnings))

    if not built:
        errors.append(Problem(None, None, _empty_cart_message(item_fields, list(ignored))))
    else:
        currencies = sorted({line.currency for line in built if line.currency is not None})
        if len(currencies) > 1:
            warnings.append(
                Problem(
                    None,
                    "CURRENCY",
                    f"The cart mixes currencies ({', '.join(currencies)}); the supplier must price all lines in one "
                    "currency.",
                )
            )
    return OciCart(
        lines=tuple(built),
        charset=form.charset,
        errors=tuple(errors),
        warnings=tuple(warnings),
        ignored_fields=tuple(ignored),
    )


def _classify(name: str, value: str, warnings: list[Problem]) -> tuple[str, str, bool] | None:
    """Classify a name the fast pattern did not match.

    Returns None for a non-item field; ``("", "", False)`` for an item field
    that cannot be used (a warning was added); else ``(key, index digits,
    underscore-prefixed)``. Long text keys are returned as "LONGTEXT".
    """
    match = _LOOSE_RE.fullmatch(name)
    if match is not None:
        separator, key, digits = match.groups()
        key = key.upper()
        digits = str(int(digits))
        if separator == "_" and key in FIELDS_BY_NAME and value and not value.isspace():
            warnings.append(
                Problem(
                    int(digits),
                    key,
                    f"Line {digits}: the field {quote_value(name)} (value {quote_value(value)}) uses NEW_ITEM_ "
                    f"instead of NEW_ITEM-, so it was kept as an extra field and not read as {key}; the supplier "
                    f"must name it {wire_name(key, int(digits))}.",
                )
            )
        return key, digits, separator == "_"
    match = _LONGTEXT_RE.fullmatch(name)
    if match is not None:
        return "LONGTEXT", str(int(match.group(1))), False
    match = _PREFIX_RE.match(name)
    if match is None:
        return None
    _bad_index(name, match.group(1), value, warnings)
    return "", "", False


def _by_index(lines: dict[str, _Acc], warnings: list[Problem]) -> list[tuple[int, _Acc]]:
    """Lines ordered numerically by index; "01" and "1" are the same line.

    Index digits that are not 1 to 9 ASCII digits (only possible on the fast
    path) make every field of that group a "no valid line index" warning.
    """
    merged: dict[int, _Acc] = {}
    for digits, acc in lines.items():
        match = _INDEX_RE.fullmatch(digits)
        if match is None:
            for key, value in (*acc.fields.items(), *acc.extra.items()):
                _bad_index(f"NEW_ITEM-{key}[{digits}]", key, value, warnings)
            for value in acc.longtext or ():
                _bad_index(f"NEW_ITEM-LONGTEXT[{digits}]", "LONGTEXT", value, warnings)
            continue
        index = int(match.group(1))
        first = merged.get(index)
        if first is None:
            merged[index] = acc
            continue
        for key, value in acc.fields.items():
            if key in first.fields:
                first.duplicates = [*(first.duplicates or []), key]
            first.fields[key] = value
        if acc.longtext:
            first.longtext = [*(first.longtext or []), *acc.longtext]
        first.extra.update(acc.extra)
        if acc.duplicates:
            first.duplicates = [*(first.duplicates or []), *acc.duplicates]
    return sorted(merged.items())


def _bad_index(name: str, rest: str, value: str, warnings: list[Problem]) -> None:
    key = rest.upper() or None
    shown = f"value {quote_value(value)}" if value and not value.isspace() else "empty value"
    fix = f"NEW_ITEM-{key}[n]" if key else "NEW_ITEM-<FIELD>[n]"
    warnings.append(
        Problem(
            None,
            key,
            f"The field {quote_value(name)} ({shown}) has no valid line index, so it was ignored; the supplier must "
            f"name it {fix} with the line number n.",
        )
    )


def _empty_cart_message(item_fields: int, ignored: list[str]) -> str:
    if item_fields:
        detail = f"all {item_fields} NEW_ITEM fields were empty or had no valid line index."
    else:
        detail = "no NEW_ITEM fields were received."
        if ignored:
            shown = ", ".join(ignored[:5]) + (", ..." if len(ignored) > 5 else "")
            detail = f"no NEW_ITEM fields were received (only {quote_value(shown)})."
    return (
        f"The webshop sent an empty cart: {detail} The supplier must post each cart line as NEW_ITEM-<FIELD>[n] "
        "form fields (e.g. NEW_ITEM-DESCRIPTION[1], NEW_ITEM-QUANTITY[1]) to the HOOK_URL."
    )
