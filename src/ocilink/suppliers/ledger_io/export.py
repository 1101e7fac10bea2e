"""Export of a ledger translation table as XLSX or CSV, in the columns an import reads.

A value that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return could run as a formula in a
spreadsheet program. In CSV it gets a leading apostrophe (which the import removes again); in XLSX the cell is
written as text with Excel's "quote prefix", so it is shown as typed and never becomes a formula.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl.cell.cell import Cell

from ocilink.core.spreadsheets import formula_escape, xlsx_text_cell
from ocilink.suppliers.models import LedgerMapping, LedgerTable

from .file_format import COLUMNS


def ledger_table_rows(*, table: LedgerTable) -> list[tuple[str, str, str]]:
    """The table's mappings as (code, account code, account name), sorted by code; one query."""
    mappings = LedgerMapping.objects.filter(table=table).select_related("account").order_by("code", "pk")
    return [(mapping.code, mapping.account.code, mapping.account.name) for mapping in mappings]


def ledger_table_export_csv(*, table: LedgerTable, delimiter: str = ",") -> bytes:
    """UTF-8 with a byte order mark (so Excel reads the accents right), CRLF line ends, formulas escaped."""
    if delimiter not in (",", ";"):
        raise ValueError("delimiter must be ',' or ';'")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in ledger_table_rows(table=table):
        writer.writerow([formula_escape(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def ledger_table_export_xlsx(*, table: LedgerTable) -> bytes:
    """One sheet, every value a text cell (so codes keep their leading zeros); formula-like values quote-prefixed."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Ledger translation table")[:31])
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 40

    def text_cell(value: str) -> Cell:
        cell = xlsx_text_cell(sheet, value)
        cell.number_format = "@"
        return cell

    sheet.append([text_cell(name) for name in COLUMNS])
    for row in ledger_table_rows(table=table):
        sheet.append([text_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
