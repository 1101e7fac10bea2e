"""Platform staff act in any organization they choose, without a membership, and leave an audit trail there."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ocilink.accounts.audit import audit_log
from ocilink.accounts.models import AuditEvent, CostCentre, Membership, Role
from ocilink.accounts.permissions import is_platform_staff
from ocilink.accounts.selectors import SESSION_ORGANIZATION_KEY, acts_as_platform_staff, membership_for
from tests.factories import MembershipFactory, OrganizationFactory, PlatformStaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultant():  # type: ignore[no-untyped-def]
    return PlatformStaffFactory(user=UserFactory(first_name="Cas", last_name="Consultant")).user


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_staff_without_a_chosen_organization_are_sent_to_choose_one(consultant):
    response = _client(consultant).get(reverse("suppliers:list"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:choose_organization")


def test_staff_see_every_organization_to_choose_from(consultant, shop, other_shop):
    response = _client(consultant).get(reverse("accounts:choose_organization"))

    assert response.status_code == 200
    assert set(response.context["organizations"]) == {shop.organization, other_shop.organization}


def test_choosing_an_organization_is_kept_in_the_session_and_audited_without_a_membership(consultant, shop):
    client = _client(consultant)

    response = client.post(reverse("accounts:choose_organization"), {"organization": shop.organization.pk})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:administration")
    assert client.session[SESSION_ORGANIZATION_KEY] == shop.organization.pk
    assert not Membership.objects.filter(user=consultant).exists()
    event = AuditEvent.objects.get(organization=shop.organization)
    assert (event.action, event.actor, event.by_platform_staff) == ("organization.entered", consultant, True)
    assert event.summary == "Cas Consultant (platform staff) started to act in this organization."


def test_staff_act_as_a_transient_administrator_of_the_chosen_organization(consultant, shop):
    client = _client(consultant)
    client.post(reverse("accounts:choose_organization"), {"organization": shop.organization.pk})

    response = client.get(reverse("accounts:member_list"))

    assert response.status_code == 200
    membership = response.wsgi_request.membership  # type: ignore[attr-defined]
    assert (membership.organization, membership.user, membership.role) == (
        shop.organization,
        consultant,
        "administrator",
    )
    assert acts_as_platform_staff(membership) is True
    assert "as platform staff" in response.content.decode()
    assert list(response.context["members"]) == [shop.membership]
    assert not Membership.objects.filter(user=consultant).exists()


def test_every_write_of_staff_inside_the_organization_is_audited_as_platform_staff(consultant, shop):
    client = _client(consultant)
    client.post(reverse("accounts:choose_organization"), {"organization": shop.organization.pk})

    client.post(reverse("accounts:cost_centre_create"), {"code": "4100", "name": "Facilities"})
    client.post(reverse("suppliers:group_create"), {"name": "Office"})
    client.post(
        reverse("accounts:member_edit", args=[shop.membership.pk]),
        {"role": Role.APPROVER, "delivery_address": shop.address.pk},
    )

    events = AuditEvent.objects.filter(organization=shop.organization).order_by("pk")
    assert [(e.action, e.actor, e.by_platform_staff) for e in events] == [
        ("organization.entered", consultant, True),
        ("cost_centre.created", consultant, True),
        ("supplier_group.created", consultant, True),
        ("membership.updated", consultant, True),
    ]
    assert events.last().summary == f"{shop.user.username}: role Buyer → Approver."  # type: ignore[union-attr]
    assert CostCentre.objects.get().organization == shop.organization


def test_a_django_staff_user_counts_as_platform_staff(shop):
    staff = UserFactory(is_staff=True)
    client = _client(staff)

    client.post(reverse("accounts:choose_organization"), {"organization": shop.organization.pk})
    response = client.get(reverse("accounts:audit_list"))

    assert is_platform_staff(user=staff) is True
    assert response.status_code == 200
    assert [e.action for e in response.context["page"]] == ["organization.entered"]


def test_the_audit_trail_shows_the_organizations_events_only(consultant, shop, other_shop):
    admin = MembershipFactory(organization=shop.organization, role=Role.ADMINISTRATOR)
    audit_log(organization=shop.organization, actor=consultant, action="connection.activated", summary="Activated.")
    audit_log(organization=other_shop.organization, actor=consultant, action="secret.other", summary="Elsewhere.")

    response = _client(admin.user).get(reverse("accounts:audit_list"))

    assert [(e.action, e.by_platform_staff) for e in response.context["page"]] == [("connection.activated", True)]
    assert "platform staff" in response.content.decode()
    assert "Elsewhere." not in response.content.decode()


def test_a_member_cannot_choose_an_organization_they_do_not_belong_to(shop, other_shop):
    client = _client(shop.user)

    response = client.post(reverse("accounts:choose_organization"), {"organization": other_shop.organization.pk})

    assert response.status_code == 404
    assert SESSION_ORGANIZATION_KEY not in client.session
    assert not AuditEvent.objects.exists()
    assert client.get(reverse("suppliers:list")).context["membership"] == shop.membership


def test_a_member_of_two_organizations_switches_between_them_without_an_audit_event(shop):
    second = MembershipFactory(user=shop.user, organization=OrganizationFactory(name="ZZ Second"))
    client = _client(shop.user)

    client.post(reverse("accounts:choose_organization"), {"organization": second.organization.pk})

    assert client.get(reverse("suppliers:list")).context["membership"] == second
    assert not AuditEvent.objects.exists()


def test_membership_for_gives_staff_nothing_for_an_unknown_organization(consultant):
    assert membership_for(user=consultant, organization_id=987654) is None


def test_an_audit_event_cannot_name_an_object_of_another_organization(shop, other_shop):
    with pytest.raises(ValueError, match="its own organization"):
        audit_log(organization=shop.organization, actor=shop.user, action="x", obj=other_shop.supplier)

    assert not AuditEvent.objects.exists()
