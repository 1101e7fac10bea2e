"""Pages of an organization's administrator for a connection's OCI accounts: the credentials per delivery address,
the credential request e-mail to the supplier, and the import of the sheet the supplier filled in.

Every page reads the connection through the administrator's own organization: another organization's connection is
a 404. Platform staff act through the organization they chose (their transient administrator membership).
"""

from __future__ import annotations

import smtplib
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ocilink.accounts.decorators import administrator_required
from ocilink.accounts.permissions import MembershipRequest
from ocilink.accounts.selectors import delivery_addresses_of
from ocilink.core.crypto import SecretError

from .address_sheet import CONTENT_TYPE, SheetError, address_sheet_build, address_sheet_import, sheet_file_name
from .credential_request import credential_request_compose, credential_request_send
from .forms import AddressSheetUploadForm, CredentialRequestForm, CredentialRowForm
from .models import Connection, OciCredential
from .selectors import connections_of
from .services import CredentialError, oci_credentials_apply


def _connection(request: MembershipRequest, connection_id: int) -> Connection:
    organization = request.membership.organization
    return get_object_or_404(connections_of(organization=organization).select_related("organization"), pk=connection_id)


def _masked(credential: OciCredential | None) -> str:
    if credential is None:
        return ""
    try:
        return credential.masked_username
    except SecretError:
        return _("cannot be read: enter it again")


@require_GET
@administrator_required
def credentials_index(request: MembershipRequest) -> HttpResponse:
    """The organization's connections, each with its accounts page and its credential request."""
    organization = request.membership.organization
    return render(
        request,
        "connections/credentials_index.html",
        {"connections": connections_of(organization=organization).order_by("name")},
    )


@require_http_methods(["GET", "POST"])
@administrator_required
def credentials(request: MembershipRequest, connection_id: int) -> HttpResponse:
    """The organization-wide account and one row per delivery address: username (masked once stored), password
    (write-only: empty keeps it), customer number, debtor number and location code. Saved all together or not."""
    connection = _connection(request, connection_id)
    organization = connection.organization
    stored = {c.delivery_address_id: c for c in connection.credentials.filter(organization=organization)}
    scopes: list[tuple[str, Any]] = [("org", None)]
    scopes += [(f"a{a.pk}", a) for a in delivery_addresses_of(organization=organization).order_by("label", "pk")]
    rows = []
    for prefix, address in scopes:
        credential = stored.get(address.pk if address is not None else None)
        numbers = ("customer_number", "debtor_number", "location_code")
        initial = {name: getattr(credential, name) for name in numbers} if credential is not None else {}
        form = CredentialRowForm(
            request.POST if request.method == "POST" else None,
            prefix=prefix,
            initial=initial,
            has_account=credential is not None,
        )
        rows.append({"address": address, "credential": credential, "masked": _masked(credential), "form": form})
    if request.method == "POST":
        if all(row["form"].is_valid() for row in rows):
            changes = [c for row in rows if (c := row["form"].to_change(row["address"])) is not None]
            try:
                count = oci_credentials_apply(connection=connection, changes=changes, actor=request.user)
            except CredentialError as exc:
                messages.error(request, str(exc))
            else:
                if count:
                    messages.success(request, _("The accounts of %(name)s were saved.") % {"name": connection.name})
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("connections:credentials", connection.pk)
        else:
            messages.error(
                request, _("Nothing was saved: correct the rows marked below and enter the passwords you typed again.")
            )
    return render(
        request,
        "connections/credentials.html",
        {"connection": connection, "rows": rows},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@administrator_required
def credential_request(request: MembershipRequest, connection_id: int) -> HttpResponse:
    """Write the credential request e-mail to the supplier's contact, preview it, and send it."""
    connection = _connection(request, connection_id)
    organization = connection.organization
    user = request.user
    if request.method == "POST":
        form = CredentialRequestForm(request.POST)
    else:
        default = connection.credentials.filter(organization=organization, delivery_address__isnull=True).first()
        form = CredentialRequestForm(
            initial={
                "language": "nl" if (get_language() or "").startswith("nl") else "en",
                "contact_email": connection.catalogue_entry.contact_email if connection.catalogue_entry else "",
                "reply_to": getattr(user, "email", ""),
                "sender_name": user.get_full_name() or user.get_username(),  # type: ignore[union-attr]
                "debtor_number": default.debtor_number if default is not None else "",
                "attach_sheet": True,
                "include_guide_link": True,
            }
        )
    preview = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            preview = credential_request_compose(
                organization=organization,
                language=data["language"],
                contact_name=data["contact_name"],
                debtor_number=data["debtor_number"],
                coc_number=data["coc_number"],
                sender_name=data["sender_name"],
                attach_sheet=data["attach_sheet"],
                guide_url=request.build_absolute_uri(reverse("guide:index")) if data["include_guide_link"] else "",
            )
            if request.POST.get("action") == "send":
                try:
                    credential_request_send(
                        connection=connection,
                        email=preview,
                        to=data["contact_email"],
                        reply_to=data["reply_to"],
                        cc=data["cc"] or "",
                        actor=user,
                    )
                except (OSError, smtplib.SMTPException) as exc:
                    messages.error(
                        request,
                        _("The e-mail could not be sent (%(problem)s). Nothing was sent; try again later.")
                        % {"problem": exc.__class__.__name__},
                    )
                    status = 502
                else:
                    messages.success(
                        request, _("The request was sent to %(address)s.") % {"address": data["contact_email"]}
                    )
                    return redirect("connections:credential_request", connection.pk)
        else:
            status = 400
    return render(
        request,
        "connections/credential_request.html",
        {"connection": connection, "form": form, "preview": preview},
        status=status,
    )


@require_GET
@administrator_required
def credential_request_sheet(request: MembershipRequest, connection_id: int) -> HttpResponse:
    """The delivery-address sheet alone (``?language=nl`` or ``en``)."""
    connection = _connection(request, connection_id)
    language = request.GET.get("language") or ("nl" if (get_language() or "").startswith("nl") else "en")
    language = language if language in ("nl", "en") else "en"
    data = address_sheet_build(organization=connection.organization, language=language)
    response = HttpResponse(data, content_type=CONTENT_TYPE)
    name = sheet_file_name(organization=connection.organization, language=language)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
@administrator_required
def credential_sheet_upload(request: MembershipRequest, connection_id: int) -> HttpResponse:
    """Import the sheet the supplier filled in, and report which rows were stored and which could not be used."""
    connection = _connection(request, connection_id)
    form = AddressSheetUploadForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                report = address_sheet_import(
                    connection=connection, file=form.cleaned_data["sheet"], actor=request.user
                )
            except SheetError as exc:
                form.add_error("sheet", str(exc))
                status = 400
        else:
            status = 400
    return render(
        request,
        "connections/credential_request_upload.html",
        {"connection": connection, "form": form, "report": report},
        status=status,
    )
