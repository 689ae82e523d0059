"""What the shared-desk window tests share: the real window on an empty local file, logged in
to a REAL `opdesk server` process (tests/server/live.py) through the login dialog, a second
workstation as a plain `SyncEngine` on a SQLite file of its own, and a recorder of the
window's syncs (`SharedDesk.synced`) to wait on.

The sync timer is set to an hour here (a test that wants polling sets it shorter), so a sync
the window makes comes from the login, a command, the server's wake-up or the operator's
«Синхронизировать сейчас» — whichever the test is about — and not from a timer by chance.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select, text

from opdesk import services, settings
from opdesk.clock import SystemClock
from opdesk.models import Ticket
from opdesk.regulations.pack import Pack, load_default_pack
from opdesk.regulations.snapshot import Actor
from opdesk.services.desk import Desk
from opdesk.store.database import open_local
from opdesk.sync import state
from opdesk.sync.credentials import TokenStore
from opdesk.sync.engine import SyncEngine, SyncReport
from opdesk.sync.transport import HttpServer
from opdesk.ui import sync_runner
from opdesk.ui.main_window import MainWindow
from opdesk.ui.sync_runner import Synced
from tests.server.live import LiveServer
from tests.ui.conftest import sql

PASSWORD = "correct horse battery"
CATEGORY = "Проблемы с хостингом"
_PACK: list[Pack] = []


def pack() -> Pack:
    if not _PACK:
        _PACK.append(load_default_pack())
    return _PACK[0]


def operator(live: LiveServer, name: str) -> str:
    """A new operator account on the server (new logins per test: no lockout carries over)."""
    login = f"{name}_{uuid.uuid4().hex[:6]}"
    live.add_person(login, "operator", PASSWORD, f"Оператор {name.upper()}")
    return login


@pytest.fixture
def quiet_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_runner, "INTERVAL", 3600.0)
    monkeypatch.setattr(sync_runner, "DEBOUNCE_MS", 50)


@dataclass
class Station:
    """Another workstation of the desk, without a window: the engine as the window's runner
    drives it, on a SQLite file of its own."""

    desk: Desk
    http: HttpServer
    engine: SyncEngine
    actor: Actor
    path: Path

    def sync(self) -> SyncReport:
        report = self.engine.sync_once()
        assert report.error is None, report.error
        return report

    def create(self, subject: str) -> tuple[uuid.UUID, str]:
        made = services.create_ticket(self.desk, self.actor, category=CATEGORY,
                                      subject=subject, process="csn")  # fmt: skip
        assert made.ok and made.created_id is not None, made.message()
        self.sync()
        with self.desk.db.transaction() as s:
            row = s.scalars(select(Ticket).where(Ticket.id == made.created_id)).one()
            return row.uuid, row.number

    def local_id(self, key: uuid.UUID) -> int:
        with self.desk.db.transaction() as s:
            return s.scalars(select(Ticket.id).where(Ticket.uuid == key)).one()

    def owner(self, key: uuid.UUID) -> str | None:
        return owner(self.path, key)


def owner(path: Path, key: uuid.UUID) -> str | None:
    rows = sql(path, "SELECT p.login FROM tickets t LEFT JOIN people p ON p.id = "
               "t.owner_id WHERE t.uuid = ?", key.hex)  # fmt: skip
    return str(rows[0][0]) if rows and rows[0][0] is not None else None


def local_id(path: Path, key: uuid.UUID) -> int | None:
    rows = sql(path, "SELECT id FROM tickets WHERE uuid = ?", key.hex)
    return int(str(rows[0][0])) if rows else None


@pytest.fixture
def station(live_server: LiveServer, tmp_path: Path) -> Iterator[Station]:
    login = operator(live_server, "b")
    path = tmp_path / "b.sqlite"
    db = open_local(path)
    http = HttpServer(live_server.url)
    http.login(login, PASSWORD, state.client_id(db), training=False)
    engine = SyncEngine(db, http, pack(), SystemClock(), check=False)
    made = Station(Desk(db, pack(), SystemClock(), provisional_numbers=True), http, engine,
                   Actor(login, "operator", ""), path)  # fmt: skip
    made.sync()
    yield made
    http.close()
    db.close()


@dataclass
class Syncs:
    """Every sync the window took in, in order; `wait` for one matching after a mark."""

    seen: list[Synced] = field(default_factory=list)

    def mark(self) -> int:
        return len(self.seen)

    def wait(
        self, qtbot: QtBot, wanted: Callable[[SyncReport], bool], since: int, timeout: int = 30_000
    ) -> Synced:
        qtbot.waitUntil(lambda: any(wanted(s.report) for s in self.seen[since:]), timeout=timeout)
        return next(s for s in self.seen[since:] if wanted(s.report))


@dataclass
class Workstation:
    window: MainWindow
    path: Path
    login: str
    tokens: TokenStore
    syncs: Syncs

    def queue_has(self, key: uuid.UUID) -> bool:
        tid = local_id(self.path, key)
        model = self.window.model
        return tid is not None and model is not None and model.row_of(tid) >= 0

    def idle(self) -> bool:
        """No queue list on its way (a sync's reload asks for one)."""
        window = self.window
        return window._full_seq == window._query_seq

    def select(self, qtbot: QtBot, key: uuid.UUID) -> int:
        qtbot.waitUntil(lambda: self.queue_has(key) and self.idle(), timeout=30_000)
        tid = local_id(self.path, key)
        assert tid is not None and self.window.model is not None
        self.window.table.selectRow(self.window.model.row_of(tid))
        qtbot.waitUntil(lambda: self.window.current is not None
                        and self.window.current.detail.id == tid)  # fmt: skip
        return tid


def open_window(
    qtbot: QtBot, path: Path, url: str, login: str, tokens: TokenStore | None = None
) -> Workstation:
    prefs = settings.Settings(person=login, server=url)
    tokens = tokens if tokens is not None else TokenStore()  # memory only, as without a keyring
    window = MainWindow(pack(), SystemClock(), prefs, tokens=tokens)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.database_opened, timeout=60_000):
        window.open_database(path)
    syncs = Syncs()
    window.shared.synced.connect(syncs.seen.append)
    return Workstation(window, path, login, tokens, syncs)


def log_in(qtbot: QtBot, ws: Workstation, password: str = PASSWORD) -> None:
    """Through «Сервер → Войти на сервер…», as the operator does."""
    ws.window.shared.login_action.trigger()
    dialog = ws.window.shared.login_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.server.text() == ws.window.prefs.server and dialog.login.text() == ws.login
    dialog.password.setText(password)
    dialog.submit()


def logged_in(qtbot: QtBot, ws: Workstation) -> Synced:
    """Log in and wait for the first good sync, which brings the people (this one too)."""
    mark = ws.syncs.mark()
    log_in(qtbot, ws)
    first = ws.syncs.wait(qtbot, lambda r: r.error is None, mark)
    qtbot.waitUntil(lambda: ws.window.person is not None
                    and ws.window.person.login == ws.login, timeout=30_000)  # fmt: skip
    return first


def server_owner(live: LiveServer, key: uuid.UUID) -> str | None:
    with live.engine.connect() as conn:
        return conn.execute(text(
            "SELECT p.login FROM tickets t LEFT JOIN people p ON p.id = t.owner_id"
            " WHERE t.uuid = :u"), {"u": key}).scalar()  # fmt: skip
