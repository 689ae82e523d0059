"""Queue queries: a `TicketQuery` becomes ONE SQL statement that filters and sorts in the
database and returns the ordered ticket ids.

Why ids: the queue model holds the ordered ids of all matching tickets (an `array('q')`,
8 bytes a ticket) and fetches the few visible rows by id (`fetch_rows`), so a million tickets
never become a million Python objects.

Why the SQL is compiled once and run on the DB-API cursor: SQLAlchemy builds and checks the
statement (types, dialect, parameters), but turning a million result rows into `Row` objects
would cost more than SQLite's own work. The compiled text is cached per filter value; `now`
and the current person are parameters, like every filter value (nothing is formatted into SQL).

The statement itself is built in `query_sql`; this module compiles, caches and runs it.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, select
from sqlalchemy.engine import Dialect

from opdesk.models import Ticket
from opdesk.models.directory import CLIENT_CATEGORIES
from opdesk.regulations.pack import Pack
from opdesk.store.filters import (
    SLA_STATES,
    SORTABLE,
    QueryError,
    TicketQuery,
    default_pack,
)
from opdesk.store.query_sql import BY_CREATED, statement
from opdesk.store.rows import TicketRow, fetch_rows
from opdesk.store.search import match_expression

__all__ = [
    "BY_CREATED",
    "CLIENT_CATEGORIES",
    "SLA_STATES",
    "SORTABLE",
    "QueryError",
    "TicketQuery",
    "TicketRow",
    "count",
    "counts",
    "explain",
    "fetch_rows",
    "first_ids",
    "forget_compiled",
    "has_tickets",
    "ids",
    "prepare",
    "statement",
]

FETCH_BATCH = 65536
# A text query with at least this many FTS matches walks the sort index instead (see `_walk`).
WALK_FIRST = 2_000
WALK_ALL = 150_000


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # parameter order (positional) or keys (named)
    positional: bool
    fixed: Mapping[str, Any]  # processed values of the filter's own parameters
    processors: Mapping[str, Any]  # for `now` and `me`, processed at every run


@lru_cache(maxsize=512)
def _compile(
    q: TicketQuery, dialect: Dialect, limit: int | None, counting: bool, walk: bool
) -> _Compiled:
    compiled = statement(q, limit=limit, counting=counting, walk=walk).compile(dialect=dialect)
    names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
    fixed: dict[str, Any] = {}
    processors: dict[str, Any] = {}
    for name, bind in compiled.binds.items():
        proc = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if name in ("now", "me"):
            processors[name] = proc
        else:
            fixed[name] = proc(bind.value) if proc else bind.value
    return _Compiled(compiled.string, names, compiled.positional, fixed, processors)


def prepare(
    conn: Connection,
    q: TicketQuery,
    now: dt.datetime,
    me: UUID | None,
    limit: int | None = None,
    counting: bool = False,
    pack: Pack | None = None,
) -> tuple[str, Sequence[Any] | Mapping[str, Any]]:
    """Checked, compiled (cached) SQL and its parameters, ready for the DB-API cursor (the
    benchmark runs the same text on a bare sqlite3 connection to measure our overhead)."""
    q.check(pack or default_pack())
    if q.owner == "mine" and me is None:
        raise QueryError("owner", "mine")
    if now.tzinfo is None:
        raise QueryError("now", now)
    c = _compile(q, conn.dialect, limit, counting, not counting and _walk(conn, q, limit))
    values = dict(c.fixed)
    for name, raw in (("now", now), ("me", me)):
        if name in c.processors:
            proc = c.processors[name]
            values[name] = proc(raw) if proc else raw
    if c.positional:
        return c.sql, tuple(values[n] for n in c.names)
    return c.sql, values


def forget_compiled() -> None:
    """Drop the compiled-statement cache (to measure the cost of a never-seen filter)."""
    _compile.cache_clear()


def has_tickets(conn: Connection) -> bool:
    """Whether the database holds any ticket (one index probe, not a count)."""
    return conn.execute(select(Ticket.id).limit(1)).first() is not None


def _walk(conn: Connection, q: TicketQuery, limit: int | None) -> bool:
    """Whether a text query with many matches should walk the sort index instead.

    FTS-first costs a primary-key lookup per match (about 1.3 µs each) and a sort of them; the
    walk reads the sort index until `limit` matches are found, probing the FTS result (one
    query, materialised once). The match count, from the FTS index alone, takes under a
    millisecond and picks the cheaper plan: for the first screen from WALK_FIRST matches on,
    for the complete list from WALK_ALL on (where the walk reads the whole index)."""
    expr = match_expression(q.text) if q.text.strip() else None
    if expr is None or conn.dialect.name != "sqlite":
        return False
    cur = _cursor(conn)
    try:
        cur.execute("SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH ?", (expr,))
        matches = int(cur.fetchone()[0])
    finally:
        cur.close()
    return matches >= (WALK_FIRST if limit is not None else WALK_ALL)


def _cursor(conn: Connection) -> Any:
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


def ids(
    conn: Connection,
    q: TicketQuery,
    now: dt.datetime,
    *,
    me: UUID | None = None,
    pack: Pack | None = None,
    stop: Callable[[], bool] | None = None,
) -> array[int]:
    """All matching ticket ids in queue order (run it off the GUI thread).

    `stop()` is asked between batches: when the operator has already chosen another filter,
    the rest of a million-row list is not worth reading — the batches hold the GIL while they
    build ints, and the next filter's first screen waits for it. A stopped list is partial:
    the caller must drop it."""
    return _run_ids(conn, *prepare(conn, q, now, me, pack=pack), stop=stop)


def first_ids(
    conn: Connection,
    q: TicketQuery,
    now: dt.datetime,
    limit: int,
    *,
    me: UUID | None = None,
    pack: Pack | None = None,
) -> array[int]:
    """The first `limit` ids: the first screen, shown before the full list arrives."""
    return _run_ids(conn, *prepare(conn, q, now, me, limit=limit, pack=pack))


def _run_ids(
    conn: Connection, sql: str, params: Any, stop: Callable[[], bool] | None = None
) -> array[int]:
    cur = _cursor(conn)
    try:
        cur.execute(sql, params)
        out = array("q")
        while batch := cur.fetchmany(FETCH_BATCH):
            out.extend([r[0] for r in batch])
            if stop is not None and stop():
                break
        return out
    finally:
        cur.close()


def count(
    conn: Connection,
    q: TicketQuery,
    now: dt.datetime,
    *,
    me: UUID | None = None,
    pack: Pack | None = None,
) -> int:
    """How many tickets match (no ORDER BY: SQLite counts over the narrowest index)."""
    sql, params = prepare(conn, q, now, me, counting=True, pack=pack)
    cur = _cursor(conn)
    try:
        cur.execute(sql, params)
        return int(cur.fetchone()[0])
    finally:
        cur.close()


def counts(
    conn: Connection,
    saved: Mapping[str, TicketQuery],
    now: dt.datetime,
    *,
    me: UUID | None = None,
    pack: Pack | None = None,
) -> dict[str, int]:
    """The count of every saved filter, by name, at one `now` (for the filter list badges)."""
    return {name: count(conn, q, now, me=me, pack=pack) for name, q in saved.items()}


def explain(
    conn: Connection,
    q: TicketQuery,
    now: dt.datetime,
    *,
    me: UUID | None = None,
    limit: int | None = None,
    counting: bool = False,
) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN lines for the statement of `q` (tests and the benchmark)."""
    sql, params = prepare(conn, q, now, me, limit=limit, counting=counting)
    cur = _cursor(conn)
    try:
        cur.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [str(r[3]) for r in cur.fetchall()]
    finally:
        cur.close()
