"""The membership a page acts through: one query, with its organization and delivery address; its user is the one
it was looked up for (the request's, already read), never read again."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from ocilink.accounts.models import Role
from ocilink.accounts.selectors import membership_for
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_the_membership_of_the_chosen_organization_carries_the_user_it_was_looked_up_for(
    shop, django_assert_num_queries
):
    user = get_user_model().objects.get(pk=shop.user.pk)
    elsewhere = MembershipFactory(user=user, organization=OrganizationFactory(name="Another"), role=Role.APPROVER)

    with django_assert_num_queries(1):
        membership = membership_for(user=user, organization_id=elsewhere.organization_id)
        assert membership is not None
        assert membership.user is user
        assert (membership.organization.name, membership.role) == ("Another", Role.APPROVER)
        assert membership.delivery_address is None


def test_without_a_choice_the_first_organization_by_name_with_the_user_it_was_looked_up_for(
    shop, django_assert_num_queries
):
    user = get_user_model().objects.get(pk=shop.user.pk)
    MembershipFactory(user=user, organization=OrganizationFactory(name="zzz last"), role=Role.APPROVER)
    first = MembershipFactory(user=user, organization=OrganizationFactory(name="0 first"), role=Role.ADMINISTRATOR)

    with django_assert_num_queries(1):
        membership = membership_for(user=user)
        assert membership == first
        assert membership.user is user
        assert membership.organization.name == "0 first"


def test_a_user_without_a_membership_has_none(django_assert_num_queries):
    user = get_user_model().objects.create_user(username="nobody")

    with django_assert_num_queries(1):
        assert membership_for(user=user) is None
