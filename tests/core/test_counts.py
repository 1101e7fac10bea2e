"""Bounded counts run together (``core.counts``): each counts its own rows with the values of its request, stops after
its limit, counts a row of several sources once, and the SQL made once per process gives what Django would write."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import CharField, DateTimeField, IntegerField, QuerySet
from django.utils import timezone

from ocilink.accounts.models import AuditEvent
from ocilink.core.counts import CountQuery, Slot, bound_sources, bounded_counts
from tests.factories import OrganizationFactory, UserFactory
from tests.prepared_sql import unwrapped

pytestmark = pytest.mark.django_db


def _events(shape: Any) -> list[QuerySet[AuditEvent, Any]]:
    """An organization's events of one action (since a moment, for the shape "since")."""
    events = AuditEvent.objects.filter(
        organization_id=Slot("organization", IntegerField()), action=Slot("action", CharField())
    )
    if shape == "since":
        events = events.filter(at__gte=Slot("since", DateTimeField()))
    return [events.values("pk").order_by()]


def _events_or_by_actor(shape: Any) -> list[QuerySet[AuditEvent, Any]]:
    """An organization's events of one action, and its events by one person: two sources that share rows."""
    events = AuditEvent.objects.filter(organization_id=Slot("organization", IntegerField()))
    return [
        events.filter(action=Slot("action", CharField())).values("pk").order_by(),
        events.filter(actor_id=Slot("actor", IntegerField())).values("pk").order_by(),
    ]


def _by_actor(shape: Any) -> list[QuerySet[AuditEvent, Any]]:
    """Another count with the slots of ``_events``' shape None: it must never run ``_events``' SQL."""
    return [AuditEvent.objects.filter(actor_id=Slot("actor", IntegerField())).values("pk").order_by()]


def _nothing(shape: Any) -> list[QuerySet[AuditEvent, Any]]:
    return []


def _count(sources: Any, *, limit: int = 10, shape: Any = None, **values: Any) -> CountQuery:
    return CountQuery(limit=limit, shape=shape, sources=sources, values=values)


def _event(organization: Any, action: str, *, actor: Any = None, at: Any = None) -> AuditEvent:
    event = AuditEvent.objects.create(organization=organization, action=action, actor=actor)
    if at is not None:
        AuditEvent.objects.filter(pk=event.pk).update(at=at)
    return event


def test_each_count_counts_the_rows_of_its_own_values():
    first, second = OrganizationFactory(), OrganizationFactory()
    for action in ("login", "login", "export"):
        _event(first, action)
    _event(second, "login")

    counted = [
        bounded_counts({"n": _count(_events, organization=organization.pk, action=action)})["n"].value
        for organization, action in ((first, "login"), (second, "login"), (first, "export"), (second, "export"))
    ]

    assert counted == [2, 1, 1, 0]


def test_a_count_stops_after_its_limit_and_says_so():
    organization = OrganizationFactory()
    for _ in range(5):
        _event(organization, "login")

    at_five = bounded_counts({"n": _count(_events, limit=5, organization=organization.pk, action="login")})["n"]
    beyond = bounded_counts({"n": _count(_events, limit=3, organization=organization.pk, action="login")})["n"]

    assert (at_five.value, at_five.more, str(at_five)) == (5, False, "5")
    assert (beyond.value, beyond.more, str(beyond)) == (4, True, "more than 3")


def test_a_row_of_several_sources_counts_once():
    organization, person = OrganizationFactory(), UserFactory()
    _event(organization, "login", actor=person)  # in both sources
    _event(organization, "login")
    _event(organization, "export", actor=person)
    _event(organization, "export")

    counted = bounded_counts(
        {"n": _count(_events_or_by_actor, organization=organization.pk, action="login", actor=person.pk)}
    )["n"]

    assert counted.value == 3


def test_a_moment_is_compared_as_a_filter_on_its_field_compares_it():
    organization = OrganizationFactory()
    now = timezone.now()
    for hours in (1, 2, 3):
        _event(organization, "login", at=now - timedelta(hours=hours))

    counted = bounded_counts(
        {
            "n": _count(
                _events,
                shape="since",
                organization=organization.pk,
                action="login",
                since=now - timedelta(hours=2),
            )
        }
    )["n"]

    assert counted.value == 2


def test_the_counts_run_in_one_query(django_assert_num_queries):
    organization, person = OrganizationFactory(), UserFactory()
    _event(organization, "login", actor=person)

    with django_assert_num_queries(1):
        counted = bounded_counts(
            {
                "logins": _count(_events, organization=organization.pk, action="login"),
                "exports": _count(_events, organization=organization.pk, action="export"),
                "theirs": _count(_by_actor, actor=person.pk),
            }
        )

    assert {name: count.value for name, count in counted.items()} == {"logins": 1, "exports": 0, "theirs": 1}


def test_a_count_without_sources_is_zero_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        counted = bounded_counts({"n": _count(_nothing, limit=7)})

    assert (counted["n"].value, counted["n"].limit) == (0, 7)


def test_counts_of_one_name_shape_and_limit_but_other_sources_never_share_their_sql():
    organization, person = OrganizationFactory(), UserFactory()
    _event(organization, "login")
    _event(organization, "export", actor=person)

    by_action = bounded_counts({"n": _count(_events, organization=organization.pk, action="login")})["n"]
    by_actor = bounded_counts({"n": _count(_by_actor, actor=person.pk)})["n"]

    assert (by_action.value, by_actor.value) == (1, 1)


_calls: list[Any] = []


def _events_counting_calls(shape: Any) -> list[QuerySet[AuditEvent, Any]]:
    _calls.append(shape)
    return _events(None)


def test_the_sql_is_made_once_for_each_shape(django_assert_num_queries):
    organization = OrganizationFactory()
    shapes = [uuid.uuid4().hex, uuid.uuid4().hex]  # shapes no other test prepared

    with django_assert_num_queries(4):
        for shape in (*shapes, *shapes):
            bounded_counts({"n": _count(_events_counting_calls, shape=shape, organization=organization.pk, action="x")})

    assert [shape for shape in _calls if shape in shapes] == shapes


def test_the_sources_run_as_django_writes_them_for_the_same_values():
    organization, person = OrganizationFactory(), UserFactory()
    since = timezone.now() - timedelta(hours=2)
    query = _count(_events, limit=4, shape="since", organization=organization.pk, action="login", since=since)
    both = _count(_events_or_by_actor, organization=organization.pk, action="login", actor=person.pk)
    logins = AuditEvent.objects.filter(organization_id=organization.pk, action="login")
    events = AuditEvent.objects.filter(organization_id=organization.pk)

    assert unwrapped(bound_sources(query)) == unwrapped(
        [logins.filter(at__gte=since).values("pk").order_by()[:5].query.sql_with_params()]
    )
    assert unwrapped(bound_sources(both)) == unwrapped(
        [
            events.filter(action="login").values("pk").order_by()[:11].query.sql_with_params(),
            events.filter(actor_id=person.pk).values("pk").order_by()[:11].query.sql_with_params(),
        ]
    )


def test_a_slot_without_a_value_is_refused_rather_than_compared_with_null():
    with pytest.raises(ValueError, match="no value for its slot 'action'"):
        bounded_counts({"n": _count(_events, organization=1, action=None)})
