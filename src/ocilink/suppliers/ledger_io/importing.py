"""Import of a ledger translation table from an uploaded XLSX or CSV file.

Import rules:

- **Good rows are imported, bad rows are reported** (row number, value, the reason in a sentence), all in one
  transaction: if anything fails half-way, nothing is kept. Importing the corrected file again is safe: rows that
  are already in the table count as unchanged.
- A mapping is matched on its code (normalised for the table's scheme: UNSPSC codes are stored as 8 digits) and
  its account is set to the row's account: created, updated or unchanged. Mappings that are not in the file stay
  as they are.
- Nothing is created silently: an account code that does not exist rejects the row, unless the import's option
  "create missing accounts" is on; then the account is made with the row's account name (a row without one is
  rejected). The name of an existing account is never changed by an import.
- A code that appears twice in the file: the first row counts, the later ones are rejected.
- A file that cannot be read as a whole (not a spreadsheet, no header row with the needed columns, more than
  ``MAX_IMPORT_ROWS`` rows, too many cells or columns, too large, packed or not) is refused with one message and
  changes nothing; so is an import that is not done by its deadline (``IMPORT_DEADLINE_SECONDS``), also when the
  deadline passes while the rows are being stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ocilink.accounts.audit import audit_log
from ocilink.core.spreadsheets import Deadline, SpreadsheetRefused
from ocilink.suppliers.ledger import LedgerError, ledger_account_code_normalise, ledger_code_key, ledger_code_normalise
from ocilink.suppliers.models import LedgerAccount, LedgerMapping, LedgerTable

from .reading import LedgerImportError, _parse, _refusal, _Row, import_deadline

# How many rejected rows the report page lists; the counts always cover all of them.
MAX_REPORTED_REJECTIONS = 1_000
_ACCOUNT_NAME_MAX = LedgerAccount._meta.get_field("name").max_length or 200


@dataclass(frozen=True)
class RejectedRow:
    row: int
    value: str
    reason: str


@dataclass
class ImportReport:
    """What an import did: counts of mappings and the rows it rejected."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    accounts_created: list[str] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)

    @property
    def rejected_shown(self) -> list[RejectedRow]:
        return self.rejected[:MAX_REPORTED_REJECTIONS]


def ledger_table_import(
    *,
    table: LedgerTable,
    data: bytes,
    create_missing_accounts: bool,
    actor: Any,
    filename: str = "",
    deadline: Deadline | None = None,
) -> ImportReport:
    """Upsert the file's mappings into the table; see the module's docstring for the rules.

    Raises LedgerImportError (and changes nothing) when the file as a whole cannot be used, or when the import is
    not done by ``deadline`` (by default ``IMPORT_DEADLINE_SECONDS`` from now).
    """
    deadline = deadline or import_deadline()
    rows = _parse(data, deadline)
    report = ImportReport()
    try:
        with transaction.atomic():
            # One import at a time per table: a second one waits here and then sees the first one's result.
            table = LedgerTable.objects.select_for_update(of=("self",)).select_related("organization").get(pk=table.pk)
            _apply(
                table=table,
                rows=rows,
                create_missing_accounts=create_missing_accounts,
                report=report,
                deadline=deadline,
            )
            deadline.check()  # the last moment to undo it all
            audit_log(
                organization=table.organization,
                actor=actor,
                action="ledger_table.imported",
                obj=table,
                summary=_(
                    "%(file)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                    "%(rejected)s rejected, %(accounts)s accounts created"
                )
                % {
                    "file": filename or "-",
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "rejected": len(report.rejected),
                    "accounts": len(report.accounts_created),
                },
            )
    except SpreadsheetRefused as exc:
        raise _refusal(exc) from exc
    except IntegrityError as exc:  # someone changed the same table or accounts at this very moment
        raise LedgerImportError(
            _("The table or its accounts were changed at the same time by someone else. Import the file again.")
        ) from exc
    return report


def _apply(
    *, table: LedgerTable, rows: list[_Row], create_missing_accounts: bool, report: ImportReport, deadline: Deadline
) -> None:
    organization = table.organization
    scheme = table.scheme
    existing: dict[str, LedgerMapping] = {}
    for stored in LedgerMapping.objects.filter(table=table).order_by("code", "pk"):
        existing.setdefault(ledger_code_key(scheme=scheme, code=stored.code), stored)
    accounts = {account.code: account for account in LedgerAccount.objects.filter(organization=organization)}
    new_accounts: dict[str, LedgerAccount] = {}
    seen: dict[str, int] = {}
    to_create: list[LedgerMapping] = []
    to_update: list[LedgerMapping] = []

    def reject(row: _Row, value: str, reason: str) -> None:
        report.rejected.append(RejectedRow(row=row.number, value=value, reason=reason))

    for position, row in enumerate(rows):
        if position % 1024 == 0:
            deadline.check()
        try:
            code = ledger_code_normalise(scheme=scheme, code=row.code)
        except LedgerError as exc:
            reject(row, row.code, str(exc))
            continue
        key = ledger_code_key(scheme=scheme, code=code)
        if key in seen:
            reject(
                row,
                row.code,
                _("The code %(code)s already appeared on row %(row)s; each code may appear only once.")
                % {"code": row.code, "row": seen[key]},
            )
            continue
        seen[key] = row.number
        if not row.account_code:
            reject(row, row.code, _("The account code is empty; every row needs the ledger account it books to."))
            continue
        account = accounts.get(row.account_code)
        if account is None:
            if not create_missing_accounts:
                reject(
                    row,
                    row.account_code,
                    _(
                        "There is no ledger account %(account)s. Create it under Ledger accounts first, or import "
                        "again with “create missing accounts”."
                    )
                    % {"account": row.account_code},
                )
                continue
            problem = _new_account_problem(row)
            if problem:
                reject(row, row.account_code, problem)
                continue
            account = LedgerAccount(
                organization=organization, code=row.account_code, name=row.account_name[:_ACCOUNT_NAME_MAX]
            )
            accounts[row.account_code] = new_accounts[row.account_code] = account
        mapping = existing.get(key)
        if mapping is not None and mapping.account_id is not None and mapping.account_id == account.pk:
            report.unchanged += 1
            continue
        if not account.is_active:
            reject(
                row,
                row.account_code,
                _("The ledger account %(account)s is deactivated. Reactivate it or choose another account.")
                % {"account": row.account_code},
            )
            continue
        if mapping is None:
            to_create.append(LedgerMapping(table=table, code=code, account=account))
            report.created += 1
        else:
            mapping.account = account
            to_update.append(mapping)
            report.updated += 1

    if new_accounts:
        LedgerAccount.objects.bulk_create(new_accounts.values(), batch_size=1000)
        report.accounts_created = sorted(new_accounts)
    LedgerMapping.objects.bulk_create(to_create, batch_size=1000)
    LedgerMapping.objects.bulk_update(to_update, ["account"], batch_size=1000)


def _new_account_problem(row: _Row) -> str:
    try:
        ledger_account_code_normalise(row.account_code)
    except LedgerError as exc:
        return str(exc)
    if not row.account_name:
        return _(
            "There is no ledger account %(account)s; to create it, the row needs the account's name in the column "
            "“account name”."
        ) % {"account": row.account_code}
    return ""
