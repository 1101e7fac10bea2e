"""Login throttling: after too many wrong passwords for one username from one address, logging in is paused.

Every test goes through the real login views (the platform's and the Django admin's) with the test client, so the
authentication backend, the middleware and the lockout page are the ones a person meets.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw"  # UserFactory's
WRONG = "not-the-password-7f3a"
ADDRESS = "198.51.100.7"
ADMIN_LOGIN = "/admin/login/?next=/admin/"


def _log_in(client: Client, username: str, password: str, path: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(path or reverse("login"), {"username": username, "password": password})


def _fail(client: Client, username: str, times: int, path: str | None = None):  # type: ignore[no-untyped-def]
    response = None
    for _ in range(times):
        response = _log_in(client, username, WRONG, path)
    return response


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_limit_is_ten_failures_and_the_pause_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 10
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_nine_wrong_passwords_then_the_right_one_logs_in():
    user = UserFactory()
    client = Client(REMOTE_ADDR=ADDRESS)

    response = _fail(client, user.username, settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200  # the login form again, with its error
    response = _log_in(client, user.username, PASSWORD)

    assert response.status_code == 302
    assert _logged_in(client)


def test_ten_wrong_passwords_then_the_right_one_is_refused_with_the_lockout_page():
    user = UserFactory()
    client = Client(REMOTE_ADDR=ADDRESS)

    tenth = _fail(client, user.username, settings.AXES_FAILURE_LIMIT)
    response = _log_in(client, user.username, PASSWORD)

    assert tenth.status_code == 429
    assert response.status_code == 429
    assert not _logged_in(client)
    page = response.content.decode()
    assert "Logging in is paused" in page
    assert "15 minutes" in page
    assert "ask the administrator of your organization or ocilink support" in page
    assert WRONG not in page


def test_the_lockout_page_speaks_dutch_to_a_dutch_browser():
    user = UserFactory()
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_ACCEPT_LANGUAGE="nl")

    response = _fail(client, user.username, settings.AXES_FAILURE_LIMIT)

    page = response.content.decode()
    assert response.status_code == 429
    assert '<html lang="nl">' in page
    assert "Inloggen is gepauzeerd" in page
    assert "15 minuten" in page


def test_another_username_from_the_same_address_is_not_locked():
    victim, colleague = UserFactory(), UserFactory()
    attacker = Client(REMOTE_ADDR=ADDRESS)
    _fail(attacker, victim.username, settings.AXES_FAILURE_LIMIT)

    colleague_client = Client(REMOTE_ADDR=ADDRESS)
    response = _log_in(colleague_client, colleague.username, PASSWORD)

    assert response.status_code == 302
    assert _logged_in(colleague_client)


def test_the_same_username_from_another_address_is_not_locked():
    user = UserFactory()
    _fail(Client(REMOTE_ADDR=ADDRESS), user.username, settings.AXES_FAILURE_LIMIT)

    elsewhere = Client(REMOTE_ADDR="203.0.113.20")
    response = _log_in(elsewhere, user.username, PASSWORD)

    assert response.status_code == 302
    assert _logged_in(elsewhere)


def test_after_the_cool_off_the_right_password_works_again():
    user = UserFactory()
    client = Client(REMOTE_ADDR=ADDRESS)
    _fail(client, user.username, settings.AXES_FAILURE_LIMIT)
    assert _log_in(client, user.username, PASSWORD).status_code == 429

    # Fifteen minutes and a second pass: move the recorded attempt back in time.
    past = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    assert AccessAttempt.objects.filter(username=user.username).update(attempt_time=past) == 1
    response = _log_in(client, user.username, PASSWORD)

    assert response.status_code == 302
    assert _logged_in(client)


def test_an_attempt_during_the_pause_starts_the_wait_again():
    user = UserFactory()
    client = Client(REMOTE_ADDR=ADDRESS)
    _fail(client, user.username, settings.AXES_FAILURE_LIMIT)
    almost = timezone.now() - settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    AccessAttempt.objects.filter(username=user.username).update(attempt_time=almost)

    assert _log_in(client, user.username, PASSWORD).status_code == 429  # one minute before the end
    AccessAttempt.objects.filter(username=user.username).update(
        attempt_time=AccessAttempt.objects.get(username=user.username).attempt_time - timedelta(minutes=2)
    )

    assert _log_in(client, user.username, PASSWORD).status_code == 429  # the wait began again at that attempt


def test_the_django_admin_login_is_throttled_too():
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client(REMOTE_ADDR=ADDRESS)

    _fail(client, staff.username, settings.AXES_FAILURE_LIMIT, ADMIN_LOGIN)
    response = _log_in(client, staff.username, PASSWORD, ADMIN_LOGIN)

    assert response.status_code == 429
    assert "Logging in is paused" in response.content.decode()
    assert not _logged_in(client)


def test_failures_on_the_admin_and_the_platform_login_count_together():
    staff = UserFactory(is_staff=True)
    client = Client(REMOTE_ADDR=ADDRESS)

    _fail(client, staff.username, 5, ADMIN_LOGIN)
    _fail(client, staff.username, settings.AXES_FAILURE_LIMIT - 5)

    assert _log_in(client, staff.username, PASSWORD).status_code == 429


def test_the_audit_trail_records_each_failure_and_no_password():
    user = UserFactory()
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT="Browser/1.0")

    _fail(client, user.username, settings.AXES_FAILURE_LIMIT)

    failures = AccessFailureLog.objects.filter(username=user.username).order_by("attempt_time", "pk")
    assert failures.count() == settings.AXES_FAILURE_LIMIT
    assert {(f.ip_address, f.user_agent, f.path_info) for f in failures} == {
        (ADDRESS, "Browser/1.0", "/accounts/login/")
    }
    assert [f.locked_out for f in failures][-1] is True
    attempt = AccessAttempt.objects.get(username=user.username)
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    stored = [attempt.get_data, attempt.post_data, *(str(vars(f)) for f in failures), str(vars(attempt))]
    assert not [text for text in stored if WRONG in text]


def test_a_successful_login_clears_earlier_failures():
    user = UserFactory()
    client = Client(REMOTE_ADDR=ADDRESS)
    _fail(client, user.username, settings.AXES_FAILURE_LIMIT - 1)
    _log_in(client, user.username, PASSWORD)
    client.logout()

    response = _fail(client, user.username, settings.AXES_FAILURE_LIMIT - 1)

    assert response.status_code == 200


# ---- the client's address behind a proxy (TRUSTED_PROXIES) -------------------------------------------------------


def test_behind_a_trusted_proxy_the_client_address_comes_from_x_forwarded_for(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    user = UserFactory()
    attacker = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.66")
    _fail(attacker, user.username, settings.AXES_FAILURE_LIMIT)

    owner = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20")
    response = _log_in(owner, user.username, PASSWORD)

    assert response.status_code == 302
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}


def test_the_right_most_untrusted_address_counts_so_a_forged_entry_changes_nothing(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    user = UserFactory()
    for forged in range(settings.AXES_FAILURE_LIMIT):
        client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{forged}, 203.0.113.66")
        _log_in(client, user.username, WRONG)

    again = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.200, 203.0.113.66")

    assert _log_in(again, user.username, PASSWORD).status_code == 429


def test_x_forwarded_for_is_ignored_when_the_request_does_not_come_from_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    user = UserFactory()
    for forged in range(settings.AXES_FAILURE_LIMIT):
        client = Client(REMOTE_ADDR=ADDRESS, HTTP_X_FORWARDED_FOR=f"192.0.2.{forged}")
        _log_in(client, user.username, WRONG)

    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {ADDRESS}
    assert _log_in(Client(REMOTE_ADDR=ADDRESS), user.username, PASSWORD).status_code == 429


def test_without_trusted_proxies_x_forwarded_for_is_never_read(settings):
    settings.TRUSTED_PROXIES = []
    user = UserFactory()

    _log_in(Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.66"), user.username, WRONG)

    assert list(AccessFailureLog.objects.values_list("ip_address", flat=True)) == ["10.0.0.2"]


def test_a_trusted_proxy_may_be_given_as_a_network(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    user = UserFactory()

    _log_in(Client(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="203.0.113.66, 10.0.0.3"), user.username, WRONG)

    assert list(AccessFailureLog.objects.values_list("ip_address", flat=True)) == ["203.0.113.66"]


def test_the_audit_trail_in_the_django_admin_shows_no_password():
    user = UserFactory()
    _fail(Client(REMOTE_ADDR=ADDRESS), user.username, settings.AXES_FAILURE_LIMIT)
    support = Client()
    support.force_login(UserFactory(is_staff=True, is_superuser=True))

    pages = [
        support.get("/admin/axes/accessattempt/"),
        support.get(f"/admin/axes/accessattempt/{AccessAttempt.objects.get().pk}/change/"),
        support.get("/admin/axes/accessfailurelog/"),
        support.get(f"/admin/axes/accessfailurelog/{AccessFailureLog.objects.first().pk}/change/"),
    ]

    assert [page.status_code for page in pages] == [200, 200, 200, 200]
    assert user.username in pages[0].content.decode()
    assert [page for page in pages if WRONG in page.content.decode()] == []
