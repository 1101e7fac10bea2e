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

import threading
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
class _Bound:
    """A parameter to bind on each run: the value of ``slot`` in the count ``count``."""

    count: str
    slot: Slot

    def value(self, queries: Mapping[str, CountQuery], connection: BaseDatabaseWrapper) -> Any:
        value = queries[self.count].values[self.slot.name]
        if value is None:
            # "= NULL" matches nothing, where Django would have written "IS NULL": the SQL would not be the queryset's.
            raise ValueError(f"The count {self.count!r} has no value for its slot {self.slot.name!r}.")
        return self.slot.output_field.get_db_prep_value(value, connection)


@dataclass(frozen=True)
class _Prepared:
    """The statement for some counts: its SQL, and its parameters, each a constant or a ``_Bound``."""

    sql: str
    params: tuple[Any, ...]
    # The counts in the statement's columns; those without a source are left out of it.
    columns: tuple[str, ...]

    def bind(self, queries: Mapping[str, CountQuery], connection: BaseDatabaseWrapper) -> list[Any]:
        return [param.value(queries, connection) if isinstance(param, _Bound) else param for param in self.params]


# Statements by database and the counts' names, sources, shapes and limits: a handful per process. Bounded all the
# same (the oldest goes), should a caller pass a new ``sources`` function each time.
_PREPARED: dict[tuple[Hashable, ...], _Prepared] = {}
_MOST_PREPARED = 64
_PREPARING = threading.Lock()


def _source_statements(query: CountQuery, *, count: str, using: str) -> list[tuple[str, list[Any]]]:
    """Each source's SQL with its limit, and its parameters with a ``_Bound`` for each slot."""
    statements = []
    for source in query.sources(query.shape):
        sql, params = source[: query.limit + 1].query.get_compiler(using=using).as_sql()
        statements.append((sql, [_Bound(count, param) if isinstance(param, Slot) else param for param in params]))
    return statements


def bound_sources(query: CountQuery, *, using: str = DEFAULT_DB_ALIAS) -> list[tuple[str, tuple[Any, ...]]]:
    """Each source's SQL and parameters as the count runs them, with the query's values bound: what Django writes
    for the same querysets built with the values (``sql_with_params()``), as the tests check."""
    connection = connections[using]
    return [
        (sql, tuple(param.value({"": query}, connection) if isinstance(param, _Bound) else param for param in params))
        for sql, params in _source_statements(query, count="", using=using)
    ]


def _prepare(queries: Mapping[str, CountQuery], using: str) -> _Prepared:
    columns: list[str] = []
    parts: list[str] = []
    params: list[Any] = []
    for name, query in queries.items():
        statements = _source_statements(query, count=name, using=using)
        if not statements:
            continue
        rows = statements[0][0]
        if len(statements) > 1:  # UNION: a row that several sources hold counts once
            rows = " UNION ".join(f"SELECT * FROM ({sql}) AS source_{n}" for n, (sql, _) in enumerate(statements))
        parts.append(f"(SELECT COUNT(*) FROM ({rows}) AS rows_{len(columns)})")
        params.extend(param for _, source_params in statements for param in source_params)
        columns.append(name)
    return _Prepared(sql="SELECT " + ", ".join(parts), params=tuple(params), columns=tuple(columns))


def bounded_counts(queries: Mapping[str, CountQuery], *, using: str = DEFAULT_DB_ALIAS) -> dict[str, BoundedCount]:
    """Each count, by name, in one query (none when no count has a source)."""
    connection = connections[using]
    key = (using, *((name, query.sources, query.shape, query.limit) for name, query in queries.items()))
    prepared = _PREPARED.get(key)
    if prepared is None:
        prepared = _prepare(queries, using)
        with _PREPARING:
            if len(_PREPARED) >= _MOST_PREPARED:
                del _PREPARED[next(iter(_PREPARED))]
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
