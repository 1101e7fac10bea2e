"""Import and export of a ledger translation table as XLSX (openpyxl) or CSV.

A file has one header row naming its columns — ``code``, ``account code`` and optionally ``account name`` (case,
spaces, underscores and dashes do not matter; other columns are ignored) — and one mapping per row below it. An
export has exactly these columns, so an exported file imports again unchanged.

Import rules:

- **Good rows are imported, bad rows are reported** (row number, value, the reason in a sentence), all in one
  transaction: if anything fails half-way, nothing is kept. Importing the corrected file again is safe: rows that
  are already in the table count as unchanged.
- A mapping is matched on its code (normalised for the table's scheme: UNSPSC codes are stored as 8 digits) and
  its account is set to the row's account: created, updated or unchanged. Mappings that are not in the file stay
  as they are.
- Nothing is created silently: an account code that does not exist rejects the row, unless the import's option
  "create missing accounts" is on; then the account is made with the row's account name (a row without one is
  rejected). The name of an existing account is never changed by an import.
- A code that appears twice in the file: the first row counts, the later ones are rejected.
- A file that cannot be read as a whole (not a spreadsheet, no header row with the needed columns, more than
  ``MAX_IMPORT_ROWS`` rows, too large) is refused with one message and changes nothing.

Export: a value that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return could run as a formula in
a spreadsheet program. In CSV it gets a leading apostrophe (which the import removes again); in XLSX the cell is
written as text with Excel's "quote prefix", so it is shown as typed and never becomes a formula.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ocilink.accounts.audit import audit_log

from .ledger import (
    LedgerError,
    ledger_account_code_normalise,
    ledger_code_key,
    ledger_code_normalise,
)
from .models import LedgerAccount, LedgerMapping, LedgerTable

# Biggest import, in data rows: a generous UNSPSC table has some thousands; 50,000 keeps a request short.
MAX_IMPORT_ROWS = 50_000
# Biggest upload: 50,000 rows of CSV are about 3 MB; XLSX is smaller.
MAX_IMPORT_BYTES = 10 * 1024 * 1024
# Biggest XLSX once unpacked: guards against a "zip bomb" that is small on the wire.
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024
# How many rejected rows the report page lists; the counts always cover all of them.
MAX_REPORTED_REJECTIONS = 1_000

COLUMNS = ("code", "account code", "account name")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XLSX_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_HEADER_SEPARATORS = re.compile(r"[\s_\-]+")
# How much of each XML part of a workbook is searched for a DTD: the prolog, where a DTD must stand.
_PROLOG_BYTES = 64 * 1024
_ACCOUNT_NAME_MAX = LedgerAccount._meta.get_field("name").max_length or 200


class LedgerImportError(Exception):
    """The file as a whole cannot be imported; the message says why and what to do. Nothing was changed."""


@dataclass(frozen=True)
class RejectedRow:
    row: int
    value: str
    reason: str


@dataclass
class ImportReport:
    """What an import did: counts of mappings and the rows it rejected."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    accounts_created: list[str] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)

    @property
    def rejected_shown(self) -> list[RejectedRow]:
        return self.rejected[:MAX_REPORTED_REJECTIONS]


# --- export ---------------------------------------------------------------------------------------------------


def ledger_table_rows(*, table: LedgerTable) -> list[tuple[str, str, str]]:
    """The table's mappings as (code, account code, account name), sorted by code; one query."""
    mappings = LedgerMapping.objects.filter(table=table).select_related("account").order_by("code", "pk")
    return [(mapping.code, mapping.account.code, mapping.account.name) for mapping in mappings]


def escape_formula(value: str) -> str:
    """Prefix a value a spreadsheet program would run as a formula with an apostrophe."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _unescape_formula(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(_FORMULA_STARTS):
        return value[1:]
    return value


def ledger_table_export_csv(*, table: LedgerTable, delimiter: str = ",") -> bytes:
    """UTF-8 with a byte order mark (so Excel reads the accents right), CRLF line ends, formulas escaped."""
    if delimiter not in (",", ";"):
        raise ValueError("delimiter must be ',' or ';'")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in ledger_table_rows(table=table):
        writer.writerow([escape_formula(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def ledger_table_export_xlsx(*, table: LedgerTable) -> bytes:
    """One sheet, every value a text cell (so codes keep their leading zeros); formula-like values quote-prefixed."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Ledger translation table")[:31])
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 40

    def text_cell(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=_ILLEGAL_XLSX_CHARACTERS.sub("", value))
        cell.data_type = "s"  # never a formula, whatever the value starts with
        cell.number_format = "@"
        if value.startswith(_FORMULA_STARTS):
            cell.quotePrefix = True
        return cell

    sheet.append([text_cell(name) for name in COLUMNS])
    for row in ledger_table_rows(table=table):
        sheet.append([text_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- reading a file -------------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    """A cell as the text a person sees: 44122104 not 44122104.0, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return _unescape_formula(str(value).strip())


def _declares_doctype(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether an XML part of the workbook starts with a DTD (entities could expand or point outside the file).

    Defence in depth: openpyxl parses with entity resolution off (lxml) or with expat's own limits (stdlib).
    """
    if not info.filename.endswith((".xml", ".rels")):
        return False
    with archive.open(info) as member:
        head = member.read(_PROLOG_BYTES)
    return b"<!DOCTYPE" in head or b"<!ENTITY" in head


def _rows_xlsx(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names:
                raise LedgerImportError(
                    _("The file is a ZIP archive but not an Excel workbook (.xlsx). Save the table as .xlsx or as CSV.")
                )
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED_BYTES:
                raise LedgerImportError(_("The workbook is too large once unpacked. Split it or save it as CSV."))
            if any(_declares_doctype(archive, info) for info in archive.infolist()):
                raise LedgerImportError(
                    _(
                        "The workbook contains XML with a document type declaration, which Excel never writes. "
                        "Save it again in Excel or as CSV."
                    )
                )
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise LedgerImportError(_("The file looks like an Excel workbook but is damaged; save it again.")) from exc
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or unusual workbook
        raise LedgerImportError(
            _("The workbook cannot be read (%(error)s). Save it again as .xlsx or as CSV.") % {"error": exc}
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            yield number, [_cell_text(value) for value in row]
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:  # what Excel writes for "CSV (comma delimited)" on a Western European Windows
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise LedgerImportError(
            _("The file is not a spreadsheet: it is neither an Excel workbook (.xlsx) nor a text (CSV) file.")
        ) from exc


def _rows_csv(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decode(data)
    first_lines = "\n".join(text.splitlines()[:20])
    try:
        delimiter = csv.Sniffer().sniff(first_lines, delimiters=";,\t").delimiter
    except csv.Error:
        header = text.splitlines()[0] if text else ""
        delimiter = max(";,\t", key=header.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            yield number, [_cell_text(value) for value in row]
    except csv.Error as exc:
        raise LedgerImportError(
            _("Row %(row)s of the CSV file cannot be read (%(error)s); correct it and import again.")
            % {"row": number + 1, "error": exc}
        ) from exc


def read_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """(row number as a spreadsheet program shows it, the cells as text) for XLSX or CSV data, by content."""
    head = data[:8]
    if head.startswith(b"PK\x03\x04"):
        return _rows_xlsx(data)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise LedgerImportError(
            _(
                "This is an old Excel file (.xls) or a workbook with a password. Save it as an Excel workbook (.xlsx) "
                "without a password, or as CSV, and import that."
            )
        )
    if head.startswith(b"%PDF"):
        raise LedgerImportError(_("This is a PDF document, not a spreadsheet. Import an .xlsx or a CSV file."))
    if b"\x00" in data[:65536]:
        raise LedgerImportError(
            _("The file is not a spreadsheet: it is neither an Excel workbook (.xlsx) nor a text (CSV) file.")
        )
    return _rows_csv(data)


def _header_key(value: str) -> str:
    return _HEADER_SEPARATORS.sub(" ", value.strip().casefold()).strip()


_HEADER_ALIASES = {
    "code": "code",
    "category code": "code",
    "account code": "account code",
    "account": "account code",
    "account name": "account name",
}


def _columns(header: list[str]) -> dict[str, int]:
    """Column positions by name; raises LedgerImportError naming what is missing and what was found."""
    positions: dict[str, int] = {}
    for position, title in enumerate(header):
        name = _HEADER_ALIASES.get(_header_key(title))
        if name is None:
            continue
        if name in positions:
            raise LedgerImportError(
                _("The column “%(column)s” appears twice in the first row; keep one.") % {"column": name}
            )
        positions[name] = position
    if "code" not in positions or "account code" not in positions:
        found = ", ".join(f"“{title}”" for title in header if title) or _("nothing")
        raise LedgerImportError(
            _(
                "The first row must name the columns: code, account code and (optionally) account name. "
                "Found: %(found)s. Start from an export of the table to get the columns right."
            )
            % {"found": found}
        )
    return positions


@dataclass(frozen=True)
class _Row:
    number: int
    code: str
    account_code: str
    account_name: str


def _cell(cells: list[str], positions: dict[str, int], name: str) -> str:
    position = positions.get(name)
    return cells[position] if position is not None and position < len(cells) else ""


def _parse(data: bytes) -> list[_Row]:
    if len(data) > MAX_IMPORT_BYTES:
        raise LedgerImportError(
            _("The file is larger than %(size)s MB. Split it into smaller files.")
            % {"size": MAX_IMPORT_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise LedgerImportError(_("The file is empty."))
    positions: dict[str, int] | None = None
    rows: list[_Row] = []
    for number, cells in read_rows(data):
        if not any(cells):
            continue
        if positions is None:
            positions = _columns(cells)
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            raise LedgerImportError(
                _("The file has more than %(limit)s rows. Split it into smaller files and import them one by one.")
                % {"limit": f"{MAX_IMPORT_ROWS:,}"}
            )
        rows.append(
            _Row(
                number,
                _cell(cells, positions, "code"),
                _cell(cells, positions, "account code"),
                _cell(cells, positions, "account name"),
            )
        )
    if positions is None:
        raise LedgerImportError(_("The file is empty."))
    return rows


# --- import ---------------------------------------------------------------------------------------------------


def ledger_table_import(
    *, table: LedgerTable, data: bytes, create_missing_accounts: bool, actor: Any, filename: str = ""
) -> ImportReport:
    """Upsert the file's mappings into the table; see the module's docstring for the rules.

    Raises LedgerImportError (and changes nothing) when the file as a whole cannot be used.
    """
    rows = _parse(data)
    report = ImportReport()
    try:
        with transaction.atomic():
            # One import at a time per table: a second one waits here and then sees the first one's result.
            table = LedgerTable.objects.select_for_update(of=("self",)).select_related("organization").get(pk=table.pk)
            _apply(table=table, rows=rows, create_missing_accounts=create_missing_accounts, report=report)
            audit_log(
                organization=table.organization,
                actor=actor,
                action="ledger_table.imported",
                obj=table,
                summary=_(
                    "%(file)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                    "%(rejected)s rejected, %(accounts)s accounts created"
                )
                % {
                    "file": filename or "-",
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "rejected": len(report.rejected),
                    "accounts": len(report.accounts_created),
                },
            )
    except IntegrityError as exc:  # someone changed the same table or accounts at this very moment
        raise LedgerImportError(
            _("The table or its accounts were changed at the same time by someone else. Import the file again.")
        ) from exc
    return report


def _apply(*, table: LedgerTable, rows: list[_Row], create_missing_accounts: bool, report: ImportReport) -> None:
    organization = table.organization
    scheme = table.scheme
    existing: dict[str, LedgerMapping] = {}
    for stored in LedgerMapping.objects.filter(table=table).order_by("code", "pk"):
        existing.setdefault(ledger_code_key(scheme=scheme, code=stored.code), stored)
    accounts = {account.code: account for account in LedgerAccount.objects.filter(organization=organization)}
    new_accounts: dict[str, LedgerAccount] = {}
    seen: dict[str, int] = {}
    to_create: list[LedgerMapping] = []
    to_update: list[LedgerMapping] = []

    def reject(row: _Row, value: str, reason: str) -> None:
        report.rejected.append(RejectedRow(row=row.number, value=value, reason=reason))

    for row in rows:
        try:
            code = ledger_code_normalise(scheme=scheme, code=row.code)
        except LedgerError as exc:
            reject(row, row.code, str(exc))
            continue
        key = ledger_code_key(scheme=scheme, code=code)
        if key in seen:
            reject(
                row,
                row.code,
                _("The code %(code)s already appeared on row %(row)s; each code may appear only once.")
                % {"code": row.code, "row": seen[key]},
            )
            continue
        seen[key] = row.number
        if not row.account_code:
            reject(row, row.code, _("The account code is empty; every row needs the ledger account it books to."))
            continue
        account = accounts.get(row.account_code)
        if account is None:
            if not create_missing_accounts:
                reject(
                    row,
                    row.account_code,
                    _(
                        "There is no ledger account %(account)s. Create it under Ledger accounts first, or import "
                        "again with “create missing accounts”."
                    )
                    % {"account": row.account_code},
                )
                continue
            problem = _new_account_problem(row)
            if problem:
                reject(row, row.account_code, problem)
                continue
            account = LedgerAccount(
                organization=organization, code=row.account_code, name=row.account_name[:_ACCOUNT_NAME_MAX]
            )
            accounts[row.account_code] = new_accounts[row.account_code] = account
        mapping = existing.get(key)
        if mapping is not None and mapping.account_id is not None and mapping.account_id == account.pk:
            report.unchanged += 1
            continue
        if not account.is_active:
            reject(
                row,
                row.account_code,
                _("The ledger account %(account)s is deactivated. Reactivate it or choose another account.")
                % {"account": row.account_code},
            )
            continue
        if mapping is None:
            to_create.append(LedgerMapping(table=table, code=code, account=account))
            report.created += 1
        else:
            mapping.account = account
            to_update.append(mapping)
            report.updated += 1

    if new_accounts:
        LedgerAccount.objects.bulk_create(new_accounts.values(), batch_size=1000)
        report.accounts_created = sorted(new_accounts)
    LedgerMapping.objects.bulk_create(to_create, batch_size=1000)
    LedgerMapping.objects.bulk_update(to_update, ["account"], batch_size=1000)


def _new_account_problem(row: _Row) -> str:
    try:
        ledger_account_code_normalise(row.account_code)
    except LedgerError as exc:
        return str(exc)
    if not row.account_name:
        return _(
            "There is no ledger account %(account)s; to create it, the row needs the account's name in the column "
            "“account name”."
        ) % {"account": row.account_code}
    return ""
