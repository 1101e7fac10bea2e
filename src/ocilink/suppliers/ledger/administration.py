"""The administrators' side of the ledger translation table: the lists they see, and their writes to accounts,
tables and mappings (each audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ocilink.accounts.audit import audit_log
from ocilink.accounts.models import Organization
from ocilink.connections.models import Connection
from ocilink.suppliers.models import LedgerAccount, LedgerMapping, LedgerTable

from .codes import LedgerError, ledger_account_code_normalise, ledger_code_key, ledger_code_normalise

# How many mappings one page of the administrators' list shows.
MAPPINGS_PER_PAGE = 50


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
