"""Which account a cart line books to: the table, the code, the mapping, the default (see the package's
docstring). Two queries whatever the number of lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from ocilink.accounts.models import Organization
from ocilink.connections.models import Connection
from ocilink.suppliers.models import LEDGER_CODE_MAX_LENGTH, LedgerAccount, LedgerMapping, LedgerTable

from .administration import ledger_accounts_of
from .codes import exact_key, mapping_key, unspsc_candidates, unspsc_digits


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


# What every line of an organization without a translation table gets (one value: a choice is immutable).
NO_TABLE_CHOICE = LedgerChoice(None, "", "", LedgerReason.NO_TABLE)


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
    def load(cls, *, organization_id: int, connection_id: int | None) -> LedgerResolver:
        """Two queries: the table (with its default account) and its mappings (with their accounts); one without a
        table."""
        table = ledger_table_for(organization_id=organization_id, connection_id=connection_id)
        accounts: dict[str, LedgerAccount] = {}
        if table is not None:
            mappings = LedgerMapping.objects.filter(table=table, account__is_active=True).select_related("account")
            for mapping in mappings.order_by("code"):
                accounts.setdefault(mapping_key(scheme=table.scheme, code=mapping.code), mapping.account)
        return cls(table, accounts)

    def resolve(self, oci_fields: Mapping[str, Any]) -> LedgerChoice:
        table = self.table
        if table is None:
            return NO_TABLE_CHOICE
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
        return [exact_key(code)]


def ledger_resolve(
    *, organization: Organization, connection: Connection | None, oci_fields: Mapping[str, str]
) -> LedgerChoice:
    """The account for one line's OCI fields (three queries at most; use ``ledger_assign_lines`` for many)."""
    return LedgerResolver.load(
        organization_id=organization.pk, connection_id=connection.pk if connection is not None else None
    ).resolve(oci_fields)


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
    resolver = LedgerResolver.load(
        organization_id=organization.pk, connection_id=connection.pk if connection is not None else None
    )
    max_length = LEDGER_CODE_MAX_LENGTH
    for line in lines:
        choice = resolver.resolve(line.oci_fields or {})
        line.ledger_account = choice.account
        line.ledger_code = choice.code[:max_length]


# --- the buyer's change of a line's account -------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerLineOptions:
    """What the cart's account snippet needs: the accounts to choose from (with their code, name and whether they
    are active, nothing else) and the lines whose account may change."""

    accounts: list[LedgerAccount]
    changeable_line_ids: frozenset[int]


class LedgerOptionLine(Protocol):
    """A cart line as its account options see it: which line, and the connection it came through."""

    @property
    def pk(self) -> Any: ...

    @property
    def connection_id(self) -> int | None: ...


def ledger_line_options(*, organization: Organization, lines: Iterable[LedgerOptionLine]) -> LedgerLineOptions:
    """For a cart page: two queries whatever the number of lines. Read as plain values and with only the columns the
    page shows: every cart page of an organization with some 50 accounts asks for them."""
    lines = list(lines)
    # Whether the buyer may change the account, per table: the connection's (by its id), the organization's (None).
    buyer_may_change: dict[int | None, bool] = dict(
        LedgerTable.objects.filter(organization=organization).values_list("connection_id", "buyer_may_change")
    )
    changeable = set()
    for line in lines:
        may = buyer_may_change.get(line.connection_id) if line.connection_id is not None else None
        if may is None:
            may = buyer_may_change.get(None)
        if may is None or may:  # no table, or a table that lets the buyer choose
            changeable.add(line.pk)
    accounts = []
    if changeable:
        accounts = list(
            ledger_accounts_of(organization=organization).filter(is_active=True).only("code", "name", "is_active")
        )
    return LedgerLineOptions(accounts=accounts, changeable_line_ids=frozenset(changeable))
