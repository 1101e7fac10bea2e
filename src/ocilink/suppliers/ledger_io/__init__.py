"""Import and export of a ledger translation table as XLSX (openpyxl) or CSV.

A file has one header row naming its columns — ``code``, ``account code`` and optionally ``account name`` (case,
spaces, underscores and dashes do not matter; other columns are ignored) — and one mapping per row below it. An
export has exactly these columns, so an exported file imports again unchanged.

- ``reading``: an uploaded file (XLSX or CSV, told apart by content) into rows of text, and the file-wide limits;
- ``importing``: the rows into the table, with a report of the rejected ones (the import rules are there);
- ``export``: the table as CSV or XLSX;
- ``file_format``: what both directions share, the columns (the formula escape is ``ocilink.core.spreadsheets``').
"""

from __future__ import annotations

from .export import ledger_table_export_csv, ledger_table_export_xlsx, ledger_table_rows
from .file_format import COLUMNS
from .importing import MAX_REPORTED_REJECTIONS, ImportReport, RejectedRow, ledger_table_import
from .reading import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_CELLS,
    MAX_IMPORT_COLUMNS,
    MAX_IMPORT_ROWS,
    MAX_XLSX_UNPACKED_BYTES,
    LedgerImportError,
    read_rows,
)

__all__ = [
    "COLUMNS",
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_CELLS",
    "MAX_IMPORT_COLUMNS",
    "MAX_IMPORT_ROWS",
    "MAX_REPORTED_REJECTIONS",
    "MAX_XLSX_UNPACKED_BYTES",
    "ImportReport",
    "LedgerImportError",
    "RejectedRow",
    "ledger_table_export_csv",
    "ledger_table_export_xlsx",
    "ledger_table_import",
    "ledger_table_rows",
    "read_rows",
]
