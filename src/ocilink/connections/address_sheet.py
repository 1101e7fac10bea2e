"""The delivery-address sheet of the credential request: written for the supplier, read back when they filled it in.

The sheet (XLSX) has one row per delivery address of the organization (its id, label and address) and empty
columns for what the supplier fills in per address: the OCI account (username, password) and the supplier's
customer number, debtor number and location code. The first data row, with the id ``ORG``, is the account for the
whole organization (used for every address without an account of its own).

Reading it back (``address_sheet_import``):

* The first row must hold the column names, in Dutch or English, in any order. Without the id or label column
  and the five supplier columns the whole file is refused and nothing changes.
* Each row names its address by the id column; an empty id falls back to an exact label match. An id that is not
  one of this organization's addresses (including another organization's) refuses the row; it never guesses.
* Username and password go together: a row with one of them and not the other is refused. A row with neither
  keeps the stored account and only sets the numbers given; that needs an account of the address already.
* An empty number cell keeps the stored number (suppliers leave cells empty when they have nothing to add).
* The usable rows are stored in one transaction; refused rows are reported with their row number and a reason,
  and the report never repeats a username or password.
* Only what the file really holds is read (``ocilink.core.spreadsheets``), within bounds: ``MAX_UPLOAD_BYTES``,
  ``MAX_UNPACKED_BYTES``, ``MAX_ROWS`` rows that hold a value, ``MAX_COLUMNS`` columns, ``MAX_CELLS`` cells and
  ``IMPORT_DEADLINE_SECONDS``. Past one, the whole file is refused and nothing changes.

Writing it, every text is a text cell with Excel's quote prefix where it could run as a formula (an address
labelled ``=HYPERLINK(...)`` stays text); its value is not changed, so it reads back as it was.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from ocilink.accounts.models import DeliveryAddress, Organization
from ocilink.accounts.selectors import delivery_addresses_of
from ocilink.core.spreadsheets import Deadline, SheetLimits, SpreadsheetRefused, xlsx_rows, xlsx_text_cell

from .models import Connection
from .services import CredentialChange, CredentialError, oci_credentials_apply

ORGANIZATION_ROW_ID = "ORG"
LANGUAGES = ("nl", "en")
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The columns in their order, with their header per language. Written in the chosen language; read in either.
COLUMNS: tuple[tuple[str, dict[str, str]], ...] = (
    ("id", {"nl": "id", "en": "id"}),
    ("label", {"nl": "omschrijving", "en": "label"}),
    ("street", {"nl": "straat en huisnummer", "en": "street"}),
    ("postal_code", {"nl": "postcode", "en": "postal code"}),
    ("city", {"nl": "plaats", "en": "city"}),
    ("country", {"nl": "land", "en": "country"}),
    ("username", {"nl": "gebruikersnaam", "en": "username"}),
    ("password", {"nl": "wachtwoord", "en": "password"}),
    ("customer_number", {"nl": "klantnummer", "en": "customer number"}),
    ("debtor_number", {"nl": "debiteurnummer", "en": "debtor number"}),
    ("location_code", {"nl": "locatiecode", "en": "location code"}),
)
SUPPLIER_COLUMNS = ("username", "password", "customer_number", "debtor_number", "location_code")
REQUIRED_COLUMNS = ("id", "label", *SUPPLIER_COLUMNS)
ORGANIZATION_LABEL = {"nl": "Hele organisatie (alle afleveradressen)", "en": "Whole organization (all addresses)"}
SHEET_TITLE = {"nl": "Afleveradressen", "en": "Delivery addresses"}
NOTES_TITLE = {"nl": "Toelichting", "en": "Notes"}
NOTES = {
    "nl": (
        "Vul per afleveradres de gegevens van jullie webshop in de gekleurde kolommen in.",
        "De eerste regel (id ORG) is het OCI-account voor de hele organisatie; laat een adres leeg als daar dat "
        "account voor geldt.",
        "Vul gebruikersnaam en wachtwoord altijd samen in.",
        "Laat de kolommen id en omschrijving ongewijzigd; zo herkennen wij het adres.",
    ),
    "en": (
        "Fill in your webshop's details per delivery address in the coloured columns.",
        "The first row (id ORG) is the OCI account for the whole organization; leave an address empty where that "
        "account applies.",
        "Always fill in the username and the password together.",
        "Leave the id and label columns as they are; they tell us which address a row is for.",
    ),
}

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# Rows that hold a value, below the header: one per delivery address.
MAX_ROWS = 5000
# The sheet has 11 columns; room for a supplier's own notes beside them.
MAX_COLUMNS = 50
# Cells, filled in or only formatted: fifty per row of the biggest sheet.
MAX_CELLS = 50 * MAX_ROWS
MAX_SECRET_CHARS = 200
MAX_NUMBER_CHARS = 60


class SheetError(Exception):
    """The file as a whole cannot be used; nothing was changed. The message says what to do."""


@dataclass(frozen=True)
class RejectedRow:
    row: int
    reason: str


@dataclass
class SheetImportReport:
    """What an import did: rows stored, rows left as they were, rows refused (with the reason)."""

    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)


# -- writing -------------------------------------------------------------------------------------------------------


def sheet_file_name(*, organization: Organization, language: str) -> str:
    stem = {"nl": "afleveradressen", "en": "delivery-addresses"}[_language(language)]
    return f"{stem}-{organization.slug}.xlsx"


def _language(language: str) -> str:
    return language if language in LANGUAGES else "en"


def address_sheet_build(*, organization: Organization, language: str) -> bytes:
    """The XLSX of the organization's delivery addresses with empty columns for the supplier, as bytes."""
    language = _language(language)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_TITLE[language]
    sheet.append([xlsx_text_cell(sheet, headers[language]) for _key, headers in COLUMNS])
    bold = Font(bold=True)
    to_fill = PatternFill(fill_type="solid", start_color="FFF4E5", end_color="FFF4E5")
    for cell in sheet[1]:
        cell.font = bold
    rows: list[list[Any]] = [[ORGANIZATION_ROW_ID, ORGANIZATION_LABEL[language], "", "", "", ""]]
    for address in delivery_addresses_of(organization=organization).order_by("label", "pk"):
        rows.append([address.pk, address.label, address.street, address.postal_code, address.city, address.country])
    supplier_columns = [i for i, (key, _h) in enumerate(COLUMNS, start=1) if key in SUPPLIER_COLUMNS]
    for values in rows:
        sheet.append([_cell(sheet, value) for value in values] + [None] * len(SUPPLIER_COLUMNS))
        row = sheet.max_row
        for column in supplier_columns:
            cell = sheet.cell(row=row, column=column)
            cell.number_format = "@"  # text: keeps leading zeros of numbers the supplier types in
            cell.fill = to_fill
    for column, (_key, headers) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(12, len(headers[language]) + 4)
    sheet.column_dimensions["B"].width = 40
    sheet.column_dimensions["C"].width = 30
    sheet.freeze_panes = "C2"
    notes = workbook.create_sheet(NOTES_TITLE[language])
    notes.append([xlsx_text_cell(notes, organization.name)])
    notes["A1"].font = bold
    for line in NOTES[language]:
        notes.append([xlsx_text_cell(notes, line)])
    notes.column_dimensions["A"].width = 110
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _cell(sheet: Any, value: object) -> object:
    """A text as a text cell that never runs as a formula; a number as it is."""
    return xlsx_text_cell(sheet, value) if isinstance(value, str) else value


# -- reading -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    number: int
    values: dict[str, str]


def _text(value: object) -> str:
    """A cell as text: numbers the way they were typed (10042, not 10042.0), everything trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _refusal(exc: SpreadsheetRefused) -> SheetError:
    """The message of a refused file, in this page's own words where it has them."""
    if exc.kind == "not_xlsx":
        return SheetError(_("The file is not an Excel workbook (.xlsx). Upload the sheet ocilink made."))
    if exc.kind == "damaged":
        return SheetError(_("The file could not be read as an Excel workbook (.xlsx); it may be damaged."))
    if exc.kind == "doctype":
        return SheetError(_("The workbook holds XML declarations an Excel sheet never has."))
    return SheetError(str(exc))


def _read_rows(data: bytes, deadline: Deadline) -> list[_Row]:
    """The rows below the header that hold a value; the header is the first row that holds one."""
    if not data.startswith(b"PK\x03\x04"):
        raise SheetError(_("The file is not an Excel workbook (.xlsx). Upload the sheet ocilink made."))
    limits = SheetLimits(max_unpacked_bytes=MAX_UNPACKED_BYTES, max_columns=MAX_COLUMNS, max_cells=MAX_CELLS)
    columns: dict[str, int] | None = None
    result: list[_Row] = []
    try:
        for number, values in xlsx_rows(data, limits=limits, deadline=deadline):
            if columns is None:
                columns = _columns(values)
                continue
            if len(result) >= MAX_ROWS:
                raise SheetError(
                    _(
                        "The sheet has more than %(count)s rows. Upload the sheet ocilink made, with one row per "
                        "delivery address."
                    )
                    % {"count": number_format(MAX_ROWS, force_grouping=True)}
                )
            texts = {key: _text(values[index]) if index < len(values) else "" for key, index in columns.items()}
            result.append(_Row(number=number, values=texts))
    except SpreadsheetRefused as exc:
        raise _refusal(exc) from exc
    if columns is None:
        _columns(())  # no row holds a value: refused for want of the column names
    return result


def _columns(header: Sequence[object]) -> dict[str, int]:
    known = {names[language].casefold(): key for key, names in COLUMNS for language in LANGUAGES}
    columns: dict[str, int] = {}
    for index, value in enumerate(header):
        key = known.get(_text(value).casefold())
        if key is not None and key not in columns:
            columns[key] = index
    missing = [key for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        names = ", ".join(dict(COLUMNS)[key]["en"] for key in missing)
        raise SheetError(
            _(
                "The first row of the sheet must hold the column names of the sheet ocilink made; "
                "these are missing: %(names)s. Nothing was imported."
            )
            % {"names": names}
        )
    return columns


def _address_for(
    row: _Row, addresses: dict[int, DeliveryAddress], by_label: dict[str, list[DeliveryAddress]]
) -> tuple[bool, DeliveryAddress | None, str]:
    """(found, address or None for the organization row, reason when not found)."""
    raw_id, label = row.values.get("id", ""), row.values.get("label", "")
    if raw_id:
        if raw_id.upper() == ORGANIZATION_ROW_ID:
            return True, None, ""
        if raw_id.isdigit() and int(raw_id) in addresses:
            return True, addresses[int(raw_id)], ""
        return (
            False,
            None,
            _("Row %(row)d names the id %(id)s, which is not one of your delivery addresses.")
            % {"row": row.number, "id": raw_id[:20]},
        )
    if label.casefold() in {text.casefold() for text in ORGANIZATION_LABEL.values()}:
        return True, None, ""
    matches = by_label.get(label, [])
    if len(matches) == 1:
        return True, matches[0], ""
    if len(matches) > 1:
        return False, None, _("Row %(row)d has no id and its label fits several addresses.") % {"row": row.number}
    return (
        False,
        None,
        _("Row %(row)d has no id and no delivery address has exactly that label.") % {"row": row.number},
    )


def _change_for(row: _Row, address: DeliveryAddress | None, has_account: bool) -> CredentialChange | str | None:
    """The change a row asks for, a reason to refuse it, or None when it asks for nothing."""
    values = row.values
    username, password = values.get("username", ""), values.get("password", "")
    numbers: dict[str, str | None] = {
        key: values.get(key, "") or None for key in ("customer_number", "debtor_number", "location_code")
    }
    where = {"row": row.number}
    if bool(username) != bool(password):
        if username:
            return _("Row %(row)d has a username but no password; fill in both.") % where
        return _("Row %(row)d has a password but no username; fill in both.") % where
    if len(username) > MAX_SECRET_CHARS or len(password) > MAX_SECRET_CHARS:
        return _("Row %(row)d has a username or password longer than %(max)d characters.") % {
            **where,
            "max": MAX_SECRET_CHARS,
        }
    for key, value in numbers.items():
        if value is not None and len(value) > MAX_NUMBER_CHARS:
            name = dict(COLUMNS)[key]["en"]
            return _("Row %(row)d has a %(name)s longer than %(max)d characters.") % {
                **where,
                "name": name,
                "max": MAX_NUMBER_CHARS,
            }
    if not username and not any(numbers.values()):
        return None
    if not username and not has_account:
        return (
            _(
                "Row %(row)d gives numbers but no username and password, and this address has no account of its "
                "own to keep them with; fill in the account too."
            )
            % where
        )
    return CredentialChange(
        delivery_address=address,
        username=username or None,
        password=password or None,
        customer_number=numbers["customer_number"],
        debtor_number=numbers["debtor_number"],
        location_code=numbers["location_code"],
    )


def address_sheet_import(
    *, connection: Connection, file: IO[bytes] | bytes, actor: Any = None, deadline: Deadline | None = None
) -> SheetImportReport:
    """Read a filled-in sheet and store its accounts and numbers on ``connection``; see the module docstring.

    Raises :class:`SheetError` when the file as a whole cannot be used, or when the import is not done by
    ``deadline`` (by default ``IMPORT_DEADLINE_SECONDS`` from now); nothing is changed then.
    """
    deadline = deadline or Deadline(settings.IMPORT_DEADLINE_SECONDS)
    data = file if isinstance(file, bytes) else file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise SheetError(_too_large_message())
    rows = _read_rows(data, deadline)
    organization = connection.organization
    addresses = {a.pk: a for a in delivery_addresses_of(organization=organization)}
    by_label: dict[str, list[DeliveryAddress]] = {}
    for address in addresses.values():
        by_label.setdefault(address.label, []).append(address)
    with_account = set(
        connection.credentials.filter(organization=organization).values_list("delivery_address_id", flat=True)
    )
    report = SheetImportReport()
    changes: list[CredentialChange] = []
    seen: dict[int | None, int] = {}
    for row in rows:
        if not any(row.values.values()):
            continue
        found, target, reason = _address_for(row, addresses, by_label)
        if not found:
            report.rejected.append(RejectedRow(row.number, reason))
            continue
        key = target.pk if target is not None else None
        if key in seen:
            report.rejected.append(
                RejectedRow(
                    row.number,
                    _("Row %(row)d is for the same address as row %(first)d.")
                    % {"row": row.number, "first": seen[key]},
                )
            )
            continue
        seen[key] = row.number
        change = _change_for(row, target, key in with_account)
        if isinstance(change, str):
            report.rejected.append(RejectedRow(row.number, change))
        elif change is None:
            report.unchanged += 1
        else:
            changes.append(change)
    try:
        with transaction.atomic():
            report.updated = oci_credentials_apply(connection=connection, changes=changes, actor=actor)
            deadline.check()  # the last moment to undo it all
    except CredentialError as exc:  # a safety net: the checks above should have caught it
        raise SheetError(str(exc)) from exc
    except SpreadsheetRefused as exc:
        raise _refusal(exc) from exc
    return report


def _too_large_message() -> str:
    return _("The file is larger than %(mb)d MB. Upload the sheet ocilink made, filled in.") % {
        "mb": MAX_UPLOAD_BYTES // (1024 * 1024)
    }
