"""Make the golden cart bodies (and, with --update, their expected reports).

Usage (from the repository root):

    .venv/bin/python src/ocilink/protocols/tests/golden/make_golden.py            # write .body/.content_type
    .venv/bin/python src/ocilink/protocols/tests/golden/make_golden.py --update   # also rewrite .expected.json

The bodies are made here by hand, field by field, from the rules in
shared/reference/oci.md (see README.md beside this file), and encoded the way a
browser posts a form: application/x-www-form-urlencoded (quote_plus) in the
form's charset, or multipart/form-data. Every expected file written by
--update must be checked by a person before it is committed: they are the spec.

The 2,000-line case is not stored as a body (about 1 MB): ``large_body()``
makes it deterministically, and its expected file holds a summary plus the
SHA-256 of the whole report.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
FORM = "application/x-www-form-urlencoded"

Fields = list[tuple[str, str]]


def item(index: int, **fields: str) -> Fields:
    """NEW_ITEM-<NAME>[index] pairs, LONGTEXT as NEW_ITEM-LONGTEXT_<index>:132[]."""
    pairs: Fields = []
    for name, value in fields.items():
        if name == "LONGTEXT":
            pairs.append((f"NEW_ITEM-LONGTEXT_{index}:132[]", value))
        else:
            pairs.append((f"NEW_ITEM-{name}[{index}]", value))
    return pairs


SAP_TAIL: Fields = [("~OkCode", "ADDI"), ("~TARGET", "_top"), ("~CALLER", "CTLG")]

PAPERCLIPS = {
    "DESCRIPTION": "Büroklammern 26/6 (Größe M)",
    "QUANTITY": "10",
    "UNIT": "PCE",
    "PRICE": "2.49",
    "CURRENCY": "EUR",
    "PRICEUNIT": "",
    "VENDORMAT": "BK-266-M",
    "MATGROUP": "44122104",
    "LEADTIME": "2",
    "VENDOR": "",
}


def form(pairs: Fields, charset: str = "utf-8") -> bytes:
    """Encode pairs as a browser does for a form with accept-charset=charset."""
    return urlencode(pairs, encoding=charset).encode("ascii")


def multipart(parts: list[tuple[str, bytes, str | None]], boundary: str) -> bytes:
    """A multipart/form-data body; each part may carry its own charset."""
    chunks: list[bytes] = []
    for name, value, charset in parts:
        chunks.append(f"--{boundary}\r\n".encode())
        chunks.append(f'Content-Disposition: form-data; name="{name}"\r\n'.encode())
        if charset:
            chunks.append(f"Content-Type: text/plain; charset={charset}\r\n".encode())
        chunks.append(b"\r\n" + value + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks)


def cases() -> dict[str, tuple[bytes, str | None]]:
    """name -> (body, content type or None for no .content_type file)."""
    long_a = "A" * 132
    long_b = "B" * 132
    result: dict[str, tuple[bytes, str | None]] = {
        "utf8_umlauts": (
            form(
                [
                    *item(1, **PAPERCLIPS, LONGTEXT="Verzinkt, 1000 Stück pro Schachtel."),
                    *item(
                        2,
                        DESCRIPTION="Kugelschreiber blau",
                        QUANTITY="5",
                        UNIT="H87",
                        PRICE="1.20",
                        CURRENCY="EUR",
                        VENDORMAT="KS-BL",
                    ),
                    *SAP_TAIL,
                ]
            ),
            FORM,
        ),
        "latin1_undeclared": (form([*item(1, **PAPERCLIPS), *SAP_TAIL], "latin-1"), None),
        "declared_charset": (form([*item(1, **PAPERCLIPS)], "latin-1"), f"{FORM}; charset=ISO-8859-1"),
        "text_plain_declared": (form([*item(1, **PAPERCLIPS)], "latin-1"), "text/plain; charset=iso-8859-1"),
        "zero_based": (
            form(
                [
                    *item(0, DESCRIPTION="Ordner A4 breit", QUANTITY="3", UNIT="H87", PRICE="2.10", CURRENCY="EUR"),
                    *item(1, DESCRIPTION="Ordner A4 schmal", QUANTITY="2", UNIT="H87", PRICE="1.95", CURRENCY="EUR"),
                ]
            ),
            FORM,
        ),
        "index_gaps": (
            form(
                [
                    *item(10, DESCRIPTION="Line ten", QUANTITY="1", UNIT="H87", PRICE="10.00", CURRENCY="EUR"),
                    *item(1, DESCRIPTION="Line one", QUANTITY="1", UNIT="H87", PRICE="1.00", CURRENCY="EUR"),
                    *item(3, DESCRIPTION="Line three", QUANTITY="1", UNIT="H87", PRICE="3.00", CURRENCY="EUR"),
                ]
            ),
            FORM,
        ),
        "longtext_multi": (
            form(
                [
                    *item(1, DESCRIPTION="Wrapped long text", QUANTITY="1", UNIT="H87"),
                    ("NEW_ITEM-LONGTEXT_1:132[]", long_a),
                    ("NEW_ITEM-LONGTEXT_1:132[]", long_b),
                    ("NEW_ITEM-LONGTEXT_1:132[]", "end."),
                    *item(2, DESCRIPTION="Text lines", QUANTITY="1", UNIT="H87"),
                    ("NEW_ITEM-LONGTEXT_2:132[]", "Zeile 1"),
                    ("NEW_ITEM-LONGTEXT_2:132[]", "Zeile 2"),
                    *item(3, DESCRIPTION="Bracket variant, escaped", QUANTITY="1", UNIT="H87"),
                    ("NEW_ITEM-LONGTEXT[3]", "&lt;b&gt;fett&lt;/b&gt; &amp; mehr"),
                ]
            ),
            FORM,
        ),
        "priceunit_100": (
            form(
                [
                    *item(
                        1,
                        DESCRIPTION="Schrauben M4x20",
                        QUANTITY="250",
                        UNIT="H87",
                        PRICE="1250.00",
                        PRICEUNIT="100",
                        CURRENCY="EUR",
                    )
                ]
            ),
            FORM,
        ),
        "comma_decimals": (
            form([*item(1, DESCRIPTION="Kabel 3x1,5", QUANTITY="2,5", UNIT="MTR", PRICE="12,50", CURRENCY="EUR")]),
            FORM,
        ),
        "thousands_separators": (
            form(
                [
                    *item(1, DESCRIPTION="Laptop", QUANTITY="1", UNIT="H87", PRICE="1.234,50", CURRENCY="EUR"),
                    *item(2, DESCRIPTION="Paper", QUANTITY="1,234.5", UNIT="H87", PRICE="0.01", CURRENCY="EUR"),
                    *item(3, DESCRIPTION="Toner", QUANTITY="1", UNIT="H87", PRICE="1.234.50", CURRENCY="EUR"),
                ]
            ),
            FORM,
        ),
        "missing_quantity": (
            form(
                [
                    *item(1, DESCRIPTION="No quantity", QUANTITY="", UNIT="H87", PRICE="5.00", CURRENCY="EUR"),
                    *item(2, DESCRIPTION="Zero quantity", QUANTITY="0", UNIT="H87", PRICE="5.00", CURRENCY="EUR"),
                ]
            ),
            FORM,
        ),
        "unknown_unit": (
            form(
                [
                    *item(1, DESCRIPTION="Kabelbinder", QUANTITY="4", UNIT="BUNDLE", PRICE="3.00", CURRENCY="EUR"),
                    *item(2, DESCRIPTION="Schraube", QUANTITY="4", UNIT="ST", PRICE="0.10", CURRENCY="EUR"),
                    *item(3, DESCRIPTION="Zement", QUANTITY="25", UNIT="kg", PRICE="0.40", CURRENCY="EUR"),
                ]
            ),
            FORM,
        ),
        "unknown_field": (
            form(
                [
                    *item(
                        1,
                        DESCRIPTION="Monitor 27 Zoll",
                        QUANTITY="1",
                        UNIT="H87",
                        PRICE="199.00",
                        CURRENCY="EUR",
                        EXT_CUSTOM_OPTION="color=black",
                        URL="https://shop.example/p/27",
                    ),
                    ("NEW_ITEM_CERT[1]", "CE"),
                    *SAP_TAIL,
                ]
            ),
            FORM,
        ),
        "empty_cart": (form(SAP_TAIL), FORM),
        "multipart": (
            multipart(
                [
                    ("NEW_ITEM-DESCRIPTION[1]", "Büroklammern 26/6 (Größe M)".encode("latin-1"), "iso-8859-1"),
                    ("NEW_ITEM-QUANTITY[1]", b"10", None),
                    ("NEW_ITEM-UNIT[1]", b"PCE", None),
                    ("NEW_ITEM-PRICE[1]", b"2.49", None),
                    ("NEW_ITEM-CURRENCY[1]", b"EUR", None),
                    ("NEW_ITEM-DESCRIPTION[2]", "Heftgerät".encode(), None),
                    ("NEW_ITEM-QUANTITY[2]", b"1", None),
                    ("NEW_ITEM-UNIT[2]", b"H87", None),
                    ("NEW_ITEM-PRICE[2]", b"12.90", None),
                    ("NEW_ITEM-CURRENCY[2]", b"EUR", None),
                    ("~OkCode", b"ADDI", None),
                ],
                "----ocilinkBoundary7MA4YWxk",
            ),
            "multipart/form-data; boundary=----ocilinkBoundary7MA4YWxk",
        ),
    }
    return result


def large_lines(count: int = 2000) -> list[dict[str, str]]:
    """The 2,000-line cart: 15 fields per line, deterministic."""
    lines = []
    for i in range(1, count + 1):
        lines.append(
            {
                "DESCRIPTION": f"Artikel {i:04d} Größe {'SML'[i % 3]}",
                "QUANTITY": str(1 + i % 7),
                "UNIT": ("PCE", "H87", "KGM", "MTR")[i % 4],
                "PRICE": f"{(i % 500) + 0.25:.2f}",
                "CURRENCY": "EUR",
                "PRICEUNIT": ("1", "10", "100")[i % 3],
                "VENDORMAT": f"VM-{i:05d}",
                "MANUFACTMAT": f"MM-{i:05d}",
                "MATGROUP": "44122104",
                "LEADTIME": str(i % 10),
                "EXT_PRODUCT_ID": f"P{i}",
                "VENDOR": "100042",
                "CUST_FIELD1": "CC-4711",
                "MATNR": "",
                "LONGTEXT": f"Langtext {i}: verzinkt & geölt",
            }
        )
    return lines


def large_body() -> bytes:
    """The 2,000-line body, 1-based, UTF-8, as the demo webshop would post it."""
    _importable()
    from ocilink.protocols.oci import encode_cart_body

    return encode_cart_body(large_lines())


def _importable() -> None:
    """Make ``ocilink`` importable when this file runs as a script."""
    src = str(HERE.parents[3])
    if src not in sys.path:
        sys.path.insert(0, src)


def large_summary(report: dict[str, Any]) -> dict[str, Any]:
    """What the large case's expected file holds: a summary and the report's SHA-256."""
    lines: list[dict[str, Any]] = report["lines"]
    canonical = json.dumps(report, sort_keys=True, ensure_ascii=True).encode("ascii")
    return {
        "ok": report["ok"],
        "charset": report["charset"],
        "line_count": len(lines),
        "indices_first_last": [lines[0]["index"], lines[-1]["index"]],
        "first_line": lines[0],
        "last_line": lines[-1],
        "net_total": str(sum((Decimal(line["net_amount"]) for line in lines), start=Decimal(0))),
        "errors": report["errors"],
        "warnings": report["warnings"],
        "report_sha256": hashlib.sha256(canonical).hexdigest(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true", help="rewrite the .expected.json files too")
    args = parser.parse_args(argv)
    _importable()
    from ocilink.protocols.oci import cart_report, parse_cart

    for name, (body, content_type) in cases().items():
        (HERE / f"{name}.body").write_bytes(body)
        ct_path = HERE / f"{name}.content_type"
        if content_type is None:
            ct_path.unlink(missing_ok=True)
        else:
            ct_path.write_text(content_type + "\n", encoding="ascii")
        if args.update:
            report = cart_report(parse_cart(body, content_type))
            text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
            (HERE / f"{name}.expected.json").write_text(text, encoding="utf-8")
    if args.update:
        report = cart_report(parse_cart(large_body(), FORM))
        text = json.dumps(large_summary(report), indent=2, ensure_ascii=False) + "\n"
        (HERE / "large_2000_lines.expected.json").write_text(text, encoding="utf-8")
    sys.stdout.write(
        f"wrote {len(cases())} bodies to {HERE}" + (" and their expected reports\n" if args.update else "\n")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
