"""Ledger translation table: import from and export to XLSX and CSV, with a report of rejected rows."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from ocilink.accounts.models import AuditEvent
from ocilink.suppliers.ledger_io import (
    ImportReport,
    LedgerImportError,
    RejectedRow,
    ledger_table_export_csv,
    ledger_table_export_xlsx,
    ledger_table_import,
    reading,
)
from ocilink.suppliers.models import LedgerAccount, LedgerMapping, LedgerTable
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

UNKNOWN_9999 = (
    "There is no ledger account 9999. Create it under Ledger accounts first, or import again with "
    "“create missing accounts”."
)


@pytest.fixture
def org(db):  # type: ignore[no-untyped-def]
    return OrganizationFactory()


@pytest.fixture
def admin(db):  # type: ignore[no-untyped-def]
    return UserFactory()


@pytest.fixture
def accounts(org):  # type: ignore[no-untyped-def]
    return {
        code: LedgerAccount.objects.create(organization=org, code=code, name=name)
        for code, name in [("4000", "Kantoorartikelen"), ("4100", "ICT"), ("4200", "Schoonmaak, hygiëne")]
    }


@pytest.fixture
def unspsc_table(org):  # type: ignore[no-untyped-def]
    return LedgerTable.objects.create(organization=org)


@pytest.fixture
def exact_table(org):  # type: ignore[no-untyped-def]
    return LedgerTable.objects.create(organization=org, scheme=LedgerTable.Scheme.EXACT)


def mappings(table):  # type: ignore[no-untyped-def]
    return dict(LedgerMapping.objects.filter(table=table).values_list("code", "account__code"))


def xlsx(rows):  # type: ignore[no-untyped-def]
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run_import(table, data, admin, *, create_missing_accounts=False):  # type: ignore[no-untyped-def]
    return ledger_table_import(
        table=table, data=data, create_missing_accounts=create_missing_accounts, actor=admin, filename="table.csv"
    )


# --- export ---------------------------------------------------------------------------------------------------


def test_csv_export_is_utf8_with_bom_and_one_row_per_mapping(unspsc_table, accounts):
    LedgerMapping.objects.create(table=unspsc_table, code="47131700", account=accounts["4200"])
    LedgerMapping.objects.create(table=unspsc_table, code="44122104", account=accounts["4000"])

    exported = ledger_table_export_csv(table=unspsc_table)

    assert (
        exported
        == (
            "\ufeffcode,account code,account name\r\n"
            "44122104,4000,Kantoorartikelen\r\n"
            '47131700,4200,"Schoonmaak, hygiëne"\r\n'
        ).encode()
    )


def test_csv_export_with_semicolons(unspsc_table, accounts):
    LedgerMapping.objects.create(table=unspsc_table, code="44122104", account=accounts["4000"])

    exported = ledger_table_export_csv(table=unspsc_table, delimiter=";")

    assert exported == "\ufeffcode;account code;account name\r\n44122104;4000;Kantoorartikelen\r\n".encode()


def test_xlsx_export_holds_text_cells(unspsc_table, accounts):
    LedgerMapping.objects.create(table=unspsc_table, code="44122104", account=accounts["4000"])

    sheet = load_workbook(io.BytesIO(ledger_table_export_xlsx(table=unspsc_table))).worksheets[0]

    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["code", "account code", "account name"],
        ["44122104", "4000", "Kantoorartikelen"],
    ]
    assert {cell.data_type for row in sheet.iter_rows() for cell in row} == {"s"}


def test_export_escapes_values_a_spreadsheet_would_run_as_formulas(exact_table, org):
    risky = LedgerAccount.objects.create(organization=org, code="+31", name="@SUM(A1)")
    LedgerMapping.objects.create(table=exact_table, code='=HYPERLINK("http://x","y")', account=risky)
    LedgerMapping.objects.create(table=exact_table, code="-2", account=risky)

    exported_csv = ledger_table_export_csv(table=exact_table).decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(ledger_table_export_xlsx(table=exact_table))).worksheets[0]

    assert exported_csv.splitlines() == [
        "code,account code,account name",
        "'-2,'+31,'@SUM(A1)",
        '"\'=HYPERLINK(""http://x"",""y"")",\'+31,\'@SUM(A1)',
    ]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert [cell.value for cell in cells] == ["-2", "+31", "@SUM(A1)", '=HYPERLINK("http://x","y")', "+31", "@SUM(A1)"]
    assert [(cell.data_type, cell.quotePrefix) for cell in cells] == [("s", True)] * 6


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "csv;"])
def test_an_exported_table_imports_again_unchanged(exact_table, org, accounts, admin, fmt):
    risky = LedgerAccount.objects.create(organization=org, code="-1", name="=cmd")
    for code, target in [("Kantoor", accounts["4000"]), ("ICT;hard,ware", accounts["4100"]), ("@x", risky)]:
        LedgerMapping.objects.create(table=exact_table, code=code, account=target)
    before = mappings(exact_table)
    if fmt == "xlsx":
        exported = ledger_table_export_xlsx(table=exact_table)
    else:
        exported = ledger_table_export_csv(table=exact_table, delimiter=fmt[3:] or ",")

    report = run_import(exact_table, exported, admin)

    assert report == ImportReport(created=0, updated=0, unchanged=3, accounts_created=[], rejected=[])
    assert mappings(exact_table) == before


# --- import ---------------------------------------------------------------------------------------------------


def test_csv_import_keeps_the_good_rows_and_reports_the_bad_ones(unspsc_table, accounts, admin):
    data = (
        b"code;account code;account name\n"
        b"44122104;4000;Kantoorartikelen\n"
        b";4000;Kantoorartikelen\n"
        b"44.12.21.04;4100;ICT\n"
        b"43211500;9999;Onbekend\n"
        b"office;4000;\n"
        b"43211600;;\n"
        b"\n"
        b"44;4200;\n"
    )

    report = run_import(unspsc_table, data, admin)

    assert report.rejected == [
        RejectedRow(3, "", "The code is empty; enter the category code the supplier sends."),
        RejectedRow(
            4,
            "44.12.21.04",
            "The code 44.12.21.04 already appeared on row 2; each code may appear only once.",
        ),
        RejectedRow(5, "9999", UNKNOWN_9999),
        RejectedRow(
            6,
            "office",
            "“office” is not a UNSPSC code: use 8 digits (for example 44122104), or 2, 4 or 6 digits for a whole "
            "segment, family or class.",
        ),
        RejectedRow(7, "43211600", "The account code is empty; every row needs the ledger account it books to."),
    ]
    assert (report.created, report.updated, report.unchanged, report.accounts_created) == (2, 0, 0, [])
    assert mappings(unspsc_table) == {"44122104": "4000", "44000000": "4200"}


def test_xlsx_import_reads_numbers_as_codes_and_reports_bad_rows(unspsc_table, accounts, admin):
    data = xlsx(
        [
            ["Code", "Account_Code", "Account Name", "remark"],
            [44122104, 4000, "Kantoorartikelen", "numbers, as Excel stores them"],
            [43211500.0, "4100", None, None],
            [None, None, None, None],
            ["43211600", 9999, "Onbekend", None],
            [None, 4000, None, None],
        ]
    )

    report = run_import(unspsc_table, data, admin)

    assert report.rejected == [
        RejectedRow(5, "9999", UNKNOWN_9999),
        RejectedRow(6, "", "The code is empty; enter the category code the supplier sends."),
    ]
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert mappings(unspsc_table) == {"44122104": "4000", "43211500": "4100"}


def test_import_updates_mappings_in_the_file_and_leaves_the_others(unspsc_table, accounts, admin):
    LedgerMapping.objects.create(table=unspsc_table, code="44122104", account=accounts["4000"])
    LedgerMapping.objects.create(table=unspsc_table, code="43211500", account=accounts["4100"])
    LedgerMapping.objects.create(table=unspsc_table, code="47131700", account=accounts["4200"])

    report = run_import(unspsc_table, b"code,account code\n44122104,4100\n43211500,4100\n", admin)

    assert (report.created, report.updated, report.unchanged, report.rejected) == (0, 1, 1, [])
    assert mappings(unspsc_table) == {"44122104": "4100", "43211500": "4100", "47131700": "4200"}


def test_create_missing_accounts_makes_accounts_with_the_rows_name(unspsc_table, accounts, admin, org):
    data = b"code,account code,account name\n44122104,4700,Drukwerk\n43211500,4700,Other name\n43211600,4800,\n"

    report = run_import(unspsc_table, data, admin, create_missing_accounts=True)

    assert report.accounts_created == ["4700"]
    assert report.rejected == [
        RejectedRow(
            4,
            "4800",
            "There is no ledger account 4800; to create it, the row needs the account's name in the column "
            "“account name”.",
        )
    ]
    assert LedgerAccount.objects.get(organization=org, code="4700").name == "Drukwerk"
    assert mappings(unspsc_table) == {"44122104": "4700", "43211500": "4700"}


def test_an_account_of_another_organization_is_unknown(unspsc_table, admin):
    other = OrganizationFactory()
    LedgerAccount.objects.create(organization=other, code="9999", name="Elsewhere")

    report = run_import(unspsc_table, b"code,account code\n44122104,9999\n", admin)

    assert report.rejected == [RejectedRow(2, "9999", UNKNOWN_9999)]
    assert mappings(unspsc_table) == {}


def test_a_deactivated_account_is_refused_for_new_mappings_but_kept_where_unchanged(unspsc_table, accounts, admin):
    closed = accounts["4000"]
    LedgerMapping.objects.create(table=unspsc_table, code="44122104", account=closed)
    closed.is_active = False
    closed.save()

    report = run_import(unspsc_table, b"code,account code\n44122104,4000\n43211500,4000\n", admin)

    assert report.unchanged == 1
    assert report.rejected == [
        RejectedRow(3, "4000", "The ledger account 4000 is deactivated. Reactivate it or choose another account.")
    ]
    assert mappings(unspsc_table) == {"44122104": "4000"}


def test_exact_codes_are_duplicates_whatever_their_case(exact_table, accounts, admin):
    report = run_import(exact_table, b"code,account code\nKantoor,4000\n KANTOOR ,4100\n", admin)

    assert report.rejected == [
        RejectedRow(3, "KANTOOR", "The code KANTOOR already appeared on row 2; each code may appear only once.")
    ]
    assert mappings(exact_table) == {"Kantoor": "4000"}


def test_a_windows_1252_csv_is_read(exact_table, accounts, admin):
    data = "code;account code\nhygiëne;4200\n".encode("cp1252")

    report = run_import(exact_table, data, admin)

    assert report.created == 1
    assert mappings(exact_table) == {"hygiëne": "4200"}


def test_an_import_is_written_to_the_audit_trail(unspsc_table, accounts, admin, org):
    run_import(unspsc_table, b"code,account code\n44122104,4000\n43211500,9999\n", admin)

    event = AuditEvent.objects.get(organization=org, action="ledger_table.imported")
    assert event.summary == "table.csv: 1 created, 0 updated, 0 unchanged, 1 rejected, 0 accounts created"
    assert event.actor == admin


# --- files refused as a whole ---------------------------------------------------------------------------------


def _zip(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "hello")
    return buffer.getvalue()


def _with_doctype() -> bytes:
    """A real workbook whose sheet declares an external entity (an XXE attempt)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([["code", "account code"], ["44122104", "4000"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + content
            target.writestr(info, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"foo;bar\n44122104;4000\n",
            "The first row must name the columns: code, account code and (optionally) account name. Found: “foo”, "
            "“bar”. Start from an export of the table to get the columns right.",
        ),
        (
            b"code;name\n44122104;4000\n",
            "The first row must name the columns: code, account code and (optionally) account name. Found: “code”, "
            "“name”. Start from an export of the table to get the columns right.",
        ),
        (
            b"code,code,account code\n",
            "The column “code” appears twice in the first row; keep one.",
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
            "The file is not a spreadsheet: it is neither an Excel workbook (.xlsx) nor a text (CSV) file.",
        ),
        (b"%PDF-1.7\n%\xe2\xe3", "This is a PDF document, not a spreadsheet. Import an .xlsx or a CSV file."),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50,
            "This is an old Excel file (.xls) or a workbook with a password. Save it as an Excel workbook (.xlsx) "
            "without a password, or as CSV, and import that.",
        ),
        (
            _zip("word/document.xml"),
            "The file is a ZIP archive but not an Excel workbook (.xlsx). Save the table as .xlsx or as CSV.",
        ),
        (b"PK\x03\x04broken", "The file looks like an Excel workbook but is damaged; save it again."),
        (
            _with_doctype(),
            "The workbook contains XML with a document type declaration, which Excel never writes. Save it again in "
            "Excel or as CSV.",
        ),
        (b"", "The file is empty."),
        (b"\n\n;;\n", "The file is empty."),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_whole(unspsc_table, accounts, admin, data, message):
    LedgerMapping.objects.create(table=unspsc_table, code="44122104", account=accounts["4100"])

    with pytest.raises(LedgerImportError) as refused:
        run_import(unspsc_table, data, admin)

    assert str(refused.value) == message
    assert mappings(unspsc_table) == {"44122104": "4100"}
    assert not AuditEvent.objects.filter(action="ledger_table.imported").exists()


def test_a_file_with_too_many_rows_is_refused_whole(unspsc_table, accounts, admin, monkeypatch):
    monkeypatch.setattr(reading, "MAX_IMPORT_ROWS", 3)
    data = b"code,account code\n" + b"".join(f"4412210{n},4000\n".encode() for n in range(4))

    with pytest.raises(LedgerImportError) as refused:
        run_import(unspsc_table, data, admin)

    assert str(refused.value) == (
        "The file has more than 3 rows. Split it into smaller files and import them one by one."
    )
    assert mappings(unspsc_table) == {}


def test_a_file_of_exactly_the_row_limit_is_imported(unspsc_table, accounts, admin, monkeypatch):
    monkeypatch.setattr(reading, "MAX_IMPORT_ROWS", 3)
    data = b"code,account code\n" + b"".join(f"4412210{n},4000\n".encode() for n in range(3))

    report = run_import(unspsc_table, data, admin)

    assert report.created == 3
