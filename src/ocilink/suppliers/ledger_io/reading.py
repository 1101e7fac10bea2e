"""Reading an uploaded file, XLSX or CSV told apart by content, into rows of text: the header row names the columns,
and a file that cannot be read as a whole is refused with one message that says what to do.

Only what the file really holds is read and counted (``ocilink.core.spreadsheets``): an XLSX's rows as they stand
in its XML, whatever size the sheet claims. Every import is bounded in bytes, unpacked bytes, rows, columns, cells
and time (``IMPORT_DEADLINE_SECONDS``); past a bound the whole file is refused and nothing is imported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ocilink.core.spreadsheets import (
    Deadline,
    ReadBudget,
    SheetLimits,
    SpreadsheetRefused,
    formula_unescape,
    xlsx_rows,
)

# Biggest import, in data rows: a generous UNSPSC table has some thousands; 50,000 keeps a request short.
MAX_IMPORT_ROWS = 50_000
# Biggest upload: 50,000 rows of CSV are about 3 MB; XLSX is smaller.
MAX_IMPORT_BYTES = 10 * 1024 * 1024
# Biggest XLSX once unpacked: guards against a "zip bomb" that is small on the wire (50,000 rows of three columns
# unpack to some 10 MB).
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024
# Columns read: the table needs three; room for a person's own notes beside them.
MAX_IMPORT_COLUMNS = 100
# Cells read, filled in or only formatted: twenty per row of the biggest import.
MAX_IMPORT_CELLS = 20 * MAX_IMPORT_ROWS

_HEADER_SEPARATORS = re.compile(r"[\s_\-]+")
# What the CSV sniffer sees to tell the delimiter: the first lines, no more than this. It takes time quadratic in
# its sample (64 KB of quotes and commas take over a minute), and cannot be stopped half-way.
_SNIFF_CHARS = 2048
# What a refusal repeats of a header that does not name the columns.
_SHOWN_TITLES = 10
_SHOWN_TITLE_CHARS = 40


class LedgerImportError(Exception):
    """The file as a whole cannot be imported; the message says why and what to do. Nothing was changed."""


def import_deadline() -> Deadline:
    """The deadline of one import, counted from now (``IMPORT_DEADLINE_SECONDS``)."""
    return Deadline(settings.IMPORT_DEADLINE_SECONDS)


def _limits() -> SheetLimits:
    return SheetLimits(
        max_unpacked_bytes=MAX_XLSX_UNPACKED_BYTES, max_columns=MAX_IMPORT_COLUMNS, max_cells=MAX_IMPORT_CELLS
    )


def _refusal(exc: SpreadsheetRefused) -> LedgerImportError:
    """The message of a refused file, in this page's own words where it has them."""
    if exc.kind == "not_xlsx":
        message = _("The file is a ZIP archive but not an Excel workbook (.xlsx). Save the table as .xlsx or as CSV.")
    elif exc.kind == "damaged":
        message = _("The file looks like an Excel workbook but is damaged; save it again.")
    elif exc.kind == "doctype":
        message = _(
            "The workbook contains XML with a document type declaration, which Excel never writes. "
            "Save it again in Excel or as CSV."
        )
    else:
        message = str(exc)
    return LedgerImportError(message)


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
    return formula_unescape(str(value).strip())


def _rows_xlsx(data: bytes, deadline: Deadline) -> Iterator[tuple[int, list[str]]]:
    for number, values in xlsx_rows(data, limits=_limits(), deadline=deadline):
        yield number, [_cell_text(value) for value in values]


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


def _rows_csv(data: bytes, deadline: Deadline) -> Iterator[tuple[int, list[str]]]:
    text = _decode(data)
    sample = text[:_SNIFF_CHARS]
    lines = sample.splitlines()
    if len(text) > len(sample) and len(lines) > 1:
        lines.pop()  # cut off half-way
    first_lines = "\n".join(lines[:20])
    try:
        delimiter = csv.Sniffer().sniff(first_lines, delimiters=";,\t").delimiter
    except csv.Error:
        header = first_lines.split("\n", 1)[0]
        delimiter = max(";,\t", key=header.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    budget = ReadBudget(_limits(), deadline)
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            yield number, [_cell_text(value) for value in budget.text_row(number=number, values=row)]
    except csv.Error as exc:
        raise LedgerImportError(
            _("Row %(row)s of the CSV file cannot be read (%(error)s); correct it and import again.")
            % {"row": number + 1, "error": exc}
        ) from exc


def read_rows(data: bytes, *, deadline: Deadline | None = None) -> Iterator[tuple[int, list[str]]]:
    """(row number as a spreadsheet program shows it, the cells as text) for XLSX or CSV data, by content.

    Only rows the file really holds (an XLSX's rows that hold a value), within this module's limits and the
    deadline; past one, LedgerImportError is raised while reading.
    """
    deadline = deadline or import_deadline()
    head = data[:8]
    if head.startswith(b"PK\x03\x04"):
        return _translated(_rows_xlsx(data, deadline))
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
    return _translated(_rows_csv(data, deadline))


def _translated(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from rows
    except SpreadsheetRefused as exc:
        raise _refusal(exc) from exc


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
        titles = [title for title in header if title]
        found = ", ".join(f"“{_shortened(title)}”" for title in titles[:_SHOWN_TITLES]) or _("nothing")
        if len(titles) > _SHOWN_TITLES:
            found += ", …"
        raise LedgerImportError(
            _(
                "The first row must name the columns: code, account code and (optionally) account name. "
                "Found: %(found)s. Start from an export of the table to get the columns right."
            )
            % {"found": found}
        )
    return positions


def _shortened(title: str) -> str:
    return title if len(title) <= _SHOWN_TITLE_CHARS else title[: _SHOWN_TITLE_CHARS - 1] + "…"


@dataclass(frozen=True)
class _Row:
    number: int
    code: str
    account_code: str
    account_name: str


def _cell(cells: list[str], positions: dict[str, int], name: str) -> str:
    position = positions.get(name)
    return cells[position] if position is not None and position < len(cells) else ""


def _parse(data: bytes, deadline: Deadline) -> list[_Row]:
    if len(data) > MAX_IMPORT_BYTES:
        raise LedgerImportError(
            _("The file is larger than %(size)s MB. Split it into smaller files.")
            % {"size": MAX_IMPORT_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise LedgerImportError(_("The file is empty."))
    positions: dict[str, int] | None = None
    rows: list[_Row] = []
    for number, cells in read_rows(data, deadline=deadline):
        if not any(cells):
            continue
        if positions is None:
            positions = _columns(cells)
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            raise LedgerImportError(
                _("The file has more than %(limit)s rows. Split it into smaller files and import them one by one.")
                % {"limit": number_format(MAX_IMPORT_ROWS, force_grouping=True)}
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
