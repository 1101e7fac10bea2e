"""The delivery-address sheet filled in by the supplier and uploaded back: what is stored, what is refused."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from ocilink.connections.address_sheet import address_sheet_build, address_sheet_import
from ocilink.connections.models import OciCredential
from ocilink.connections.services import oci_credential_set
from tests.factories import DeliveryAddressFactory

pytestmark = pytest.mark.django_db

COLUMNS = {"username": 7, "password": 8, "customer_number": 9, "debtor_number": 10, "location_code": 11}


def _fill(data: bytes, rows: dict[object, dict[str, object]], extra: list[list[object]] = ()) -> bytes:  # type: ignore[assignment]
    """Fill the supplier's columns of the rows with these ids, and append extra rows."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        values = rows.get(row[0].value)
        for name, value in (values or {}).items():
            sheet.cell(row=row[0].row, column=COLUMNS[name], value=value)
    for values in extra:
        sheet.append(values)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _upload(org_admin, data: bytes, name: str = "filled.xlsx", connection_pk: int | None = None):  # type: ignore[no-untyped-def]
    url = reverse("connections:credential_sheet_upload", args=[connection_pk or org_admin.connection.pk])
    return org_admin.client.post(url, {"sheet": SimpleUploadedFile(name, data)})


def test_a_filled_sheet_round_trips_and_bad_rows_are_reported(org_admin, other_org_admin):
    organization, connection = org_admin.organization, org_admin.connection
    town_hall, depot = org_admin.shop.address, org_admin.depot
    foreign = other_org_admin.depot
    sheet = address_sheet_build(organization=organization, language="en")
    annex = DeliveryAddressFactory(organization=organization, label="Annex")  # added after the sheet was sent
    filled = _fill(
        sheet,
        {
            "ORG": {
                "username": "org-new",
                "password": "Org-New-Pw-1",
                "customer_number": 10042,
                "debtor_number": "D-1",
            },
            town_hall.pk: {"username": "hall", "password": "Hall-Pw-2", "location_code": "LOC-1"},
            depot.pk: {"username": "depot-only-user"},
        },
        extra=[
            [999999, "Nowhere", "", "", "", "", "ghost", "Ghost-Pw-3"],
            [foreign.pk, foreign.label, "", "", "", "", "thief", "Thief-Pw-4"],
            [None, "Annex", "", "", "", "", "annex", "Annex-Pw-5", "", "", "LOC-A"],
            [None, None, None],
        ],
    )

    response = _upload(org_admin, filled)

    assert response.status_code == 200
    body = response.content.decode()
    assert "3 rows stored." in body
    assert "3 rows could not be used." in body
    first_address_row = 3  # the header, then the organization-wide row
    depot_row = first_address_row + sorted([depot.label, town_hall.label]).index(depot.label)
    extra_row = first_address_row + 2
    assert f"Row {depot_row} has a username but no password; fill in both." in body
    assert f"Row {extra_row} names the id 999999, which is not one of your delivery addresses." in body
    assert f"Row {extra_row + 1} names the id {foreign.pk}, which is not one of your delivery addresses." in body
    for secret in ("Org-New-Pw-1", "Hall-Pw-2", "Ghost-Pw-3", "Thief-Pw-4", "Annex-Pw-5", "depot-only-user"):
        assert secret not in body
    org_wide = OciCredential.objects.get(connection=connection, delivery_address__isnull=True)
    assert (org_wide.username, org_wide.password, org_wide.customer_number, org_wide.debtor_number) == (
        "org-new",
        "Org-New-Pw-1",
        "10042",
        "D-1",
    )
    hall = OciCredential.objects.get(connection=connection, delivery_address=town_hall)
    assert (hall.username, hall.password, hall.location_code) == ("hall", "Hall-Pw-2", "LOC-1")
    assert OciCredential.objects.get(connection=connection, delivery_address=annex).location_code == "LOC-A"
    assert not OciCredential.objects.filter(delivery_address=depot).exists()
    assert not OciCredential.objects.filter(delivery_address=foreign).exists()
    theirs = OciCredential.objects.get(connection=other_org_admin.connection, delivery_address__isnull=True)
    assert (theirs.username, theirs.password) == ("org-account", "org-secret")


def test_a_dutch_sheet_is_read_back_too(org_admin):
    sheet = address_sheet_build(organization=org_admin.organization, language="nl")
    filled = _fill(sheet, {org_admin.depot.pk: {"username": "depot", "password": "Depot-Pw"}})

    report = address_sheet_import(connection=org_admin.connection, file=filled)

    assert (report.updated, report.rejected) == (1, [])
    assert OciCredential.objects.get(delivery_address=org_admin.depot).password == "Depot-Pw"


def test_numbers_alone_keep_the_stored_account_and_need_one(org_admin):
    town_hall, depot = org_admin.shop.address, org_admin.depot
    oci_credential_set(connection=org_admin.connection, delivery_address=town_hall, username="h", password="h-pw")
    sheet = address_sheet_build(organization=org_admin.organization, language="en")
    filled = _fill(sheet, {town_hall.pk: {"customer_number": "C-9"}, depot.pk: {"customer_number": "C-8"}})

    report = address_sheet_import(connection=org_admin.connection, file=filled)

    assert report.updated == 1
    assert [r.reason.split(" gives")[1][:22] for r in report.rejected] == [" numbers but no userna"]
    hall = OciCredential.objects.get(delivery_address=town_hall)
    assert (hall.username, hall.password, hall.customer_number) == ("h", "h-pw", "C-9")
    assert not OciCredential.objects.filter(delivery_address=depot).exists()


def test_a_second_row_for_the_same_address_is_refused(org_admin):
    depot = org_admin.depot
    sheet = address_sheet_build(organization=org_admin.organization, language="en")
    filled = _fill(
        sheet,
        {depot.pk: {"username": "first", "password": "First-Pw"}},
        extra=[[depot.pk, depot.label, "", "", "", "", "second", "Second-Pw"]],
    )

    report = address_sheet_import(connection=org_admin.connection, file=filled)

    assert report.updated == 1
    assert len(report.rejected) == 1
    assert "is for the same address as row" in report.rejected[0].reason
    assert OciCredential.objects.get(delivery_address=depot).username == "first"


def test_a_sheet_without_the_column_names_is_refused_whole(org_admin):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["address", "user", "pass"])
    sheet.append([org_admin.depot.pk, "u", "p"])
    output = io.BytesIO()
    workbook.save(output)

    response = _upload(org_admin, output.getvalue())

    assert response.status_code == 400
    body = response.content.decode()
    assert "these are missing: id, label, username, password, customer number, debtor number, location code." in body
    assert not OciCredential.objects.filter(delivery_address=org_admin.depot).exists()


def test_a_file_that_is_not_an_xlsx_is_refused(org_admin):
    response = _upload(org_admin, b"id;label;username\n1;x;y\n", name="sheet.csv")

    assert response.status_code == 400
    assert "The file is not an Excel workbook (.xlsx)." in response.content.decode()
    assert OciCredential.objects.filter(connection=org_admin.connection).count() == 1


def test_a_workbook_with_a_document_type_declaration_is_refused(org_admin):
    import zipfile

    sheet = address_sheet_build(organization=org_admin.organization, language="en")
    source = zipfile.ZipFile(io.BytesIO(sheet))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                declaration, _sep, rest = content.partition(b"?>")
                content = declaration + b'?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + rest
            target.writestr(item, content)

    response = _upload(org_admin, output.getvalue())

    assert response.status_code == 400
    assert "XML declarations an Excel sheet never has" in response.content.decode()


def test_the_upload_page_of_another_organizations_connection_is_not_found(org_admin, other_org_admin):
    sheet = address_sheet_build(organization=other_org_admin.organization, language="en")
    filled = _fill(sheet, {"ORG": {"username": "x", "password": "y"}})

    response = _upload(org_admin, filled, connection_pk=other_org_admin.connection.pk)

    assert response.status_code == 404
    theirs = OciCredential.objects.get(connection=other_org_admin.connection, delivery_address__isnull=True)
    assert theirs.username == "org-account"
