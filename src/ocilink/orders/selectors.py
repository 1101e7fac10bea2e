"""Reads about purchase orders, always scoped to an organization: which orders a member sees, which of them need a
person, and the pages of the orders list.

The list is paged by keyset: a page is "the next N orders after this one" in the order newest first
(``created_at``, then ``pk``, both descending), so page 400 costs what page 1 costs and an order that arrives while
someone pages neither shifts the pages nor is shown twice. The indexes of ``PurchaseOrder`` match these reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ocilink.accounts.models import Membership, Role

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


def orders_needing_attention_count(*, membership: Membership) -> int:
    """How many of the orders this member sees need a person (one COUNT, for the navigation)."""
    return _scoped(membership).filter(needs_attention(sending_too_long_since())).count()


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

# Both numbers fit a 64-bit integer, as the database wants them.
_CURSOR = re.compile(r"^(\d{1,18})-(\d{1,18})$")


@dataclass(frozen=True)
class Cursor:
    """A place in the list: an order's ``created_at`` (in microseconds since 1970, UTC) and its ``pk``."""

    micros: int
    pk: int

    @classmethod
    def of(cls, order: PurchaseOrder) -> Cursor:
        delta = order.created_at - datetime(1970, 1, 1, tzinfo=UTC)
        return cls((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds, order.pk)

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        """The cursor in a page link; ``None`` for anything else (the list then starts at the top)."""
        found = _CURSOR.match(text or "")
        if found is None:
            return None
        cursor = cls(int(found.group(1)), int(found.group(2)))
        try:
            cursor.created_at  # noqa: B018  (a number past the year 9999 is no place in the list)
        except OverflowError:
            return None
        return cursor

    @property
    def created_at(self) -> datetime:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=self.micros)

    def __str__(self) -> str:
        return f"{self.micros}-{self.pk}"


@dataclass(frozen=True)
class OrderPage:
    """One page of the list, newest first, with the cursors of the pages before and after it (``None``: none)."""

    orders: Sequence[PurchaseOrder]
    previous: Cursor | None
    next: Cursor | None
    first: bool


def _older_than(cursor: Cursor) -> Q:
    # Written so the database reads it as a range on the index ("created_at <= t" bounds the scan) and not as an
    # OR it has to filter row by row: the rows at exactly t are then told apart by pk.
    at = cursor.created_at
    return Q(created_at__lte=at) & (Q(created_at__lt=at) | Q(pk__lt=cursor.pk))


def _newer_than(cursor: Cursor) -> Q:
    at = cursor.created_at
    return Q(created_at__gte=at) & (Q(created_at__gt=at) | Q(pk__gt=cursor.pk))


def _slice(
    orders: QuerySet[PurchaseOrder], *, after: Cursor | None, before: Cursor | None, limit: int
) -> list[PurchaseOrder]:
    """Up to ``limit`` rows next to the cursor, newest first (``before``: the ones just newer than it)."""
    if before is not None:
        return list(reversed(orders.filter(_newer_than(before)).order_by("created_at", "pk")[:limit]))
    if after is not None:
        orders = orders.filter(_older_than(after))
    return list(orders.order_by("-created_at", "-pk")[:limit])


def _newest_first(order: PurchaseOrder) -> tuple[datetime, int]:
    return (order.created_at, order.pk)


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
    limit = size + 1
    if show.attention:
        rows = _slice(orders.filter(status=S.FAILED), after=after, before=before, limit=limit)
        rows += _slice(orders.filter(status=S.HELD), after=after, before=before, limit=limit)
        rows += _slice(orders.filter(status=S.SENDING, recently_sending=False), after=after, before=before, limit=limit)
        rows.sort(key=_newest_first, reverse=True)
        rows = rows[-limit:] if before is not None else rows[:limit]
    else:
        if show.statuses:
            orders = orders.filter(status__in=show.statuses)
        rows = _slice(orders, after=after, before=before, limit=limit)
    if before is not None:
        more_before, more_after = len(rows) > size, True
        rows = rows[-size:]
        if not more_before and len(rows) < size:
            # Back at the top, on a page that is not full (orders went away meanwhile): show the top of the list.
            return order_list_page(membership=membership, show=show, size=size)
    else:
        more_before, more_after = after is not None, len(rows) > size
        rows = rows[:size]
    return OrderPage(
        orders=rows,
        previous=Cursor.of(rows[0]) if more_before and rows else None,
        next=Cursor.of(rows[-1]) if more_after and rows else None,
        first=not more_before,
    )
