"""The bounded XLSX reader and the formula escape shared by every spreadsheet ocilink reads or writes."""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Iterator
from datetime import datetime

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ocilink.core.spreadsheets import (
    FORMULA_STARTS,
    Deadline,
    SheetLimits,
    SpreadsheetRefused,
    formula_escape,
    formula_unescape,
    xlsx_rows,
)
from tests import xlsx_files


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


LIMITS = SheetLimits(max_unpacked_bytes=50 * 1024 * 1024, max_columns=20, max_cells=10_000)
MAIN = xlsx_files.MAIN


def read(data: bytes, limits: SheetLimits = LIMITS, deadline: Deadline | None = None) -> list[tuple[int, list[object]]]:
    return list(xlsx_rows(data, limits=limits, deadline=deadline or Deadline(60)))


def refusal(data: bytes, limits: SheetLimits = LIMITS, deadline: Deadline | None = None) -> SpreadsheetRefused:
    with pytest.raises(SpreadsheetRefused) as refused:
        read(data, limits, deadline)
    return refused.value


def streamed(start: str, repeated: str, times: int, end: str) -> Iterator[bytes]:
    yield start.encode()
    block = repeated.encode() * 10_000
    for _ in range(times // 10_000):
        yield block
    yield end.encode()


# --- the formula escape -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_value_that_would_run_as_a_formula_gets_an_apostrophe(start):
    assert formula_escape(start + "1+1") == "'" + start + "1+1"
    assert formula_escape("1" + start) == "1" + start


@given(st.text())
def test_the_escape_is_undone_by_the_unescape(value):
    assert formula_unescape(formula_escape(value)) == value


# --- what is read -------------------------------------------------------------------------------------------------


def test_an_openpyxl_workbook_reads_as_openpyxl_wrote_it():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "when", "yes", "ratio"])
    sheet.append([44122104, datetime.fromisoformat("2024-12-04"), True, 1.5])
    sheet.append([])
    sheet.append([None, None, None, "last"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    assert read(buffer.getvalue()) == [
        (1, ["code", "when", "yes", "ratio"]),
        (2, [44122104, datetime.fromisoformat("2024-12-04"), True, 1.5]),
        (4, [None, None, None, "last"]),
    ]


def test_a_declared_dimension_is_ignored_and_only_rows_with_a_value_are_read():
    sheet = xlsx_files.sheet_xml(
        xlsx_files.row(1, ["a"]) + '<row r="2"><c r="B2" s="1"/></row>' + xlsx_files.row(1_048_576, ["z"]),
        dimension="A1:XFD1048576",
    )

    assert read(xlsx_files.workbook(sheet)) == [(1, ["a"]), (1_048_576, ["z"])]


def test_rows_and_cells_without_references_are_numbered_in_order():
    sheet = xlsx_files.sheet_xml(
        "<row><c><v>1</v></c><c><v>2</v></c></row><row/><row><c/><c><v>3</v></c></row>"
        '<row r="7"><c r="C7"><v>4</v></c><c><v>5</v></c></row>'
    )

    assert read(xlsx_files.workbook(sheet)) == [(1, [1, 2]), (3, [None, 3]), (7, [None, None, 4, 5])]


def test_shared_strings_rich_text_and_escaped_characters_are_read_as_text():
    strings = (
        f'<sst xmlns="{MAIN}"><si><t>plain</t></si>'
        "<si><r><t>rich </t></r><r><rPr><b/></rPr><t>text</t></r><rPh><t>phonetic</t></rPh></si>"
        "<si><t>line_x000D_break and _x005F_x000D_ kept</t></si></sst>"
    )
    sheet = xlsx_files.sheet_xml(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
        '<c r="D1" t="str"><f>A1</f><v>result</v></c><c r="E1" t="e"><v>#N/A</v></c><c r="F1"><f>1+1</f></c></row>'
    )

    assert read(xlsx_files.workbook(sheet, shared_strings=strings)) == [
        (1, ["plain", "rich text", "line\rbreak and _x000D_ kept", "result", "#N/A"])
    ]


def test_dates_follow_the_styles_and_the_1904_calendar():
    styles = (
        f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
        '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'
        '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs></styleSheet>'
    )
    workbook_1904 = xlsx_files.WORKBOOK.replace("<sheets>", '<workbookPr date1904="1"/><sheets>')
    sheet = xlsx_files.sheet_xml('<row r="1"><c r="A1"><v>45630</v></c><c r="B1" s="1"><v>45630</v></c></row>')

    assert read(xlsx_files.workbook(sheet, styles=styles)) == [(1, [45630, datetime.fromisoformat("2024-12-04")])]
    assert read(xlsx_files.workbook(sheet, styles=styles, workbook_xml=workbook_1904)) == [
        (1, [45630, datetime.fromisoformat("2028-12-05")])
    ]


def test_what_follows_the_sheet_data_is_not_read():
    sheet = xlsx_files.sheet_xml(xlsx_files.row(1, ["a"])).replace(
        "</worksheet>", "<mergeCells>" + "<mergeCell/>" * 200_000 + "</mergeCells></worksheet>"
    )

    assert read(xlsx_files.workbook(sheet)) == [(1, ["a"])]


# --- refused ------------------------------------------------------------------------------------------------------


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("word/document.xml", "<w/>")

    assert refusal(buffer.getvalue()).kind == "not_xlsx"


@pytest.mark.parametrize(
    "sheet_data",
    [
        '<row r="1048577"><c><v>1</v></c></row>',  # below Excel's last row
        '<row r="x"><c><v>1</v></c></row>',
        '<row r="1"><c r="XFE1"><v>1</v></c></row>',  # right of Excel's last column
        '<row r="1"><c r="A1" t="s"><v>5</v></c></row>',  # no such shared string
        '<row r="1"><c r="A1"><v>one</v></c></row>',
        '<row r="1"><c r="A1"><v>1</v></c>',  # not well-formed
    ],
)
def test_a_damaged_sheet_is_refused(sheet_data):
    assert refusal(xlsx_files.workbook(xlsx_files.sheet_xml(sheet_data))).kind == "damaged"


def test_a_document_type_declaration_in_any_part_read_is_refused():
    strings = f'<?xml version="1.0"?>\n<!DOCTYPE sst [<!ENTITY a "aaaa">]><sst xmlns="{MAIN}"><si><t>&a;</t></si></sst>'
    sheet = xlsx_files.sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')

    refused = refusal(xlsx_files.workbook(sheet, shared_strings=strings))

    assert refused.kind == "doctype"
    assert str(refused) == (
        "The workbook contains XML with a document type declaration, which Excel never writes. Save it again in "
        "Excel and try again."
    )


def test_a_workbook_declared_larger_than_allowed_is_refused_before_it_is_unpacked():
    limits = SheetLimits(max_unpacked_bytes=1024 * 1024, max_columns=20, max_cells=10_000)

    refused = refusal(xlsx_files.bomb(("a",), 2), limits)

    assert refused.kind == "unpacked"
    assert str(refused).startswith("The workbook unpacks to more than 1 MB,")


def test_a_styles_bomb_is_refused_without_reading_it_all():
    styles = streamed(f'<styleSheet xmlns="{MAIN}"><cellXfs>', "<xf/>", 200_000, "</cellXfs></styleSheet>")

    assert refusal(xlsx_files.workbook(xlsx_files.sheet_xml(""), styles=styles)).kind == "damaged"


def test_a_shared_string_bomb_counts_as_cells():
    strings = streamed(f'<sst xmlns="{MAIN}">', "<si><t/></si>", 20_000, "</sst>")

    refused = refusal(xlsx_files.workbook(xlsx_files.sheet_xml(""), shared_strings=strings))

    assert refused.kind == "cells"
    assert str(refused).startswith("The file has more than 10,000 cells,")


def test_elements_piling_up_in_one_place_are_refused():
    sheet = b"".join(
        streamed(f'<worksheet xmlns="{MAIN}"><cols>', "<col/>", 110_000, "</cols><sheetData/></worksheet>")
    )

    assert refusal(xlsx_files.workbook(sheet)).kind == "damaged"


def test_formatted_empty_cells_count_as_cells():
    empty = "".join(f'<c r="{get_column_letter(column)}1" s="1"/>' for column in range(2, 10_002))
    sheet = xlsx_files.sheet_xml('<row r="1"><c r="A1"><v>1</v></c>' + empty + "</row>")

    assert refusal(xlsx_files.workbook(sheet)).kind == "cells"


def test_the_deadline_stops_reading_half_way():
    ticks = itertools.count()
    deadline = Deadline(20, clock=lambda: next(ticks))  # each look at the clock is a second later
    sheet = xlsx_files.sheet_xml(xlsx_files.rows([[number] for number in range(1, 8_001)]))
    rows: list[tuple[int, list[object]]] = []

    with pytest.raises(SpreadsheetRefused) as refused:
        rows.extend(xlsx_rows(xlsx_files.workbook(sheet), limits=LIMITS, deadline=deadline))

    assert refused.value.kind == "deadline"
    assert 0 < len(rows) < 8_000
