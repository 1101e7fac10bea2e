"""Activation by a consultant or support member: the step is ticked and the administrators are told."""

from __future__ import annotations

import pytest

from ocilink.accounts.models import AuditEvent
from ocilink.connections.services import oci_credential_set
from ocilink.onboarding.activation import (
    connection_activate,
    request_roundtrip_start,
    request_step_record_report,
    roundtrip_available,
)
from ocilink.onboarding.exceptions import NotAllowed, OnboardingError
from ocilink.onboarding.models import RequestEvent
from ocilink.onboarding.selectors import latest_roundtrip_for
from ocilink.onboarding.services import connection_request_create
from ocilink.onboarding.states import StepStatus
from ocilink.punchout.models import CartReturn, PunchoutSession

from .conftest import client_for, make_administrator


@pytest.fixture
def scenario_3(live_org, entry):  # type: ignore[no-untyped-def]
    administrator = make_administrator(live_org, email="ada@example.org")
    request = connection_request_create(organization=live_org, requested_by=administrator, catalogue_entry=entry)
    oci_credential_set(connection=request.connection, delivery_address=None, username="u", password="p")
    return request


def test_activation_notifies_the_administrators(scenario_3, support, mailoutbox, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    # given
    make_administrator(scenario_3.organization, email="bob@example.org")
    connection = scenario_3.connection
    # when
    with django_capture_on_commit_callbacks(execute=True):
        connection_activate(connection=connection, actor=support)
    # then
    connection.refresh_from_db()
    assert connection.is_active is True
    assert connection.activated_by == support
    assert connection.activated_at is not None
    step = scenario_3.steps.get(key="activate")
    assert (step.status, step.done_by, step.notes) == (StepStatus.DONE, support, "Connection activated.")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ada@example.org", "bob@example.org"]
    assert mailoutbox[0].subject == "The connection to Office Supplies Ltd is active"
    assert f"/onboarding/{scenario_3.pk}/" in mailoutbox[0].body
    assert (
        AuditEvent.objects.filter(
            organization=scenario_3.organization, action="connection.activated", by_platform_staff=True
        ).count()
        == 1
    )


def test_an_administrator_cannot_activate(scenario_3, mailoutbox, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    # given
    administrator = scenario_3.requested_by
    # when
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(NotAllowed):
        connection_activate(connection=scenario_3.connection, actor=administrator)
    # then
    scenario_3.connection.refresh_from_db()
    assert scenario_3.connection.is_active is False
    assert scenario_3.steps.get(key="activate").status == StepStatus.OPEN
    assert mailoutbox == []


def test_activation_needs_login_details(live_org, entry, consultant, mailoutbox):  # type: ignore[no-untyped-def]
    # given
    request = connection_request_create(
        organization=live_org, requested_by=make_administrator(live_org), catalogue_entry=entry
    )
    # when
    with pytest.raises(OnboardingError) as raised:
        connection_activate(connection=request.connection, actor=consultant)
    # then
    assert str(raised.value) == (
        "Enter the OCI login details of Office Supplies Ltd first: without them nobody can log in at the webshop."
    )
    request.connection.refresh_from_db()
    assert request.connection.is_active is False
    assert mailoutbox == []


def test_the_activation_step_cannot_be_skipped_or_ticked_while_inactive(scenario_3, support):  # type: ignore[no-untyped-def]
    # given
    from ocilink.onboarding.services import request_step_complete, request_step_skip

    step = scenario_3.steps.get(key="activate")
    # when / then
    with pytest.raises(OnboardingError, match="cannot be skipped"):
        request_step_skip(step=step, actor=support, reason="not needed")
    with pytest.raises(OnboardingError, match="Activate the connection first"):
        request_step_complete(step=step, actor=support)
    step.refresh_from_db()
    assert step.status == StepStatus.OPEN


def test_roundtrip_test_and_its_report_on_the_step(scenario_3, consultant):  # type: ignore[no-untyped-def]
    # given a roundtrip test started from the activation step, and the cart its webshop sent back
    step = scenario_3.steps.get(key="activate")
    test = request_roundtrip_start(step=step, actor=consultant)
    report = {"ok": True, "charset": "utf-8", "lines": [{"index": 1}], "errors": [], "warnings": []}
    CartReturn.objects.create(session=test, reference="RT-TEST0001", outcome="checked", report=report)
    # when
    request_step_record_report(step=step, actor=consultant)
    # then
    assert (test.reference, test.connection, test.organization) == (
        f"onboarding-step:{step.pk}",
        scenario_3.connection,
        scenario_3.organization,
    )
    assert latest_roundtrip_for(step=step) == test
    step.refresh_from_db()
    recorded = step.report["roundtrip"]
    assert recorded["cart_report"] == report
    assert recorded["test_punchout_id"] == str(test.pk)
    assert recorded["reference"] == f"onboarding-step:{step.pk}"
    assert recorded["recorded_by"] == consultant.username
    assert list(scenario_3.events.filter(step=step).values_list("action", "note")) == [
        (RequestEvent.Action.ROUNDTRIP_STARTED, ""),
        (RequestEvent.Action.REPORT_RECORDED, "1 lines, 0 errors, 0 warnings"),
    ]


def test_an_administrator_cannot_start_a_roundtrip_test(scenario_3):  # type: ignore[no-untyped-def]
    # given
    step = scenario_3.steps.get(key="activate")
    # when
    with pytest.raises(NotAllowed):
        request_roundtrip_start(step=step, actor=scenario_3.requested_by)
    # then
    assert PunchoutSession.objects.trials().count() == 0


def test_the_page_offers_the_roundtrip_test_only_when_it_is_installed(scenario_3, consultant):  # type: ignore[no-untyped-def]
    # when
    page = client_for(consultant, scenario_3.organization).get(f"/onboarding/{scenario_3.pk}/").content.decode()
    # then
    assert ('id="roundtrip-start"' in page) is roundtrip_available()
    assert 'id="activate"' in page


def test_no_report_to_record_before_a_roundtrip(scenario_3, consultant, monkeypatch):  # type: ignore[no-untyped-def]
    # given
    monkeypatch.setattr("ocilink.onboarding.activation.latest_roundtrip_for", lambda *, step: None)
    step = scenario_3.steps.get(key="activate")
    # when
    with pytest.raises(OnboardingError, match="No roundtrip test has come back"):
        request_step_record_report(step=step, actor=consultant)
    # then
    step.refresh_from_db()
    assert step.report == {}
