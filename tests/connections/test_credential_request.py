"""The credential request e-mail (Dutch and English) with the delivery-address sheet, preview and sending."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ocilink.accounts.models import AuditEvent
from ocilink.connections.address_sheet import ORGANIZATION_ROW_ID
from ocilink.connections.credential_request import credential_request_compose
from ocilink.connections.services import oci_credential_set

pytestmark = pytest.mark.django_db

ORDERING_METHODS = {
    "nl": ("e-mail met een PDF-bestand", "HTTPS met een cXML-bestand", "SFTP met een cXML-bestand"),
    "en": ("e-mail with a PDF file", "HTTPS with a cXML file", "SFTP with a cXML file"),
}


def _sheet_rows(data: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(data))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


@pytest.mark.parametrize(
    ("language", "greeting", "debtor_text", "coc_text"),
    [
        ("nl", "Beste Piet Jansen,", "debiteurnummer D-7781", "KvK-nummer 12345678"),
        ("en", "Dear Piet Jansen,", "debtor number D-7781", "Chamber of Commerce number 12345678"),
    ],
)
def test_the_email_names_the_organization_its_numbers_and_the_three_ordering_methods(
    org_admin, language, greeting, debtor_text, coc_text
):
    organization = org_admin.organization

    email = credential_request_compose(
        organization=organization,
        language=language,
        contact_name="Piet Jansen",
        debtor_number="D-7781",
        coc_number="12345678",
        sender_name="Ada Admin",
        guide_url="https://ocilink.example/guide/",
    )

    assert email.body.startswith(greeting)
    assert organization.name in email.subject
    assert organization.name in email.body
    assert debtor_text in email.body
    assert coc_text in email.body
    for method in ORDERING_METHODS[language]:
        assert method in email.body
    assert email.attachment_name in email.body
    assert "https://ocilink.example/guide/" in email.body
    assert email.body.rstrip().endswith(f"Ada Admin\n{organization.name}")


def test_without_numbers_and_attachment_the_email_leaves_them_out(org_admin):
    email = credential_request_compose(organization=org_admin.organization, language="en", attach_sheet=False)

    assert "Dear Sir or Madam," in email.body
    assert "debtor number" not in email.body.split("\n")[2]
    assert "(" + "debtor" not in email.body
    assert email.attachment == b""
    assert "attachment" not in email.body


@pytest.mark.parametrize(("language", "username_header"), [("nl", "gebruikersnaam"), ("en", "username")])
def test_the_attachment_opens_and_lists_every_address_with_empty_supplier_columns(org_admin, language, username_header):
    email = credential_request_compose(organization=org_admin.organization, language=language)

    rows = _sheet_rows(email.attachment)

    header = rows[0]
    assert header[0] == "id"
    assert username_header in header
    assert rows[1][0] == ORGANIZATION_ROW_ID
    listed = {row[0]: row for row in rows[2:]}
    addresses = list(org_admin.organization.delivery_addresses.all())
    assert set(listed) == {a.pk for a in addresses}
    for address in addresses:
        row = listed[address.pk]
        assert row[1:6] == (address.label, address.street, address.postal_code, address.city, address.country)
        assert row[6:] == (None, None, None, None, None)


def test_the_sheet_lists_no_address_of_another_organization(org_admin, other_org_admin):
    email = credential_request_compose(organization=org_admin.organization, language="en")

    ids = {row[0] for row in _sheet_rows(email.attachment)[1:]}

    assert not ids & set(other_org_admin.organization.delivery_addresses.values_list("pk", flat=True))


def test_the_page_prefills_the_debtor_number_of_the_organization_wide_account(org_admin):
    oci_credential_set(
        connection=org_admin.connection, delivery_address=None, username=None, password=None, debtor_number="D-4242"
    )

    response = org_admin.client.get(reverse("connections:credential_request", args=[org_admin.connection.pk]))

    assert response.status_code == 200
    assert 'value="D-4242"' in response.content.decode()
    assert 'value="ada@municipality.example"' in response.content.decode()


def _request_data(**changes: str) -> dict[str, str]:
    data = {
        "language": "nl",
        "contact_email": "sales@supplier.example",
        "contact_name": "Piet",
        "reply_to": "ada@municipality.example",
        "sender_name": "Ada Admin",
        "debtor_number": "D-7781",
        "coc_number": "",
        "attach_sheet": "on",
        "include_guide_link": "on",
    }
    data.update(changes)
    return data


def test_preview_shows_the_email_and_sends_nothing(org_admin, mailoutbox):
    url = reverse("connections:credential_request", args=[org_admin.connection.pk])

    response = org_admin.client.post(url, {**_request_data(), "action": "preview"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Beste Piet," in body
    assert "debiteurnummer D-7781" in body
    assert "http://testserver/guide/" in body
    assert 'id="send-request"' in body
    assert mailoutbox == []


def test_sending_mails_the_supplier_with_the_sheet_and_replies_to_the_administrator(org_admin, mailoutbox):
    url = reverse("connections:credential_request", args=[org_admin.connection.pk])

    response = org_admin.client.post(
        url, {**_request_data(language="en", cc="consultant@platform.example"), "action": "send"}
    )

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["sales@supplier.example"]
    assert message.cc == ["consultant@platform.example"]
    assert message.reply_to == ["ada@municipality.example"]
    assert message.subject == f"Request for OCI login details for {org_admin.organization.name}"
    assert "debtor number D-7781" in message.body
    (name, content, mimetype) = message.attachments[0]
    assert name == f"delivery-addresses-{org_admin.organization.slug}.xlsx"
    assert mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert len(_sheet_rows(content)) == 1 + 1 + org_admin.organization.delivery_addresses.count()
    assert AuditEvent.objects.filter(organization=org_admin.organization, action="credential_request.sent").count() == 1


def test_a_bad_address_sends_nothing_and_says_why(org_admin, mailoutbox):
    url = reverse("connections:credential_request", args=[org_admin.connection.pk])

    response = org_admin.client.post(url, {**_request_data(contact_email="not-an-address"), "action": "send"})

    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert mailoutbox == []


def test_the_sheet_alone_can_be_downloaded(org_admin):
    response = org_admin.client.get(
        reverse("connections:credential_request_sheet", args=[org_admin.connection.pk]), {"language": "nl"}
    )

    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == f'attachment; filename="afleveradressen-{org_admin.organization.slug}.xlsx"'
    )
    rows = _sheet_rows(response.content)
    assert rows[0][1] == "omschrijving"
    assert len(rows) == 2 + org_admin.organization.delivery_addresses.count()


def test_another_organizations_connection_gives_404_and_sends_nothing(org_admin, other_org_admin, mailoutbox):
    theirs = other_org_admin.connection.pk

    page = org_admin.client.post(
        reverse("connections:credential_request", args=[theirs]), {**_request_data(), "action": "send"}
    )
    sheet = org_admin.client.get(reverse("connections:credential_request_sheet", args=[theirs]))

    assert (page.status_code, sheet.status_code) == (404, 404)
    assert mailoutbox == []
