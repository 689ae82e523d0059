"""No password and no token in plain text anywhere the workstation keeps things: every file
under its OPDESK_HOME — settings, the local database with its WAL and journal, the logs —
searched byte for byte after a wrong login, a right one, syncs that push and pull, and a
logout (issue 11, security). The server's side (its database and its log) is
tests/server/test_http_secrets.py.

Why bytes and several encodings: a secret leaks as soon as any layer writes it — a debug log
of the HTTP client, SQLite's WAL holding a page of a row that was later changed, a settings
file — and the workstation's files are the ones copied to a USB stick or sent with a bug
report. The log level is DEBUG on purpose: the most talkative configuration must be clean.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from opdesk import logs, paths, services, settings
from opdesk.clock import SystemClock
from opdesk.regulations.snapshot import Actor
from opdesk.services.desk import Desk
from opdesk.store.database import open_local
from opdesk.sync.contract import SyncError
from opdesk.sync.credentials import TokenStore
from opdesk.sync.engine import SyncEngine
from opdesk.sync.transport import HttpServer
from opdesk.ui.login_dialog import log_in
from tests.server.live import LiveServer, live_server  # noqa: F401
from tests.sync.support import CATEGORY, pack

PASSWORD = "Пароль-рабочего-места-42"  # non-ASCII: its UTF-8 and UTF-16 forms differ
WRONG = "wrong-but-still-secret-17"


def encodings(secret: str) -> list[bytes]:
    """The byte forms a secret could be written in."""
    return [secret.encode("utf-8"), secret.encode("utf-16-le"), secret.encode("unicode_escape")]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A workstation's OPDESK_HOME, logging to its file at DEBUG for the test's length."""
    monkeypatch.setenv("OPDESK_HOME", str(tmp_path / "home"))
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    logs.setup(logging.DEBUG)
    try:
        yield tmp_path / "home"
    finally:
        for handler in root.handlers:
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)


def files_under(home: Path) -> dict[Path, bytes]:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return {p: p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}


def test_no_password_or_token_in_the_workstations_files(
    home: Path,
    live_server: LiveServer,  # noqa: F811
) -> None:
    login = f"secret_{uuid.uuid4().hex[:6]}"
    live_server.add_person(login, "operator", PASSWORD, "Оператор Секретов")
    address = live_server.url
    settings.save(settings.Settings(person=login, server=address))
    db = open_local(paths.database_path())
    tokens = TokenStore(None)  # no keyring here: the token lives in memory only
    with pytest.raises(SyncError):
        log_in(db, tokens, address, login, WRONG)
    session = log_in(db, tokens, address, login, PASSWORD)
    token = tokens.get(session.url, login)
    assert token is not None and token == session.login.token and not session.persistent
    http = HttpServer(session.url)
    http.token = token
    try:
        engine = SyncEngine(db, http, pack(), SystemClock())
        assert engine.sync_once().error is None  # the people arrive
        desk = Desk(db, pack(), SystemClock(), provisional_numbers=True)
        actor = Actor(login, "operator", "")
        made = services.create_ticket(desk, actor, category=CATEGORY, subject="Тайна",
                                      process="csn")  # fmt: skip
        assert made.ok and made.created_id is not None, made.message()
        assert services.add_comment(desk, actor, made.created_id, "note", "Без секретов").ok
        report = engine.sync_once()
        assert (report.error, report.pushed, report.checked) == (None, 2, True), report
        open_files = files_under(home)  # while the database is open: its WAL is there
        http.logout()
    finally:
        http.close()
        db.close()
    closed_files = files_under(home)

    names = {p.relative_to(home).as_posix() for p in open_files} | {
        p.relative_to(home).as_posix() for p in closed_files
    }
    assert {"config/settings.json", "data/opdesk.sqlite3", "logs/opdesk.log"} <= names, names
    assert any(name.endswith("-wal") for name in names), names  # the WAL was searched too
    log = closed_files[home / "logs" / "opdesk.log"]
    assert b"POST http" in log and b"/v1/login" in log and b"/v1/push" in log  # written
    assert b"authorization" not in log.lower()  # no request header at all (DEBUG included)
    assert address.encode() in closed_files[home / "config" / "settings.json"]
    for secret in (PASSWORD, WRONG, token):
        for form in encodings(secret):
            for found in (open_files, closed_files):
                leaks = [
                    p.relative_to(home).as_posix() for p, data in found.items() if form in data
                ]
                assert not leaks, f"{secret[:4]}… in {leaks}"
