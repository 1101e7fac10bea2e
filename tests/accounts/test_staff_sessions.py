"""Platform staff, who can act in every organization, get a shorter session than customers."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import MembershipFactory, PlatformStaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw"  # UserFactory's


def _log_in(user, path: str | None = None) -> tuple[Client, int]:  # type: ignore[no-untyped-def]
    client = Client()
    response = client.post(path or reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client, int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"])


def test_the_lifetimes():
    assert settings.STAFF_SESSION_SECONDS == 2 * 60 * 60
    assert settings.SESSION_COOKIE_AGE == 14 * 24 * 60 * 60


def test_a_customer_keeps_the_normal_session_lifetime():
    buyer = MembershipFactory().user

    client, max_age = _log_in(buyer)

    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert max_age == settings.SESSION_COOKIE_AGE


def test_a_platform_consultant_gets_the_short_staff_session():
    consultant = PlatformStaffFactory().user

    client, max_age = _log_in(consultant)

    assert client.session.get_expiry_age() == settings.STAFF_SESSION_SECONDS
    assert max_age == settings.STAFF_SESSION_SECONDS
    assert settings.STAFF_SESSION_SECONDS < settings.SESSION_COOKIE_AGE


def test_a_user_with_the_staff_flag_gets_it_through_the_django_admin_login_too():
    staff = UserFactory(is_staff=True)

    client, max_age = _log_in(staff, "/admin/login/?next=/admin/")

    assert client.session.get_expiry_age() == settings.STAFF_SESSION_SECONDS
    assert max_age == settings.STAFF_SESSION_SECONDS


def test_the_staff_lifetime_is_a_setting(settings):
    settings.STAFF_SESSION_SECONDS = 900

    client, max_age = _log_in(UserFactory(is_superuser=True))

    assert (client.session.get_expiry_age(), max_age) == (900, 900)
