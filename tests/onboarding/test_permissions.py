"""Who may tick which step: every party × every kind of actor."""

from __future__ import annotations

from typing import Any

import pytest

from ocilink.accounts.models import Organization, PlatformRole, Role
from ocilink.onboarding.connection_setup import SupplierDetails
from ocilink.onboarding.exceptions import NotAllowed
from ocilink.onboarding.models import RequestEvent
from ocilink.onboarding.parties import may_act_for_party
from ocilink.onboarding.plans import Party
from ocilink.onboarding.services import connection_request_create, request_step_complete
from ocilink.onboarding.states import StepStatus
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

from .conftest import make_administrator, make_staff

ACTORS = ["administrator", "buyer", "other_administrator", "consultant", "support", "django_staff", "superuser"]

ALLOWED = {
    Party.CUSTOMER: {"administrator"},
    Party.CONSULTANT: {"consultant", "superuser"},
    Party.SUPPORT: {"support", "superuser"},
    Party.SUPPLIER: {"administrator", "consultant", "support", "django_staff", "superuser"},
}

# A step of each party without requirements, in a request for a new supplier (scenario 2 or 4 by phase).
STEP_OF_PARTY = {
    Party.CUSTOMER: (Organization.Phase.IMPLEMENTATION, "announce_need"),
    Party.CONSULTANT: (Organization.Phase.IMPLEMENTATION, "check_price_tier"),
    Party.SUPPLIER: (Organization.Phase.IMPLEMENTATION, "supplier_builds"),
    Party.SUPPORT: (Organization.Phase.LIVE, "troubleshoot"),
}


def _actor(kind: str, organization: Organization) -> Any:
    if kind == "administrator":
        return make_administrator(organization)
    if kind == "buyer":
        user = UserFactory()
        MembershipFactory(user=user, organization=organization, role=Role.BUYER)
        return user
    if kind == "other_administrator":
        return make_administrator(OrganizationFactory())
    if kind in ("consultant", "support"):
        return make_staff(PlatformRole(kind))
    if kind == "django_staff":
        return UserFactory(is_staff=True)
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.parametrize("party", list(ALLOWED))
@pytest.mark.parametrize("kind", ACTORS)
def test_who_may_tick_a_step(db, party, kind):  # type: ignore[no-untyped-def]
    # given
    phase, key = STEP_OF_PARTY[party]
    organization = OrganizationFactory(phase=phase)
    requester = make_administrator(organization)
    request = connection_request_create(
        organization=organization, requested_by=requester, details=SupplierDetails(supplier_name="New Supplier BV")
    )
    step = request.steps.get(key=key)
    assert step.party == party
    actor = _actor(kind, organization)
    events_before = request.events.count()
    expected = kind in ALLOWED[party]
    # when
    if expected:
        request_step_complete(step=step, actor=actor)
    else:
        with pytest.raises(NotAllowed):
            request_step_complete(step=step, actor=actor)
    # then
    step.refresh_from_db()
    assert may_act_for_party(user=actor, organization=organization, party=party) is expected
    assert step.status == (StepStatus.DONE if expected else StepStatus.OPEN)
    assert step.done_by == (actor if expected else None)
    new_actions = list(request.events.order_by("pk").values_list("action", flat=True)[events_before:])
    assert new_actions == ([RequestEvent.Action.STEP_DONE] if expected else [])
