"""Spreadsheets that come from outside, read within bounds; and values written so that no spreadsheet program runs
them as formulas.

**Writing.** A value that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may run as a formula
when a person opens the file (the OWASP advice on "CSV injection"). In CSV, ``formula_escape`` puts an apostrophe
before it, and ``formula_unescape`` takes it off again on import. In XLSX, ``xlsx_text_cell`` makes a text cell with
Excel's "quote prefix": the value is shown as typed and does not become a formula, not even when someone edits it.

**Reading.** ``xlsx_rows`` reads the first worksheet of an XLSX file row by row, and stops with
:class:`SpreadsheetRefused` as soon as the file passes one of its :class:`SheetLimits` or the :class:`Deadline`:

- the unpacked size of the parts, as the ZIP directory declares it, before anything is unpacked (``zipfile`` never
  unpacks a part beyond its declared size), and the bytes really unpacked while reading;
- an XML part with a document type declaration (entities could expand, or point outside the file);
- the cells, filled in or only formatted, and the columns that hold a value;
- the wall-clock time, checked all along.

It reads what the file really holds: the rows and cells that are in the sheet's XML, whatever its ``<dimension>``
claims, and nothing after the sheet's data. openpyxl's ``load_workbook`` is not used on uploads: it parses every
style and shared string before the first row (a 32 KB file with 20 MB of styles takes two minutes), and in
read-only mode it makes up every missing row, as wide as the dimension says, up to the next row in the file (a
1.6 KB file takes half an hour), with no way to stop it half-way. Here lxml reads the few parts needed as a stream
(no entities, no network, each element dropped once read); openpyxl tells date formats and converts dates.
"""

from __future__ import annotations

import io
import posixpath
import re
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from lxml import etree
from openpyxl.cell.cell import Cell
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

# -- writing -------------------------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XLSX_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def formula_escape(value: str) -> str:
    """For CSV: an apostrophe before a value that a spreadsheet program would run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def formula_unescape(value: str) -> str:
    """Undo ``formula_escape``: an apostrophe followed by what would start a formula is taken off."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def xlsx_text_cell(sheet: Any, value: str) -> Cell:
    """A cell for ``sheet.append`` that holds ``value`` as text, never as a formula (characters XML cannot hold are
    left out); a value that looks like a formula gets the quote prefix, so Excel keeps it text when it is edited."""
    cell = Cell(sheet, row=1, column=1, value=_ILLEGAL_XLSX_CHARACTERS.sub("", value))  # placed by append()
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


# -- limits --------------------------------------------------------------------------------------------------------


class SpreadsheetRefused(Exception):
    """The file passes a limit or cannot be read; nothing of it may be used.

    ``kind`` says which (``not_xlsx``, ``damaged``, ``doctype``, ``unpacked``, ``cells``, ``columns``,
    ``deadline``) so that a caller can word it for its own page; ``str()`` is a message for a person: what was
    wrong, the limit, and what to do.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class SheetLimits:
    """What one import may read. Rows are counted by the caller, which knows its header."""

    max_unpacked_bytes: int  # all parts of an XLSX together, once unpacked
    max_columns: int  # columns A up to this one are read; a value further right refuses the file
    max_cells: int  # cells read, with a value or only formatted (and texts in an XLSX's shared string table)


class Deadline:
    """A point in wall-clock time after which an import stops; ``check()`` raises SpreadsheetRefused then."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._end = clock() + seconds

    def check(self) -> None:
        if self._clock() >= self._end:
            raise SpreadsheetRefused(
                "deadline",
                _(
                    "Importing the file took longer than %(seconds)s seconds, so it was stopped and nothing was "
                    "imported. Split it into smaller files, or try again when it is less busy."
                )
                % {"seconds": number_format(self.seconds, force_grouping=True)},
            )


class ReadBudget:
    """Counts the cells of one import against its limits, and checks its deadline every so many cells."""

    _CHECK_EVERY = 1024

    def __init__(self, limits: SheetLimits, deadline: Deadline) -> None:
        self.limits = limits
        self.deadline = deadline
        self.cells = 0
        self.rows = 0

    def add_cells(self, count: int) -> None:
        before = self.cells
        self.cells += count
        if self.cells > self.limits.max_cells:
            raise SpreadsheetRefused(
                "cells",
                _(
                    "The file has more than %(limit)s cells, counting empty cells that only carry formatting. "
                    "Copy the table alone into a new sheet, or delete the formatting of empty rows and columns, "
                    "and try again."
                )
                % {"limit": number_format(self.limits.max_cells, force_grouping=True)},
            )
        if before // self._CHECK_EVERY != self.cells // self._CHECK_EVERY:
            self.deadline.check()

    def column_allowed(self, *, row: int, column: int) -> None:
        """Refuse a value beyond the last column read."""
        if column > self.limits.max_columns:
            last = self.limits.max_columns
            raise SpreadsheetRefused(
                "columns",
                _(
                    "Row %(row)s has a value in column %(column)s, but only columns A to %(last)s (%(count)s "
                    "columns) are read. Delete what stands to the right of the table and try again."
                )
                % {
                    "row": row,
                    "column": get_column_letter(min(column, 18_278)),
                    "last": get_column_letter(last),
                    "count": last,
                },
            )

    def text_row(self, *, number: int, values: list[str]) -> list[str]:
        """A row of text cells (as CSV gives them) counted and cut to the columns read; a value further right
        refuses the file."""
        self.rows += 1
        if self.rows % self._CHECK_EVERY == 0:
            self.deadline.check()
        self.add_cells(len(values))
        if len(values) > self.limits.max_columns:
            for column, value in enumerate(values[self.limits.max_columns :], start=self.limits.max_columns + 1):
                if value.strip():
                    self.column_allowed(row=number, column=column)
            values = values[: self.limits.max_columns]
        return values


def _refused_damaged() -> SpreadsheetRefused:
    return SpreadsheetRefused(
        "damaged", _("The workbook is damaged and cannot be read. Open it in Excel, save it again and try again.")
    )


def _refused_doctype() -> SpreadsheetRefused:
    return SpreadsheetRefused(
        "doctype",
        _(
            "The workbook contains XML with a document type declaration, which Excel never writes. "
            "Save it again in Excel and try again."
        ),
    )


def _refused_unpacked(limit: int) -> SpreadsheetRefused:
    return SpreadsheetRefused(
        "unpacked",
        _(
            "The workbook unpacks to more than %(limit)s MB, far more than a table needs. Copy the table alone "
            "into a new workbook, save that and try again."
        )
        % {"limit": number_format(limit // (1024 * 1024), force_grouping=True)},
    )


# -- reading an XLSX -----------------------------------------------------------------------------------------------

# Excel's own bounds: a row or column beyond them means the file is damaged (or made to hurt).
_EXCEL_MAX_ROW = 1_048_576
_EXCEL_MAX_COLUMN = 16_384
# Elements that may pile up before one is dropped (inside one cell, or in one part of a sheet before its rows);
# Excel writes at most some tens of thousands there (a column definition per column).
_MAX_PENDING_ELEMENTS = 100_000
# Number formats and cell styles a workbook may define: Excel allows some 64,000 cell styles.
_MAX_STYLES = 100_000
# A number format longer than Excel allows (255) is not looked at for being a date.
_MAX_FORMAT_CHARS = 255
_CHUNK = 64 * 1024

_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # "Strict Open XML", an option when saving in Excel
    "http://schemas.openxmlformats.org/package/2006/relationships",
)
_RELATIONSHIP_ID = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)
_LOCAL_NAMES = (
    "worksheet sheetData row c v is t r workbook workbookPr sheets sheet Relationship styleSheet numFmts numFmt "
    "cellXfs xf sst si"
).split()
# Tag -> local name, for the elements this reader looks at; any other tag is None.
_TAG = {f"{{{namespace}}}{name}": name for namespace in _NAMESPACES for name in _LOCAL_NAMES}
_ESCAPED_CHARACTER = re.compile(r"_x([0-9A-Fa-f]{4})_")


class _Part:
    """One part of the package as a stream for lxml: unpacked bytes counted against what may be unpacked in all,
    searched for a document type declaration, and the deadline checked every chunk."""

    def __init__(self, stream: IO[bytes], budget: _UnpackBudget, deadline: Deadline) -> None:
        self._stream = stream
        self._budget = budget
        self._deadline = deadline
        self._tail = b""

    def read(self, size: int = -1) -> bytes:
        self._deadline.check()
        chunk = self._stream.read(_CHUNK if size is None or size < 0 else min(size, _CHUNK))
        self._budget.take(len(chunk))
        window = (self._tail + chunk).upper()
        if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
            raise _refused_doctype()
        self._tail = window[-16:]
        return chunk


class _UnpackBudget:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit

    def take(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise _refused_unpacked(self.limit)


@dataclass
class _Workbook:
    package: zipfile.ZipFile
    unpack: _UnpackBudget
    budget: ReadBudget

    def elements(self, name: str) -> Iterator[Any]:
        """The end of each element of a part, as lxml reads it (comments and processing instructions left out)."""
        try:
            with self.package.open(name) as stream:
                part = _Part(stream, self.unpack, self.budget.deadline)
                for _event, element in etree.iterparse(
                    part,
                    events=("end",),
                    remove_comments=True,
                    remove_pis=True,
                    resolve_entities=False,
                    no_network=True,
                    load_dtd=False,
                    huge_tree=False,
                ):
                    yield element
        except KeyError as exc:  # a relationship names a part the package does not have
            raise _refused_damaged() from exc
        except etree.XMLSyntaxError as exc:
            raise _refused_damaged() from exc
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
            raise _refused_damaged() from exc


def _shallow(element: Any, depth: int) -> bool:
    """Whether an element stands at most ``depth`` levels deep (the root is level 1)."""
    for _level in range(depth):
        element = element.getparent()
        if element is None:
            return True
    return False


def _drop(element: Any) -> None:
    """Free an element that has been read, and the siblings before it (the lxml idiom for reading big files)."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


class _Pending:
    """Counts elements read and not yet dropped; too many in one place means the part was not written by a
    spreadsheet program, and would take memory."""

    def __init__(self) -> None:
        self.count = 0

    def add(self) -> None:
        self.count += 1
        if self.count > _MAX_PENDING_ELEMENTS:
            raise _refused_damaged()


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _relationships(workbook: _Workbook, part: str) -> dict[str, tuple[str, str]]:
    """The relationships of a part: id -> (type, part name)."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name not in workbook.package.namelist():
        return {}
    relationships: dict[str, tuple[str, str]] = {}
    pending = _Pending()
    for element in workbook.elements(rels_name):
        pending.add()
        if _TAG.get(element.tag) == "Relationship":
            identifier, kind, target = element.get("Id"), element.get("Type", ""), element.get("Target")
            if identifier and target and element.get("TargetMode") != "External":
                relationships[identifier] = (kind, _resolve(part, target))
                if len(relationships) > _MAX_PENDING_ELEMENTS:
                    raise _refused_damaged()
        if _shallow(element, 2):
            _drop(element)
            pending.count = 0
    return relationships


def _first_worksheet(workbook: _Workbook, relationships: dict[str, tuple[str, str]]) -> tuple[str, datetime]:
    """The part name of the first worksheet (chart sheets skipped), and the workbook's date system."""
    epoch = WINDOWS_EPOCH
    pending = _Pending()
    for element in workbook.elements("xl/workbook.xml"):
        pending.add()
        name = _TAG.get(element.tag)
        if name == "workbookPr" and element.get("date1904") in ("1", "true"):
            epoch = MAC_EPOCH
        elif name == "sheet":
            target = next((element.get(key) for key in _RELATIONSHIP_ID if element.get(key)), None)
            kind, part = relationships.get(target or "", ("", ""))
            if kind.endswith("/worksheet"):
                return part, epoch
        if _shallow(element, 3):  # workbook, sheets, sheet
            _drop(element)
            pending.count = 0
    raise _refused_damaged()  # no worksheet


def _date_styles(workbook: _Workbook, part: str | None) -> frozenset[int]:
    """The positions of the cell styles whose number format shows a date or a time."""
    if part is None or part not in workbook.package.namelist():
        return frozenset()
    formats: dict[int, str] = dict(BUILTIN_FORMATS)
    styles: list[int] = []
    pending = _Pending()
    for element in workbook.elements(part):
        pending.add()
        name = _TAG.get(element.tag)
        if name == "numFmt":
            identifier = element.get("numFmtId", "")
            if identifier.isdigit():
                formats[int(identifier)] = element.get("formatCode", "")
        elif name == "xf":
            parent = element.getparent()
            if parent is not None and _TAG.get(parent.tag) == "cellXfs":
                identifier = element.get("numFmtId", "0")
                styles.append(int(identifier) if identifier.isdigit() else 0)
        if len(formats) + len(styles) > _MAX_STYLES:
            raise _refused_damaged()
        if _shallow(element, 3):  # styleSheet, cellXfs, xf
            _drop(element)
            pending.count = 0
    dates = {code for code, text in formats.items() if len(text) <= _MAX_FORMAT_CHARS and is_date_format(text)}
    return frozenset(position for position, code in enumerate(styles) if code in dates)


def _text(element: Any) -> str:
    """The text of a string item (``<si>`` or ``<is>``): its ``<t>`` and the ``<t>`` of its runs, without the
    phonetic guide; ``_xHHHH_`` escapes decoded."""
    pieces: list[str] = []
    for child in element:
        name = _TAG.get(child.tag)
        if name == "t":
            pieces.append(child.text or "")
        elif name == "r":
            for grandchild in child:
                if _TAG.get(grandchild.tag) == "t":
                    pieces.append(grandchild.text or "")
    text = "".join(pieces)
    if "_x" in text:
        text = _ESCAPED_CHARACTER.sub(lambda match: chr(int(match.group(1), 16)), text)
    return text


def _shared_strings(workbook: _Workbook, part: str | None) -> list[str]:
    if part is None or part not in workbook.package.namelist():
        return []
    strings: list[str] = []
    pending = _Pending()
    for element in workbook.elements(part):
        pending.add()
        if _TAG.get(element.tag) == "si":
            workbook.budget.add_cells(1)
            strings.append(_text(element))
        if _shallow(element, 2):  # sst, si
            _drop(element)
            pending.count = 0
    return strings


@dataclass(frozen=True)
class _Values:
    strings: list[str]
    date_styles: frozenset[int]
    epoch: datetime


def _value(element: Any, values: _Values) -> object:
    """The value of a cell as its last calculation left it (a formula's result, never the formula)."""
    kind = element.get("t", "n")
    raw: str | None = None
    for child in element:
        name = _TAG.get(child.tag)
        if name == "v":
            raw = child.text
        elif name == "is" and kind == "inlineStr":
            return _text(child)
    if raw is None or kind == "inlineStr":
        return None
    try:
        if kind == "s":
            return values.strings[int(raw)]
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "d":
            return from_ISO8601(raw)
        if kind in ("str", "e"):
            return raw
        number: int | float = float(raw) if any(mark in raw for mark in ".eE") else int(raw)
    except (IndexError, ValueError) as exc:
        raise _refused_damaged() from exc
    style = element.get("s", "0")
    if style.isdigit() and int(style) in values.date_styles:
        try:
            return from_excel(number, values.epoch)
        except (OverflowError, ValueError):
            return number
    return number


def _row_number(element: Any, previous: int) -> int:
    raw = element.get("r")
    number = previous + 1
    if raw is not None:
        try:
            number = int(raw)
        except ValueError as exc:
            raise _refused_damaged() from exc
    if not 1 <= number <= _EXCEL_MAX_ROW:
        raise _refused_damaged()
    return number


def _column_number(element: Any, previous: int) -> int:
    reference = element.get("r")
    column = previous + 1
    if reference is not None:
        letters = reference.rstrip("0123456789")
        try:
            column = column_index_from_string(letters)
        except ValueError as exc:
            raise _refused_damaged() from exc
    if not 1 <= column <= _EXCEL_MAX_COLUMN:
        raise _refused_damaged()
    return column


def _sheet_rows(workbook: _Workbook, part: str, values: _Values) -> Iterator[tuple[int, list[object]]]:
    budget = workbook.budget
    pending = _Pending()
    row_element: Any = None
    row_number = column = 0
    cells: dict[int, object] = {}
    for element in workbook.elements(part):
        pending.add()
        name = _TAG.get(element.tag)
        if name == "c":
            parent = element.getparent()
            if parent is not row_element:  # the first cell of a row
                row_element, row_number, column, cells = parent, _row_number(parent, row_number), 0, {}
            budget.add_cells(1)
            column = _column_number(element, column)
            value = _value(element, values)
            if value is not None and value != "":
                budget.column_allowed(row=row_number, column=column)
                cells[column] = value
        elif name == "row":
            if element is not row_element:  # a row without cells
                row_number = _row_number(element, row_number)
            elif cells:
                yield row_number, [cells.get(position) for position in range(1, max(cells) + 1)]
            row_element, cells = None, {}
        elif name == "sheetData":
            return  # what follows the data (merged cells, links, formatting) is not read
        else:
            parent = element.getparent()
            if parent is None or _TAG.get(parent.tag) not in ("worksheet", "sheetData", "row"):
                continue  # inside a cell or another element: dropped with it
        _drop(element)
        pending.count = 0


def xlsx_rows(data: bytes, *, limits: SheetLimits, deadline: Deadline) -> Iterator[tuple[int, list[object]]]:
    """The rows of the first worksheet that hold a value: (row number, values of columns A up to the last value).

    Values are what the cells show after their last calculation: text, int, float, bool or datetime; an empty
    cell is None. Raises SpreadsheetRefused (see the module's docstring) at the first limit the file passes, also
    half-way: a caller reads all rows before it changes anything.
    """
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise _refused_damaged() from exc
    with package:
        names = set(package.namelist())
        if "xl/workbook.xml" not in names:
            raise SpreadsheetRefused("not_xlsx", _("The file is a ZIP archive but not an Excel workbook (.xlsx)."))
        if sum(info.file_size for info in package.infolist()) > limits.max_unpacked_bytes:
            raise _refused_unpacked(limits.max_unpacked_bytes)
        workbook = _Workbook(package, _UnpackBudget(limits.max_unpacked_bytes), ReadBudget(limits, deadline))
        relationships = _relationships(workbook, "xl/workbook.xml")
        sheet, epoch = _first_worksheet(workbook, relationships)
        parts = {kind.rsplit("/", 1)[-1]: part for kind, part in relationships.values()}
        date_styles = _date_styles(workbook, parts.get("styles"))
        strings = _shared_strings(workbook, parts.get("sharedStrings"))
        yield from _sheet_rows(workbook, sheet, _Values(strings, date_styles, epoch))
