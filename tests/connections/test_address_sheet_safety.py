"""The delivery-address sheet: nothing in it runs as a formula, and an upload costs no more than its bounds.

The hostile workbooks are written by hand (``tests/xlsx_files.py``). No test measures time: each checks what was
read, the refusal's message, and that nothing was stored.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from ocilink.connections import address_sheet, forms
from ocilink.connections.address_sheet import SheetError, address_sheet_build, address_sheet_import
from ocilink.connections.models import OciCredential
from tests import xlsx_files
from tests.factories import DeliveryAddressFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","y")'
HEADER = [
    "id",
    "label",
    "street",
    "postal code",
    "city",
    "country",
    "username",
    "password",
    "customer number",
    "debtor number",
    "location code",
]
LAST_EXCEL_ROW = 1_048_576


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def _stored(connection):  # type: ignore[no-untyped-def]
    return sorted(
        (credential.delivery_address_id, credential.username)
        for credential in OciCredential.objects.filter(connection=connection)
    )


def _refused(org_admin, data: bytes) -> str:  # type: ignore[no-untyped-def]
    """The message of a refused upload, after checking that it stored nothing."""
    before = _stored(org_admin.connection)
    with pytest.raises(SheetError) as refusal:
        address_sheet_import(connection=org_admin.connection, file=data)
    assert _stored(org_admin.connection) == before
    return str(refusal.value)


# --- formulas -----------------------------------------------------------------------------------------------------


def test_texts_that_look_like_formulas_are_written_as_text(org_admin):
    organization = org_admin.organization
    organization.name = "=cmd|' /C calc'!A0"
    organization.save()
    address = DeliveryAddressFactory(
        organization=organization, label=HYPERLINK, street="+31 Main", postal_code="-1", city="@SUM(A1)"
    )

    workbook = load_workbook(io.BytesIO(address_sheet_build(organization=organization, language="en")))

    row = next(row for row in workbook.worksheets[0].iter_rows() if row[0].value == address.pk)
    cells = row[1:5]
    assert [cell.value for cell in cells] == [HYPERLINK, "+31 Main", "-1", "@SUM(A1)"]
    assert [(cell.data_type, cell.quotePrefix) for cell in cells] == [("s", True)] * 4
    name = workbook.worksheets[1]["A1"]
    assert (name.value, name.data_type, name.quotePrefix) == ("=cmd|' /C calc'!A0", "s", True)
    formulas = [
        cell.coordinate for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.data_type == "f"
    ]
    assert formulas == []


def test_an_address_labelled_like_a_formula_reads_back_as_it_was(org_admin):
    address = DeliveryAddressFactory(organization=org_admin.organization, label=HYPERLINK)
    workbook = load_workbook(io.BytesIO(address_sheet_build(organization=org_admin.organization, language="en")))
    sheet = workbook.worksheets[0]
    row = next(row for row in sheet.iter_rows() if row[1].value == HYPERLINK)
    row[0].value = None  # no id: the row is matched on its label, which must have come back unchanged
    sheet.cell(row=row[0].row, column=7, value="formula-user")
    sheet.cell(row=row[0].row, column=8, value="Formula-Pw-1")
    output = io.BytesIO()
    workbook.save(output)

    report = address_sheet_import(connection=org_admin.connection, file=output.getvalue())

    assert (report.updated, report.rejected) == (1, [])
    assert OciCredential.objects.get(delivery_address=address).username == "formula-user"


# --- only what is there is read -----------------------------------------------------------------------------------


def test_a_sheet_that_declares_every_row_stores_the_rows_it_holds(org_admin):
    depot = org_admin.depot
    sheet = xlsx_files.sheet_xml(
        xlsx_files.rows([HEADER, ["ORG", "", "", "", "", "", "org-user", "Org-Pw-1"]])
        + xlsx_files.row(LAST_EXCEL_ROW, [depot.pk, depot.label, "", "", "", "", "depot-user", "Depot-Pw-2"]),
        dimension="A1:XFD1048576",
    )

    report = address_sheet_import(connection=org_admin.connection, file=xlsx_files.workbook(sheet))

    assert (report.updated, report.unchanged, report.rejected) == (2, 0, [])
    assert OciCredential.objects.get(delivery_address=depot).username == "depot-user"


def test_a_rejected_row_far_below_keeps_its_number(org_admin):
    sheet = xlsx_files.sheet_xml(
        xlsx_files.row(1, HEADER) + xlsx_files.row(1_000_000, [999_999, "Nowhere", "", "", "", "", "u", "p"])
    )

    report = address_sheet_import(connection=org_admin.connection, file=xlsx_files.workbook(sheet))

    assert [(rejected.row, rejected.reason) for rejected in report.rejected] == [
        (1_000_000, "Row 1000000 names the id 999999, which is not one of your delivery addresses.")
    ]


def test_the_row_limit_counts_rows_far_apart(org_admin, monkeypatch):
    monkeypatch.setattr(address_sheet, "MAX_ROWS", 2)
    rows = [(2, "ORG"), (500, org_admin.depot.pk), (LAST_EXCEL_ROW, org_admin.shop.address.pk)]
    sheet = xlsx_files.row(1, HEADER) + "".join(
        xlsx_files.row(number, [address, "", "", "", "", "", "user", "Pw-1"]) for number, address in rows
    )

    message = _refused(org_admin, xlsx_files.workbook(xlsx_files.sheet_xml(sheet)))

    assert message == (
        "The sheet has more than 2 rows. Upload the sheet ocilink made, with one row per delivery address."
    )


# --- bounds -------------------------------------------------------------------------------------------------------


def test_a_row_of_16384_values_is_refused(org_admin):
    sheet = xlsx_files.row(1, HEADER) + xlsx_files.row(2, ["ORG", "", "", "", "", "", "u", "p", *range(16_376)])

    message = _refused(org_admin, xlsx_files.workbook(xlsx_files.sheet_xml(sheet)))

    assert message == (
        "Row 2 has a value in column AY, but only columns A to AX (50 columns) are read. Delete what stands to "
        "the right of the table and try again."
    )


def test_a_sheet_with_more_cells_than_allowed_is_refused(org_admin, monkeypatch):
    monkeypatch.setattr(address_sheet, "MAX_CELLS", 15)
    sheet = xlsx_files.rows([HEADER, ["ORG", "", "", "", "", "", "user", "Pw-1"]])

    message = _refused(org_admin, xlsx_files.workbook(xlsx_files.sheet_xml(sheet)))

    assert message.startswith("The file has more than 15 cells, counting empty cells that only carry formatting.")


def test_a_zip_bomb_is_refused_on_the_upload_page(org_admin):
    data = xlsx_files.bomb(tuple(HEADER), 500)
    before = _stored(org_admin.connection)

    response = org_admin.client.post(
        reverse("connections:credential_sheet_upload", args=[org_admin.connection.pk]),
        {"sheet": SimpleUploadedFile("filled.xlsx", data)},
    )

    assert response.status_code == 400
    assert (
        "The workbook unpacks to more than 50 MB, far more than a table needs. Copy the table alone into a new "
        "workbook, save that and try again." in response.content.decode()
    )
    assert _stored(org_admin.connection) == before


def test_an_upload_past_its_deadline_is_stopped_and_stores_nothing(org_admin, settings):
    settings.IMPORT_DEADLINE_SECONDS = 0
    filled = xlsx_files.workbook(xlsx_files.sheet_xml(xlsx_files.rows([HEADER, ["ORG", "", "", "", "", "", "u", "p"]])))

    message = _refused(org_admin, filled)

    assert message == (
        "Importing the file took longer than 0 seconds, so it was stopped and nothing was imported. Split it into "
        "smaller files, or try again when it is less busy."
    )


def test_a_file_larger_than_the_upload_limit_is_refused_by_the_form(org_admin, monkeypatch):
    monkeypatch.setattr(forms, "MAX_UPLOAD_BYTES", 1024 * 1024)
    before = _stored(org_admin.connection)

    response = org_admin.client.post(
        reverse("connections:credential_sheet_upload", args=[org_admin.connection.pk]),
        {"sheet": SimpleUploadedFile("filled.xlsx", b"PK\x03\x04" + b"\x00" * (1024 * 1024))},
    )

    assert response.status_code == 400
    assert "The file is larger than 1 MB. Upload the sheet ocilink made, filled in." in response.content.decode()
    assert _stored(org_admin.connection) == before
