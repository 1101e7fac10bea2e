"""Why doesn't this buyer see this supplier? Each rule in its place in the walk, and the list that applies them."""

from __future__ import annotations

import pytest
from django.db import connection as db_connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ocilink.accounts.models import Role
from ocilink.connections.services import oci_credential_set
from ocilink.suppliers.models import OrderingRight
from ocilink.suppliers.selectors import suppliers_for_buyer
from ocilink.suppliers.visibility import BLOCKED, CONNECTION, CREDENTIALS, GROUP, RIGHT, RULES, supplier_visibility
from tests.factories import (
    DeliveryAddressFactory,
    MembershipFactory,
    OrderingRightFactory,
    SupplierFactory,
    SupplierGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def grouped(shop):  # type: ignore[no-untyped-def]
    """The shop's supplier in group Office; the buyer role may order at Office only."""
    office = SupplierGroupFactory(organization=shop.organization, name="Office")
    shop.supplier.group = office
    shop.supplier.save()
    right = OrderingRight.objects.get(organization=shop.organization, role=Role.BUYER)
    right.all_supplier_groups = False
    right.save()
    right.supplier_groups.set([office])
    return shop


def _walk(shop):  # type: ignore[no-untyped-def]
    result = supplier_visibility(member=shop.membership, supplier=shop.supplier)
    seen = suppliers_for_buyer(membership=shop.membership).filter(pk=shop.supplier.pk).exists()
    assert seen == result.visible, "the page and the supplier list must apply the same rules"
    return result


def test_a_supplier_that_passes_every_rule_is_visible(grouped):
    result = _walk(grouped)

    assert result.visible is True
    assert result.hidden_by is None
    assert [check.rule for check in result.checks] == list(RULES)
    assert [check.passed for check in result.checks] == [True, True, True, True, True]
    assert result.conclusion == f"{grouped.user.username} sees {grouped.supplier.name} and can shop there."


def test_rule_1_a_blocked_supplier_is_hidden(grouped):
    grouped.supplier.is_blocked = True
    grouped.supplier.save()

    result = _walk(grouped)

    assert result.hidden_by is not None
    assert result.hidden_by.rule == BLOCKED
    assert result.hidden_by.message == (
        f"{grouped.supplier.name} is blocked. Unblock it on the supplier's page if the organization may order there "
        "again."
    )
    assert [check.passed for check in result.checks] == [False, True, True, True, True]


def test_rule_2_a_supplier_without_external_connection_is_hidden(grouped):
    grouped.supplier.external_connection = None
    grouped.supplier.save()

    result = _walk(grouped)

    assert result.hidden_by is not None
    assert result.hidden_by.rule == CONNECTION
    assert result.hidden_by.message == (
        f"{grouped.supplier.name} has no external connection. Link it to its webshop connection on the supplier's "
        "page (or request a connection first)."
    )
    assert result.check(CREDENTIALS).passed is None


def test_rule_2_an_inactive_connection_hides_the_supplier(grouped):
    grouped.connection.is_active = False
    grouped.connection.save()

    result = _walk(grouped)

    assert result.hidden_by is not None
    assert result.hidden_by.rule == CONNECTION
    assert result.hidden_by.message == (
        f"The connection {grouped.connection.name} of {grouped.supplier.name} is not active. Ask the consultant or "
        "support to activate it (they test it with a first roundtrip)."
    )
    assert result.check(CREDENTIALS).passed is True


def test_rule_2_a_connection_of_another_organization_hides_the_supplier(grouped, other_shop):
    grouped.supplier.external_connection = other_shop.connection
    grouped.supplier.save()

    result = _walk(grouped)

    assert result.hidden_by is not None
    assert result.hidden_by.rule == CONNECTION
    assert "belongs to another organization" in result.hidden_by.message
    assert result.check(CREDENTIALS).passed is None


def test_rule_3_no_right_at_all_hides_the_supplier(grouped):
    OrderingRight.objects.filter(organization=grouped.organization).delete()

    result = _walk(grouped)

    assert result.hidden_by is not None
    assert result.hidden_by.rule == RIGHT
    name = grouped.user.username
    assert result.hidden_by.message == (
        f"Neither {name} nor the role Buyer has an ordering right, so {name} may not order. Give the role Buyer or "
        f"{name} an ordering right."
    )
    assert result.check(GROUP).passed is None


def test_rule_3_a_role_right_without_may_order_hides_the_supplier(grouped):
    OrderingRight.objects.filter(organization=grouped.organization, role=Role.BUYER).update(may_order=False)

    result = _walk(grouped)

    assert result.hidden_by is not None
    assert result.hidden_by.rule == RIGHT
    assert result.hidden_by.message == (
        "The ordering right of the role Buyer does not allow ordering. Tick “may order” in that right."
    )


def test_rule_3_a_user_right_without_may_order_hides_the_supplier_although_the_role_may(grouped):
    OrderingRightFactory(organization=grouped.organization, role="", user=grouped.user, may_order=False)

    result = _walk(grouped)

    assert result.hidden_by is not None
    assert result.hidden_by.rule == RIGHT
    assert result.hidden_by.message == (
        f"The own ordering right of {grouped.user.username} does not allow ordering. Tick “may order” in that right."
    )


def test_rule_4_a_supplier_outside_the_permitted_groups_is_hidden_and_the_groups_are_named(grouped):
    facility = SupplierGroupFactory(organization=grouped.organization, name="Facility")
    SupplierGroupFactory(organization=grouped.organization, name="Catering")
    grouped.supplier.group = facility
    grouped.supplier.save()
    right = OrderingRight.objects.get(organization=grouped.organization, role=Role.BUYER)
    right.supplier_groups.add(SupplierGroupFactory(organization=grouped.organization, name="IT"))

    result = _walk(grouped)

    assert result.hidden_by is not None
    assert result.hidden_by.rule == GROUP
    assert result.hidden_by.message == (
        f"The group Facility of {grouped.supplier.name} is not among the groups the ordering right of the role Buyer "
        "covers (IT, Office). Add Facility to that right, or move the supplier to one of these groups."
    )
    assert [check.passed for check in result.checks] == [True, True, True, False, True]


def test_rule_4_a_supplier_without_group_needs_a_right_for_every_group(grouped):
    grouped.supplier.group = None
    grouped.supplier.save()

    result = _walk(grouped)

    assert result.hidden_by is not None
    assert result.hidden_by.rule == GROUP
    assert result.hidden_by.message == (
        f"{grouped.supplier.name} is in no supplier group, and the ordering right of the role Buyer only covers these "
        "groups: Office. Put the supplier in one of them, or let the right cover every supplier group."
    )


def test_rule_5_no_credentials_for_the_buyers_address_nor_organization_wide_hides_the_supplier(grouped):
    grouped.connection.credentials.all().delete()
    depot = DeliveryAddressFactory(organization=grouped.organization, label="Depot")
    oci_credential_set(connection=grouped.connection, delivery_address=depot, username="u", password="p")

    result = _walk(grouped)

    assert result.hidden_by is not None
    assert result.hidden_by.rule == CREDENTIALS
    assert result.hidden_by.message == (
        f"The connection {grouped.connection.name} has no OCI account for the delivery address "
        f"{grouped.address.label} of {grouped.user.username}, nor an organization-wide one. Enter the supplier's "
        "credentials for that address or an organization-wide account."
    )
    assert [check.passed for check in result.checks] == [True, True, True, True, False]


def test_rule_5_an_account_for_the_buyers_own_address_is_enough(grouped):
    grouped.connection.credentials.all().delete()
    oci_credential_set(connection=grouped.connection, delivery_address=grouped.address, username="u", password="p")

    result = _walk(grouped)

    assert result.visible is True
    assert result.check(CREDENTIALS).message == (
        f"The connection {grouped.connection.name} has an OCI account for the delivery address {grouped.address.label}."
    )


def test_the_walk_names_the_first_failing_rule_when_several_fail(grouped):
    grouped.supplier.is_blocked = True
    grouped.supplier.save()
    grouped.connection.is_active = False
    grouped.connection.save()
    OrderingRight.objects.filter(organization=grouped.organization).delete()

    result = _walk(grouped)

    assert result.hidden_by is not None
    assert result.hidden_by.rule == BLOCKED
    assert [check.passed for check in result.checks] == [False, False, False, None, True]


def test_a_users_own_right_replaces_the_role_right(grouped):
    facility = SupplierGroupFactory(organization=grouped.organization, name="Facility")
    OrderingRightFactory(
        organization=grouped.organization,
        role="",
        user=grouped.user,
        all_supplier_groups=False,
        supplier_groups=[facility],
    )

    result = _walk(grouped)

    assert result.hidden_by is not None
    assert result.hidden_by.rule == GROUP
    assert "the own ordering right of" in result.hidden_by.message
    assert "(Facility)" in result.hidden_by.message


def test_the_page_shows_the_walk_to_an_administrator(grouped):
    admin = MembershipFactory(organization=grouped.organization, role=Role.ADMINISTRATOR)
    grouped.supplier.is_blocked = True
    grouped.supplier.save()
    client = Client()
    client.force_login(admin.user)

    response = client.get(
        reverse("suppliers:visibility"), {"member": grouped.membership.pk, "supplier": grouped.supplier.pk}
    )

    assert response.status_code == 200
    assert response.context["result"].hidden_by.rule == BLOCKED
    assert "is blocked. Unblock it" in response.content.decode()


def test_the_page_refuses_a_member_or_supplier_of_another_organization(grouped, other_shop):
    admin = MembershipFactory(organization=grouped.organization, role=Role.ADMINISTRATOR)
    client = Client()
    client.force_login(admin.user)

    response = client.get(
        reverse("suppliers:visibility"), {"member": other_shop.membership.pk, "supplier": other_shop.supplier.pk}
    )

    assert response.status_code == 200
    assert response.context["result"] is None
    assert set(response.context["form"].errors) == {"member", "supplier"}
    assert other_shop.supplier.name not in response.content.decode()


@pytest.mark.parametrize("role", [Role.BUYER, Role.APPROVER])
def test_the_page_is_for_administrators_only(grouped, role):
    member = MembershipFactory(organization=grouped.organization, role=role)
    client = Client()
    client.force_login(member.user)

    response = client.get(reverse("suppliers:visibility"))

    assert response.status_code == 403


def _list_queries(client: Client) -> int:
    with CaptureQueriesContext(db_connection) as queries:
        response = client.get(reverse("suppliers:list"))
    assert response.status_code == 200
    return len(queries)


def test_the_supplier_list_takes_the_same_number_of_queries_for_one_or_twenty_suppliers(grouped):
    client = Client()
    client.force_login(grouped.user)
    DeliveryAddressFactory(organization=grouped.organization)  # the address picker shows
    one = _list_queries(client)
    office = grouped.supplier.group
    for _ in range(19):
        supplier = SupplierFactory(organization=grouped.organization, group=office)
        oci_credential_set(connection=supplier.external_connection, delivery_address=None, username="u", password="p")

    twenty = _list_queries(client)

    assert len(client.get(reverse("suppliers:list")).context["suppliers"]) == 20
    assert twenty == one


def test_the_supplier_list_shows_only_what_the_buyer_may_order(grouped):
    hidden = SupplierFactory(organization=grouped.organization, name="Elsewhere Ltd")
    oci_credential_set(connection=hidden.external_connection, delivery_address=None, username="u", password="p")
    client = Client()
    client.force_login(grouped.user)

    response = client.get(reverse("suppliers:list"))

    assert [s.name for s in response.context["suppliers"]] == [grouped.supplier.name]


def test_punchout_start_refuses_a_supplier_the_buyer_may_not_order_at(grouped):
    other_group = SupplierGroupFactory(organization=grouped.organization)
    hidden = SupplierFactory(organization=grouped.organization, group=other_group)
    oci_credential_set(connection=hidden.external_connection, delivery_address=None, username="u", password="p")
    client = Client()
    client.force_login(grouped.user)

    response = client.post(reverse("punchout:start", args=[hidden.pk]))

    assert response.status_code == 404
    assert not hidden.punchout_sessions.exists()


def test_a_member_of_another_role_follows_the_right_of_that_role(grouped):
    approver = MembershipFactory(organization=grouped.organization, role=Role.APPROVER, user=UserFactory())
    assert not suppliers_for_buyer(membership=approver).exists()
    OrderingRightFactory(organization=grouped.organization, role=Role.APPROVER, all_supplier_groups=True)

    assert list(suppliers_for_buyer(membership=approver)) == [grouped.supplier]


def test_without_the_credentials_rule_a_supplier_without_account_is_still_offered(grouped):
    grouped.connection.credentials.all().delete()

    assert list(suppliers_for_buyer(membership=grouped.membership)) == []
    assert list(suppliers_for_buyer(membership=grouped.membership, check_credentials=False)) == [grouped.supplier]
