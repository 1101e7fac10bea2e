"""Ordering rights: a role's right, a user's own right that replaces it, and the administrator's pages for them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from ocilink.accounts.models import AuditEvent, Role
from ocilink.suppliers.models import OrderingRight
from ocilink.suppliers.rights import NO_RIGHT, right_for
from ocilink.suppliers.services import SupplierAdminError, ordering_right_create, ordering_right_update
from tests.factories import MembershipFactory, OrderingRightFactory, SupplierGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(shop):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=shop.organization, role=Role.ADMINISTRATOR)


@pytest.fixture
def admin_client(admin) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(admin.user)
    return client


def test_a_member_gets_the_right_of_their_role(shop):
    right = right_for(membership=shop.membership)

    assert right.source == "role"
    assert right.may_order is True
    assert right.all_supplier_groups is True
    assert right.limit_without_approval == Decimal("1000000.00")


def test_a_users_own_right_replaces_the_role_right_as_a_whole(shop):
    office = SupplierGroupFactory(organization=shop.organization)
    own = OrderingRightFactory(
        organization=shop.organization,
        role="",
        user=shop.user,
        all_supplier_groups=False,
        supplier_groups=[office],
        limit_without_approval=Decimal("250.00"),
    )

    right = right_for(membership=shop.membership)

    assert right.source == "user"
    assert right.right_id == own.pk
    assert right.all_supplier_groups is False
    assert right.supplier_group_ids == frozenset({office.pk})
    assert right.limit_without_approval == Decimal("250.00")
    assert right.covers_group(office.pk) is True
    assert right.covers_group(None) is False


def test_without_a_right_of_role_or_user_a_member_may_not_order(shop):
    approver = MembershipFactory(organization=shop.organization, role=Role.APPROVER)

    assert right_for(membership=approver) == NO_RIGHT


def test_a_right_of_another_organization_never_applies(shop, other_shop):
    OrderingRightFactory(organization=other_shop.organization, role="", user=shop.user, may_order=False)

    assert right_for(membership=shop.membership).source == "role"


def test_the_right_takes_two_queries_whatever_it_holds(shop, django_assert_num_queries):
    groups = [SupplierGroupFactory(organization=shop.organization) for _ in range(5)]
    OrderingRightFactory(
        organization=shop.organization, role="", user=shop.user, all_supplier_groups=False, supplier_groups=groups
    )

    with django_assert_num_queries(2):
        right = right_for(membership=shop.membership)

    assert right.supplier_group_ids == frozenset(group.pk for group in groups)


def test_a_right_that_covers_every_group_takes_one_query(shop, django_assert_num_queries):
    groups = [SupplierGroupFactory(organization=shop.organization) for _ in range(5)]
    OrderingRightFactory(organization=shop.organization, role="", user=shop.user, supplier_groups=groups)

    with django_assert_num_queries(1):
        right = right_for(membership=shop.membership)

    assert right.all_supplier_groups is True
    assert right.covers_group(groups[0].pk) is True
    assert right.covers_group(None) is True


def test_creating_a_second_right_for_the_same_role_is_refused_with_a_clear_message(shop, admin):
    with pytest.raises(SupplierAdminError) as error:
        ordering_right_create(organization=shop.organization, actor=admin.user, role=Role.BUYER)

    assert str(error.value) == "The role Buyer already has an ordering right. Change that one."
    assert OrderingRight.objects.filter(organization=shop.organization).count() == 1


def test_a_right_for_a_user_of_another_organization_is_refused(shop, other_shop, admin):
    with pytest.raises(SupplierAdminError):
        ordering_right_create(organization=shop.organization, actor=admin.user, user=other_shop.user)

    assert not OrderingRight.objects.filter(user=other_shop.user).exists()


def test_a_right_may_not_name_groups_of_another_organization(shop, other_shop, admin):
    foreign = SupplierGroupFactory(organization=other_shop.organization)
    right = OrderingRight.objects.get(organization=shop.organization, role=Role.BUYER)

    with pytest.raises(SupplierAdminError):
        ordering_right_update(
            right=right,
            actor=admin.user,
            may_order=True,
            all_supplier_groups=False,
            supplier_groups=[foreign],
            limit_without_approval=Decimal("10"),
        )

    right.refresh_from_db()
    assert right.all_supplier_groups is True
    assert list(right.supplier_groups.all()) == []


def test_the_administrator_gives_a_member_an_own_right_on_the_page(shop, admin, admin_client):
    office = SupplierGroupFactory(organization=shop.organization, name="Office")

    response = admin_client.post(
        reverse("suppliers:right_create"),
        {
            "holder": "user",
            "user": shop.user.pk,
            "may_order": "on",
            "supplier_groups": [office.pk],
            "limit_without_approval": "500.00",
        },
    )

    assert response.status_code == 302
    own = OrderingRight.objects.get(user=shop.user)
    assert own.role == ""
    assert list(own.supplier_groups.all()) == [office]
    assert own.limit_without_approval == Decimal("500.00")
    event = AuditEvent.objects.get(organization=shop.organization, action="ordering_right.created")
    assert event.actor == admin.user
    assert event.by_platform_staff is False
    assert event.summary == (
        f"Ordering right for user {shop.user.username} created: may order: yes; at: Office; without approval up to "
        "500.00."
    )


def test_a_right_that_may_order_needs_groups(shop, admin_client):
    response = admin_client.post(
        reverse("suppliers:right_create"),
        {"holder": "role", "role": Role.APPROVER, "may_order": "on", "limit_without_approval": "0"},
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Choose the supplier groups this right may order at, or tick “at every supplier group”."
    ]
    assert not OrderingRight.objects.filter(organization=shop.organization, role=Role.APPROVER).exists()


def test_the_administrator_changes_and_deletes_a_right(shop, admin_client):
    right = OrderingRight.objects.get(organization=shop.organization, role=Role.BUYER)

    admin_client.post(
        reverse("suppliers:right_edit", args=[right.pk]),
        {"may_order": "", "all_supplier_groups": "on", "limit_without_approval": "10"},
    )
    right.refresh_from_db()
    assert (right.may_order, right.limit_without_approval) == (False, Decimal("10.00"))

    admin_client.post(reverse("suppliers:right_delete", args=[right.pk]))
    assert not OrderingRight.objects.filter(pk=right.pk).exists()
    assert list(
        AuditEvent.objects.filter(organization=shop.organization).order_by("pk").values_list("action", flat=True)
    ) == ["ordering_right.updated", "ordering_right.deleted"]


def test_the_rights_page_lists_role_and_user_rights(shop, admin_client):
    OrderingRightFactory(organization=shop.organization, role="", user=shop.user, may_order=False)

    response = admin_client.get(reverse("suppliers:right_list"))

    assert response.status_code == 200
    assert [(r.role, r.user) for r in response.context["rights"]] == [(Role.BUYER, None), ("", shop.user)]
