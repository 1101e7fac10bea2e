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
same as a one-line cart. The administrators' writes (accounts, tables, mappings) live here too; spreadsheet import
and export are in ``ledger_io``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.paginator import Page, Paginator
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocilink.accounts.audit import audit_log
from ocilink.accounts.models import Organization
from ocilink.connections.models import Connection

from .models import LEDGER_CODE_MAX_LENGTH, LedgerAccount, LedgerMapping, LedgerTable

# How many mappings one page of the administrators' list shows.
MAPPINGS_PER_PAGE = 50

_UNSPSC_SEPARATORS = re.compile(r"[\s.\-]+")
_ASCII_DIGITS = re.compile(r"[0-9]+")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class LedgerError(Exception):
    """A ledger change that cannot be made; the message says why and what to do."""


class LedgerReason(models.TextChoices):
    """Why a line got the account it got."""

    MAPPING = "mapping", gettext_lazy("The code is in the translation table.")
    FAMILY = "family", gettext_lazy("A wider UNSPSC family of the code is in the translation table.")
    DEFAULT = "default", gettext_lazy("No mapping matched: the table's default account.")
    UNMAPPED = "unmapped", gettext_lazy("No mapping matched and the table has no (active) default account.")
    NO_TABLE = "no_table", gettext_lazy("There is no ledger translation table.")


@dataclass(frozen=True)
class LedgerChoice:
    """The outcome of resolving one line: the account (or None), the code read, the mapping code that matched."""

    account: LedgerAccount | None
    code: str
    matched: str
    reason: str


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


def _exact_key(code: str) -> str:
    return code.strip().casefold()


def _mapping_key(*, scheme: str, code: str) -> str:
    """The dictionary key a stored mapping code is found under."""
    if scheme == LedgerTable.Scheme.UNSPSC:
        compact = _UNSPSC_SEPARATORS.sub("", code)
        if _ASCII_DIGITS.fullmatch(compact):
            return compact
    return _exact_key(code)


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
    return _mapping_key(scheme=scheme, code=code)


# --- resolution -----------------------------------------------------------------------------------------------


def ledger_table_for(*, organization_id: int, connection_id: int | None) -> LedgerTable | None:
    """The table that applies: the connection's own, else the organization's, else None (one query)."""
    condition = Q(connection__isnull=True)
    if connection_id is not None:
        condition |= Q(connection_id=connection_id)
    tables = list(
        LedgerTable.objects.filter(condition, organization_id=organization_id).select_related("default_account")
    )
    tables.sort(key=lambda table: table.connection_id is None)
    return tables[0] if tables else None


class LedgerResolver:
    """One translation table with all its mappings in memory: resolves any number of lines without a query."""

    def __init__(self, table: LedgerTable | None, accounts_by_key: dict[str, LedgerAccount]) -> None:
        self.table = table
        self._accounts = accounts_by_key

    @classmethod
    def load(cls, *, organization: Organization, connection: Connection | None) -> LedgerResolver:
        """Two queries: the table (with its default account) and its mappings (with their accounts)."""
        table = ledger_table_for(
            organization_id=organization.pk, connection_id=connection.pk if connection is not None else None
        )
        accounts: dict[str, LedgerAccount] = {}
        if table is not None:
            mappings = LedgerMapping.objects.filter(table=table, account__is_active=True).select_related("account")
            for mapping in mappings.order_by("code"):
                accounts.setdefault(_mapping_key(scheme=table.scheme, code=mapping.code), mapping.account)
        return cls(table, accounts)

    def resolve(self, oci_fields: Mapping[str, Any]) -> LedgerChoice:
        table = self.table
        if table is None:
            return LedgerChoice(None, "", "", LedgerReason.NO_TABLE)
        raw = oci_fields.get(table.source_field) or ""
        code = str(raw).strip()
        if code:
            for position, key in enumerate(self._candidates(table.scheme, code)):
                account = self._accounts.get(key)
                if account is not None:
                    reason = LedgerReason.MAPPING if position == 0 else LedgerReason.FAMILY
                    return LedgerChoice(account, code, key, reason)
        default = table.default_account
        if default is not None and default.is_active:
            return LedgerChoice(default, code, "", LedgerReason.DEFAULT)
        return LedgerChoice(None, code, "", LedgerReason.UNMAPPED)

    @staticmethod
    def _candidates(scheme: str, code: str) -> list[str]:
        if scheme == LedgerTable.Scheme.UNSPSC:
            digits = unspsc_digits(code)
            if digits is not None:
                return unspsc_candidates(digits)
        return [_exact_key(code)]


def ledger_resolve(
    *, organization: Organization, connection: Connection | None, oci_fields: Mapping[str, str]
) -> LedgerChoice:
    """The account for one line's OCI fields (three queries at most; use ``ledger_assign_lines`` for many)."""
    return LedgerResolver.load(organization=organization, connection=connection).resolve(oci_fields)


class LedgerLine(Protocol):
    """A cart line as the ledger sees it (the cart's lines live in ``requisitions``, a layer above)."""

    pk: Any
    connection_id: int | None
    oci_fields: Any
    ledger_account: LedgerAccount | None
    ledger_code: str


def ledger_assign_lines(
    *, organization: Organization, connection: Connection | None, lines: Iterable[LedgerLine]
) -> None:
    """Set ``ledger_account`` and ``ledger_code`` on (unsaved) lines; two queries whatever the number of lines."""
    resolver = LedgerResolver.load(organization=organization, connection=connection)
    max_length = LEDGER_CODE_MAX_LENGTH
    for line in lines:
        choice = resolver.resolve(line.oci_fields or {})
        line.ledger_account = choice.account
        line.ledger_code = choice.code[:max_length]


# --- the buyer's change of a line's account -------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerLineOptions:
    """What the cart's account snippet needs: the accounts to choose from and the lines whose account may change."""

    accounts: list[LedgerAccount]
    changeable_line_ids: frozenset[int]


def ledger_line_options(*, organization: Organization, lines: Iterable[LedgerLine]) -> LedgerLineOptions:
    """For a cart page: two queries whatever the number of lines."""
    lines = list(lines)
    tables = {
        table.connection_id: table
        for table in LedgerTable.objects.filter(organization=organization).only("connection_id", "buyer_may_change")
    }
    org_table = tables.get(None)
    changeable = set()
    for line in lines:
        table = tables.get(line.connection_id) if line.connection_id is not None else None
        table = table or org_table
        if table is None or table.buyer_may_change:
            changeable.add(line.pk)
    accounts = list(ledger_accounts_of(organization=organization).filter(is_active=True)) if changeable else []
    return LedgerLineOptions(accounts=accounts, changeable_line_ids=frozenset(changeable))


# --- selectors for the administrators' pages ------------------------------------------------------------------


def ledger_accounts_of(*, organization: Organization) -> QuerySet[LedgerAccount]:
    return LedgerAccount.objects.filter(organization=organization).order_by("code")


def ledger_tables_of(*, organization: Organization) -> QuerySet[LedgerTable]:
    """The organization's table first, then the connections' tables by connection name."""
    return (
        LedgerTable.objects.filter(organization=organization)
        .select_related("connection", "default_account")
        .annotate(mapping_count=models.Count("mappings"))
        .order_by(models.F("connection__name").asc(nulls_first=True), "pk")
    )


def ledger_mappings_page(*, table: LedgerTable, search: str = "", page: int | str = 1) -> Page:
    """One page of the table's mappings, optionally only those whose code or account contains ``search``."""
    mappings = LedgerMapping.objects.filter(table=table).select_related("account").order_by("code", "pk")
    search = search.strip()
    if search:
        mappings = mappings.filter(
            Q(code__icontains=search) | Q(account__code__icontains=search) | Q(account__name__icontains=search)
        )
    return Paginator(mappings, MAPPINGS_PER_PAGE).get_page(page)


# --- the administrators' writes -------------------------------------------------------------------------------


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


@transaction.atomic
def ledger_account_save(
    *, organization: Organization, account: LedgerAccount | None, code: str, name: str, actor: Any
) -> LedgerAccount:
    """Create an account (``account`` None) or change an existing one's code and name."""
    code = ledger_account_code_normalise(code)
    name = name.strip()
    if not name:
        raise LedgerError(_("Enter the account's name."))
    if account is not None and account.organization_id != organization.pk:
        raise LedgerError(_("This account belongs to another organization."))
    clash = LedgerAccount.objects.filter(organization=organization, code=code)
    if account is not None:
        clash = clash.exclude(pk=account.pk)
    if clash.exists():
        raise LedgerError(_("There is already a ledger account %(code)s.") % {"code": code})
    created = account is None
    if account is None:
        account = LedgerAccount(organization=organization)
    account.code, account.name = code, name[:200]
    account.save()
    audit_log(
        organization=organization,
        actor=actor,
        action="ledger_account.created" if created else "ledger_account.changed",
        obj=account,
        summary=str(account),
    )
    return account


@dataclass(frozen=True)
class AccountUsage:
    """Where a deactivated account was still in use (it books nothing there any more)."""

    mappings: int
    default_of_tables: int


@transaction.atomic
def ledger_account_set_active(*, account: LedgerAccount, active: bool, actor: Any) -> AccountUsage:
    """Deactivate or reactivate an account. A deactivated account is passed over by resolution and not offered."""
    account.is_active = active
    account.save(update_fields=["is_active", "updated_at"])
    usage = AccountUsage(
        mappings=LedgerMapping.objects.filter(account=account).count(),
        default_of_tables=LedgerTable.objects.filter(default_account=account).count(),
    )
    audit_log(
        organization=account.organization,
        actor=actor,
        action="ledger_account.activated" if active else "ledger_account.deactivated",
        obj=account,
        summary=str(account),
    )
    return usage


def _check_account(*, organization: Organization, account: LedgerAccount | None) -> None:
    if account is None:
        return
    if account.organization_id != organization.pk:
        raise LedgerError(_("Choose one of your organization's ledger accounts."))
    if not account.is_active:
        raise LedgerError(_("The ledger account %(account)s is deactivated; choose another.") % {"account": account})


@transaction.atomic
def ledger_table_save(
    *,
    organization: Organization,
    table: LedgerTable | None,
    connection: Connection | None,
    source_field: str,
    scheme: str,
    default_account: LedgerAccount | None,
    buyer_may_change: bool,
    actor: Any,
) -> LedgerTable:
    """Create the organization's table or a connection's table (``table`` None), or change a table's settings."""
    if connection is not None and connection.organization_id != organization.pk:
        raise LedgerError(_("This connection belongs to another organization."))
    if table is not None and table.organization_id != organization.pk:
        raise LedgerError(_("This table belongs to another organization."))
    if default_account is None or table is None or default_account.pk != table.default_account_id:
        _check_account(organization=organization, account=default_account)
    if source_field not in LedgerTable.SourceField.values:
        raise LedgerError(_("Choose the OCI field that carries the category code."))
    if scheme not in LedgerTable.Scheme.values:
        raise LedgerError(_("Choose the code scheme."))
    others = LedgerTable.objects.filter(organization=organization, connection=connection)
    if table is not None:
        others = others.exclude(pk=table.pk)
    if others.exists():
        if connection is None:
            raise LedgerError(_("The organization already has a table for all suppliers; change that one."))
        raise LedgerError(
            _("The connection %(connection)s already has a table; change that one.") % {"connection": connection}
        )
    created = table is None
    if table is None:
        table = LedgerTable(organization=organization)
    table.connection = connection
    table.source_field, table.scheme = source_field, scheme
    table.default_account, table.buyer_may_change = default_account, buyer_may_change
    table.save()
    audit_log(
        organization=organization,
        actor=actor,
        action="ledger_table.created" if created else "ledger_table.changed",
        obj=table,
        summary=_("%(table)s: field %(field)s, scheme %(scheme)s, default %(default)s, buyers may change: %(may)s")
        % {
            "table": table,
            "field": source_field,
            "scheme": scheme,
            "default": default_account or "—",
            "may": _("yes") if buyer_may_change else _("no"),
        },
    )
    return table


@transaction.atomic
def ledger_table_delete(*, table: LedgerTable, actor: Any) -> None:
    """Delete a table with its mappings; lines then fall back to the organization's table (or none)."""
    summary = _("%(table)s with %(count)s mappings") % {"table": table, "count": table.mappings.count()}
    audit_log(organization=table.organization, actor=actor, action="ledger_table.deleted", obj=table, summary=summary)
    table.delete()


@transaction.atomic
def ledger_mapping_save(
    *, table: LedgerTable, mapping: LedgerMapping | None, code: str, account: LedgerAccount, actor: Any
) -> LedgerMapping:
    """Add a mapping (``mapping`` None) or change one. The code is normalised for the table's scheme."""
    if mapping is not None and mapping.table_id != table.pk:
        raise LedgerError(_("This mapping belongs to another table."))
    if mapping is None or account.pk != mapping.account_id:
        _check_account(organization=table.organization, account=account)
    code = ledger_code_normalise(scheme=table.scheme, code=code)
    key = ledger_code_key(scheme=table.scheme, code=code)
    others = LedgerMapping.objects.filter(table=table).select_related("account")
    if mapping is not None:
        others = others.exclude(pk=mapping.pk)
    # Narrow in the database, decide in Python (casefold is stricter than the database's case folding).
    others = others.filter(code=code) if table.scheme == LedgerTable.Scheme.UNSPSC else others.filter(code__iexact=code)
    for other in others:
        if ledger_code_key(scheme=table.scheme, code=other.code) == key:
            raise LedgerError(
                _("The code %(code)s is already in this table (to %(account)s); change that row instead.")
                % {"code": other.code, "account": other.account}
            )
    created = mapping is None
    if mapping is None:
        mapping = LedgerMapping(table=table)
    mapping.code, mapping.account = code, account
    mapping.save()
    audit_log(
        organization=table.organization,
        actor=actor,
        action="ledger_mapping.created" if created else "ledger_mapping.changed",
        obj=mapping,
        summary=f"{table}: {mapping}",
    )
    return mapping


@transaction.atomic
def ledger_mapping_delete(*, mapping: LedgerMapping, actor: Any) -> None:
    table = mapping.table
    audit_log(
        organization=table.organization,
        actor=actor,
        action="ledger_mapping.deleted",
        obj=mapping,
        summary=f"{table}: {mapping}",
    )
    mapping.delete()
