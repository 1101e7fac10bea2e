"""Codes of the ledger translation table: UNSPSC codes and their families, the keys mappings are stored
under, account codes. Pure functions, and the error every ledger write raises.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from ocilink.suppliers.models import LedgerAccount, LedgerMapping, LedgerTable

MAPPINGS_PER_PAGE = 50

_UNSPSC_SEPARATORS = re.compile(r"[\s.\-]+")
_ASCII_DIGITS = re.compile(r"[0-9]+")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class LedgerError(Exception):
    """A ledger change that cannot be made; the message says why and what to do."""


# --- codes ----------------------------------------------------------------------------------------------------


def unspsc_digits(value: str) -> str | None:
    """A UNSPSC code as 8 digits (short forms padded with zeros), or None if the value is not UNSPSC-shaped.

    "44 12 21 04" and "44.12.21.04" give "44122104"; "4412" gives "44120000"; "4412210401" (with a business
    function) gives "44122104".
    """
    compact = _UNSPSC_SEPARATORS.sub("", value)
    if not _ASCII_DIGITS.fullmatch(compact):
        return None
    if len(compact) == 10:
        compact = compact[:8]
    if len(compact) not in (2, 4, 6, 8):
        return None
    return compact.ljust(8, "0")


def unspsc_candidates(code: str) -> list[str]:
    """The keys to try for an 8-digit UNSPSC code, most specific first: at each level padded, then bare."""
    candidates: list[str] = []
    for length in (8, 6, 4, 2):
        for key in (code[:length].ljust(8, "0"), code[:length]):
            if key not in candidates:
                candidates.append(key)
    return candidates


def exact_key(code: str) -> str:
    return code.strip().casefold()


def mapping_key(*, scheme: str, code: str) -> str:
    """The dictionary key a stored mapping code is found under."""
    if scheme == LedgerTable.Scheme.UNSPSC:
        compact = _UNSPSC_SEPARATORS.sub("", code)
        if _ASCII_DIGITS.fullmatch(compact):
            return compact
    return exact_key(code)


def ledger_code_normalise(*, scheme: str, code: str) -> str:
    """The form in which an administrator's code is stored; raises LedgerError with a sentence if it cannot be.

    UNSPSC codes are stored as 8 digits (a segment 44 becomes 44000000); other codes are stored trimmed.
    """
    value = code.strip()
    if not value:
        raise LedgerError(_("The code is empty; enter the category code the supplier sends."))
    if _CONTROL_CHARACTERS.search(value):
        raise LedgerError(_("The code contains a control character (such as a tab or line break); remove it."))
    if scheme == LedgerTable.Scheme.UNSPSC:
        digits = unspsc_digits(value)
        if digits is None:
            raise LedgerError(
                _(
                    "“%(code)s” is not a UNSPSC code: use 8 digits (for example 44122104), or 2, 4 or 6 digits "
                    "for a whole segment, family or class."
                )
                % {"code": value}
            )
        return digits
    if len(value) > LedgerMapping._meta.get_field("code").max_length:  # type: ignore[operator]
        raise LedgerError(_("The code “%(code)s” is longer than 60 characters.") % {"code": value[:60]})
    return value


def ledger_code_key(*, scheme: str, code: str) -> str:
    """The key under which a normalised code is unique within a table (for duplicate checks)."""
    return mapping_key(scheme=scheme, code=code)


def ledger_account_code_normalise(code: str) -> str:
    """An account code trimmed and checked; raises LedgerError with a sentence."""
    value = code.strip()
    if not value:
        raise LedgerError(_("The account code is empty."))
    if len(value) > LedgerAccount._meta.get_field("code").max_length:  # type: ignore[operator]
        raise LedgerError(_("The account code “%(code)s” is longer than 30 characters.") % {"code": value[:30]})
    if _CONTROL_CHARACTERS.search(value):
        raise LedgerError(_("The account code contains a control character (such as a tab); remove it."))
    return value
