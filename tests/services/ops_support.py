"""What the op tests look at: the whole database as plain rows, the outbox as ops, a copy of a
workstation's file, and an outbox that refuses every insert."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from opdesk.models import OutboxEntry, Ticket
from opdesk.services.desk import Desk

Rows = dict[str, list[tuple[Any, ...]]]


def db_path(desk: Desk) -> Path:
    database = desk.db.engine.url.database
    assert database is not None
    return Path(database)


def dump(desk: Desk) -> Rows:
    """Every row of every table (the search index's too), sorted: any write shows up."""
    with desk.db.engine.connect() as conn:
        tables = conn.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        ).scalars()
        return {
            t: sorted((tuple(r) for r in conn.execute(text(f'SELECT * FROM "{t}"'))), key=repr)
            for t in tables
        }


def outbox(desk: Desk) -> list[OutboxEntry]:
    with desk.db.transaction() as s:
        rows = s.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)).all()
        s.expunge_all()
        return list(rows)


def ops(desk: Desk) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, row_id, args) of every outbox row, oldest first."""
    return [(e.command, e.row_id, json.loads(e.payload)) for e in outbox(desk)]


def uuid_of(desk: Desk, ticket_id: int) -> str:
    with desk.db.transaction() as s:
        found = s.scalar(select(Ticket.uuid).where(Ticket.id == ticket_id))
        assert found is not None
        return str(found)


def copy_file(desk: Desk, target: Path) -> Path:
    """A consistent copy of the desk's SQLite file (WAL included), through SQLite's backup."""
    source = sqlite3.connect(db_path(desk))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return target


@contextmanager
def outbox_refused(desk: Desk) -> Iterator[None]:
    """Within the block, writing an outbox row fails (a trigger aborts the statement): a command
    whose change is in the op's transaction must then leave no change at all."""
    with desk.db.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox "
                "BEGIN SELECT RAISE(ABORT, 'the outbox refuses this op'); END"
            )
        )
    try:
        yield
    finally:
        with desk.db.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER refuse_outbox"))
