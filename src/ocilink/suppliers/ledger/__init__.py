"""The ledger translation table ("grootboek vertaaltabel"): which general ledger account a cart line books to.

Resolution, in order:

1. The table: the connection's own table if it has one, else the organization's table, else none.
2. The code: the value of the table's source field (MATGROUP, EXT_CATEGORY_ID or CUST_FIELD1-5) in the line's
   OCI fields, trimmed.
3. The mapping:

   - **UNSPSC scheme.** Separators (spaces, dots, dashes) are dropped and the rest must be ASCII digits: 8 digits
     is a code, 10 digits a code with a business function (the last two are ignored), 2, 4 or 6 digits a segment,
     family or class written short (padded with zeros). The code is tried first, then its 6-, 4- and 2-digit
     families, each written padded to 8 digits (44122104 -> 44122100 -> 44120000 -> 44000000). At each level a
     mapping stored as the bare prefix (441221, 4412, 44) matches too, after the padded form: the forms and the
     import store every UNSPSC code padded to 8 digits, but a row written another way still works. A code that is
     not UNSPSC-shaped is matched exactly (case-insensitive, trimmed), so a supplier's own group still has a chance.
   - **Exact scheme** (NZI, the supplier's own groups): exact match, case-insensitive, trimmed.

   A mapping to a deactivated account is passed over (the next, wider family may still match).
4. Else the table's default account (if it is active); else no account.

Resolution loads a table and all its mappings in two queries (``LedgerResolver``), so a 2,000-line cart costs the
same as a one-line cart.

The package: ``codes`` (code shapes and keys), ``resolution`` (the steps above, for cart lines) and
``administration`` (the administrators' lists and writes). Spreadsheet import and export are in ``ledger_io``.
"""

from .administration import (
    MAPPINGS_PER_PAGE,
    AccountUsage,
    ledger_account_save,
    ledger_account_set_active,
    ledger_accounts_of,
    ledger_mapping_delete,
    ledger_mapping_save,
    ledger_mappings_page,
    ledger_table_delete,
    ledger_table_save,
    ledger_tables_of,
)
from .codes import (
    LedgerError,
    ledger_account_code_normalise,
    ledger_code_key,
    ledger_code_normalise,
    unspsc_candidates,
    unspsc_digits,
)
from .resolution import (
    LedgerChoice,
    LedgerLine,
    LedgerLineOptions,
    LedgerOptionLine,
    LedgerReason,
    LedgerResolver,
    ledger_assign_lines,
    ledger_line_options,
    ledger_resolve,
    ledger_table_for,
)

__all__ = [
    "AccountUsage",
    "LedgerChoice",
    "LedgerError",
    "LedgerLine",
    "LedgerLineOptions",
    "LedgerOptionLine",
    "LedgerReason",
    "LedgerResolver",
    "MAPPINGS_PER_PAGE",
    "ledger_account_code_normalise",
    "ledger_account_save",
    "ledger_account_set_active",
    "ledger_accounts_of",
    "ledger_assign_lines",
    "ledger_code_key",
    "ledger_code_normalise",
    "ledger_line_options",
    "ledger_mapping_delete",
    "ledger_mapping_save",
    "ledger_mappings_page",
    "ledger_resolve",
    "ledger_table_delete",
    "ledger_table_for",
    "ledger_table_save",
    "ledger_tables_of",
    "unspsc_candidates",
    "unspsc_digits",
]
