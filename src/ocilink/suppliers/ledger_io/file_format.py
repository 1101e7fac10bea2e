"""What import and export agree on: the columns of a file. The escape that keeps a value from running as a formula
in a spreadsheet program (added on export, removed again on import) is ``ocilink.core.spreadsheets``', shared with
the other spreadsheets ocilink writes."""

from __future__ import annotations

COLUMNS = ("code", "account code", "account name")
