"""Applying one pulled batch to the local SQLite, inside the caller's transaction (the one
that also stores the new cursor — pulling.py), never through the outbox.

- Values are checked and converted a column at a time (incoming.py, by `prepare`, before the
  batch's transaction: a batch that does not fit is refused whole), and rows are written as
  plain tuples with sqlite3's `executemany` on the session's own connection (so in its
  transaction): an ORM or Core statement per batch cost several times SQLite's own work on a
  first sync (measured on 20,000 tickets: 5.5 s of upserts for 1.3 s inside SQLite).
- Rows are upserted by their key; a ticket by its `uuid`, keeping its local integer `id` (a
  new ticket gets the next one — or its server number's, when that is higher, so a ticket
  registered here later never draws a provisional number the desk already uses).
- The server's ticket number replaces the provisional one. A number is unique, so a local
  ticket still holding the number the server gave another one (a ticket registered here,
  its op not yet answered) is renamed «СЗ-П<id>» until its own number arrives.
- Tombstones delete. Foreign keys are not checked here: a row's version is its latest write,
  so a comment can come a batch before the newer version of its ticket; the replica is whole
  again once the pull has caught up (pulling.py turns the checks off on its connection).
- The search index is rebuilt for every ticket whose row or comments changed (reindex.py).
  The SLA columns are the server's (its clock, its worker's flags): recomputing them here
  would make the workstation's rows differ from the server's, and the divergence check says so.
- Events the server stamped differently from the workstation's optimistic copy (its moment,
  a "created" event's number) replace it (history.py).
- Tickets with ops still pending get those ops re-run on top (rebase.py).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from opdesk.models import OutboxEntry, Ticket
from opdesk.services.desk import NUMBER_PREFIX, Desk
from opdesk.services.writes import OP_KIND
from opdesk.store import wire
from opdesk.store.search import DELETE_SQL
from opdesk.sync import incoming, outbox, rebase, reindex, undo
from opdesk.sync.contract import PullAnswer, SyncError
from opdesk.sync.history import history_rewritable, raw_connection

FIRST_NUMBER = 100000  # desk.ticket_number: «СЗ-100001» is ticket 1
PROVISIONAL = f"{NUMBER_PREFIX}П"
REWRITTEN = frozenset({"tickets", "closure_reports"})  # rows a pending op changes in place
CHUNK = 500  # keys per `IN (…)`: well below SQLite's limit on bound variables
Rows = list[tuple[Any, ...]]  # one table's rows as stored, in wire.column_names order


@dataclass(frozen=True)
class Prepared:
    """A pulled batch with its rows checked and converted for storage (`prepare`): what
    `apply_batch` writes. Preparing needs the batch alone, no database, so pulling.py does it
    on its worker thread while the batch before is being written."""

    server_id: uuid.UUID | None
    rows: dict[str, Rows]  # per table, parents first
    tombstones: Sequence[tuple[str, str]]
    cursor: int
    more: bool


@dataclass(frozen=True)
class Applied:
    rows: int  # rows written and deleted
    stored_tickets: frozenset[str]  # tickets whose rows changed (uuids as stored)
    keys: tuple[undo.Key, ...]  # every row the batch brought (within `only`), if asked for
    rebased: rebase.Rebased

    @property
    def tickets(self) -> frozenset[uuid.UUID]:
        """The tickets whose rows changed: the views to refresh. Kept as stored text until
        asked for: a first sync touches each ticket in several batches, and making a UUID
        object for every one of them each time was a twentieth of its time."""
        return frozenset(_uuids(self.stored_tickets))


def _bad(what: str) -> SyncError:
    return SyncError("bad_response", f"сервер прислал неверную строку: {what}",
                     f"the server sent a bad row: {what}")  # fmt: skip


@cache
def _position(table: str, column: str) -> int:
    return wire.column_names(table).index(column)


def _owner(table: str) -> int | None:
    """Where a row of `table` names its ticket (stored uuid), if it belongs to one."""
    if table == "tickets":
        return _position(table, "uuid")
    return _position(table, "ticket_id") if table in wire.TICKET_CHILDREN else None


def prepare(batch: PullAnswer) -> Prepared:
    """`batch`'s rows as stored; SyncError (bad_response) if any does not fit."""
    for table in batch.tables:
        if table not in wire.SYNCED_TABLES:
            raise _bad(f"unknown table {table!r}")
    by_table: dict[str, Rows] = {}
    for table in wire.SYNCED_TABLES:
        block = batch.tables.get(table)
        if block is None:
            continue
        try:
            by_table[table] = incoming.storage_rows(table, block)
        except ValueError as exc:
            raise _bad(str(exc)) from None
    return Prepared(batch.server_id, by_table, batch.tombstones, batch.cursor, batch.more)


def _only(by_table: Mapping[str, Rows], only: frozenset[uuid.UUID] | None) -> dict[str, Rows]:
    """The rows of `only`'s tickets (all rows without `only`), tables left empty dropped."""
    wanted = None if only is None else {t.hex for t in only}
    kept: dict[str, Rows] = {}
    for table, rows in by_table.items():
        owner = _owner(table)
        if wanted is not None:
            rows = [] if owner is None else [r for r in rows if r[owner] in wanted]
        if rows:
            kept[table] = rows
    return kept


def apply_batch(
    s: Session,
    batch: Prepared,
    desk: Desk,
    only: frozenset[uuid.UUID] | None = None,
    *,
    keys: bool = False,
) -> Applied:
    """Write `batch` into `s` (see the module docstring). With `only`, just the rows of those
    tickets (a refresh re-reading rows the workstation already has); tombstones always. With
    `keys`, `Applied.keys` lists every row brought (a sweeping re-pull records them)."""
    by_table = _only(batch.rows, only)
    search, overwritten = _tombstones(s, batch.tombstones)
    raw = raw_connection(s.connection())
    owners: set[str] = set()  # tickets whose rows came (uuids as stored)
    rewritten: set[str] = set()  # … rows a pending op may have changed in place
    to_index: set[str] = set()
    for table, rows in by_table.items():
        if table == "tickets":
            to_index |= _upsert_tickets(raw, rows)
        else:
            _upsert(s, raw, table, rows)
        owner = _owner(table)
        if owner is None:
            continue
        mine = {row[owner] for row in rows}
        owners |= mine
        if table in REWRITTEN:
            rewritten |= mine
        if table == "comments":
            to_index |= mine
    pending = outbox.pending_on(s, overwritten | _uuids(rewritten)) if _any_pending(s) else []
    brought = _keys(by_table) if keys or pending else ()
    rebased = rebase.reapply(s, desk, pending, set(brought))
    to_index |= {t.hex for t in search | rebased.tickets}
    reindex.reindex(raw, to_index)
    count = sum(len(rows) for rows in by_table.values()) + len(batch.tombstones)
    changed = owners | {t.hex for t in search | rebased.tickets}
    return Applied(count, frozenset(changed), brought, rebased)


def _uuids(stored: Iterable[str]) -> set[uuid.UUID]:
    return {uuid.UUID(hex=value) for value in stored}


def _keys(by_table: Mapping[str, Rows]) -> tuple[undo.Key, ...]:
    out: list[undo.Key] = []
    for table, rows in by_table.items():
        at = _position(table, wire.SYNCED_TABLES[table])
        out += [(table, uuid.UUID(hex=row[at])) for row in rows]
    return tuple(out)


def _any_pending(s: Session) -> bool:
    """Whether any op waits for the server (else no batch has anything to rebase)."""
    return bool(s.scalar(select(exists().where(OutboxEntry.op == OP_KIND))))


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _lookup(raw: sqlite3.Connection, sql: str, values: Sequence[Any]) -> Iterator[Any]:
    """`sql` with its `IN ({})` filled for `values`, chunk by chunk: the rows found."""
    for chunk in _chunks(values):
        yield from raw.execute(sql.format(", ".join("?" * len(chunk))), chunk)


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


@cache
def _upsert_sql(table: str) -> str:
    """INSERT … ON CONFLICT (key) DO UPDATE, and only where something differs: an identical
    row is not written again (and an identical event never meets the history's guard)."""
    names = wire.column_names(table)
    key = wire.SYNCED_TABLES[table]
    rest = [name for name in names if name != key]
    sets = ", ".join(f'"{n}" = excluded."{n}"' for n in rest)
    differs = " OR ".join(f'"{table}"."{n}" IS NOT excluded."{n}"' for n in rest)
    return (f'INSERT INTO "{table}" ({_quoted(names)}) VALUES ({", ".join("?" * len(names))})'
            f' ON CONFLICT ("{key}") DO UPDATE SET {sets} WHERE {differs}')  # fmt: skip


def _upsert(s: Session, raw: sqlite3.Connection, table: str, rows: Rows) -> None:
    if table == "events" and _rewrites(raw, table, rows):
        with history_rewritable(s):
            raw.executemany(_upsert_sql(table), rows)
    else:
        raw.executemany(_upsert_sql(table), rows)


def _rewrites(raw: sqlite3.Connection, table: str, rows: Rows) -> bool:
    """Whether any of `rows` is already here with other content (compared as stored)."""
    key = wire.SYNCED_TABLES[table]
    at = _position(table, key)
    incoming_rows = {row[at]: row for row in rows}
    sql = f'SELECT {_quoted(wire.column_names(table))} FROM "{table}" WHERE "{key}" IN ({{}})'
    return any(here != incoming_rows[here[at]] for here in _lookup(raw, sql, list(incoming_rows)))


def _number_id(number: str) -> int:
    digits = number[len(NUMBER_PREFIX) :] if number.startswith(NUMBER_PREFIX) else ""
    return int(digits) - FIRST_NUMBER if digits.isdigit() and len(digits) < 12 else 0


def _upsert_tickets(raw: sqlite3.Connection, rows: Rows) -> set[str]:
    """Tickets by uuid, local ids kept or made; returns (stored uuids) every ticket written
    and every one whose number changed."""
    names = wire.column_names("tickets")
    at_uuid, at_number = _position("tickets", "uuid"), _position("tickets", "number")
    uuids = [row[at_uuid] for row in rows]
    local = dict(_lookup(raw, "SELECT uuid, id FROM tickets WHERE uuid IN ({})", uuids))
    numbers = {row[at_number]: row[at_uuid] for row in rows}
    renamed: set[str] = set()
    holders = "SELECT id, uuid, number FROM tickets WHERE number IN ({})"
    for ticket_id, holder, number in list(_lookup(raw, holders, list(numbers))):
        if numbers[number] != holder:
            raw.execute("UPDATE tickets SET number = ? WHERE id = ?",
                        (f"{PROVISIONAL}{ticket_id}", ticket_id))  # fmt: skip
            renamed.add(holder)
    new = [row for row in rows if row[at_uuid] not in local]
    if new:
        next_id = raw.execute("SELECT coalesce(max(id), 0) FROM tickets").fetchone()[0] + 1
        made = []
        for row in new:
            ticket_id = max(next_id, _number_id(row[at_number]))
            made.append((ticket_id, *row))
            next_id = ticket_id + 1
        marks = ", ".join("?" * (len(names) + 1))
        raw.executemany(f"INSERT INTO tickets (id, {_quoted(names)}) VALUES ({marks})", made)
    old = [(*row, row[at_uuid]) for row in rows if row[at_uuid] in local]
    if old:
        sets = ", ".join(f'"{name}" = ?' for name in names)
        raw.executemany(f"UPDATE tickets SET {sets} WHERE uuid = ?", old)
    return renamed | set(uuids)


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
