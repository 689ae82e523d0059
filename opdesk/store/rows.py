"""The rows the queue shows, fetched by id for the visible window only.

Why a NamedTuple: rows are read on the database thread and shown on the GUI thread; live ORM
objects must not cross threads (they lazy-load and expire), plain immutable values can. A
NamedTuple is built by one C call, where a frozen dataclass of 22 fields costs 22
`object.__setattr__` calls per row — half the time of a first screen.

Why the row carries the earliest unanswered reminder (U-06, U-09) rather than an "overdue"
flag: like `sla_due_at`, a moment is judged against the desk's clock when the row is painted
(`outgoing_overdue`), so a cached row turns overdue on time, and the window's statement keeps
binding nothing but ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple
from uuid import UUID

from sqlalchemy import Boolean, Connection, Integer, Uuid, bindparam, case, func, select
from sqlalchemy.engine import Dialect

from opdesk.models import Department, OutgoingRequest, Person, Ticket, UtcDateTime

MAX_WINDOW = 900  # ids per statement, below SQLite's smallest parameter limit (999)


class TicketRow(NamedTuple):
    id: int
    number: str
    process: str
    created_at: dt.datetime
    updated_at: dt.datetime
    client_name: str
    client_category: str
    contact_phone: str
    subject: str
    theme: str
    category: str
    priority: str
    priority_rank: int
    status: str
    stage: str
    is_open: bool
    owner_id: UUID | None
    owner_name: str | None
    department_id: UUID | None
    department_name: str | None
    sla_due_at: dt.datetime | None
    sla_risk_at: dt.datetime | None
    sla_paused: bool
    sla_breached: bool
    outgoing_reminder_at: dt.datetime | None  # earliest reminder of an unanswered request


def outgoing_overdue(row: TicketRow, now: dt.datetime) -> bool:
    """U-09: an outgoing request is unanswered past its 24-hour reminder (U-06) — the same
    test as the «Ждут смежный отдел > 24 ч» filter (`TicketQuery.outgoing_overdue`)."""
    return row.outgoing_reminder_at is not None and row.outgoing_reminder_at <= now


_T = Ticket
_O = OutgoingRequest
# One correlated lookup a row on ix_outgoing_ticket (a ticket has a request or two), inside the
# window's single statement. "Unanswered" is tested in the aggregate, not in WHERE: there the
# planner takes ix_outgoing_reminder (answered_at IS NULL), whose statistics cannot tell that
# NULL is common, and scans every unanswered request of the desk for each row (2× the window).
_REMINDER = (
    select(func.min(case((_O.answered_at.is_(None), _O.reminder_at))))
    .where(_O.ticket_id == _T.uuid)
    .correlate(_T)
    .scalar_subquery()
    .label("outgoing_reminder_at")
)
_COLUMNS = (
    _T.id, _T.number, _T.process, _T.created_at, _T.updated_at, _T.client_name,
    _T.client_category, _T.contact_phone, _T.subject, _T.theme, _T.category,
    _T.priority,
    _T.priority_rank, _T.status, _T.stage, _T.is_open, _T.owner_id, Person.name,
    _T.department_id, Department.name,
    _T.sla_due_at, _T.sla_risk_at, _T.sla_paused, _T.sla_breached, _REMINDER,
)  # fmt: skip


@lru_cache(maxsize=64)
def window_sql(dialect: Dialect, size: int) -> tuple[str, tuple[Any, ...]]:
    """SQL for `size` ids (compiled once per size) and a result converter per column.

    Why not `conn.execute(select(...))`: for a 60-row window SQLAlchemy's per-row Row and
    per-call machinery cost twice SQLite's own work; the column types' own processors are
    applied here instead, so values are exactly what the ORM would return."""
    if size < 1:
        raise ValueError("a window holds at least one id")
    params = [bindparam(f"id{k}", type_=Integer) for k in range(size)]
    stmt = (
        select(*_COLUMNS)
        .outerjoin(Person, Person.id == _T.owner_id)
        .outerjoin(Department, Department.id == _T.department_id)
        .where(_T.id.in_(params))
    )
    compiled = stmt.compile(dialect=dialect)
    procs = ((i, _processor(c.type, dialect)) for i, c in enumerate(stmt.selected_columns))
    return compiled.string, tuple((i, p) for i, p in procs if p is not None)


_UUIDS: dict[str, UUID] = {}  # owners and departments repeat on every screen


def _sqlite_moment(value: str | None) -> dt.datetime | None:
    """Stored naive UTC text → aware datetime (as UtcDateTime returns it), 8× faster than
    SQLAlchemy's regex parser plus `replace(tzinfo=...)`."""
    return None if value is None else dt.datetime.fromisoformat(value + "+00:00")


def _sqlite_uuid(value: str | None) -> UUID | None:
    if value is None:
        return None
    found = _UUIDS.get(value)
    if found is None:
        if len(_UUIDS) > 100_000:
            _UUIDS.clear()
        found = _UUIDS[value] = UUID(hex=value)
    return found


def _processor(type_: Any, dialect: Dialect) -> Any:
    """The column type's result processor, with faster equivalents for SQLite moments and
    UUIDs: converting a window otherwise costs three times SQLite's own work."""
    if dialect.name == "sqlite" and isinstance(type_, UtcDateTime):
        return _sqlite_moment
    if dialect.name == "sqlite" and isinstance(type_, Uuid):
        return _sqlite_uuid
    if dialect.name == "sqlite" and isinstance(type_, Boolean):
        return bool
    return type_.dialect_impl(dialect).result_processor(dialect, None)


def fetch_rows(conn: Connection, ids: Sequence[int]) -> list[TicketRow]:
    """The rows of `ids`, in the order of `ids` (ids no longer present are skipped)."""
    found: dict[int, TicketRow] = {}
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for start in range(0, len(ids), MAX_WINDOW):
            chunk = [int(i) for i in ids[start : start + MAX_WINDOW]]
            sql, procs = window_sql(conn.dialect, len(chunk))
            if conn.dialect.paramstyle in ("qmark", "numeric", "format"):
                cur.execute(sql, chunk)
            else:
                cur.execute(sql, {f"id{k}": v for k, v in enumerate(chunk)})
            make = TicketRow._make
            for r in cur.fetchall():
                values = list(r)
                for i, convert in procs:
                    values[i] = convert(values[i])
                found[values[0]] = make(values)
    finally:
        cur.close()
    return [found[i] for i in ids if i in found]
