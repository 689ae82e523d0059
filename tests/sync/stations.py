"""Two operators' workstations syncing with a REAL `opdesk server` process (tests/server/live.py)
through `SyncEngine` and `HttpServer` exactly as the window's worker does: the `stations`
fixture and what a test does with one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select, text

from opdesk import services
from opdesk.clock import SystemClock
from opdesk.models import Ticket
from opdesk.regulations.snapshot import Actor
from opdesk.services.desk import Desk
from opdesk.store.database import open_local
from opdesk.sync import state
from opdesk.sync.engine import SyncEngine, SyncReport
from opdesk.sync.transport import HttpServer
from tests.server.live import LiveServer, live_server  # noqa: F401
from tests.sync.support import CATEGORY, pack

PASSWORD = "correct horse battery"


@dataclass
class Station:
    desk: Desk
    http: HttpServer
    engine: SyncEngine
    actor: Actor

    def sync(self) -> SyncReport:
        report = self.engine.sync_once()
        assert report.error is None or report.offline, report.error
        return report

    def ticket(self, key: uuid.UUID) -> Ticket:
        with self.desk.db.transaction() as s:
            found = s.scalars(select(Ticket).where(Ticket.uuid == key)).one()
            s.expunge(found)
            return found

    def owner(self, key: uuid.UUID) -> str | None:
        with self.desk.db.engine.connect() as conn:
            return conn.execute(text(
                "SELECT p.login FROM tickets t LEFT JOIN people p ON p.id = t.owner_id"
                " WHERE t.uuid = :u"), {"u": key.hex}).scalar()  # fmt: skip

    def create(self, subject: str) -> uuid.UUID:
        made = services.create_ticket(self.desk, self.actor, category=CATEGORY,
                                      subject=subject, process="csn")  # fmt: skip
        assert made.ok and made.created_id is not None, made.message()
        with self.desk.db.transaction() as s:
            return s.scalars(select(Ticket.uuid).where(Ticket.id == made.created_id)).one()


@pytest.fixture
def stations(
    live_server: LiveServer,  # noqa: F811
    tmp_path: Path,
) -> Iterator[dict[str, Station]]:
    """Two operators, each on a workstation of their own (new logins per test)."""
    made: dict[str, Station] = {}
    tag = uuid.uuid4().hex[:6]
    for name in ("a", "b"):
        login = f"op_{name}_{tag}"
        live_server.add_person(login, "operator", PASSWORD, f"Оператор {name.upper()}")
        db = open_local(tmp_path / f"{name}.sqlite")
        http = HttpServer(live_server.url)
        http.login(login, PASSWORD, state.client_id(db), training=False)
        engine = SyncEngine(db, http, pack(), SystemClock())
        made[name] = Station(Desk(db, pack(), SystemClock()), http, engine,
                             Actor(login, "operator", ""))  # fmt: skip
        made[name].sync()  # the people (themselves included) arrive
    yield made
    for station in made.values():
        station.http.close()
        station.desk.db.close()
