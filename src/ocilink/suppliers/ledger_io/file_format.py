"""What import and export agree on: the columns of a file, and the escape that keeps a value from running as a
formula in a spreadsheet program (added on export, removed again on import)."""

from __future__ import annotations

COLUMNS = ("code", "account code", "account name")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: str) -> str:
    """Prefix a value a spreadsheet program would run as a formula with an apostrophe."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _unescape_formula(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(_FORMULA_STARTS):
        return value[1:]
    return value
