"""Reads about connection requests, the catalogue as an organization sees it, and the price tier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Coalesce

from ocilink.accounts.models import Organization
from ocilink.connections.models import CatalogueEntry, Connection, OciCredential
from ocilink.orders.models import PurchaseOrder
from ocilink.punchout.models import PunchoutSession
from ocilink.punchout.trials import trials_with_reference

from .models import ConnectionRequest, RequestStep
from .parties import who_acts
from .states import RequestStatus, StepStatus

# The source document: "De eerste 5 koppelingen zijn kosteloos" — an organization's first five active connections are
# free; each further one is charged from the day it is activated.
FREE_CONNECTIONS = 5


@dataclass(frozen=True)
class Tier:
    """An organization's price tier: how many active connections, how many of them free, how many charged."""

    active: int
    free: int
    charged: int


@dataclass(frozen=True)
class ChargedConnection:
    connection: Connection
    since: datetime


@dataclass(frozen=True)
class BillingRow:
    organization: Organization
    tier: Tier
    charged_connections: tuple[ChargedConnection, ...]


def _active_connections(organization_id: int) -> QuerySet[Connection]:
    """Active connections in the order they became active (one made active without a date counts from its creation)."""
    return (
        Connection.objects.filter(organization_id=organization_id, is_active=True)
        .annotate(active_since=Coalesce("activated_at", "created_at"))
        .order_by("active_since", "pk")
    )


def tier_for(*, organization: Organization) -> Tier:
    active = Connection.objects.filter(organization=organization, is_active=True).count()
    free = min(active, FREE_CONNECTIONS)
    return Tier(active=active, free=free, charged=active - free)


def charge_position_for_new(*, organization: Organization) -> int:
    """Which active connection a new request would become: active ones + open requests not yet active, plus one."""
    pending = (
        ConnectionRequest.objects.filter(organization=organization, status=RequestStatus.OPEN)
        .exclude(connection__is_active=True)
        .count()
    )
    return tier_for(organization=organization).active + pending + 1


def billing_overview() -> list[BillingRow]:
    """For platform staff: every organization with active connections, free, charged and since when."""
    rows = []
    for organization in Organization.objects.order_by("name"):
        connections = list(_active_connections(organization.pk))
        free = min(len(connections), FREE_CONNECTIONS)
        charged = tuple(
            ChargedConnection(connection=connection, since=connection.active_since)  # type: ignore[attr-defined]
            for connection in connections[FREE_CONNECTIONS:]
        )
        rows.append(
            BillingRow(
                organization=organization,
                tier=Tier(active=len(connections), free=free, charged=len(charged)),
                charged_connections=charged,
            )
        )
    return rows


@dataclass(frozen=True)
class CatalogueItem:
    entry: CatalogueEntry
    active_for_you: bool
    open_request: ConnectionRequest | None


def catalogue_for(*, organization: Organization) -> list[CatalogueItem]:
    """Every published catalogue webshop, marked active when this organization has an active connection from it."""
    active = Connection.objects.filter(organization=organization, catalogue_entry=OuterRef("pk"), is_active=True)
    entries = CatalogueEntry.objects.filter(is_published=True).annotate(active_for_you=Exists(active))
    open_requests = {
        request.catalogue_entry_id: request
        for request in ConnectionRequest.objects.filter(
            organization=organization, status=RequestStatus.OPEN, catalogue_entry__isnull=False
        )
    }
    return [
        CatalogueItem(
            entry=entry,
            active_for_you=entry.active_for_you,
            open_request=open_requests.get(entry.pk),
        )
        for entry in entries
    ]


def published_catalogue_entry(*, pk: int) -> CatalogueEntry | None:
    return CatalogueEntry.objects.filter(pk=pk, is_published=True).first()


def connection_requests_for(*, organization: Organization) -> QuerySet[ConnectionRequest]:
    return ConnectionRequest.objects.filter(organization=organization).select_related(
        "organization", "catalogue_entry", "connection", "requested_by"
    )


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    next_step: RequestStep | None

    @property
    def next_party_words(self) -> str:
        return who_acts(self.next_step.party) if self.next_step else ""


def progress_of(*, request: ConnectionRequest, steps: list[RequestStep] | None = None) -> Progress:
    """Steps done or skipped out of all steps, and the first open step: who must act next."""
    steps = steps if steps is not None else list(request.steps.all())
    closed = [step for step in steps if step.status in (StepStatus.DONE, StepStatus.SKIPPED)]
    open_steps = [step for step in steps if step.status == StepStatus.OPEN]
    required_open = [step for step in open_steps if not step.optional]
    candidates = required_open or open_steps
    next_step = candidates[0] if candidates and request.status == RequestStatus.OPEN else None
    return Progress(done=len(closed), total=len(steps), next_step=next_step)


def has_credentials(*, connection: Connection | None) -> bool:
    if connection is None:
        return False
    return OciCredential.objects.filter(organization_id=connection.organization_id, connection=connection).exists()


def first_purchase_order_for(*, connection: Connection | None) -> PurchaseOrder | None:
    """The first purchase order placed through this connection (for the "first order" step)."""
    if connection is None:
        return None
    return (
        PurchaseOrder.objects.filter(organization_id=connection.organization_id, connection=connection)
        .select_related("supplier")
        .order_by("created_at", "pk")
        .first()
    )


def roundtrip_reference(step: RequestStep) -> str:
    return f"onboarding-step:{step.pk}"


def latest_roundtrip_for(*, step: RequestStep) -> PunchoutSession | None:
    """The latest roundtrip test punchout started for this step, or None."""
    return trials_with_reference(reference=roundtrip_reference(step), organization=step.request.organization).first()


def scenario_for(*, organization: Organization, catalogue_entry: CatalogueEntry | None) -> int:
    """The scenario of the source document: the organization's phase × whether the supplier is in the catalogue.

    1: in implementation, existing; 2: in implementation, new; 3: live, existing; 4: live, new.
    """
    existing = catalogue_entry is not None
    if organization.phase == Organization.Phase.LIVE:
        return 3 if existing else 4
    return 1 if existing else 2
