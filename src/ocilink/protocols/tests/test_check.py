"""The check-cart command (check_main): output, exit codes, robustness."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocilink.protocols.oci import check_main, encode_cart_body

GOOD = encode_cart_body(
    [
        {
            "DESCRIPTION": "Büroklammern 26/6 (Größe M)",
            "QUANTITY": "10",
            "UNIT": "PCE",
            "PRICE": "2.49",
            "CURRENCY": "EUR",
        }
    ]
)
BAD = encode_cart_body([{"DESCRIPTION": "Pen", "QUANTITY": "1.234,5", "UNIT": "H87"}])
GARBAGE = b"NEW_ITEM-DESCRIPTION[1]=\x81\x8d\x8f"


def run(argv: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = check_main(argv, stdin=io.BytesIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def cart_file(tmp_path: Path) -> Path:
    path = tmp_path / "cart.body"
    path.write_bytes(GOOD)
    return path


def test_text_report_for_a_good_cart(cart_file: Path) -> None:
    code, out, err = run([str(cart_file)])
    assert (code, err) == (0, "")
    assert "Charset: utf-8" in out
    assert "[1] Büroklammern 26/6 (Größe M)" in out
    assert "qty 10 H87 (received PCE)" in out
    assert "price 2.49 EUR per 1" in out
    assert "net 24.90 EUR" in out
    assert out.rstrip().splitlines()[-1].startswith("Result: OK")


def test_json_is_exactly_one_object(cart_file: Path) -> None:
    code, out, _ = run([str(cart_file), "--json"])
    assert code == 0
    report: dict[str, Any] = json.loads(out)
    assert report["ok"] is True
    assert report["charset"] == "utf-8"
    assert report["lines"][0]["quantity"] == "10.000"
    assert report["lines"][0]["net_amount"] == "24.90"
    assert set(report) == {"ok", "charset", "lines", "errors", "warnings"}


def test_errors_exit_1_and_are_listed() -> None:
    code, out, _ = run(["-"], BAD)
    assert code == 1
    assert "Errors (1):" in out
    assert "line 1, QUANTITY:" in out
    assert "Result: NOT USABLE" in out
    code, out, _ = run(["-", "--json"], BAD)
    assert code == 1
    assert json.loads(out)["errors"][0]["field"] == "QUANTITY"


def test_undecodable_body_exits_1_with_the_json_shape() -> None:
    code, out, _ = run(["-", "--json"], GARBAGE)
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    assert report["lines"] == []
    assert report["warnings"] == []
    assert report["charset"] == ""
    assert report["errors"][0]["line"] is None
    assert report["errors"][0]["field"] is None
    assert "UTF-8" in report["errors"][0]["message"]
    code, out, _ = run(["-"], GARBAGE)
    assert code == 1
    assert "cannot be read" in out


def test_charset_option(tmp_path: Path) -> None:
    path = tmp_path / "latin.body"
    path.write_bytes(encode_cart_body([{"DESCRIPTION": "Größe", "QUANTITY": "1", "UNIT": "H87"}], charset="latin-1"))
    code, out, _ = run([str(path), "--json", "--charset", "iso-8859-1"])
    assert code == 0
    assert json.loads(out)["charset"] == "iso-8859-1"
    assert json.loads(out)["warnings"] == []
    code, out, _ = run([str(path), "--json", "--charset", "utf-8"])
    assert code == 1
    assert json.loads(out)["charset"] == "utf-8"


def test_content_type_option() -> None:
    body = b'--B\r\nContent-Disposition: form-data; name="NEW_ITEM-DESCRIPTION[1]"\r\n\r\nPen\r\n--B--\r\n'
    code, out, _ = run(["-", "--json", "--content-type", "multipart/form-data; boundary=B"], body)
    assert json.loads(out)["lines"][0]["description"] == "Pen"
    assert code == 1  # no quantity


@pytest.mark.parametrize(
    "argv",
    [[], ["a", "b"], ["--frobnicate", "x"], ["missing-file.body"], ["-", "--charset", "klingon"], ["--json"]],
)
def test_usage_errors_exit_2_with_one_line(argv: list[str], tmp_path: Path) -> None:
    argv = [str(tmp_path / arg) if arg.endswith(".body") else arg for arg in argv]
    code, out, err = run(argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("ocilink check-cart: error:")


def test_directory_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run([str(tmp_path)])
    assert code == 2
    assert "cannot read" in err


def test_help_exits_0() -> None:
    code, out, _ = run(["--help"])
    assert code == 0
    assert "check-cart" in out
    assert "--charset" in out


def test_ascii_only_stdout_does_not_crash(cart_file: Path) -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii")
    assert check_main([str(cart_file)], stdout=out, stderr=io.StringIO()) == 0
    out.flush()
    assert b"B\\xfcroklammern" in raw.getvalue()


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(max_size=300), as_json=st.booleans())
def test_garbage_never_tracebacks(body: bytes, as_json: bool) -> None:
    code, out, err = run(["-", *(["--json"] if as_json else [])], body)
    assert code in (0, 1)
    assert err == ""
    if as_json:
        assert isinstance(json.loads(out), dict)
