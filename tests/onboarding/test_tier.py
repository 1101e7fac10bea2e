"""The price tier: the first 5 active connections are free, each further one is charged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ocilink.onboarding.exceptions import ChargeNotAcknowledged
from ocilink.onboarding.models import ConnectionRequest
from ocilink.onboarding.selectors import Tier, charge_position_for_new, tier_for
from ocilink.onboarding.services import connection_request_create

from .conftest import client_for, make_administrator, make_connection


@pytest.mark.parametrize(
    ("active", "expected"),
    [(0, Tier(0, 0, 0)), (5, Tier(5, 5, 0)), (6, Tier(6, 5, 1)), (7, Tier(7, 5, 2))],
)
def test_tier_counts_active_connections(live_org, active, expected):  # type: ignore[no-untyped-def]
    # given
    for number in range(active):
        make_connection(live_org, active=True, name=f"Shop {number}")
    make_connection(live_org, active=False, name="Inactive 1")
    make_connection(live_org, active=False, name="Inactive 2")
    # when
    tier = tier_for(organization=live_org)
    # then
    assert tier == expected


def test_open_requests_count_towards_the_next_position(live_org, entry):  # type: ignore[no-untyped-def]
    # given 4 active connections and one open request for a fifth
    for number in range(4):
        make_connection(live_org, active=True, name=f"Shop {number}")
    connection_request_create(organization=live_org, requested_by=make_administrator(live_org), catalogue_entry=entry)
    # when
    position = charge_position_for_new(organization=live_org)
    # then
    assert position == 6


def test_a_charged_request_needs_the_confirmation(live_org, entry):  # type: ignore[no-untyped-def]
    # given
    for number in range(5):
        make_connection(live_org, active=True, name=f"Shop {number}")
    administrator = make_administrator(live_org)
    # when
    with pytest.raises(ChargeNotAcknowledged) as raised:
        connection_request_create(organization=live_org, requested_by=administrator, catalogue_entry=entry)
    # then
    assert raised.value.position == 6
    assert ConnectionRequest.objects.count() == 0
    request = connection_request_create(
        organization=live_org, requested_by=administrator, catalogue_entry=entry, charge_acknowledged=True
    )
    assert request.charge_acknowledged is True


def test_request_form_warns_and_asks_to_confirm(live_org, entry):  # type: ignore[no-untyped-def]
    # given
    for number in range(5):
        make_connection(live_org, active=True, name=f"Shop {number}")
    client = client_for(make_administrator(live_org))
    # when
    page = client.get(f"/onboarding/new/{entry.pk}/").content.decode()
    refused = client.post(f"/onboarding/new/{entry.pk}/", {"ordering_method": ""})
    # then
    assert "This will be active connection number 6." in page
    assert 'name="charge_acknowledged"' in page
    assert refused.status_code == 200
    assert "Confirm that you agree to request it." in refused.content.decode()
    assert ConnectionRequest.objects.count() == 0
    accepted = client.post(f"/onboarding/new/{entry.pk}/", {"ordering_method": "", "charge_acknowledged": "on"})
    assert accepted.status_code == 302
    assert ConnectionRequest.objects.get().charge_acknowledged is True


def test_free_request_form_has_no_notice(live_org, entry):  # type: ignore[no-untyped-def]
    # given
    client = client_for(make_administrator(live_org))
    # when
    page = client.get(f"/onboarding/new/{entry.pk}/").content.decode()
    # then
    assert "This will be active connection number" not in page
    assert 'name="charge_acknowledged"' not in page


def test_billing_overview_is_for_platform_staff_only(live_org, implementation_org, consultant):  # type: ignore[no-untyped-def]
    # given
    start = timezone.now() - timedelta(days=100)
    for number in range(7):
        connection = make_connection(live_org, active=True, name=f"Shop {number}")
        connection.activated_at = start + timedelta(days=number)
        connection.save()
    make_connection(live_org, active=False, name="Inactive")
    administrator = make_administrator(live_org)
    # when
    as_admin = client_for(administrator).get("/onboarding/billing/")
    as_staff = client_for(consultant).get("/onboarding/billing/")
    # then
    assert as_admin.status_code == 403
    assert as_staff.status_code == 200
    rows = {row.organization: row for row in as_staff.context["rows"]}
    assert rows[live_org].tier == Tier(7, 5, 2)
    assert [(c.connection.name, c.since) for c in rows[live_org].charged_connections] == [
        ("Shop 5", start + timedelta(days=5)),
        ("Shop 6", start + timedelta(days=6)),
    ]
    assert rows[implementation_org].tier == Tier(0, 0, 0)
    assert "Shop 5 (" in as_staff.content.decode()


def test_billing_overview_needs_a_login(db, client):  # type: ignore[no-untyped-def]
    # when
    response = client.get("/onboarding/billing/")
    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
