"""Queue queries: a `TicketQuery` becomes ONE SQL statement that filters and sorts in the
database and returns the ordered ticket ids.

Why ids: the queue model holds the ordered ids of all matching tickets (an `array('q')`,
8 bytes a ticket) and fetches the few visible rows by id (`fetch_rows`), so a million tickets
never become a million Python objects.

Why the SQL is compiled once and run on the DB-API cursor: SQLAlchemy builds and checks the
statement (types, dialect, parameters), but turning a million result rows into `Row` objects
would cost more than SQLite's own work. The compiled text is cached per filter value; `now`
and the current person are parameters, like every filter value (nothing is formatted into SQL).

Why the text condition is written `tickets.id IN (SELECT rowid FROM ticket_fts WHERE ...)`:
SQLite then runs the FTS index first and looks the few matches up by primary key; a join in
the other order would test every ticket against the index.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    and_,
    bindparam,
    column,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    table,
)
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
from opdesk.store.rows import TicketRow, fetch_rows
from opdesk.store.search import match_expression

__all__ = [
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
    "ids",
    "statement",
]

FETCH_BATCH = 65536
# Columns with few distinct values sort newest-first within a value (then by id): the
# (column, created_at, id) indexes that the filters need serve these sorts as well.
WALK_FIRST = 2_000
WALK_ALL = 150_000
BY_CREATED = frozenset({"status", "category", "priority_rank"})
_FTS = table("ticket_fts", column("rowid"))
_MOMENT = Ticket.__table__.c.sla_due_at.type
_PERSON = Ticket.__table__.c.owner_id.type


def _values(col: Any, name: str, values: tuple[str, ...]) -> ColumnElement[bool]:
    """`col IN (:name_0, :name_1, ...)` with one named parameter per value (no post-compile
    expansion, so the cached text runs as is)."""
    if len(values) == 1:
        return col == bindparam(f"{name}_0", values[0], type_=col.type)  # type: ignore[no-any-return]
    params = [bindparam(f"{name}_{i}", v, type_=col.type) for i, v in enumerate(values)]
    return col.in_(params)  # type: ignore[no-any-return]


def _sla(state: str, now: Any) -> ColumnElement[bool]:
    t = Ticket
    if state == "breached":
        return or_(t.sla_breached, and_(t.sla_due_at <= now, not_(t.sla_paused)))
    if state == "at_risk":
        return and_(t.sla_risk_at <= now, t.sla_due_at > now, not_(t.sla_paused))
    if state == "paused":
        return t.sla_paused.expression
    return and_(
        not_(t.sla_breached),
        not_(t.sla_paused),
        or_(t.sla_due_at.is_(None), t.sla_due_at > now),
        or_(t.sla_risk_at.is_(None), t.sla_risk_at > now),
    )


def _conditions(q: TicketQuery, walk: bool = False) -> list[ColumnElement[bool]]:
    t = Ticket
    now = bindparam("now", type_=_MOMENT)
    where: list[ColumnElement[bool]] = []
    if q.open_only:
        where.append(t.is_open.expression)
    for col, name, values in (
        (t.status, "status", q.statuses),
        (t.stage, "stage", q.stages),
        (t.priority, "priority", q.priorities),
        (t.category, "category", q.categories),
        (t.client_category, "client_category", q.client_categories),
    ):
        if values:
            where.append(_values(col, name, values))
    if q.owner == "mine":
        where.append(t.owner_id == bindparam("me", type_=_PERSON))
    elif q.owner == "unassigned":
        where.append(t.owner_id.is_(None))
    elif q.owner is not None:
        where.append(t.owner_id == bindparam("owner", q.owner, type_=_PERSON))
    if q.department is not None:
        where.append(t.department_id == bindparam("department", q.department, type_=_PERSON))
    if q.sla:
        where.append(or_(*(_sla(s, now) for s in q.sla)))
    if q.created_from is not None:
        where.append(t.created_at >= bindparam("created_from", q.created_from, type_=_MOMENT))
    if q.created_to is not None:
        where.append(t.created_at < bindparam("created_to", q.created_to, type_=_MOMENT))
    if q.text.strip():
        expr = match_expression(q.text)
        if expr is None:
            where.append(false())  # only punctuation: nothing can match it
        else:
            match = literal_column("ticket_fts").op("MATCH")(bindparam("fts", expr))
            # `+tickets.id` (SQLite's no-index marker) lets the sort index drive the walk while
            # the FTS matches, computed first and once, are probed (see `_walk`)
            key = literal_column("+tickets.id", Integer) if walk else t.id
            where.append(key.in_(select(_FTS.c.rowid).where(match)))
    return where


def statement(
    q: TicketQuery, *, limit: int | None = None, counting: bool = False, walk: bool = False
) -> Select[Any]:
    """The one SELECT for `q`: ordered ids (optionally the first `limit`), or their count.

    Ties are broken by created_at (for the `BY_CREATED` columns) and then by the id, in the
    same direction as the sort column, so one index on (column[, created_at], id) serves the
    ORDER BY in either direction and the order is stable."""
    where = _conditions(q, walk)
    if counting:
        return select(func.count()).select_from(Ticket).where(*where)
    cols = [
        getattr(Ticket, q.sort),
        *([Ticket.created_at] if q.sort in BY_CREATED else []),
        Ticket.id,
    ]
    order = [c.desc() if q.descending else c.asc() for c in cols]
    stmt = select(Ticket.id).where(*where).order_by(*order)
    if limit is not None:
        stmt = stmt.limit(bindparam("limit", limit, type_=Integer))
    return stmt


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


def _prepare(
    conn: Connection,
    q: TicketQuery,
    now: dt.datetime,
    me: UUID | None,
    limit: int | None = None,
    counting: bool = False,
    pack: Pack | None = None,
) -> tuple[str, Sequence[Any] | Mapping[str, Any]]:
    """Checked, compiled (cached) SQL and its parameters, ready for the DB-API cursor."""
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
) -> array[int]:
    """All matching ticket ids in queue order (run it off the GUI thread)."""
    return _run_ids(conn, *_prepare(conn, q, now, me, pack=pack))


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
    return _run_ids(conn, *_prepare(conn, q, now, me, limit=limit, pack=pack))


def _run_ids(conn: Connection, sql: str, params: Any) -> array[int]:
    cur = _cursor(conn)
    try:
        cur.execute(sql, params)
        out = array("q")
        while batch := cur.fetchmany(FETCH_BATCH):
            out.extend([r[0] for r in batch])
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
    sql, params = _prepare(conn, q, now, me, counting=True, pack=pack)
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
    sql, params = _prepare(conn, q, now, me, limit=limit, counting=counting)
    cur = _cursor(conn)
    try:
        cur.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [str(r[3]) for r in cur.fetchall()]
    finally:
        cur.close()
