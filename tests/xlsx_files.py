"""Workbooks written by hand, part by part, for the tests of spreadsheet imports: hostile ones included.

``workbook()`` writes the few parts an XLSX needs (content types, relationships, workbook, one sheet) with the
sheet's XML as given, so a test can declare what no spreadsheet program would write: a dimension of a million
rows, a row at number 1,000,000, a row of 16,384 cells, a sheet that unpacks to hundreds of megabytes.
"""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<workbook xmlns="{MAIN}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_RELATIONSHIP = (
    '<Relationship Id="%s" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/%s" Target="%s"/>'
)


def cell(column: int, row: int, value: object) -> str:
    """One cell: a number as a number, anything else as an inline string."""
    reference = f"{get_column_letter(column)}{row}"
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def row(number: int, values: Iterable[object]) -> str:
    return f'<row r="{number}">' + "".join(cell(c, number, v) for c, v in enumerate(values, start=1)) + "</row>"


def rows(table: Iterable[Iterable[object]], first: int = 1) -> str:
    return "".join(row(number, values) for number, values in enumerate(table, start=first))


def sheet_xml(sheet_data: str, *, dimension: str = "") -> str:
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN}">{head}<sheetData>{sheet_data}</sheetData></worksheet>'
    )


def workbook(
    sheet: str | bytes | Iterator[bytes],
    *,
    shared_strings: str | Iterator[bytes] | None = None,
    styles: str | Iterator[bytes] | None = None,
    workbook_xml: str = WORKBOOK,
) -> bytes:
    """An XLSX whose first (and only) sheet is this XML, with a shared string table and styles if given; an
    iterator of chunks is streamed into the ZIP (so a test can pack hundreds of megabytes without holding them)."""
    relationships = [_RELATIONSHIP % ("rId1", "worksheet", "worksheets/sheet1.xml")]
    parts: dict[str, str | bytes | Iterator[bytes]] = {"xl/worksheets/sheet1.xml": sheet}
    if shared_strings is not None:
        relationships.append(_RELATIONSHIP % ("rId2", "sharedStrings", "sharedStrings.xml"))
        parts["xl/sharedStrings.xml"] = shared_strings
    if styles is not None:
        relationships.append(_RELATIONSHIP % ("rId3", "styles", "styles.xml"))
        parts["xl/styles.xml"] = styles
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _PACKAGE_RELS)
        package.writestr("xl/workbook.xml", workbook_xml)
        package.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(relationships)
            + "</Relationships>",
        )
        for name, content in parts.items():
            if isinstance(content, str | bytes):
                package.writestr(name, content)
            else:
                with package.open(name, "w") as part:
                    for chunk in content:
                        part.write(chunk)
    return buffer.getvalue()


@functools.cache
def bomb(header: tuple[object, ...], unpacked_megabytes: int) -> bytes:
    """A sheet of a header row and then ``unpacked_megabytes`` MB of spaces: a few hundred KB on the wire."""
    start = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN}"><sheetData>{row(1, header)}'
    ).encode()
    end = b"</sheetData></worksheet>"

    def chunks() -> Iterator[bytes]:
        yield start
        block = b" " * (1024 * 1024)
        for _ in range(unpacked_megabytes):
            yield block
        yield end

    return workbook(chunks())
