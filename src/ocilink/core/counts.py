"""Bounded counts run together in one query, their SQL made once per process.

The navigation shows a few counts on every page ("To approve (3)", "Orders (2 need attention)"). Built as querysets
on each request, such a count costs more in Django's SQL compiler (about a millisecond each) than in the database,
and run one by one each costs a round trip. So a count is described as a ``CountQuery``: querysets in which every
value that changes from one request to the next (an organization, a user, a moment) is a ``Slot``. Their SQL is
compiled once per process for each *shape* (what else decides the querysets, such as whether a buyer sees only their
own orders), and the counts of a page run as one statement, ``SELECT (SELECT COUNT(*) ...), (SELECT COUNT(*) ...)``,
with this request's values bound to the slots.

A count stops early (``keyset.BoundedCount``): each source reads at most ``limit + 1`` rows, so it costs the same in a
list of a hundred and of a million.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, Field, QuerySet
from django.db.models.sql.compiler import SQLCompiler

from .keyset import BoundedCount


class Slot(Expression):
    """A value bound when a prepared count runs (``CountQuery.values[name]``): in the SQL, one parameter.

    ``output_field`` makes the value what the database expects, as a filter on such a field would (a moment in UTC on
    SQLite, for one). A queryset holding a slot runs only through ``bounded_counts``.
    """

    def __init__(self, name: str, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        return "%s", [self]

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"


@dataclass(frozen=True)
class CountQuery:
    """One bounded count: the rows of the querysets ``sources(shape)`` returns, up to ``limit``; a row that several
    of them hold counts once. Each source is read in its own order (the order of an index lets the database stop
    after ``limit + 1`` rows), or in none (``order_by()``). No sources: the count is 0 without a query.

    ``sources``, a function of the module that owns the count, is called once per process for each ``shape`` (and
    limit): it must take every value that changes between requests from a ``Slot``, never from elsewhere, or the
    first request's value would stay in the SQL. ``values`` holds this request's value for each slot.
    """

    limit: int
    shape: Hashable
    sources: Callable[[Any], Sequence[QuerySet[Any, Any]]]
    values: Mapping[str, Any]


@dataclass(frozen=True)
class _Prepared:
    """The statement for some counts: its SQL, and per parameter either a constant or (count, slot) to bind."""

    sql: str
    params: tuple[Any, ...]
    # The counts in the statement's columns; those without a source are left out of it.
    columns: tuple[str, ...]

    def bind(self, queries: Mapping[str, CountQuery], connection: BaseDatabaseWrapper) -> list[Any]:
        bound = []
        for param in self.params:
            if isinstance(param, _Bound):
                value = queries[param.count].values[param.slot.name]
                param = param.slot.output_field.get_db_prep_value(value, connection)
            bound.append(param)
        return bound


@dataclass(frozen=True)
class _Bound:
    count: str
    slot: Slot


# Statements by database and the counts' names, sources, shapes and limits: a handful per process. Bounded all the
# same (the oldest goes), should a caller pass a new ``sources`` function each time.
_PREPARED: dict[tuple[Hashable, ...], _Prepared] = {}
_MOST_PREPARED = 64


def _compiled(queryset: QuerySet[Any, Any], *, count: str, using: str) -> tuple[str, list[Any]]:
    sql, params = queryset.query.get_compiler(using=using).as_sql()
    return sql, [_Bound(count, param) if isinstance(param, Slot) else param for param in params]


def _prepare(queries: Mapping[str, CountQuery], using: str) -> _Prepared:
    columns: list[str] = []
    parts: list[str] = []
    params: list[Any] = []
    for name, query in queries.items():
        sources = query.sources(query.shape)
        if not sources:
            continue
        selects = []
        for source in sources:
            sql, source_params = _compiled(source[: query.limit + 1], count=name, using=using)
            selects.append(sql)
            params.extend(source_params)
        if len(selects) > 1:  # UNION: a row that several sources hold counts once
            selects = [" UNION ".join(f"SELECT * FROM ({sql}) AS source_{n}" for n, sql in enumerate(selects))]
        parts.append(f"(SELECT COUNT(*) FROM ({selects[0]}) AS rows_{len(columns)})")
        columns.append(name)
    return _Prepared(sql="SELECT " + ", ".join(parts) if parts else "", params=tuple(params), columns=tuple(columns))


def bounded_counts(queries: Mapping[str, CountQuery], *, using: str = DEFAULT_DB_ALIAS) -> dict[str, BoundedCount]:
    """Each count, by name, in one query (none when no count has a source)."""
    connection = connections[using]
    key = (using, *((name, query.sources, query.shape, query.limit) for name, query in queries.items()))
    prepared = _PREPARED.get(key)
    if prepared is None:
        prepared = _prepare(queries, using)
        if len(_PREPARED) >= _MOST_PREPARED:
            _PREPARED.pop(next(iter(_PREPARED)), None)
        _PREPARED[key] = prepared
    found: dict[str, int] = {}
    if prepared.columns:
        with connection.cursor() as cursor:
            cursor.execute(prepared.sql, prepared.bind(queries, connection))
            row = cursor.fetchone()
        found = dict(zip(prepared.columns, row, strict=True))
    return {
        name: BoundedCount(value=min(found.get(name, 0), query.limit + 1), limit=query.limit)
        for name, query in queries.items()
    }
