"""Running one store test on both databases OpDesk supports, and minimal valid rows.

The same models and migrations serve the workstation (SQLite) and the desk's server
(PostgreSQL, step 4); a guarantee checked on one dialect only is half a guarantee.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import uuid
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from opdesk.models import Event, Ticket
from opdesk.store import database
from opdesk.store.database import Database

DIALECTS = ["sqlite", "postgresql"]
MOSCOW = ZoneInfo("Europe/Moscow")
MOMENT = dt.datetime(2026, 11, 16, 10, 30, 15, 123456, tzinfo=MOSCOW)
_numbers = itertools.count(1)


def open_db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    """The store as the app opens it (migrated), on the dialect of `request.param`.

    The PostgreSQL server is asked for only by PostgreSQL cases, so SQLite-only runs never
    start it.
    """
    if request.param == "sqlite":
        return database.open_local(tmp_path / "opdesk.sqlite3")
    return database.open_url(request.getfixturevalue("pg_fresh_url"))


def bare_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    """An engine on an empty database, not migrated (for the migration tests)."""
    if request.param == "sqlite":
        return database.sqlite_engine(tmp_path / "migrations.sqlite3")
    return create_engine(request.getfixturevalue("pg_fresh_url"))


def new_ticket(**overrides: object) -> Ticket:
    """A ticket with every required column set and nothing else."""
    number = next(_numbers)
    fields: dict[str, object] = {
        "number": f"T-{number:07d}-{uuid.uuid4().hex[:6]}",
        "created_at": MOMENT,
        "updated_at": MOMENT,
        "category": "Заявка на обслуживание",
        "priority": "Обычный",
        "priority_rank": 0,
        "status": "Новая",
        "stage": "reaction",
        "subject": "Не работает терминал",
    }
    fields.update(overrides)
    return Ticket(**fields)


def new_event(ticket: Ticket, **overrides: object) -> Event:
    fields: dict[str, object] = {
        "ticket_id": ticket.uuid,
        "at": MOMENT,
        "actor": "ivanova",
        "kind": "created",
        "status": "Новая",
    }
    fields.update(overrides)
    return Event(**fields)


@dataclass(frozen=True)
class FileState:
    """What "left untouched" means for a file: same bytes, same mtime, no new neighbours."""

    sha256: str
    mtime_ns: int
    neighbours: frozenset[str]

    @classmethod
    def of(cls, path: Path) -> FileState:
        return cls(
            hashlib.sha256(path.read_bytes()).hexdigest(),
            path.stat().st_mtime_ns,
            frozenset(p.name for p in path.parent.iterdir()),
        )
