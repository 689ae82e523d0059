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

The next batch is asked for, checked and converted for storage (apply.prepare) while this one
is written: its cursor is known as soon as this one has arrived, and the server's, the
network's and that Python work's time then overlaps SQLite's (sqlite3 lets go of the GIL while
it writes). One request at most is ever in flight, on a worker thread of the pull's own that
never touches the local database, so nothing else changes: each batch still commits with its
cursor, in turn, and a batch that does not fit is refused before its transaction begins.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from opdesk.services.desk import Desk
from opdesk.store.database import Database
from opdesk.sync import state, sweep
from opdesk.sync.apply import Prepared, apply_batch, prepare
from opdesk.sync.contract import Server, SyncError

# Rows per batch: the server's maximum (api_models.MAX_PULL). Fewer, larger batches mean
# fewer round trips, statements and commits (a first sync of 100,000 tickets: 66 batches
# instead of 330); a batch of 10,000 rows holds SQLite's write lock for a few tenths of a
# second, which a command of the window waits out (busy_timeout).
LIMIT = 10_000
CACHE_KIB = 128 * 1024  # the pull connection's page cache (SQLite's default is 2 MiB)


@dataclass
class Pulled:
    rows: int = 0
    batches: int = 0
    cursor: int = 0
    swept: int = 0
    rebased: int = 0
    tickets: set[uuid.UUID] = field(default_factory=set)
    many: bool = False  # more than MANY_TICKETS changed: `tickets` lists none of them


# Past this many changed tickets a pull stops listing them (`Pulled.many`): the window then
# reloads its queue and card whole instead of refreshing rows one by one. Why: a first sync of
# a desk of a million tickets would otherwise keep a million uuids (≈150 MB) and the window
# would look every one of them up after it.
MANY_TICKETS = 5000


@contextmanager
def replica(db: Database) -> Iterator[Connection]:
    """A connection for applying pulled rows: foreign keys off while it is ours, and a page
    cache of CACHE_KIB, so the queue's indexes on tickets stay in memory from one batch to
    the next instead of being read back from the file for every batch of a large pull."""
    with db.engine.connect() as conn:
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.exec_driver_sql(f"PRAGMA cache_size = {-CACHE_KIB}")
        conn.commit()
        try:
            yield conn
        finally:
            conn.rollback()
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.exec_driver_sql(f"PRAGMA cache_size = {int(cache or 0)}")
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
    with replica(db) as conn, ThreadPoolExecutor(1, thread_name_prefix="opdesk-pull") as ahead:
        return _pull(conn, server, desk, limit, ahead)


def _pull(
    conn: Connection, server: Server, desk: Desk, limit: int, ahead: ThreadPoolExecutor
) -> Pulled:
    done = Pulled()
    with Session(bind=conn) as s, s.begin():
        status = state.read(s)
    if status.server_id is None:
        raise RuntimeError("bind the database to its server before pulling")
    refresh, settled = status.refresh, status.cursor
    cursor = settled if refresh is None else min(settled, refresh.start)
    sweeping = refresh is not None and refresh.sweep
    if sweeping:
        sweep.start(conn)
    coming = ahead.submit(_fetch, server, cursor, limit)
    changed: set[str] = set()  # tickets (uuids as stored) whose rows changed
    while True:
        batch = coming.result()
        if batch.server_id is not None and batch.server_id != status.server_id:
            raise other_server(status.server_id, batch.server_id)
        if batch.cursor < cursor:
            raise SyncError("bad_response", "курсор сервера пошёл назад",
                            "the server's cursor went backwards")  # fmt: skip
        if batch.more:  # the next batch travels while this one is written
            coming = ahead.submit(_fetch, server, batch.cursor, limit)
        with Session(bind=conn) as s, s.begin():
            state.set_cursor(s, max(settled, batch.cursor))  # first: the write lock
            only = refresh.tickets if refresh is not None and batch.cursor <= settled else None
            applied = apply_batch(s, batch, desk, only, keys=sweeping)
            if sweeping:
                sweep.record(s, applied.keys)
            if refresh is not None and not batch.more:
                if sweeping:
                    done.swept += sweep.sweep(s, refresh.tickets)
                state.clear_refresh(s)
        done.rows += applied.rows
        done.batches += 1
        done.rebased += applied.rebased.kept
        if not done.many:
            changed |= applied.stored_tickets
            if len(changed) > MANY_TICKETS:
                done.many, changed = True, set()
        cursor, settled = batch.cursor, max(settled, batch.cursor)
        done.cursor = settled
        if not batch.more:
            done.tickets = {uuid.UUID(hex=key) for key in changed}
            return done


def _fetch(server: Server, cursor: int, limit: int) -> Prepared:
    """The batch after `cursor`, checked and converted for storage (on the worker thread)."""
    return prepare(server.pull(cursor, limit))
