"""The lock a cart return takes on its organization to add up the storage quota: it keeps the other returns' quota
checks waiting until it commits, and nothing else. Row locks are PostgreSQL's; SQLite serialises every writer."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from ocilink.punchout import services
from ocilink.punchout.models import PunchoutSession

pytestmark = pytest.mark.django_db(transaction=True)


def _start(shop) -> PunchoutSession:  # type: ignore[no-untyped-def]
    started = services.punchout_start(
        membership=shop.membership, supplier=shop.supplier, delivery_address=shop.address, hook_url_for=str
    )
    return started.session


def _wait_at_most(milliseconds: int) -> None:
    """In the current transaction: give up on a lock after this long (PostgreSQL's ``lock_timeout``)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{milliseconds}ms'")


@pytest.fixture
def quota_lock_held(shop):  # type: ignore[no-untyped-def]
    """Another connection, as a return would: the organization's quota added up, the transaction still open."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite lets one writer at a time in")
    session = _start(shop)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                services._quota_exceeded(session, now=timezone.now())
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(timeout=10)
    yield
    release.set()
    thread.join(timeout=30)


def test_a_punchout_starts_while_a_return_holds_its_organizations_quota_lock(shop, quota_lock_held):
    # The new session refers to the organization: its foreign key is checked with a key-share lock at the commit.
    with transaction.atomic():
        _wait_at_most(5000)
        session = _start(shop)

    assert PunchoutSession.objects.filter(pk=session.pk).exists()


def test_another_returns_quota_check_waits_for_the_lock(shop, quota_lock_held):
    session = _start(shop)

    def check_quota() -> None:
        with transaction.atomic():
            _wait_at_most(200)
            services._quota_exceeded(session, now=timezone.now())

    with pytest.raises(OperationalError, match="lock timeout"):
        check_quota()
