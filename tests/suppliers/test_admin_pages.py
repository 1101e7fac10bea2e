"""The administrator's supplier pages: suppliers, groups and categories, scoped to the organization."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ocilink.accounts.models import AuditEvent, Role
from ocilink.suppliers.models import Supplier, SupplierCategory, SupplierGroup
from tests.factories import ConnectionFactory, MembershipFactory, SupplierCategoryFactory, SupplierGroupFactory

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    ("suppliers:admin_list", False),
    ("suppliers:admin_create", False),
    ("suppliers:admin_edit", True),
    ("suppliers:group_list", False),
    ("suppliers:group_create", False),
    ("suppliers:category_list", False),
    ("suppliers:category_create", False),
    ("suppliers:right_list", False),
    ("suppliers:right_create", False),
    ("suppliers:visibility", False),
]


@pytest.fixture
def admin_client(shop) -> Client:  # type: ignore[no-untyped-def]
    admin = MembershipFactory(organization=shop.organization, role=Role.ADMINISTRATOR)
    client = Client()
    client.force_login(admin.user)
    return client


def _url(shop, name: str, with_supplier: bool) -> str:  # type: ignore[no-untyped-def]
    return reverse(name, args=[shop.supplier.pk]) if with_supplier else reverse(name)


@pytest.mark.parametrize(("name", "with_supplier"), ADMIN_PAGES)
def test_every_page_opens_for_an_administrator(shop, admin_client, name, with_supplier):
    assert admin_client.get(_url(shop, name, with_supplier)).status_code == 200


@pytest.mark.parametrize("role", [Role.BUYER, Role.APPROVER])
@pytest.mark.parametrize(("name", "with_supplier"), ADMIN_PAGES)
def test_buyers_and_approvers_are_refused_and_change_nothing(shop, role, name, with_supplier):
    member = MembershipFactory(organization=shop.organization, role=role)
    client = Client()
    client.force_login(member.user)
    url = _url(shop, name, with_supplier)
    name_before = shop.supplier.name

    get = client.get(url)
    post = client.post(url, {"name": "Changed", "is_blocked": "on"})

    assert (get.status_code, post.status_code) == (403, 403)
    assert "administrators" in get.content.decode()
    shop.supplier.refresh_from_db()
    assert (shop.supplier.name, shop.supplier.is_blocked) == (name_before, False)
    assert not SupplierGroup.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(db):
    response = Client().get(reverse("suppliers:admin_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_administrator_puts_a_supplier_in_a_group_and_blocks_it(shop, admin_client):
    group = SupplierGroupFactory(organization=shop.organization, name="Office")
    category = SupplierCategoryFactory(organization=shop.organization, name="Paper")

    response = admin_client.post(
        reverse("suppliers:admin_edit", args=[shop.supplier.pk]),
        {
            "name": "Paper & Co",
            "group": group.pk,
            "category": category.pk,
            "external_connection": shop.connection.pk,
            "is_blocked": "on",
        },
    )

    assert response.status_code == 302
    supplier = Supplier.objects.get(pk=shop.supplier.pk)
    assert (supplier.name, supplier.group, supplier.category, supplier.is_blocked) == (
        "Paper & Co",
        group,
        category,
        True,
    )
    event = AuditEvent.objects.get(organization=shop.organization)
    assert event.action == "supplier.updated"
    assert event.object_type == "suppliers.supplier"
    assert event.object_id == str(supplier.pk)
    assert "blocked no → yes" in event.summary


def test_a_connection_group_or_category_of_another_organization_cannot_be_chosen(shop, other_shop, admin_client):
    foreign_group = SupplierGroupFactory(organization=other_shop.organization)
    foreign_category = SupplierCategoryFactory(organization=other_shop.organization)

    response = admin_client.post(
        reverse("suppliers:admin_edit", args=[shop.supplier.pk]),
        {
            "name": shop.supplier.name,
            "group": foreign_group.pk,
            "category": foreign_category.pk,
            "external_connection": other_shop.connection.pk,
        },
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"group", "category", "external_connection"}
    supplier = Supplier.objects.get(pk=shop.supplier.pk)
    assert (supplier.group_id, supplier.category_id, supplier.external_connection_id) == (
        None,
        None,
        shop.connection.pk,
    )


def test_the_supplier_form_offers_only_the_organizations_connections(shop, other_shop, admin_client):
    mine = ConnectionFactory(organization=shop.organization, name="Second webshop")

    response = admin_client.get(reverse("suppliers:admin_edit", args=[shop.supplier.pk]))

    offered = set(response.context["form"].fields["external_connection"].queryset)
    assert offered == {shop.connection, mine}


def test_the_administrator_creates_a_supplier(shop, admin_client):
    response = admin_client.post(reverse("suppliers:admin_create"), {"name": "Facility BV"})

    assert response.status_code == 302
    created = Supplier.objects.get(name="Facility BV")
    assert created.organization == shop.organization
    assert (created.external_connection, created.is_blocked) == (None, False)


def test_groups_are_created_renamed_and_deleted_leaving_their_suppliers_without_a_group(shop, admin_client):
    admin_client.post(reverse("suppliers:group_create"), {"name": "Office"})
    group = SupplierGroup.objects.get(organization=shop.organization)
    shop.supplier.group = group
    shop.supplier.save()

    admin_client.post(reverse("suppliers:group_edit", args=[group.pk]), {"name": "Office supplies"})
    confirm = admin_client.get(reverse("suppliers:group_delete", args=[group.pk]))
    admin_client.post(reverse("suppliers:group_delete", args=[group.pk]))

    assert "1 supplier is in it" in confirm.content.decode()
    assert not SupplierGroup.objects.exists()
    shop.supplier.refresh_from_db()
    assert shop.supplier.group is None
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "summary")) == [
        ("supplier_group.created", "Supplier group Office created."),
        ("supplier_group.updated", "Supplier group Office renamed to Office supplies."),
        ("supplier_group.deleted", "Supplier group Office supplies deleted (1 suppliers left without a group)."),
    ]


def test_a_duplicate_group_name_gets_a_clear_message(shop, admin_client):
    SupplierGroupFactory(organization=shop.organization, name="Office")

    response = admin_client.post(reverse("suppliers:group_create"), {"name": "office"})

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "There is already a supplier group named office. Choose another name."
    ]
    assert SupplierGroup.objects.count() == 1


def test_the_same_group_name_may_exist_in_another_organization(shop, other_shop, admin_client):
    SupplierGroupFactory(organization=other_shop.organization, name="Office")

    response = admin_client.post(reverse("suppliers:group_create"), {"name": "Office"})

    assert response.status_code == 302
    assert SupplierGroup.objects.filter(name="Office").count() == 2


def test_categories_are_created_and_listed(shop, admin_client):
    admin_client.post(reverse("suppliers:category_create"), {"name": "Paper"})

    response = admin_client.get(reverse("suppliers:category_list"))

    assert [c.name for c in response.context["objects"]] == ["Paper"]
    assert SupplierCategory.objects.get().organization == shop.organization
