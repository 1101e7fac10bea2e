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

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ocilink.accounts.models import Membership, Role
from ocilink.core.keyset import BoundedCount, Cursor, Keyset, KeysetPage, bounded_count, keyset_page

from .models import PurchaseOrder, PurchaseOrderEvent
from .states import PurchaseOrderStatus

S = PurchaseOrderStatus


def _scoped(membership: Membership) -> QuerySet[PurchaseOrder]:
    """Administrators and approvers see all orders of their organization; a buyer sees their own."""
    orders = PurchaseOrder.objects.filter(organization_id=membership.organization_id)
    if membership.role == Role.BUYER and not membership.user.is_staff:
        orders = orders.filter(buyer_id=membership.user_id)
    return orders


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


def _went_sending_since(cutoff: datetime) -> Exists:
    """The order went into *sending* at or after ``cutoff`` (made, retried or released then): every such change
    writes an event with ``to_status = sending``, so the latest of them is when the current sending began."""
    return Exists(
        PurchaseOrderEvent.objects.filter(purchase_order_id=OuterRef("pk"), to_status=S.SENDING, at__gte=cutoff)
    )


def needs_attention(cutoff: datetime) -> Q:
    """Failed, held, or sending for longer than the attention time: an order a person must look at."""
    # Written as "one of three states, but not sending since lately" rather than as an OR: the database then reads
    # one range of the (organization, status) index and never the orders themselves.
    return Q(status__in=(S.FAILED, S.HELD, S.SENDING)) & ~(Q(status=S.SENDING) & Q(_went_sending_since(cutoff)))


# The navigation says "Orders (N need attention)" up to this many and "more than 100" beyond. The count runs on
# every page, and an organization that lets failed orders pile up would otherwise pay for each of them on each
# page; past a hundred the exact number changes nothing about what a person does first.
ATTENTION_COUNT_LIMIT = 100


def orders_needing_attention_count(*, membership: Membership) -> BoundedCount:
    """How many of the orders this member sees need a person, up to ``ATTENTION_COUNT_LIMIT`` (one COUNT that stops
    there, for the navigation)."""
    orders = _scoped(membership).filter(needs_attention(sending_too_long_since()))
    return bounded_count(orders.values("pk"), limit=ATTENTION_COUNT_LIMIT)


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
