"""A punchout session's state changes: the transition table, and the one conditional UPDATE that applies it."""

from __future__ import annotations

import pytest

from ocilink.core.states import InvalidTransition
from ocilink.punchout import services
from ocilink.punchout.models import PunchoutSession
from ocilink.punchout.states import SessionStatus, sources_of

pytestmark = pytest.mark.django_db


def test_only_a_started_session_may_end():
    assert sources_of(SessionStatus.IMPORTED) == {SessionStatus.STARTED}
    assert sources_of(SessionStatus.REJECTED) == {SessionStatus.STARTED}
    assert sources_of(SessionStatus.CHECKED) == {SessionStatus.STARTED}
    assert sources_of(SessionStatus.STARTED) == set()


def _session(shop) -> PunchoutSession:  # type: ignore[no-untyped-def]
    return services.punchout_start(
        membership=shop.membership, supplier=shop.supplier, delivery_address=shop.address, hook_url_for=str
    ).session


def test_a_session_moves_on_once(shop, django_assert_num_queries):
    session = _session(shop)

    with django_assert_num_queries(1):
        services._session_transition(session, SessionStatus.IMPORTED)

    assert session.status == SessionStatus.IMPORTED
    assert PunchoutSession.objects.get(pk=session.pk).status == SessionStatus.IMPORTED


def test_a_session_another_request_moved_first_is_refused_and_left_as_it_is(shop):
    session = _session(shop)  # this copy still says "started"
    PunchoutSession.objects.filter(pk=session.pk).update(status=SessionStatus.REJECTED)

    with pytest.raises(InvalidTransition, match="from rejected to imported"):
        services._session_transition(session, SessionStatus.IMPORTED)

    assert PunchoutSession.objects.get(pk=session.pk).status == SessionStatus.REJECTED
    assert session.status == SessionStatus.STARTED
