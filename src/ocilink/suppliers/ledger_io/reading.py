"""Reading an uploaded file, XLSX or CSV told apart by content, into rows of text: the header row names the columns,
and a file that cannot be read as a whole is refused with one message that says what to do."""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from .file_format import _unescape_formula

# Biggest import, in data rows: a generous UNSPSC table has some thousands; 50,000 keeps a request short.
MAX_IMPORT_ROWS = 50_000
# Biggest upload: 50,000 rows of CSV are about 3 MB; XLSX is smaller.
MAX_IMPORT_BYTES = 10 * 1024 * 1024
# Biggest XLSX once unpacked: guards against a "zip bomb" that is small on the wire.
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024

_HEADER_SEPARATORS = re.compile(r"[\s_\-]+")
# How much of each XML part of a workbook is searched for a DTD: the prolog, where a DTD must stand.
_PROLOG_BYTES = 64 * 1024


class LedgerImportError(Exception):
    """The file as a whole cannot be imported; the message says why and what to do. Nothing was changed."""


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
