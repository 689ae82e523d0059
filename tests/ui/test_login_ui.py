"""Logging in from the window («Сервер → Войти на сервер…») against a REAL `opdesk server`
process: the token goes to the token store (memory here, as on a machine without a keyring,
and the dialog says so), never the password; a wrong password and a training database are
told in the server's words, in Russian; logging out ends the session on the server; a lone
desk (no server in the settings) syncs with nobody."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from opdesk import paths, settings
from opdesk.store.database import open_local
from opdesk.sync import state
from opdesk.sync.contract import SyncError
from opdesk.sync.transport import HttpServer
from opdesk.ui.main_window import MainWindow
from opdesk.ui.sync_status import LOCAL, ONLINE, SIGNED_OUT
from tests.server.live import LiveServer, live_server  # noqa: F401
from tests.ui.sync_support import (
    PASSWORD,
    log_in,
    logged_in,
    open_window,
    operator,
    quiet_timer,  # noqa: F401
)

pytestmark = pytest.mark.usefixtures("quiet_timer")


def test_logging_in_keeps_the_token_and_syncs(
    qtbot: QtBot,
    live_server: LiveServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    login = operator(live_server, "a")
    ws = open_window(qtbot, tmp_path / "a.sqlite", live_server.url, login)
    status = ws.window.sync_label
    assert status.state == SIGNED_OUT and ws.window.shared.runner is not None
    assert "вход не выполнен" in status.text()
    assert ws.window.desk is not None and ws.window.desk.provisional_numbers
    # no token kept for this person: the dialog asks by itself, the menu finds the same one
    qtbot.waitUntil(lambda: ws.window.shared.login_dialog is not None
                    and ws.window.shared.login_dialog.isVisible())  # fmt: skip
    dialog = ws.window.shared.login_dialog
    log_in(qtbot, ws)
    assert ws.window.shared.login_dialog is dialog and dialog is not None
    assert dialog.note.isVisible()  # no keyring: the operator is told it lasts this session
    assert dialog.password.text() == ""  # handed to the worker, not kept in the widget
    first = ws.syncs.wait(qtbot, lambda r: r.error is None, 0)
    assert first.report.pulled > 0 and first.checked  # the people arrive; the first one checks
    token = ws.tokens.get(live_server.url, login)
    assert token is not None and token == ws.window.shared.runner.http.token
    qtbot.waitUntil(lambda: ws.window.person is not None and ws.window.person.login == login)
    assert status.state == ONLINE and "В сети" in status.text()
    assert not dialog.isVisible()
    kept = settings.load()
    assert (kept.server, kept.person) == (live_server.url, login)
    for path in paths.config_dir().rglob("*"):  # neither the password nor the token on disk
        if path.is_file():
            data = path.read_bytes()
            assert PASSWORD.encode() not in data and token.encode() not in data, path


def test_a_wrong_password_is_told_in_russian(
    qtbot: QtBot,
    live_server: LiveServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    login = operator(live_server, "a")
    ws = open_window(qtbot, tmp_path / "a.sqlite", live_server.url, login)
    log_in(qtbot, ws, password="not the password")
    dialog = ws.window.shared.login_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: "неверный логин или пароль" in dialog.message.text(), timeout=30_000)
    assert dialog.message.text().startswith("Вход не выполнен")
    assert dialog.isVisible() and dialog.password.isEnabled() and dialog.password.text() == ""
    assert ws.tokens.get(live_server.url, login) is None
    assert ws.window.shared.runner is not None and not ws.window.shared.runner.signed_in
    assert ws.syncs.seen == []


def test_a_training_database_is_refused_at_the_door(
    qtbot: QtBot,
    live_server: LiveServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    path = tmp_path / "training.sqlite"
    db = open_local(path)
    state.set_training(db, True)
    db.close()
    login = operator(live_server, "t")
    ws = open_window(qtbot, path, live_server.url, login)
    log_in(qtbot, ws)
    dialog = ws.window.shared.login_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: "синхронизация запрещена" in dialog.message.text(), timeout=30_000)
    assert "учебное" in dialog.message.text()
    assert ws.tokens.get(live_server.url, login) is None


def test_logging_out_ends_the_session(
    qtbot: QtBot,
    live_server: LiveServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    login = operator(live_server, "a")
    ws = open_window(qtbot, tmp_path / "a.sqlite", live_server.url, login)
    logged_in(qtbot, ws)
    runner = ws.window.shared.runner
    assert runner is not None and ws.window.shared.logout_action.isEnabled()
    token = runner.http.token
    assert token is not None
    ws.window.shared.logout_action.trigger()
    assert not runner.signed_in and ws.window.sync_label.state == SIGNED_OUT
    assert not ws.window.shared.logout_action.isEnabled()
    qtbot.waitUntil(lambda: ws.tokens.get(live_server.url, login) is None)
    probe = HttpServer(live_server.url)
    probe.token = token

    def ended() -> bool:
        try:
            probe.check()
        except SyncError as exc:
            return exc.needs_login
        return False

    try:
        qtbot.waitUntil(ended, timeout=15_000)
    finally:
        probe.close()


def test_a_lone_desk_syncs_with_nobody(qtbot: QtBot, window: MainWindow) -> None:
    assert window.shared.runner is None and window.sync_label.state == LOCAL
    assert window.sync_label.text() == "Синхронизация: локально"
    assert window.desk is not None and not window.desk.provisional_numbers
    window.shared.sync_action.trigger()
    assert "Сервер не задан" in window.statusBar().currentMessage()
    window.apply_settings(dataclasses.replace(window.prefs, server="127.0.0.1:9"), [])
    assert window.shared.runner is not None and window.desk.provisional_numbers
    assert window.shared.url == "https://127.0.0.1:9"
    window.apply_settings(dataclasses.replace(window.prefs, server=""), [])
    assert window.shared.runner is None and window.sync_label.state == LOCAL
