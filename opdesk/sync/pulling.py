"""Pulling until the server has nothing more: each batch and the new cursor in ONE local
transaction, so a workstation killed at any moment has a cursor that is never ahead of its
rows (the next sync pulls again from where the last commit left it; a batch applied twice
changes nothing the second time, since rows are upserted by key).

The cursor is written first in that transaction: the first write takes SQLite's write lock,
so a command of the window cannot slip an op in between the moment this transaction reads
the pending ops (rebase.py) and the moment it commits.

A pending refresh (state.Refresh) starts the pull below the cursor: batches at or below the
cursor are rows the workstation already had and are applied only for the refreshed tickets,
the rest as usual; the refresh is cleared — after its sweep, if it has one — by the
transaction of the last batch.

The pull runs on one connection of its own with SQLite's foreign-key checks off (see
apply.py), switched back on before the connection goes back to the pool.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from opdesk.services.desk import Desk
from opdesk.store.database import Database
from opdesk.sync import state, sweep
from opdesk.sync.apply import apply_batch
from opdesk.sync.contract import Server, SyncError

LIMIT = 2000  # rows per batch: the server's default


@dataclass
class Pulled:
    rows: int = 0
    batches: int = 0
    cursor: int = 0
    swept: int = 0
    rebased: int = 0
    tickets: set[uuid.UUID] = field(default_factory=set)


@contextmanager
def replica(db: Database) -> Iterator[Connection]:
    """A connection for applying pulled rows: foreign keys off while it is ours."""
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.commit()
        try:
            yield conn
        finally:
            conn.rollback()
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


def other_server(bound: uuid.UUID, answered: uuid.UUID | None) -> SyncError:
    return SyncError(
        "other_server",
        f"база рабочего места связана с сервером {bound}, а ответил сервер {answered}; "
        "синхронизация с другим сервером — только в новую базу",
        f"this workstation's database belongs to server {bound}, but {answered} answered; "
        "syncing with another server needs a new database",
    )


def pull_all(db: Database, server: Server, desk: Desk, *, limit: int = LIMIT) -> Pulled:
    """Pull and apply until the server says `more` is false (see the module docstring).
    Raises SyncError (offline or not); what was committed before stays."""
    done = Pulled()
    with replica(db) as conn:
        with Session(bind=conn) as s, s.begin():
            status = state.read(s)
        if status.server_id is None:
            raise RuntimeError("bind the database to its server before pulling")
        refresh, settled = status.refresh, status.cursor
        cursor = settled if refresh is None else min(settled, refresh.start)
        if refresh is not None and refresh.sweep:
            sweep.start(conn)
        while True:
            batch = server.pull(cursor, limit)
            if batch.server_id is not None and batch.server_id != status.server_id:
                raise other_server(status.server_id, batch.server_id)
            if batch.cursor < cursor:
                raise SyncError("bad_response", "курсор сервера пошёл назад",
                                "the server's cursor went backwards")  # fmt: skip
            with Session(bind=conn) as s, s.begin():
                state.set_cursor(s, max(settled, batch.cursor))  # first: the write lock
                only = refresh.tickets if refresh is not None and batch.cursor <= settled else None
                applied = apply_batch(s, batch, desk, only)
                if refresh is not None and refresh.sweep:
                    sweep.record(s, applied.keys)
                if refresh is not None and not batch.more:
                    if refresh.sweep:
                        done.swept += sweep.sweep(s, refresh.tickets)
                    state.clear_refresh(s)
            done.rows += applied.rows
            done.batches += 1
            done.rebased += applied.rebased.kept
            done.tickets |= applied.tickets
            cursor, settled = batch.cursor, max(settled, batch.cursor)
            done.cursor = settled
            if not batch.more:
                return done
