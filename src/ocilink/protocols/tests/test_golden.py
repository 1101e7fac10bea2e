"""Golden carts: parse each stored body and compare the report with the expected JSON exactly."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ocilink.protocols.oci import cart_report, parse_cart

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = sorted(path.name.removesuffix(".body") for path in GOLDEN.glob("*.body"))


def _make_golden() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_golden", GOLDEN / "make_golden.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _expected(name: str) -> Any:
    return json.loads((GOLDEN / f"{name}.expected.json").read_text(encoding="utf-8"))


def _content_type(name: str) -> str | None:
    path = GOLDEN / f"{name}.content_type"
    return path.read_text(encoding="ascii").strip() if path.exists() else None


def test_all_cases_present() -> None:
    expected = {
        "utf8_umlauts", "latin1_undeclared", "declared_charset", "text_plain_declared", "zero_based",
        "index_gaps", "longtext_multi", "priceunit_100", "comma_decimals", "thousands_separators",
        "missing_quantity", "unknown_unit", "unknown_field", "empty_cart", "multipart",
    }  # fmt: skip
    assert expected <= set(CASES)
    assert (GOLDEN / "large_2000_lines.expected.json").exists()


@pytest.mark.parametrize("name", CASES)
def test_golden_case(name: str) -> None:
    body = (GOLDEN / f"{name}.body").read_bytes()
    report = cart_report(parse_cart(body, _content_type(name)))
    assert json.loads(json.dumps(report)) == _expected(name)


@pytest.mark.parametrize("name", CASES)
def test_stored_body_matches_generator(name: str) -> None:
    """The stored bodies are exactly what make_golden.py makes (nobody edited one by hand)."""
    body, content_type = _make_golden().cases()[name]
    assert (GOLDEN / f"{name}.body").read_bytes() == body
    assert _content_type(name) == content_type


def test_large_cart() -> None:
    module = _make_golden()
    report = cart_report(parse_cart(module.large_body(), "application/x-www-form-urlencoded"))
    summary = module.large_summary(report)
    assert json.loads(json.dumps(summary)) == _expected("large_2000_lines")
    # The hash covers the whole report; the summary fields make a failure readable.
    canonical = json.dumps(report, sort_keys=True, ensure_ascii=True).encode("ascii")
    assert hashlib.sha256(canonical).hexdigest() == _expected("large_2000_lines")["report_sha256"]
    lines = report["lines"]
    assert isinstance(lines, list)
    assert [line["index"] for line in lines] == list(range(1, 2001))
