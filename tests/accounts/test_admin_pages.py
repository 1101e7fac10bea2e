"""The organization's administration: members' roles and addresses, cost centres; for administrators only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ocilink.accounts.models import AuditEvent, CostCentre, Membership, Role
from ocilink.accounts.services import AccountsError, membership_update
from tests.factories import CostCentreFactory, DeliveryAddressFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(shop):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=shop.organization, role=Role.ADMINISTRATOR)


@pytest.fixture
def admin_client(admin) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(admin.user)
    return client


PAGES = [
    "accounts:administration",
    "accounts:member_list",
    "accounts:cost_centre_list",
    "accounts:cost_centre_create",
    "accounts:audit_list",
]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_opens_for_an_administrator(admin_client, name):
    assert admin_client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("role", [Role.BUYER, Role.APPROVER])
@pytest.mark.parametrize("name", PAGES)
def test_buyers_and_approvers_are_refused(shop, role, name):
    member = MembershipFactory(organization=shop.organization, role=role)
    client = Client()
    client.force_login(member.user)

    get = client.get(reverse(name))
    post = client.post(reverse(name), {"code": "1", "name": "x"})

    assert (get.status_code, post.status_code) == (403, 403)
    assert not CostCentre.objects.exists()


def test_a_buyer_cannot_change_a_member(shop):
    client = Client()
    client.force_login(shop.user)

    response = client.post(reverse("accounts:member_edit", args=[shop.membership.pk]), {"role": Role.ADMINISTRATOR})

    assert response.status_code == 403
    assert Membership.objects.get(pk=shop.membership.pk).role == Role.BUYER


def test_the_administrator_changes_a_members_role_and_delivery_address(shop, admin, admin_client):
    depot = DeliveryAddressFactory(organization=shop.organization, label="Depot")

    response = admin_client.post(
        reverse("accounts:member_edit", args=[shop.membership.pk]),
        {"role": Role.APPROVER, "delivery_address": depot.pk},
    )

    assert response.status_code == 302
    member = Membership.objects.get(pk=shop.membership.pk)
    assert (member.role, member.delivery_address) == (Role.APPROVER, depot)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.by_platform_staff) == ("membership.updated", admin.user, False)
    assert event.summary == (
        f"{shop.user.username}: role Buyer → Approver; delivery address {shop.address.label} → Depot."
    )


def test_a_delivery_address_of_another_organization_cannot_be_chosen(shop, other_shop, admin_client):
    response = admin_client.post(
        reverse("accounts:member_edit", args=[shop.membership.pk]),
        {"role": Role.BUYER, "delivery_address": other_shop.address.pk},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["delivery_address"]
    assert Membership.objects.get(pk=shop.membership.pk).delivery_address == shop.address


def test_the_only_administrator_cannot_give_up_the_role(admin, admin_client):
    response = admin_client.post(reverse("accounts:member_edit", args=[admin.pk]), {"role": Role.BUYER})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"{admin.user.username} is the organization's only administrator. Make another member administrator first, "
        "so someone can still manage the organization."
    ]
    assert Membership.objects.get(pk=admin.pk).role == Role.ADMINISTRATOR
    assert not AuditEvent.objects.exists()


def test_an_administrator_can_step_down_when_another_remains(shop, admin):
    MembershipFactory(organization=shop.organization, role=Role.ADMINISTRATOR)

    membership_update(membership=admin, actor=admin.user, role=Role.BUYER, delivery_address=None)

    assert Membership.objects.get(pk=admin.pk).role == Role.BUYER


def test_the_service_refuses_an_address_of_another_organization(shop, other_shop, admin):
    with pytest.raises(AccountsError):
        membership_update(
            membership=shop.membership, actor=admin.user, role=Role.BUYER, delivery_address=other_shop.address
        )

    assert Membership.objects.get(pk=shop.membership.pk).delivery_address == shop.address


def test_cost_centres_are_created_changed_and_deactivated(shop, admin_client):
    admin_client.post(reverse("accounts:cost_centre_create"), {"code": "4100", "name": "Facilities"})
    centre = CostCentre.objects.get(organization=shop.organization)
    admin_client.post(
        reverse("accounts:cost_centre_edit", args=[centre.pk]),
        {"code": "4100", "name": "Facility management", "is_active": "on"},
    )
    admin_client.post(reverse("accounts:cost_centre_deactivate", args=[centre.pk]))

    centre.refresh_from_db()
    assert (centre.code, centre.name, centre.is_active) == ("4100", "Facility management", False)
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "cost_centre.created",
        "cost_centre.updated",
        "cost_centre.deactivated",
    ]


def test_a_duplicate_cost_centre_code_gets_a_clear_message(shop, admin_client):
    CostCentreFactory(organization=shop.organization, code="4100")

    response = admin_client.post(reverse("accounts:cost_centre_create"), {"code": "4100", "name": "Again"})

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "There is already a cost centre with code 4100. Choose another code or edit that one."
    ]
    assert CostCentre.objects.count() == 1


def test_deactivating_needs_a_post(shop, admin_client):
    centre = CostCentreFactory(organization=shop.organization)

    response = admin_client.get(reverse("accounts:cost_centre_deactivate", args=[centre.pk]))

    assert response.status_code == 405
    assert CostCentre.objects.get(pk=centre.pk).is_active is True


def test_the_member_list_shows_the_organizations_members_only(shop, other_shop, admin, admin_client):
    response = admin_client.get(reverse("accounts:member_list"))

    assert set(response.context["members"]) == {shop.membership, admin}
