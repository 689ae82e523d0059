"""The end of a re-pull from the start: rows the server did not send are not on the server.

A full re-pull brings every row the server has; a local row it did not bring exists here
only. That is right for some rows and wrong for others:
- kept: rows of ops still waiting for the server (their seeds' id ranges), tickets an op
  waiting for the server creates, tickets with an outbox row that is not an op (an import's
  tickets never reach the server), and reference rows (clients, people, departments) a
  local row still points at;
- removed: everything else — a refused op's leftovers, a row the server deleted while its
  tombstone was missed, rows of a database restored from an older copy.

What the re-pull brought is written down as it goes in a TEMP table of the pull's own
connection (it can hold a whole desk's keys without holding them in memory), and dies with
the connection: a re-pull that does not finish sweeps nothing and starts again.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import Table, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from opdesk.models import Base, OutboxEntry, Ticket
from opdesk.services.writes import OP_KIND
from opdesk.store import wire
from opdesk.store.search import DELETE_SQL
from opdesk.sync import outbox, undo
from opdesk.sync.history import history_rewritable, raw_connection

SEEN = "temp.sync_seen"
REFERENCE_TABLES = ("clients", "people", "departments")  # children first


def start(conn: Connection) -> None:
    """An empty record of what the re-pull brings (on the pull's connection)."""
    conn.exec_driver_sql(
        "CREATE TEMP TABLE IF NOT EXISTS sync_seen (tbl TEXT NOT NULL, k TEXT NOT NULL, "
        "PRIMARY KEY (tbl, k)) WITHOUT ROWID"
    )
    conn.exec_driver_sql(f"DELETE FROM {SEEN}")
    conn.commit()


def record(s: Session, keys: Collection[undo.Key]) -> None:
    if keys:
        s.execute(text(f"INSERT OR IGNORE INTO {SEEN} (tbl, k) VALUES (:t, :k)"),
                  [{"t": table, "k": key.hex} for table, key in keys])  # fmt: skip


def _unseen(s: Session, table: str, scope: list[uuid.UUID] | None) -> list[tuple[str, str]]:
    """(key as stored, owning ticket as stored) of local rows the re-pull did not bring."""
    key = wire.SYNCED_TABLES[table]
    owner = "uuid" if table == "tickets" else "ticket_id"
    where = f"{key} NOT IN (SELECT k FROM {SEEN} WHERE tbl = :t)"
    params: dict[str, object] = {"t": table}
    if scope is not None:
        names = [f":s{i}" for i in range(len(scope))]
        where += f" AND {owner} IN ({', '.join(names)})"
        params |= {f"s{i}": ticket.hex for i, ticket in enumerate(scope)}
    rows = s.execute(text(f"SELECT {key}, {owner} FROM {table} WHERE {where}"), params)
    return [(str(k), str(o)) for k, o in rows]


def sweep(s: Session, tickets: frozenset[uuid.UUID] | None) -> int:
    """Delete the unseen rows of `tickets` (None: of the whole desk); returns how many."""
    pending = outbox.pending(s, 0)
    kept_tickets = {t.hex for op in pending for t in op.created}
    row_diffs = select(OutboxEntry.row_id).where(OutboxEntry.op != OP_KIND).distinct()
    kept_tickets |= {uuid.UUID(r).hex for r in s.scalars(row_diffs) if _is_uuid(r)}
    kept_rows = {row_id.hex for _t, row_id, _o in
                 undo.made_rows(s, [op.seed for op in pending if op.seed])}  # fmt: skip
    scope = sorted(tickets) if tickets is not None else None
    removed = 0
    owners: set[uuid.UUID] = set()
    for table in (*reversed(wire.TICKET_CHILDREN), "tickets"):
        doomed = [(k, owner) for k, owner in _unseen(s, table, scope)
                  if owner not in kept_tickets and k not in kept_rows]  # fmt: skip
        removed += len(doomed)
        owners |= {uuid.UUID(owner) for _k, owner in doomed}
        _delete(s, table, [k for k, _owner in doomed])
    undo.reindex(s, owners)
    if tickets is None:
        for table in REFERENCE_TABLES:
            unused = [k for k, _ in _unreferenced(s, table)]
            removed += len(unused)
            _delete(s, table, unused)
    return removed


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _unreferenced(s: Session, table: str) -> list[tuple[str, str]]:
    key = wire.SYNCED_TABLES[table]
    refs = [
        f"{key} NOT IN (SELECT {c.name} FROM {other} WHERE {c.name} IS NOT NULL)"
        for other in wire.SYNCED_TABLES
        for c in _table(other).columns
        if any(fk.column.table.name == table for fk in c.foreign_keys)
    ]
    where = " AND ".join([f"{key} NOT IN (SELECT k FROM {SEEN} WHERE tbl = :t)", *refs])
    return [(str(k), "") for (k,) in s.execute(text(f"SELECT {key} FROM {table} WHERE {where}"),
                                               {"t": table})]  # fmt: skip


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _delete(s: Session, table: str, keys: list[str]) -> None:
    if not keys:
        return
    key = wire.SYNCED_TABLES[table]
    raw = raw_connection(s.connection())
    with history_rewritable(s):
        for start_at in range(0, len(keys), 500):
            chunk = keys[start_at : start_at + 500]
            if table == "tickets":
                found = select(Ticket.id).where(Ticket.uuid.in_([uuid.UUID(k) for k in chunk]))
                for ticket_id in s.scalars(found):
                    raw.execute(DELETE_SQL, (ticket_id,))
            names = ", ".join(f":k{i}" for i in range(len(chunk)))
            s.execute(text(f"DELETE FROM {table} WHERE {key} IN ({names})"),
                      {f"k{i}": k for i, k in enumerate(chunk)})  # fmt: skip
