"""Applying one pulled batch to the local SQLite, inside the caller's transaction (the one
that also stores the new cursor — pulling.py), never through the outbox.

- Rows are upserted by their key; a ticket by its `uuid`, keeping its local integer `id` (a
  new ticket gets the next one — or its server number's, when that is higher, so a ticket
  registered here later never draws a provisional number the desk already uses).
- The server's ticket number replaces the provisional one. A number is unique, so a local
  ticket still holding the number the server gave another one (a ticket registered here,
  its op not yet answered) is renamed «СЗ-П<id>» until its own number arrives.
- Tombstones delete. Foreign keys are not checked here: a row's version is its latest write,
  so a comment can come a batch before the newer version of its ticket; the replica is whole
  again once the pull has caught up (pulling.py turns the checks off on its connection).
- The search index is rebuilt for every ticket whose row or comments changed. The SLA
  columns are the server's (its clock, its worker's flags): recomputing them here would make
  the workstation's rows differ from the server's, and the divergence check says so.
- Events the server stamped differently from the workstation's optimistic copy (its moment,
  a "created" event's number) replace it (history.py).
- Tickets with ops still pending get those ops re-run on top (rebase.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from opdesk.models import Ticket
from opdesk.services.desk import NUMBER_PREFIX, Desk
from opdesk.store import wire
from opdesk.store.search import DELETE_SQL
from opdesk.sync import outbox, rebase, undo
from opdesk.sync.contract import SyncError
from opdesk.sync.history import history_rewritable, raw_connection

FIRST_NUMBER = 100000  # desk.ticket_number: «СЗ-100001» is ticket 1
PROVISIONAL = f"{NUMBER_PREFIX}П"
REWRITTEN = frozenset({"tickets", "closure_reports"})  # rows a pending op changes in place


class Batch(Protocol):
    """A pull batch: the transport's `PullAnswer`, or the server's own `PullBatch`."""

    @property
    def changes(self) -> Sequence[tuple[str, Mapping[str, Any]]]: ...

    @property
    def tombstones(self) -> Sequence[tuple[str, str]]: ...

    @property
    def cursor(self) -> int: ...

    @property
    def more(self) -> bool: ...


@dataclass(frozen=True)
class Applied:
    rows: int  # rows written and deleted
    tickets: frozenset[uuid.UUID]  # tickets whose rows changed: the views to refresh
    keys: tuple[undo.Key, ...]  # every row the batch brought (within `only`)
    rebased: rebase.Rebased


def _bad(what: str) -> SyncError:
    return SyncError("bad_response", f"сервер прислал неверную строку: {what}",
                     f"the server sent a bad row: {what}")  # fmt: skip


def ticket_of(table: str, row: Mapping[str, Any]) -> uuid.UUID | None:
    if table == "tickets":
        return uuid.UUID(str(row["uuid"]))
    if table in wire.TICKET_CHILDREN:
        return uuid.UUID(str(row["ticket_id"]))
    return None


def _parse(batch: Batch, only: frozenset[uuid.UUID] | None) -> dict[str, list[dict[str, Any]]]:
    by_table: dict[str, list[dict[str, Any]]] = {}
    for table, row in batch.changes:
        if table not in wire.SYNCED_TABLES:
            raise _bad(f"unknown table {table!r}")
        try:
            typed = wire.from_json(table, row)
        except ValueError as exc:
            raise _bad(str(exc)) from None
        if only is None or ticket_of(table, typed) in only:
            by_table.setdefault(table, []).append(typed)
    return by_table


def apply_batch(
    s: Session, batch: Batch, desk: Desk, only: frozenset[uuid.UUID] | None = None
) -> Applied:
    """Write `batch` into `s` (see the module docstring). With `only`, just the rows of those
    tickets (a refresh re-reading rows the workstation already has); tombstones always."""
    by_table = _parse(batch, only)
    search, overwritten = _tombstones(s, batch.tombstones)
    touched = set(search)
    keys: list[undo.Key] = []
    for table in wire.SYNCED_TABLES:
        rows = by_table.get(table, [])
        if not rows:
            continue
        key = wire.SYNCED_TABLES[table]
        keys += [(table, row[key]) for row in rows]
        if table == "tickets":
            search |= _upsert_tickets(s, rows)
        else:
            _upsert(s, table, rows)
        tickets = {t for row in rows if (t := ticket_of(table, row)) is not None}
        touched |= tickets
        if table in REWRITTEN:
            overwritten |= tickets
        if table == "comments":
            search |= tickets
    ops = outbox.pending_on(s, overwritten)
    rebased = rebase.reapply(s, desk, ops, set(keys))
    undo.reindex(s, search | rebased.tickets)
    count = sum(len(rows) for rows in by_table.values()) + len(batch.tombstones)
    return Applied(count, frozenset(touched | rebased.tickets), tuple(keys), rebased)


def _upsert(s: Session, table: str, rows: list[dict[str, Any]]) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE, and only where something differs: an identical
    row is not written again (and an identical event never meets the history's guard)."""
    t = wire.model_table(table)
    key = wire.SYNCED_TABLES[table]
    names = [name for name, _, _ in wire.columns(table) if name != key]
    stmt = insert(t)
    stmt = stmt.on_conflict_do_update(
        index_elements=[key],
        set_={name: stmt.excluded[name] for name in names},
        where=or_(*(t.c[name].is_distinct_from(stmt.excluded[name]) for name in names)),
    )
    if table == "events" and _rewrites(s, table, rows):
        with history_rewritable(s):
            s.execute(stmt, rows)
    else:
        s.execute(stmt, rows)


def _rewrites(s: Session, table: str, rows: list[dict[str, Any]]) -> bool:
    """Whether any of `rows` is already here with other content."""
    t = wire.model_table(table)
    incoming = {row["id"]: wire.to_json(table, row) for row in rows}
    names = [t.c[name] for name, _, _ in wire.columns(table)]
    for chunk in _chunks(list(incoming)):
        for here in s.execute(select(*names).where(t.c.id.in_(chunk))).mappings():
            if wire.to_json(table, dict(here)) != incoming[here["id"]]:
                return True
    return False


def _chunks(values: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _number_id(number: str) -> int:
    digits = number[len(NUMBER_PREFIX) :] if number.startswith(NUMBER_PREFIX) else ""
    return int(digits) - FIRST_NUMBER if digits.isdigit() and len(digits) < 12 else 0


def _upsert_tickets(s: Session, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
    """Tickets by uuid, local ids kept or made; returns every ticket whose number changed."""
    t = wire.model_table("tickets")
    local: dict[uuid.UUID, int] = {}
    numbers = {row["number"]: row["uuid"] for row in rows}
    renamed: set[uuid.UUID] = set()
    for chunk in _chunks([row["uuid"] for row in rows]):
        found = s.execute(select(Ticket.uuid, Ticket.id).where(Ticket.uuid.in_(chunk)))
        local.update({key: ticket_id for key, ticket_id in found})
    for chunk in _chunks(list(numbers)):
        holders = s.execute(select(Ticket.id, Ticket.uuid, Ticket.number)
                            .where(Ticket.number.in_(chunk))).all()  # fmt: skip
        for ticket_id, holder, number in holders:
            if numbers[number] != holder:
                s.execute(update(t).where(t.c.id == ticket_id)
                          .values(number=f"{PROVISIONAL}{ticket_id}"))  # fmt: skip
                renamed.add(holder)
    new = [row for row in rows if row["uuid"] not in local]
    if new:
        next_id = (s.scalar(select(func.max(Ticket.id))) or 0) + 1
        for row in new:
            row["id"] = max(next_id, _number_id(row["number"]))
            next_id = row["id"] + 1
        s.execute(insert(t), new)
    old = [{**row, "k": row["uuid"]} for row in rows if row["uuid"] in local]
    if old:
        s.execute(update(t).where(t.c.uuid == bindparam("k")), old)
    return renamed | {row["uuid"] for row in rows}


def _tombstones(
    s: Session, tombstones: Sequence[tuple[str, str]]
) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    """Delete what the server deleted; returns (tickets to reindex, tickets rewritten)."""
    search: set[uuid.UUID] = set()
    rewritten: set[uuid.UUID] = set()
    by_table: dict[str, list[uuid.UUID]] = {}
    for table, key in tombstones:
        if table not in wire.SYNCED_TABLES:
            raise _bad(f"unknown table {table!r}")
        try:
            by_table.setdefault(table, []).append(uuid.UUID(key))
        except ValueError:
            raise _bad(f"{table}: key {key!r}") from None
    raw = raw_connection(s.connection())
    for table, keys in by_table.items():
        t = wire.model_table(table)
        column = t.c[wire.SYNCED_TABLES[table]]
        for chunk in _chunks(keys):
            if table == "tickets":
                for ticket_id in s.scalars(select(Ticket.id).where(Ticket.uuid.in_(chunk))):
                    raw.execute(DELETE_SQL, (ticket_id,))
                rewritten |= set(chunk)
            elif table in wire.TICKET_CHILDREN:
                owners = set(s.scalars(select(t.c.ticket_id).where(column.in_(chunk))))
                search |= owners
                if table in REWRITTEN:
                    rewritten |= owners
            if table == "events":
                with history_rewritable(s):
                    s.execute(t.delete().where(column.in_(chunk)))
            else:
                s.execute(t.delete().where(column.in_(chunk)))
    return search, rewritten
