"""Keyset ("seek") paging for the long lists, and counts that stop early.

A page is "the next N rows after this one" in a fixed order: a moment (``created_at``, ``submitted_at``), then the
primary key to tell rows of the same moment apart. The database reads one range of an index that has both columns
after the list's filter columns, so page 400 costs what page 1 costs; no ``COUNT`` and no ``OFFSET``. A row that
arrives while someone pages neither shifts the pages nor is shown twice.

A page link carries a ``Cursor``: the moment and the pk of the row at the edge of the page. It is only a place in
the order: the caller's query decides which rows exist (always scoped to an organization), so a cursor made up by
hand can start the list somewhere else, but never show a row the query does not hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

T = TypeVar("T")
R = TypeVar("R")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Both numbers fit a 64-bit integer, as the database wants them.
_CURSOR = re.compile(r"^(\d{1,18})-(\d{1,18})$")


@dataclass(frozen=True)
class Cursor:
    """A place in a list: a row's moment (in microseconds since 1970, UTC) and its ``pk``."""

    micros: int
    pk: int

    @classmethod
    def at(cls, moment: datetime, pk: int) -> Cursor:
        delta = moment - _EPOCH
        return cls((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds, pk)

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        """The cursor in a page link; ``None`` for anything else (the list then starts at the top)."""
        found = _CURSOR.match(text or "")
        if found is None:
            return None
        cursor = cls(int(found.group(1)), int(found.group(2)))
        try:
            cursor.moment  # noqa: B018  (a number past the year 9999 is no place in a list)
        except OverflowError:
            return None
        return cursor

    @property
    def moment(self) -> datetime:
        return _EPOCH + timedelta(microseconds=self.micros)

    def __str__(self) -> str:
        return f"{self.micros}-{self.pk}"


@dataclass(frozen=True)
class Keyset:
    """The order of a list: by the moment in ``field``, then by ``tiebreak`` (the row's ``pk``, or the id of what
    the row stands for); newest first (``descending``) or oldest first. Each list needs an index on its filter
    columns followed by ``field`` and ``tiebreak`` in this order."""

    field: str
    descending: bool = True
    tiebreak: str = "pk"

    def cursor_of(self, row: Model | Mapping[str, Any]) -> Cursor:
        """The cursor of a row: a model instance, or a dict of values holding ``field`` and ``tiebreak``."""
        if isinstance(row, Mapping):
            return Cursor.at(row[self.field], row[self.tiebreak])
        return Cursor.at(getattr(row, self.field), getattr(row, self.tiebreak))

    def _beyond(self, cursor: Cursor, *, later: bool) -> Q:
        # Written so the database reads it as a range on the index ("field <= t" bounds the scan) and not as an OR
        # it has to filter row by row: the rows at exactly t are then told apart by the tiebreak.
        at, field, tiebreak = cursor.moment, self.field, self.tiebreak
        if later:
            return Q(**{f"{field}__gte": at}) & (Q(**{f"{field}__gt": at}) | Q(**{f"{tiebreak}__gt": cursor.pk}))
        return Q(**{f"{field}__lte": at}) & (Q(**{f"{field}__lt": at}) | Q(**{f"{tiebreak}__lt": cursor.pk}))

    def seek(
        self, rows: QuerySet[Any, T], *, after: Cursor | None = None, before: Cursor | None = None
    ) -> QuerySet[Any, T]:
        """The rows after ``after`` in the list's order; or, with ``before``, the rows before it, nearest first
        (reversed: ``rows`` puts them back in the list's order)."""
        sign = "-" if self.descending else ""
        back = "" if self.descending else "-"
        if before is not None:
            rows = rows.filter(self._beyond(before, later=self.descending))
            return rows.order_by(back + self.field, back + self.tiebreak)
        if after is not None:
            rows = rows.filter(self._beyond(after, later=not self.descending))
        return rows.order_by(sign + self.field, sign + self.tiebreak)

    def rows(self, rows: QuerySet[Any, T], *, after: Cursor | None, before: Cursor | None, limit: int) -> list[T]:
        """Up to ``limit`` rows next to the cursor, in the list's order."""
        found = list(self.seek(rows, after=after, before=before)[:limit])
        return found[::-1] if before is not None else found

    def merged_rows(
        self, sources: Iterable[QuerySet[Any, T]], *, after: Cursor | None, before: Cursor | None, limit: int
    ) -> list[T]:
        """``rows`` of a list that is the union of several querysets in this order (each a range of its own index,
        holding a row at most once), merged; a row found in more than one (the same cursor) counts once. The
        ``limit`` rows next to the cursor of the union are among the ``limit`` next to it of each source, so one
        query per source does."""
        found: dict[Cursor, T] = {}
        for source in sources:
            for row in self.rows(source, after=after, before=before, limit=limit):
                found.setdefault(self.cursor_of(row), row)  # type: ignore[arg-type]
        ordered = [found[cursor] for cursor in sorted(found, key=_place, reverse=self.descending)]
        return ordered[-limit:] if before is not None else ordered[:limit]


def _place(cursor: Cursor) -> tuple[int, int]:
    return (cursor.micros, cursor.pk)


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    """One page of a list with the cursors of the pages before and after it (``None``: there is none); ``first``:
    this is the top of the list."""

    rows: Sequence[T]
    previous: Cursor | None
    next: Cursor | None
    first: bool

    def with_rows(self, rows: Sequence[R]) -> KeysetPage[R]:
        """The same page with its rows made into something else (what a template prints)."""
        return KeysetPage(rows=rows, previous=self.previous, next=self.next, first=self.first)


def keyset_page(
    fetch: Callable[[Cursor | None, Cursor | None, int], Sequence[T]],
    *,
    cursor_of: Callable[[T], Cursor],
    size: int,
    after: Cursor | None = None,
    before: Cursor | None = None,
) -> KeysetPage[T]:
    """The first page, the one after ``after`` or the one before ``before``.

    ``fetch(after, before, limit)`` returns up to ``limit`` rows next to the cursor in the list's order
    (``Keyset.rows``, or several of them merged); one row more than the page tells whether there is a page beyond.
    """
    rows = fetch(after, before, size + 1)
    if before is not None:
        more_before, more_after = len(rows) > size, True
        rows = rows[-size:]
        if not more_before and len(rows) < size:
            # Back at the top, on a page that is not full (rows went away meanwhile): show the top of the list.
            return keyset_page(fetch, cursor_of=cursor_of, size=size)
    else:
        more_before, more_after = after is not None, len(rows) > size
        rows = rows[:size]
    return KeysetPage(
        rows=rows,
        previous=cursor_of(rows[0]) if more_before and rows else None,
        next=cursor_of(rows[-1]) if more_after and rows else None,
        first=not more_before,
    )


@dataclass(frozen=True)
class BoundedCount:
    """How many rows, counted up to ``limit`` and no further: exact up to it, "more than <limit>" above it. The
    database stops after ``limit + 1`` rows, so the count costs the same in a list of a thousand and of a million."""

    value: int
    limit: int

    @property
    def more(self) -> bool:
        return self.value > self.limit

    def __bool__(self) -> bool:
        return self.value > 0

    def __str__(self) -> str:
        if self.more:
            return _("more than %(number)s") % {"number": number_format(self.limit, force_grouping=True)}
        return number_format(self.value, force_grouping=True)
