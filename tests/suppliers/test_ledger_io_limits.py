"""Ledger translation table import: what an uploaded file may cost, counted on what is really in it.

The hostile workbooks are written by hand (``tests/xlsx_files.py``). No test measures time: each checks what was
read (rows, their numbers), the refusal's message, and that nothing was imported.
"""

from __future__ import annotations

import csv
import itertools

import pytest
from django.utils import translation
from openpyxl.utils import get_column_letter

from ocilink.accounts.models import AuditEvent
from ocilink.core.spreadsheets import Deadline
from ocilink.suppliers.ledger_io import LedgerImportError, RejectedRow, importing, ledger_table_import, reading
from ocilink.suppliers.models import LedgerAccount, LedgerMapping, LedgerTable
from tests import xlsx_files
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = ["code", "account code"]
UNKNOWN_9999 = (
    "There is no ledger account 9999. Create it under Ledger accounts first, or import again with "
    "“create missing accounts”."
)
LAST_EXCEL_ROW = 1_048_576


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


@pytest.fixture
def table(db):  # type: ignore[no-untyped-def]
    organization = OrganizationFactory()
    account = LedgerAccount.objects.create(organization=organization, code="4000", name="Kantoorartikelen")
    table = LedgerTable.objects.create(organization=organization)
    LedgerMapping.objects.create(table=table, code="10000000", account=account)  # there before every import
    return table


def mappings(table):  # type: ignore[no-untyped-def]
    return dict(LedgerMapping.objects.filter(table=table).values_list("code", "account__code"))


BEFORE = {"10000000": "4000"}


def run_import(table, data, **options):  # type: ignore[no-untyped-def]
    return ledger_table_import(
        table=table, data=data, create_missing_accounts=False, actor=UserFactory(), filename="table.xlsx", **options
    )


def refused(table, data, **options) -> str:  # type: ignore[no-untyped-def]
    """The message of a refused import, after checking that it changed nothing."""
    with pytest.raises(LedgerImportError) as refusal:
        run_import(table, data, **options)
    assert mappings(table) == BEFORE
    assert not AuditEvent.objects.filter(action="ledger_table.imported").exists()
    return str(refusal.value)


def declared_huge_with_a_row_far_below() -> bytes:
    """1.6 KB: a dimension of every row and column Excel has, two rows at the top and one at the very bottom."""
    sheet = xlsx_files.sheet_xml(
        xlsx_files.rows([HEADER, [44122104, 4000], [43211500, 4000]])
        + xlsx_files.row(LAST_EXCEL_ROW, [47131700, 4000]),
        dimension="A1:XFD1048576",
    )
    return xlsx_files.workbook(sheet)


# --- only what is there is read, and counted ----------------------------------------------------------------------


def test_a_sheet_that_declares_every_row_yields_only_the_rows_it_holds():
    data = declared_huge_with_a_row_far_below()
    assert len(data) < 2000

    first_ten = list(itertools.islice(reading.read_rows(data), 10))

    assert first_ten == [
        (1, ["code", "account code"]),
        (2, ["44122104", "4000"]),
        (3, ["43211500", "4000"]),
        (LAST_EXCEL_ROW, ["47131700", "4000"]),
    ]


def test_a_sheet_that_declares_every_row_imports_its_three_rows_within_a_limit_of_three(table, monkeypatch):
    monkeypatch.setattr(reading, "MAX_IMPORT_ROWS", 3)

    report = run_import(table, declared_huge_with_a_row_far_below())

    assert (report.rows_read, report.created, report.rejected) == (3, 3, [])
    assert mappings(table) == {**BEFORE, "44122104": "4000", "43211500": "4000", "47131700": "4000"}


def test_a_row_at_a_million_is_one_row_and_keeps_its_number(table):
    data = xlsx_files.workbook(
        xlsx_files.sheet_xml(xlsx_files.row(1, HEADER) + xlsx_files.row(1_000_000, [44122104, 9999]))
    )

    report = run_import(table, data)

    assert report.rows_read == 1
    assert report.rejected == [RejectedRow(1_000_000, "9999", UNKNOWN_9999)]


def test_the_row_limit_counts_rows_far_apart(table, monkeypatch):
    monkeypatch.setattr(reading, "MAX_IMPORT_ROWS", 3)
    far_apart = [(2, 44122104), (10, 43211500), (100_000, 47131700), (LAST_EXCEL_ROW, 44000000)]
    sheet = xlsx_files.row(1, HEADER) + "".join(xlsx_files.row(number, [code, 4000]) for number, code in far_apart)

    message = refused(table, xlsx_files.workbook(xlsx_files.sheet_xml(sheet)))

    assert message == "The file has more than 3 rows. Split it into smaller files and import them one by one."


# --- columns and cells --------------------------------------------------------------------------------------------


def test_a_row_of_16384_values_is_refused(table):
    sheet = xlsx_files.row(1, HEADER) + xlsx_files.row(2, [44122104, 4000, *range(16_382)])

    message = refused(table, xlsx_files.workbook(xlsx_files.sheet_xml(sheet)))

    assert message == (
        "Row 2 has a value in column CW, but only columns A to CV (100 columns) are read. Delete what stands to "
        "the right of the table and try again."
    )


def test_a_row_of_16384_formatted_empty_cells_is_read_for_its_values(table):
    empty = "".join(f'<c r="{get_column_letter(column)}2" s="1"/>' for column in range(3, 16_385))
    sheet = xlsx_files.row(1, HEADER) + '<row r="2">' + xlsx_files.cell(1, 2, 44122104)
    sheet += xlsx_files.cell(2, 2, 4000) + empty + "</row>"

    report = run_import(table, xlsx_files.workbook(xlsx_files.sheet_xml(sheet)))

    assert (report.rows_read, report.created) == (1, 1)
    assert mappings(table) == {**BEFORE, "44122104": "4000"}


def test_a_sheet_with_more_cells_than_allowed_is_refused(table, monkeypatch):
    monkeypatch.setattr(reading, "MAX_IMPORT_CELLS", 7)
    data = xlsx_files.workbook(
        xlsx_files.sheet_xml(xlsx_files.rows([HEADER, [44122104, 4000], [43211500, 4000], [47131700, 4000]]))
    )

    message = refused(table, data)

    assert message == (
        "The file has more than 7 cells, counting empty cells that only carry formatting. Copy the table alone "
        "into a new sheet, or delete the formatting of empty rows and columns, and try again."
    )


def test_a_csv_row_with_a_value_beyond_the_columns_read_is_refused(table):
    data = b"code,account code\n44122104,4000" + b"," * 150 + b"note\n"

    message = refused(table, data)

    assert message.startswith("Row 2 has a value in column EV, but only columns A to CV (100 columns) are read.")


def test_a_csv_row_with_empty_fields_beyond_the_columns_read_is_imported(table):
    report = run_import(table, b"code,account code\n44122104,4000" + b"," * 150 + b"\n")

    assert (report.rows_read, report.created) == (1, 1)


def test_a_csv_with_more_cells_than_allowed_is_refused(table, monkeypatch):
    monkeypatch.setattr(reading, "MAX_IMPORT_CELLS", 5)

    message = refused(table, b"code,account code\n44122104,4000\n43211500,4000\n")

    assert message.startswith("The file has more than 5 cells,")


# --- unpacked size ------------------------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_before_it_is_unpacked(table):
    data = xlsx_files.bomb(tuple(HEADER), 500)
    assert len(data) < 1024 * 1024

    message = refused(table, data)

    assert message == (
        "The workbook unpacks to more than 200 MB, far more than a table needs. Copy the table alone into a new "
        "workbook, save that and try again."
    )


# --- the deadline -------------------------------------------------------------------------------------------------


def test_an_import_past_its_deadline_is_stopped_and_keeps_nothing(table, settings):
    settings.IMPORT_DEADLINE_SECONDS = 0
    data = xlsx_files.workbook(xlsx_files.sheet_xml(xlsx_files.rows([HEADER, [44122104, 4000]])))

    message = refused(table, data)

    assert message == (
        "Importing the file took longer than 0 seconds, so it was stopped and nothing was imported. Split it into "
        "smaller files, or try again when it is less busy."
    )


def test_a_csv_import_past_its_deadline_is_stopped(table):
    message = refused(table, b"code,account code\n44122104,4000\n", deadline=Deadline(0))

    assert message.startswith("Importing the file took longer than 0 seconds")


def test_a_deadline_that_passes_while_the_rows_are_stored_undoes_them(table, monkeypatch):
    now = [0.0]
    deadline = Deadline(30, clock=lambda: now[0])
    apply = importing._apply

    def apply_then_run_late(**arguments):  # type: ignore[no-untyped-def]
        apply(**arguments)
        assert LedgerMapping.objects.filter(table=table, code="44122104").exists()  # written, not yet committed
        now[0] = 31.0

    monkeypatch.setattr(importing, "_apply", apply_then_run_late)
    data = b"code,account code\n44122104,4000\n"

    message = refused(table, data, deadline=deadline)

    assert message.startswith("Importing the file took longer than 30 seconds, so it was stopped")


def test_a_refusal_speaks_dutch_with_dutch_numbers(table, monkeypatch):
    monkeypatch.setattr(reading, "MAX_IMPORT_CELLS", 1_500)
    data = b"code,account code\n" + b"44122104,4000\n" * 800

    with translation.override("nl"):
        message = refused(table, data)

    assert message == (
        "Het bestand heeft meer dan 1.500 cellen, lege cellen met alleen opmaak meegeteld. Kopieer alleen de tabel "
        "naar een nieuw werkblad, of verwijder de opmaak van lege rijen en kolommen, en probeer het opnieuw."
    )


def test_the_csv_delimiter_is_told_from_the_first_two_kilobytes(table, monkeypatch):
    samples: list[int] = []
    sniff = csv.Sniffer.sniff

    def sniff_recorded(self, sample, delimiters=None):  # type: ignore[no-untyped-def]
        samples.append(len(sample))
        return sniff(self, sample, delimiters)

    monkeypatch.setattr(csv.Sniffer, "sniff", sniff_recorded)
    data = b"code;account code;note\n44122104;4000;" + b',"' * 32_768 + b"\n"  # a minute of sniffing, unbounded

    report = run_import(table, data)

    assert samples == [len("code;account code;note")]
    assert (report.rows_read, report.created) == (1, 1)


def test_a_header_that_names_no_columns_is_repeated_in_short(table):
    data = (",".join(f"title {number} " + "x" * 50 for number in range(12)) + "\n1,2\n").encode()

    message = refused(table, data)

    assert message == (
        "The first row must name the columns: code, account code and (optionally) account name. Found: "
        + ", ".join(f"“title {number} " + "x" * (39 - len(f"title {number} ")) + "…”" for number in range(10))
        + ", …. Start from an export of the table to get the columns right."
    )
