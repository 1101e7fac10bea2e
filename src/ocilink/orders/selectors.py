"""Reads about purchase orders, always scoped to an organization: which orders a member sees, which of them need a
person, and the pages of the orders list.

The list is paged by keyset (``core.keyset``): a page is "the next N orders after this one" in the order newest
first (``created_at``, then ``pk``, both descending), so page 400 costs what page 1 costs and an order that arrives
while someone pages neither shifts the pages nor is shown twice. The indexes of ``PurchaseOrder`` match these reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import DateTimeField, Exists, IntegerField, OuterRef, Q, QuerySet
from django.utils import timezone

from ocilink.accounts.models import Membership, Role
from ocilink.core.counts import CountQuery, Slot, bounded_counts
from ocilink.core.keyset import BoundedCount, Cursor, Keyset, KeysetPage, keyset_page

from .models import PurchaseOrder, PurchaseOrderEvent
from .states import PurchaseOrderStatus

S = PurchaseOrderStatus


def _sees_only_own(membership: Membership) -> bool:
    """A buyer sees their own orders; administrators, approvers (and platform staff) all of their organization."""
    return membership.role == Role.BUYER and not membership.user.is_staff


def _orders_of(*, organization_id: Any, buyer_id: Any = None) -> QuerySet[PurchaseOrder]:
    """The organization's orders, or one buyer's of them (values, or ``Slot``s for the count)."""
    orders = PurchaseOrder.objects.filter(organization_id=organization_id)
    return orders if buyer_id is None else orders.filter(buyer_id=buyer_id)


def _scoped(membership: Membership) -> QuerySet[PurchaseOrder]:
    """The orders a member sees (``_sees_only_own``)."""
    own = membership.user_id if _sees_only_own(membership) else None
    return _orders_of(organization_id=membership.organization_id, buyer_id=own)


def purchase_orders_for(*, membership: Membership) -> QuerySet[PurchaseOrder]:
    """The orders a member may open, with what the order page shows of them."""
    return _scoped(membership).select_related("supplier", "buyer", "dispatch")


def may_act_on(*, membership: Membership, purchase_order: PurchaseOrder) -> bool:
    return (
        membership.role == Role.ADMINISTRATOR
        or membership.user.is_staff
        or purchase_order.buyer_id == membership.user_id
    )


# --- what needs a person --------------------------------------------------------------------------------------


def sending_too_long_since(now: datetime | None = None) -> datetime:
    """An order still sending that went into *sending* before this moment needs a person."""
    return (now or timezone.now()) - timedelta(minutes=settings.ORDERS_SENDING_ATTENTION_MINUTES)


def _went_sending_since(cutoff: datetime | Slot) -> Exists:
    """The order went into *sending* at or after ``cutoff`` (made, retried or released then): every such change
    writes an event with ``to_status = sending``, so the latest of them is when the current sending began."""
    return Exists(
        PurchaseOrderEvent.objects.filter(purchase_order_id=OuterRef("pk"), to_status=S.SENDING, at__gte=cutoff)
    )


def needs_attention(cutoff: datetime | Slot) -> Q:
    """Failed, held, or sending for longer than the attention time: an order a person must look at."""
    # Written as "one of three states, but not sending since lately" rather than as an OR: the database then reads
    # one range of the (organization, status) index and never the orders themselves.
    return Q(status__in=(S.FAILED, S.HELD, S.SENDING)) & ~(Q(status=S.SENDING) & Q(_went_sending_since(cutoff)))


# The navigation says "Orders (N need attention)" up to this many and "more than 100" beyond. The count runs on
# every page, and an organization that lets failed orders pile up would otherwise pay for each of them on each
# page; past a hundred the exact number changes nothing about what a person does first.
ATTENTION_COUNT_LIMIT = 100


def _attention_count_sources(own_only: bool) -> list[QuerySet[PurchaseOrder, Any]]:
    """The count's source, with slots: the orders the member sees that need a person, in no order."""
    orders = _orders_of(
        organization_id=Slot("organization", IntegerField()),
        buyer_id=Slot("user", IntegerField()) if own_only else None,
    )
    return [orders.filter(needs_attention(Slot("cutoff", DateTimeField()))).values("pk").order_by()]


def orders_needing_attention_query(membership: Membership) -> CountQuery:
    """How many of the orders this member sees need a person, up to ``ATTENTION_COUNT_LIMIT``, as a count to run
    with the navigation's others (one COUNT that stops there)."""
    return CountQuery(
        limit=ATTENTION_COUNT_LIMIT,
        shape=_sees_only_own(membership),
        sources=_attention_count_sources,
        values={
            "organization": membership.organization_id,
            "user": membership.user_id,
            "cutoff": sending_too_long_since(),
        },
    )


def orders_needing_attention_count(*, membership: Membership) -> BoundedCount:
    """``orders_needing_attention_query`` on its own (the navigation runs it with its other counts)."""
    return bounded_counts({"count": orders_needing_attention_query(membership)})["count"]


# --- the list ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Show:
    """One choice of the list's filter: its key in the URL and the orders it shows."""

    key: str
    statuses: tuple[str, ...] = ()
    attention: bool = False


ALL = Show("")
ATTENTION = Show("attention", attention=True)
SHOWS: dict[str, Show] = {
    show.key: show
    for show in (
        ALL,
        ATTENTION,
        Show("sending", (S.SENDING,)),
        Show("to_be_received", (S.TO_BE_RECEIVED,)),
        Show("received", (S.RECEIVED,)),
        Show("cancelled", (S.CANCELLED,)),
    )
}

# What a row of the list shows; the snapshot and the dispatch stay in the database.
LIST_FIELDS = (
    "number",
    "status",
    "created_at",
    "currency",
    "total",
    "supplier__name",
    "buyer__first_name",
    "buyer__last_name",
    "buyer__username",
)

# The list's order: newest first (the indexes of ``PurchaseOrder`` have ``created_at`` and ``id`` in this order).
NEWEST_FIRST = Keyset("created_at")

OrderPage = KeysetPage[PurchaseOrder]


def order_list_page(
    *,
    membership: Membership,
    show: Show = ALL,
    size: int = 25,
    after: Cursor | None = None,
    before: Cursor | None = None,
) -> OrderPage:
    """A page of the orders this member sees: the first, the one after ``after`` or the one before ``before``.

    A fixed number of queries, whatever the page size and however deep the page: the rows with their supplier's
    and buyer's names, and for each whether it went into *sending* lately. "Needs attention" asks once per state
    (failed, held, sending too long), each an index range of one page, and merges them: one query over the three
    states would have to sort all of an organization's failed orders, or walk its whole history to find them.
    """
    cutoff = sending_too_long_since()
    orders = (
        _scoped(membership)
        .select_related("supplier", "buyer")
        .only(*LIST_FIELDS)
        .annotate(recently_sending=_went_sending_since(cutoff))
    )
    if show.statuses:
        orders = orders.filter(status__in=show.statuses)

    def fetch(after: Cursor | None, before: Cursor | None, limit: int) -> Sequence[PurchaseOrder]:
        if not show.attention:
            return NEWEST_FIRST.rows(orders, after=after, before=before, limit=limit)
        states = (
            orders.filter(status=S.FAILED),
            orders.filter(status=S.HELD),
            orders.filter(status=S.SENDING, recently_sending=False),
        )
        return NEWEST_FIRST.merged_rows(states, after=after, before=before, limit=limit)

    return keyset_page(fetch, cursor_of=NEWEST_FIRST.cursor_of, size=size, after=after, before=before)
