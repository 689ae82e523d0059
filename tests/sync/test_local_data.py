"""A database with tickets of its own never meets its first server: the first check would
"repair" the difference by deleting them. It is refused, left as it was, and not bound; a new
workstation's tickets made for the server before its first sync are fine."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from opdesk import services
from opdesk.clock import FixedClock, SystemClock
from opdesk.demo import generate
from opdesk.models import OutboxEntry, Ticket
from opdesk.regulations.snapshot import Actor
from opdesk.services.desk import Desk
from opdesk.store.database import open_local
from opdesk.sync import state
from opdesk.sync.contract import SyncError
from opdesk.sync.engine import SyncEngine, _refuse_local_data
from opdesk.sync.transport import HttpServer
from tests.server.live import LiveServer, live_server  # noqa: F401
from tests.sync.support import CATEGORY, pack

PASSWORD = "correct horse battery"


def _engine(server: LiveServer, path: Path) -> SyncEngine:
    login = f"op_{uuid.uuid4().hex[:8]}"
    server.add_person(login, "operator", PASSWORD, "Оператор")
    db = open_local(path)
    http = HttpServer(server.url)
    http.login(login, PASSWORD, state.client_id(db), training=False)
    return SyncEngine(db, http, pack(), SystemClock())


def test_a_demo_desk_is_refused_and_left_as_it_was(
    live_server: LiveServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    path = tmp_path / "demo.sqlite3"
    generate(path, 50, seed=1, now=dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC), workers=0)
    engine = _engine(live_server, path)
    try:
        report = engine.sync_once()
        with engine.db.transaction() as s:
            kept = s.scalar(select(func.count()).select_from(Ticket))
            bound = state.read(s).server_id
    finally:
        engine.db.close()
    assert report.error is not None and report.error.code == "local_data"
    assert "50" in report.error.message_ru and "новый файл базы" in report.error.message_ru
    assert kept == 50 and bound is None


def test_tickets_made_here_for_the_server_do_not_count_as_local_data(tmp_path: Path) -> None:
    """A ticket whose create op still waits to be pushed belongs to the server's desk; one
    without (another desk's, a demo's) is the database's own."""
    db = open_local(tmp_path / "desk.sqlite3")
    try:
        desk = Desk(db, pack(), FixedClock(dt.datetime(2026, 11, 16, 10, tzinfo=dt.UTC)),
                    provisional_numbers=True)  # fmt: skip
        services.ensure_departments(desk)
        services.add_person(desk, "ivanova", "Иванова И.И.", "operator", "opp")
        actor = Actor("ivanova", "operator", "ОПП")
        made = services.create_ticket(desk, actor, category=CATEGORY, subject="до связи")
        assert made.ok, made.message()
        with db.transaction() as s:
            _refuse_local_data(s)  # the waiting create op vouches for it
        with db.transaction() as s:  # an import writes no op: a ticket of this database's own
            s.execute(delete(OutboxEntry))
        with db.transaction() as s, pytest.raises(SyncError) as refused:
            _refuse_local_data(s)
    finally:
        db.close()
    assert refused.value.code == "local_data" and "1 заяв" in refused.value.message_ru
