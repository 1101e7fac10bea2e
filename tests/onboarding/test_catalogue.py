"""The catalogue: browsed by an organization's administrator, kept by platform support."""

from __future__ import annotations

import pytest

from ocilink.connections.models import CatalogueEntry
from ocilink.onboarding.activation import catalogue_entry_create_from_request
from ocilink.onboarding.connection_setup import SupplierDetails
from ocilink.onboarding.exceptions import NotAllowed
from ocilink.onboarding.services import connection_request_create
from tests.factories import OrganizationFactory

from .conftest import client_for, make_administrator, make_connection


def test_browse_marks_the_webshops_active_for_the_organization(live_org, entry):  # type: ignore[no-untyped-def]
    # given
    other = CatalogueEntry.objects.create(supplier_name="Paper Direct", webshop_url="https://paper.example.com/oci/")
    CatalogueEntry.objects.create(
        supplier_name="Hidden Shop", webshop_url="https://hidden.example.com/oci/", is_published=False
    )
    make_connection(live_org, active=True, catalogue_entry=entry)
    make_connection(OrganizationFactory(), active=True, catalogue_entry=other)  # another organization's
    client = client_for(make_administrator(live_org))
    # when
    response = client.get("/catalogue/")
    # then
    assert response.status_code == 200
    items = {item.entry.supplier_name: item.active_for_you for item in response.context["items"]}
    assert items == {"Office Supplies Ltd": True, "Paper Direct": False}
    page = response.content.decode()
    entry_card = page[page.index(f'id="webshop-{entry.pk}"') : page.index(f'id="webshop-{other.pk}"')]
    assert "active for you" in entry_card
    assert "Request this connection" not in entry_card
    other_card = page[page.index(f'id="webshop-{other.pk}"') :]
    assert "active for you" not in other_card
    assert f'href="/onboarding/new/{other.pk}/"' in other_card
    assert "E-mail with PDF, HTTPS with cXML" in entry_card
    assert "5% over 500 EUR" in entry_card
    assert "Hidden Shop" not in page


def test_buyers_do_not_browse_the_catalogue(live_org, entry):  # type: ignore[no-untyped-def]
    # given
    from ocilink.accounts.models import Role
    from tests.factories import MembershipFactory, UserFactory

    buyer = UserFactory()
    MembershipFactory(user=buyer, organization=live_org, role=Role.BUYER)
    # when
    response = client_for(buyer).get("/catalogue/")
    # then
    assert response.status_code == 403


def test_support_keeps_the_catalogue(db, support, consultant):  # type: ignore[no-untyped-def]
    # given
    data = {
        "supplier_name": "Tools Inc",
        "webshop_url": "https://tools.example.com/oci",
        "method": "POST",
        "username_field": "USERNAME",
        "password_field": "PASSWORD",
        "extra_params": '{"LANGU": "NL"}',
        "ordering_methods": ["cxml_sftp"],
        "is_published": "on",
    }
    # when
    refused = client_for(consultant).post("/catalogue/manage/new/", data)
    created = client_for(support).post("/catalogue/manage/new/", data)
    # then
    assert refused.status_code == 403
    assert created.status_code == 302
    entry = CatalogueEntry.objects.get()
    assert (entry.supplier_name, entry.extra_params, entry.ordering_methods, entry.is_published) == (
        "Tools Inc",
        {"LANGU": "NL"},
        ["cxml_sftp"],
        True,
    )
    edited = client_for(support).post(f"/catalogue/manage/{entry.pk}/", {**data, "supplier_name": "Tools BV"})
    assert edited.status_code == 302
    entry.refresh_from_db()
    assert entry.supplier_name == "Tools BV"


def test_support_adds_a_new_supplier_to_the_catalogue_from_its_request(live_org, support, consultant):  # type: ignore[no-untyped-def]
    # given
    request = connection_request_create(
        organization=live_org,
        requested_by=make_administrator(live_org),
        details=SupplierDetails(
            supplier_name="New Supplier BV",
            login_url="https://new.example.com/oci/",
            method="GET",
            username_field="LOGIN",
            password_field="PWD",
            contact_email="sales@new.example.com",
            ordering_method="email_pdf",
            notes="Orders before 14:00 ship the same day.",
        ),
    )
    with pytest.raises(NotAllowed):
        catalogue_entry_create_from_request(request=request, actor=consultant, publish=True)
    # when
    response = client_for(support, live_org).post(f"/onboarding/{request.pk}/add-to-catalogue/", {"publish": "1"})
    # then
    assert response.status_code == 302
    entry = CatalogueEntry.objects.get()
    assert (
        entry.supplier_name,
        entry.webshop_url,
        entry.method,
        entry.username_field,
        entry.password_field,
        entry.ordering_methods,
        entry.contact_email,
        entry.notes,
        entry.is_published,
    ) == (
        "New Supplier BV",
        "https://new.example.com/oci/",
        "GET",
        "LOGIN",
        "PWD",
        ["email_pdf"],
        "sales@new.example.com",
        "Orders before 14:00 ship the same day.",
        True,
    )
    request.refresh_from_db()
    assert request.catalogue_entry == entry
    assert request.connection.catalogue_entry == entry
    assert request.scenario == 4
