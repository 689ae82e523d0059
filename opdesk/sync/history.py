"""Letting the sync, and only the sync, replace a workstation's copy of the history.

The local `events` table refuses updates and deletes (triggers of migration 0001): no command
may rewrite the past. But a workstation's history is a replica of the server's, and two of
its events are only provisional: an event an op wrote optimistically comes back from the
server with the server's moment and words (the op re-ran there at the server's time, and a
new ticket's "created" event names the server's number, not the provisional one), and an
event of an op the server refused never existed. Converging on the server's history means
replacing the first and removing the second.

So the sync drops the two triggers inside its own transaction and creates them again, with
their own SQL, before it commits: SQLite's DDL is transactional, so no other connection ever
sees the table unguarded, and a sync killed half-way rolls the drop back with everything
else. Commands keep the ORM guard too (`opdesk.models.history`), which the sync's Core
statements do not go through.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

TABLE = "events"


def raw_connection(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under `conn` (for the search index's executemany and the
    explicit BEGIN of a read snapshot)."""
    raw = conn.connection.driver_connection
    if not isinstance(raw, sqlite3.Connection):
        raise TypeError("the workstation's database is SQLite")
    return raw


@contextmanager
def history_rewritable(s: Session) -> Iterator[None]:
    """Within the block (inside `s`'s open write transaction) events may be changed."""
    conn = s.connection()
    if not raw_connection(conn).in_transaction:
        raise RuntimeError("the history is only opened inside a write transaction")
    triggers = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (TABLE,)
    ).all()
    for name, _sql in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        for _name, sql in triggers:
            conn.exec_driver_sql(sql)
