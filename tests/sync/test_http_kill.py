"""A workstation SIGKILLed after the server committed its push — before the answer was
stored, or while it was being stored — sends the batch again at the next sync: the server
answers "duplicate", applies nothing twice, and the workstation ends as the server is."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from opdesk import services
from opdesk.clock import SystemClock
from opdesk.models import Ticket
from opdesk.regulations.snapshot import Actor
from opdesk.services.desk import Desk
from opdesk.store.database import open_local
from opdesk.sync import state
from opdesk.sync.engine import SyncEngine
from opdesk.sync.transport import HttpServer
from tests.server.live import LiveServer, live_server  # noqa: F401
from tests.sync.support import CATEGORY, outbox_ops, pack

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


@pytest.mark.parametrize("when", ["before_ack", "in_ack"])
def test_a_lost_acknowledgement_applies_nothing_twice(
    live_server: LiveServer,  # noqa: F811
    tmp_path: Path,
    when: str,
) -> None:
    login = f"op_{uuid.uuid4().hex[:6]}"
    live_server.add_person(login, "operator", PASSWORD)
    path = tmp_path / "ws.sqlite"
    db = open_local(path)
    http = HttpServer(live_server.url)
    http.login(login, PASSWORD, state.client_id(db), training=False)
    engine = SyncEngine(db, http, pack(), SystemClock())
    assert engine.sync_once().error is None
    desk, actor = Desk(db, pack(), SystemClock()), Actor(login, "operator", "")
    made = services.create_ticket(desk, actor, category=CATEGORY, subject="Один раз",
                                  process="csn")  # fmt: skip
    assert made.created_id is not None
    assert services.add_comment(desk, actor, made.created_id, "note", "Только один").ok
    with db.transaction() as s:
        key = s.scalars(select(Ticket.uuid).where(Ticket.id == made.created_id)).one()
    child = subprocess.run(
        [sys.executable, "-m", "tests.sync.push_child", str(path), live_server.url, login,
         PASSWORD, when],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert child.returncode == -9, child.stderr  # SIGKILL, after the server's commit
    assert live_server.count("tickets", "uuid = :u", u=key) == 1
    assert len(outbox_ops(db)) == 2 and state.load(db).last_op == 0  # nothing of the answer
    report = engine.sync_once()
    assert report.error is None and report.pushed == 2 and report.refused == (), report
    assert live_server.count("comments", "ticket_id = :u", u=key) == 1
    assert live_server.count("events", "ticket_id = :u AND kind = 'created'", u=key) == 1
    assert outbox_ops(db) == [] and state.load(db).last_op == 2
    assert report.checked  # and the workstation holds what the server holds
    http.close()
    db.close()
