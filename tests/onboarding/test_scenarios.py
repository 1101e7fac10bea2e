"""Scenario selection, the plans as transcribed from the source document, and a walk through each plan to live."""

from __future__ import annotations

from typing import Any

import pytest

from ocilink.accounts.models import Organization, PlatformRole
from ocilink.connections.services import oci_credential_set
from ocilink.onboarding.activation import connection_activate
from ocilink.onboarding.connection_setup import SupplierDetails
from ocilink.onboarding.models import ConnectionRequest, RequestEvent
from ocilink.onboarding.plans import PLANS, Party
from ocilink.onboarding.selectors import scenario_for
from ocilink.onboarding.services import connection_request_create, request_step_complete
from ocilink.onboarding.states import RequestStatus, StepStatus
from ocilink.orders.states import PurchaseOrderStatus
from tests.factories import OrganizationFactory

from .conftest import make_administrator, make_staff, place_order


@pytest.mark.parametrize(
    ("phase", "in_catalogue", "expected"),
    [
        (Organization.Phase.IMPLEMENTATION, True, 1),
        (Organization.Phase.IMPLEMENTATION, False, 2),
        (Organization.Phase.LIVE, True, 3),
        (Organization.Phase.LIVE, False, 4),
    ],
)
def test_scenario_follows_phase_and_catalogue(db, entry, phase, in_catalogue, expected):  # type: ignore[no-untyped-def]
    # given
    organization = OrganizationFactory(phase=phase)
    # when
    scenario = scenario_for(organization=organization, catalogue_entry=entry if in_catalogue else None)
    # then
    assert scenario == expected


C, K, L, S = Party.CUSTOMER, Party.CONSULTANT, Party.SUPPLIER, Party.SUPPORT


@pytest.mark.parametrize(
    ("scenario", "parties", "source_steps"),
    [
        (1, [K, C, C, L, K, K, C, K], [1, 2, 3, 4, 5, 6, 7, 8]),
        # scenario 2 has an activation step the document implies but does not number (before its step 6)
        (2, [C, K, C, L, C, K, K, C, K], [1, 2, 3, 4, 5, None, 6, 7, 8]),
        (3, [C, C, C, C, S, C, C, S], [1, 2, 3, 4, 5, 6, 7, 8]),
        (4, [C, C, C, L, C, S, C, C, S], [1, 2, 3, 4, 5, 6, 7, 8, 9]),
    ],
)
def test_plans_follow_the_source_document(scenario, parties, source_steps):  # type: ignore[no-untyped-def]
    # given
    plan = PLANS[scenario]
    # then
    assert [spec.party for spec in plan.steps] == parties
    assert [spec.source_step for spec in plan.steps] == source_steps
    assert len({spec.key for spec in plan.steps}) == len(plan.steps)
    assert [spec.key for spec in plan.steps if spec.optional] == ["troubleshoot"]
    assert all(spec.why_added for spec in plan.steps if spec.source_step is None)


def _actors(organization: Organization) -> dict[str, Any]:
    administrator = make_administrator(organization)
    return {
        Party.CUSTOMER: administrator,
        Party.SUPPLIER: administrator,  # the administrator receives the supplier's answer
        Party.CONSULTANT: make_staff(PlatformRole.CONSULTANT),
        Party.SUPPORT: make_staff(PlatformRole.SUPPORT),
    }


def _walk_to_live(request: ConnectionRequest, actors: dict[str, Any], skip_key: str = "") -> list[str]:
    """Tick every required step with the right actor; return the request's status before each step."""
    statuses = []
    for step in request.steps.order_by("position"):
        if step.optional or step.status != StepStatus.OPEN or step.key == skip_key:
            continue
        request.refresh_from_db()
        statuses.append(request.status)
        actor = actors[step.party]
        if step.key == "activate":
            assert request.connection is not None
            connection_activate(connection=request.connection, actor=actor)
            continue
        note = ""
        if "credentials" in step.requires:
            assert request.connection is not None
            oci_credential_set(
                connection=request.connection, delivery_address=None, username="oci-user", password="oci-secret"
            )
        if "order_delivered" in step.requires:
            place_order(request, status=PurchaseOrderStatus.TO_BE_RECEIVED, buyer=actors[Party.CUSTOMER])
            note = "Confirmed by Jan de Vries (supplier) by phone"
        request_step_complete(step=step, actor=actor, note=note)
    request.refresh_from_db()
    return statuses


@pytest.mark.parametrize(
    ("phase", "in_catalogue", "scenario", "ticks"),
    [
        (Organization.Phase.IMPLEMENTATION, True, 1, 7),
        (Organization.Phase.IMPLEMENTATION, False, 2, 8),
        (Organization.Phase.LIVE, True, 3, 6),  # step 1 is done by picking the webshop from the catalogue
        (Organization.Phase.LIVE, False, 4, 8),
    ],
)
def test_walk_each_scenario_to_live(db, entry, phase, in_catalogue, scenario, ticks):  # type: ignore[no-untyped-def]
    # given
    organization = OrganizationFactory(phase=phase)
    actors = _actors(organization)
    details = SupplierDetails(supplier_name="New Supplier BV", login_url="https://new.example.com/oci/")
    request = connection_request_create(
        organization=organization,
        requested_by=actors[Party.CUSTOMER],
        catalogue_entry=entry if in_catalogue else None,
        details=None if in_catalogue else details,
    )
    # when
    statuses = _walk_to_live(request, actors)
    # then
    assert request.scenario == scenario
    assert statuses == [RequestStatus.OPEN] * ticks
    assert request.status == RequestStatus.LIVE
    assert request.closed_at is not None
    steps = list(request.steps.order_by("position"))
    assert [step.status for step in steps] == [StepStatus.DONE] * (len(steps) - 1) + [StepStatus.SKIPPED]
    assert steps[-1].key == "troubleshoot"
    assert steps[-1].notes == "Not needed: the request went live without it."
    assert [step.done_by for step in steps[:-1]] == [actors[step.party] for step in steps[:-1]]
    assert request.connection is not None
    assert request.connection.is_active
    assert list(request.events.values_list("action", flat=True))[-1] == RequestEvent.Action.WENT_LIVE


def test_request_is_not_live_before_the_first_order_is_confirmed(db, entry, live_org):  # type: ignore[no-untyped-def]
    # given
    actors = _actors(live_org)
    request = connection_request_create(
        organization=live_org, requested_by=actors[Party.CUSTOMER], catalogue_entry=entry
    )
    # when every required step but the first order is done
    _walk_to_live(request, actors, skip_key="first_order")
    # then
    assert request.status == RequestStatus.OPEN
    assert list(request.steps.filter(status=StepStatus.OPEN).values_list("key", flat=True)) == [
        "first_order",
        "troubleshoot",
    ]
