"""A `TicketQuery` as one SQLAlchemy SELECT: the filter conditions and the queue order.

Why the text condition is written `tickets.id IN (SELECT rowid FROM ticket_fts WHERE ...)`:
SQLite then runs the FTS index first and looks the few matches up by primary key; a join in
the other order would test every ticket against the index. Every filter value is a bound
parameter (nothing is formatted into SQL), so the compiled text can be cached per filter.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
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
from sqlalchemy.orm import aliased

from opdesk.models import OutgoingRequest, Ticket
from opdesk.store.filters import TicketQuery
from opdesk.store.search import match_expression

# Columns with few distinct values sort newest-first within a value (then by id): the
# (column, created_at, id) indexes that the filters need serve these sorts as well.
BY_CREATED = frozenset({"status", "category", "priority_rank"})
_FTS = table("ticket_fts", column("rowid"))
MOMENT = Ticket.__table__.c.sla_due_at.type
PERSON = Ticket.__table__.c.owner_id.type


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
    now = bindparam("now", type_=MOMENT)
    where: list[ColumnElement[bool]] = []
    if q.open_only:
        where.append(t.is_open.expression)
    for col, name, values in (
        (t.process, "process", q.processes),
        (t.status, "status", q.statuses),
        (t.stage, "stage", q.stages),
        (t.priority, "priority", q.priorities),
        (t.category, "category", q.categories),
        (t.client_category, "client_category", q.client_categories),
    ):
        if values:
            where.append(_values(col, name, values))
    if q.owner == "mine":
        where.append(t.owner_id == bindparam("me", type_=PERSON))
    elif q.owner == "unassigned":
        where.append(t.owner_id.is_(None))
    elif q.owner is not None:
        where.append(t.owner_id == bindparam("owner", q.owner, type_=PERSON))
    if q.department is not None:
        where.append(t.department_id == bindparam("department", q.department, type_=PERSON))
    if q.sla:
        where.append(or_(*(_sla(s, now) for s in q.sla)))
    if q.created_from is not None:
        where.append(t.created_at >= bindparam("created_from", q.created_from, type_=MOMENT))
    if q.created_to is not None:
        where.append(t.created_at < bindparam("created_to", q.created_to, type_=MOMENT))
    if q.closed_from is not None:
        where.append(t.closed_at >= bindparam("closed_from", q.closed_from, type_=MOMENT))
    if q.outgoing_overdue:
        # the few unanswered, overdue requests first (ix_outgoing_reminder), turned into row
        # ids once; then the queue's own index walk probes that list without reading a row
        # (by uuid it read every open ticket: 60–100 ms at 1M, now ~10 ms)
        asked = aliased(Ticket)
        overdue = (
            select(asked.id)
            .join(OutgoingRequest, OutgoingRequest.ticket_id == asked.uuid)
            .where(OutgoingRequest.answered_at.is_(None), OutgoingRequest.reminder_at <= now)
        )
        where.append(t.id.in_(overdue))
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
