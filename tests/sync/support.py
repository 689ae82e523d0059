"""What the sync tests share: a desk on the real test PostgreSQL (a server database made by
`open_server`, written through opdesk.services as the server's push would), workstations on
SQLite files, and pulls straight from the server database with the server's own `pull`.

`DirectPull` is not a stand-in server: it calls `opdesk.server.pull.pull` on the real
database and only skips HTTP, so pulling.py's batch handling can be tested (and killed) without
a server process; the push, the check and HTTP itself are tested against a real `opdesk
server` process in test_http_sync.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from opdesk import services
from opdesk.clock import FixedClock
from opdesk.models import Comment, OutboxEntry
from opdesk.regulations.pack import Pack, load_default_pack
from opdesk.regulations.snapshot import Actor
from opdesk.server import tables
from opdesk.server.migrate import open_server
from opdesk.server.pull import pull, snapshot_counts
from opdesk.services.desk import Desk
from opdesk.store import wire
from opdesk.store.database import Database, open_local
from opdesk.sync import pulling, state
from opdesk.sync.contract import CheckAnswer, Identity, OutgoingOp, PullAnswer, PushAnswer

T0 = dt.datetime(2026, 11, 16, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))  # Monday
OPERATOR = Actor("ivanova", "operator", "ОПП")
ENGINEER = Actor("sidorov", "operator", "ТО")
LEAD = Actor("smirnova", "lead", "ОПП")
CATEGORY = "Проблемы с хостингом"
_PACK: list[Pack] = []


def pack() -> Pack:
    if not _PACK:
        _PACK.append(load_default_pack())
    return _PACK[0]


def server_desk(url: str, clock: FixedClock | None = None) -> Desk:
    """A server database with the pack's departments and three people, as a desk."""
    db = open_server(url)
    desk = Desk(db, pack(), clock or FixedClock(T0))
    services.ensure_departments(desk)
    services.add_person(desk, "ivanova", "Иванова И.И.", "operator", "opp")
    services.add_person(desk, "sidorov", "Сидоров А.А.", "operator", "to")
    services.add_person(desk, "smirnova", "Смирнова Е.В.", "lead", "opp")
    return desk


def workstation(path: Path, clock: FixedClock | None = None) -> Desk:
    return Desk(open_local(path), pack(), clock or FixedClock(T0))


class DirectPull:
    """The server database's own pull, without HTTP (see the module docstring)."""

    def __init__(self, server: Database) -> None:
        self.db = server
        with server.engine.connect() as conn:
            self._identity = Identity(tables.server_id(conn), tables.is_training(conn))

    def identity(self) -> Identity:
        return self._identity

    def pull(self, cursor: int, limit: int) -> PullAnswer:
        with self.db.engine.connect() as conn:
            batch = pull(conn, cursor, limit)
        return PullAnswer(self._identity.server_id, batch.cursor, batch.more,
                          batch.tables, list(batch.tombstones))  # fmt: skip

    def push(self, client_id: Any, ops: list[OutgoingOp]) -> PushAnswer:
        raise NotImplementedError("pushes go to a real server process (test_http_sync.py)")

    def check(self) -> CheckAnswer:
        raise NotImplementedError("checks go to a real server process (test_http_sync.py)")


def bind(local: Desk, server: DirectPull) -> None:
    with local.db.transaction() as s:
        state.read(s)
        state.bind_server(s, server.identity().server_id)


def sync_pull(local: Desk, server: DirectPull, limit: int = 1000) -> pulling.Pulled:
    """Pull everything new into the workstation, as a sync does after its push."""
    if state.load(local.db).server_id is None:
        bind(local, server)
    return pulling.pull_all(local.db, server, local, limit=limit)


def server_figures(server: Database) -> dict[str, tuple[int, str]]:
    with server.engine.connect() as conn:
        return snapshot_counts(conn)


def local_figures(local: Database) -> dict[str, tuple[int, str]]:
    with local.engine.connect() as conn:
        return wire.snapshot_counts(conn)


def ticket_rows(db: Database) -> dict[str, tuple[str, str, str | None]]:
    """uuid → (number, status, owner login) of every ticket."""
    with db.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT t.uuid, t.number, t.status, p.login FROM tickets t"
            " LEFT JOIN people p ON p.id = t.owner_id"
        )).all()  # fmt: skip
    return {str(r[0]).replace("-", ""): (r[1], r[2], r[3]) for r in rows}


def outbox_ops(db: Database) -> list[tuple[str, str]]:
    with db.transaction() as s:
        return [(e.command, e.payload) for e in s.scalars(select(OutboxEntry)
                                                         .order_by(OutboxEntry.seq))]  # fmt: skip


def comment_texts(db: Database, ticket: Any) -> list[str]:
    with db.transaction() as s:
        return sorted(s.scalars(select(Comment.text).where(Comment.ticket_id == ticket)))


def search(db: Database, words: str) -> set[int]:
    with db.engine.connect() as conn:
        found = conn.execute(text("SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH :q"),
                             {"q": words}).scalars()  # fmt: skip
        return set(found)


def foreign_key_problems(db: Database) -> list[Any]:
    with db.engine.connect() as conn:
        return list(conn.exec_driver_sql("PRAGMA foreign_key_check").all())
