"""Pages of the ledger translation table: accounts, tables, mappings, import and export (administrators). The
buyer's change of a cart line's account is a page of the cart (``requisitions``).

Every object is looked up within the user's organization: another organization's ids give 404 and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ocilink.accounts.decorators import administrator_required
from ocilink.accounts.permissions import MembershipRequest
from ocilink.connections.models import Connection

from .ledger import (
    LedgerError,
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
from .ledger_forms import LedgerAccountForm, LedgerImportForm, LedgerMappingForm, LedgerTableForm
from .ledger_io import LedgerImportError, ledger_table_export_csv, ledger_table_export_xlsx, ledger_table_import
from .models import LedgerAccount, LedgerMapping, LedgerTable


def _organization(request: MembershipRequest) -> Any:
    return request.membership.organization


def _table(request: MembershipRequest, pk: int) -> LedgerTable:
    return get_object_or_404(
        LedgerTable.objects.select_related("connection", "default_account", "organization"),
        pk=pk,
        organization=_organization(request),
    )


def _account(request: MembershipRequest, pk: int) -> LedgerAccount:
    return get_object_or_404(LedgerAccount, pk=pk, organization=_organization(request))


def _mapping(request: MembershipRequest, pk: int) -> LedgerMapping:
    return get_object_or_404(
        LedgerMapping.objects.select_related("table__organization", "table__connection", "account"),
        pk=pk,
        table__organization=_organization(request),
    )


# --- overview and accounts ------------------------------------------------------------------------------------


@administrator_required
def index(request: MembershipRequest) -> HttpResponse:
    organization = _organization(request)
    tables = list(ledger_tables_of(organization=organization))
    with_table = {table.connection_id for table in tables}
    connections = Connection.objects.filter(organization=organization).exclude(pk__in=with_table - {None})
    return render(
        request,
        "suppliers/ledger_index.html",
        {
            "tables": tables,
            "has_org_table": None in with_table,
            "connections_without_table": connections.order_by("name"),
            "account_count": ledger_accounts_of(organization=organization).filter(is_active=True).count(),
        },
    )


@administrator_required
def account_list(request: MembershipRequest) -> HttpResponse:
    accounts = ledger_accounts_of(organization=_organization(request))
    return render(request, "suppliers/ledger_accounts.html", {"accounts": accounts})


@require_http_methods(["GET", "POST"])
@administrator_required
def account_form(request: MembershipRequest, pk: int | None = None) -> HttpResponse:
    account = _account(request, pk) if pk is not None else None
    initial = {"code": account.code, "name": account.name} if account is not None else None
    form = LedgerAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = ledger_account_save(
                organization=_organization(request),
                account=account,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                actor=request.user,
            )
        except LedgerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved the ledger account %(account)s.") % {"account": saved})
            return redirect("ledger:accounts")
    return render(request, "suppliers/ledger_account_form.html", {"form": form, "account": account})


@require_POST
@administrator_required
def account_set_active(request: MembershipRequest, pk: int, active: bool) -> HttpResponse:
    account = _account(request, pk)
    usage = ledger_account_set_active(account=account, active=active, actor=request.user)
    if active:
        messages.success(request, _("The ledger account %(account)s is active again.") % {"account": account})
    else:
        messages.success(request, _("Deactivated the ledger account %(account)s.") % {"account": account})
        if usage.mappings or usage.default_of_tables:
            messages.warning(
                request,
                _(
                    "It is still used by %(mappings)s mappings and is the default account of %(tables)s tables; "
                    "those no longer book to it. Point them to another account."
                )
                % {"mappings": usage.mappings, "tables": usage.default_of_tables},
            )
    return redirect("ledger:accounts")


# --- tables ---------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@administrator_required
def table_form(request: MembershipRequest, pk: int | None = None) -> HttpResponse:
    organization = _organization(request)
    table = _table(request, pk) if pk is not None else None
    initial = None
    if table is None and request.GET.get("connection", "").isdigit():
        initial = {"connection": int(request.GET["connection"]), "buyer_may_change": True}
    kwargs: dict[str, Any] = {"organization": organization, "table": table}
    if initial is not None:
        kwargs["initial"] = initial
    form = LedgerTableForm(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = ledger_table_save(
                organization=organization,
                table=table,
                connection=data["connection"],
                source_field=data["source_field"],
                scheme=data["scheme"],
                default_account=data["default_account"],
                buyer_may_change=data["buyer_may_change"],
                actor=request.user,
            )
        except LedgerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved the table %(table)s.") % {"table": saved})
            return redirect("ledger:table", pk=saved.pk)
    return render(request, "suppliers/ledger_table_form.html", {"form": form, "table": table})


@administrator_required
def table_detail(request: MembershipRequest, pk: int) -> HttpResponse:
    table = _table(request, pk)
    search = request.GET.get("q", "")
    page = ledger_mappings_page(table=table, search=search, page=request.GET.get("page", 1))
    return render(request, "suppliers/ledger_table.html", {"table": table, "page": page, "search": search})


@require_http_methods(["GET", "POST"])
@administrator_required
def table_delete(request: MembershipRequest, pk: int) -> HttpResponse:
    table = _table(request, pk)
    if request.method == "POST":
        name = str(table)
        ledger_table_delete(table=table, actor=request.user)
        messages.success(request, _("Deleted the table %(table)s.") % {"table": name})
        return redirect("ledger:index")
    return render(
        request, "suppliers/ledger_table_delete.html", {"table": table, "mapping_count": table.mappings.count()}
    )


# --- mappings -------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@administrator_required
def mapping_form(request: MembershipRequest, table_pk: int | None = None, pk: int | None = None) -> HttpResponse:
    mapping = _mapping(request, pk) if pk is not None else None
    table = mapping.table if mapping is not None else _table(request, table_pk)  # type: ignore[arg-type]
    form = LedgerMappingForm(request.POST or None, organization=_organization(request), mapping=mapping)
    if request.method == "POST" and form.is_valid():
        try:
            saved = ledger_mapping_save(
                table=table,
                mapping=mapping,
                code=form.cleaned_data["code"],
                account=form.cleaned_data["account"],
                actor=request.user,
            )
        except LedgerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved: %(mapping)s.") % {"mapping": saved})
            if "save_and_add" in request.POST:
                return redirect("ledger:mapping_add", table_pk=table.pk)
            return redirect("ledger:table", pk=table.pk)
    return render(request, "suppliers/ledger_mapping_form.html", {"form": form, "table": table, "mapping": mapping})


@require_POST
@administrator_required
def mapping_delete(request: MembershipRequest, pk: int) -> HttpResponse:
    mapping = _mapping(request, pk)
    table_pk, text = mapping.table_id, str(mapping)
    ledger_mapping_delete(mapping=mapping, actor=request.user)
    messages.success(request, _("Deleted: %(mapping)s.") % {"mapping": text})
    return redirect("ledger:table", pk=table_pk)


# --- import and export ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@administrator_required
def table_import(request: MembershipRequest, pk: int) -> HttpResponse:
    table = _table(request, pk)
    form = LedgerImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = ledger_table_import(
                table=table,
                data=upload.read(),
                create_missing_accounts=form.cleaned_data["create_missing_accounts"],
                actor=request.user,
                filename=upload.name,
            )
        except LedgerImportError as exc:
            form.add_error("file", str(exc))
        else:
            return render(
                request,
                "suppliers/ledger_import_report.html",
                {"table": table, "report": report, "filename": upload.name},
            )
    return render(request, "suppliers/ledger_import.html", {"table": table, "form": form})


EXPORTS: dict[str, tuple[str, str, Callable[[LedgerTable], bytes]]] = {
    "xlsx": (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        lambda table: ledger_table_export_xlsx(table=table),
    ),
    "csv": ("csv", "text/csv; charset=utf-8", lambda table: ledger_table_export_csv(table=table)),
    "csv-semicolon": (
        "csv",
        "text/csv; charset=utf-8",
        lambda table: ledger_table_export_csv(table=table, delimiter=";"),
    ),
}


@administrator_required
def table_export(request: MembershipRequest, pk: int, fmt: str) -> HttpResponse:
    table = _table(request, pk)
    if fmt not in EXPORTS:
        raise Http404("No such format")
    extension, content_type, build = EXPORTS[fmt]
    scope = f"connection-{table.connection_id}" if table.connection_id else "organization"
    response = HttpResponse(build(table), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="ledger-table-{scope}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response
