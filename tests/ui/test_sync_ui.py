"""The shared desk in the window, against a REAL `opdesk server` process over a REAL
PostgreSQL (tests/server/live.py) and a second workstation on a SQLite file of its own:
a command in the window reaches the server and the other workstation; the other's change
shows in the window's queue once the server wakes it; a refused op is undone with the
reason in the sync panel; a stopped server leaves the window working and is caught up
with when it returns; a hung server never holds the GUI thread."""

from __future__ import annotations

import itertools
import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from opdesk import services
from opdesk.ui.sync_status import OFFLINE, ONLINE
from tests.server.live import LiveServer, live_server  # noqa: F401
from tests.ui.sync_support import (
    Station,
    Workstation,
    logged_in,
    open_window,
    operator,
    owner,
    quiet_timer,  # noqa: F401
    server_owner,
    station,  # noqa: F401
)

pytestmark = pytest.mark.usefixtures("quiet_timer")


@pytest.fixture
def ws(
    qtbot: QtBot,
    live_server: LiveServer,  # noqa: F811
    tmp_path: Path,
) -> Workstation:
    """The window of operator A on an empty file, logged in and synced once."""
    made = open_window(qtbot, tmp_path / "a.sqlite", live_server.url, operator(live_server, "a"))
    logged_in(qtbot, made)
    return made


def take(qtbot: QtBot, ws: Workstation) -> None:
    """«Взять в работу» (Ctrl+T) on the selected ticket; waits until it is written here."""
    actions = ws.window.actions_
    assert actions is not None
    actions.last_results = []
    actions.actions["take"].trigger()
    qtbot.waitUntil(lambda: bool(actions.last_results), timeout=15_000)
    assert actions.last_results[0][1].ok, actions.last_results[0][1].message()


def _in_the_window(
    qtbot: QtBot,
    ws: Workstation,
    station: Station,  # noqa: F811
    subject: str,
) -> tuple[uuid.UUID, str]:
    """A ticket the other workstation made, pulled here by F9 and selected in the queue."""
    key, number = station.create(subject)
    mark = ws.syncs.mark()
    ws.window.shared.sync_action.trigger()  # F9
    ws.syncs.wait(qtbot, lambda r: r.pulled > 0, mark)
    ws.select(qtbot, key)
    return key, number


def test_a_command_in_the_window_reaches_the_other_workstation(
    qtbot: QtBot,
    ws: Workstation,
    station: Station,  # noqa: F811
    live_server: LiveServer,  # noqa: F811
) -> None:
    key, _number = _in_the_window(qtbot, ws, station, "Нет связи в офисе")
    mark = ws.syncs.mark()
    take(qtbot, ws)  # the debounced sync after the command pushes it
    pushed = ws.syncs.wait(qtbot, lambda r: r.pushed == 1, mark)
    assert pushed.report.waiting == 0 and pushed.report.refused == ()
    assert server_owner(live_server, key) == ws.login
    station.sync()
    assert station.owner(key) == ws.login
    assert ws.window.sync_label.state == ONLINE and ws.window.sync_label.waiting == 0


def test_the_other_workstations_change_shows_after_the_wake_up(
    qtbot: QtBot,
    ws: Workstation,
    station: Station,  # noqa: F811
) -> None:
    """No timer (an hour), no command here: only the server's event stream can start the
    sync that brings the ticket. The stream may open just after a push: push until woken."""
    seen = None
    for attempt in range(20):
        key, number = station.create(f"Разбудит соседа {attempt}")
        try:
            qtbot.waitUntil(lambda key=key: ws.queue_has(key), timeout=1500)
        except qtbot.TimeoutError:
            continue
        seen = number
        break
    assert seen is not None, "the window was never woken"
    tid = ws.select(qtbot, key)
    assert ws.window.current is not None and ws.window.current.detail.id == tid
    assert ws.window.current.detail.number == seen


def test_a_refused_op_is_undone_and_explained(
    qtbot: QtBot,
    ws: Workstation,
    station: Station,  # noqa: F811
    live_server: LiveServer,  # noqa: F811
) -> None:
    key, number = _in_the_window(qtbot, ws, station, "Двое берут одну заявку")
    ws.window.shared.logout_action.trigger()  # as good as offline: the op waits here
    take(qtbot, ws)
    assert owner(ws.path, key) == ws.login  # optimistic, at once
    qtbot.waitUntil(lambda: ws.window.sync_label.waiting == 1)
    assert services.take(station.desk, station.actor, station.local_id(key)).ok
    station.sync()  # first come on the server
    mark = ws.syncs.mark()
    logged_in(qtbot, ws)
    refused = ws.syncs.wait(qtbot, lambda r: bool(r.refused), mark).report.refused
    assert [op.name for op in refused] == ["take"] and refused[0].tickets == (key,)
    qtbot.waitUntil(lambda: owner(ws.path, key) == station.actor.login)  # undone here
    assert server_owner(live_server, key) == station.actor.login
    status = ws.window.sync_label
    assert status.refused_total == 1 and "отклонено сервером: 1" in status.text()
    assert "Сервер отклонил «Взять в работу»" in ws.window.statusBar().currentMessage()
    status.click()
    panel = status.panel
    assert panel is not None and panel.isVisible()
    assert panel.tree.topLevelItemCount() == 1
    item = panel.tree.topLevelItem(0)
    assert item.text(1) == number and item.text(2) == "Взять в работу"
    assert item.text(3).startswith("Заявку уже взял в работу Оператор B.")
    assert refused[0].message_ru in item.text(3)
    qtbot.waitUntil(lambda: ws.window.current is not None
                    and ws.window.current.detail.owner_login == station.actor.login)  # fmt: skip


def test_a_stopped_server_leaves_the_window_working(
    qtbot: QtBot,
    ws: Workstation,
    station: Station,  # noqa: F811
    live_server: LiveServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key, _number = _in_the_window(qtbot, ws, station, "Заявка без сервера")
    runner = ws.window.shared.runner
    assert runner is not None
    runner.timer.setInterval(500)  # polling, as every 30 s at the desk
    status = ws.window.sync_label
    live_server.stop()
    try:
        mark = ws.syncs.mark()
        ws.syncs.wait(qtbot, lambda r: r.offline, mark)
        assert status.state == OFFLINE and "Нет связи" in status.text()
        take(qtbot, ws)  # the window works on
        assert owner(ws.path, key) == ws.login
        qtbot.waitUntil(lambda: status.waiting == 1 and "ждут отправки: 1" in status.text())
    finally:
        live_server.start()
    mark = ws.syncs.mark()
    caught_up = ws.syncs.wait(qtbot, lambda r: r.pushed == 1, mark)
    assert caught_up.report.waiting == 0 and not caught_up.report.offline
    assert status.state == ONLINE and status.waiting == 0
    assert server_owner(live_server, key) == ws.login


@pytest.fixture
def frozen(live_server: LiveServer) -> Iterator[None]:  # noqa: F811
    """The server process stopped (SIGSTOP): connections open, nothing answers. Always
    continued (SIGCONT), whatever the test did."""
    assert live_server.process is not None
    group = os.getpgid(live_server.process.pid)
    os.killpg(group, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(group, signal.SIGCONT)


def test_the_window_never_waits_for_a_hung_server(
    qtbot: QtBot,
    ws: Workstation,
    station: Station,  # noqa: F811
    live_server: LiveServer,  # noqa: F811
    request: pytest.FixtureRequest,
) -> None:
    key, _number = _in_the_window(qtbot, ws, station, "Сервер завис")
    runner = ws.window.shared.runner
    assert runner is not None
    ticks: list[float] = []
    ticker = QTimer()
    ticker.timeout.connect(lambda: ticks.append(time.monotonic()))
    qtbot.waitUntil(lambda: runner.idle)  # the wake-up of the ticket's push is over
    qtbot.wait(300)
    assert runner.idle
    request.getfixturevalue("frozen")
    mark = ws.syncs.mark()
    with qtbot.waitSignal(runner.started, timeout=5000):
        ws.window.shared.sync_action.trigger()
    ticker.start(10)
    take(qtbot, ws)  # a command while the sync hangs: written here at once
    qtbot.wait(1500)
    ticker.stop()
    assert runner.busy and ws.syncs.mark() == mark  # the sync is still waiting for the server
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    # a GUI thread waiting for the server would show one gap as long as the whole 1.5 s
    assert len(ticks) > 30 and max(gaps) < 0.5, (len(ticks), max(gaps))
    assert "⟳" in ws.window.sync_label.text()
    qtbot.waitUntil(lambda: ws.window.sync_label.waiting == 1)  # counted on the reader
    os.killpg(os.getpgid(live_server.process.pid), signal.SIGCONT)  # type: ignore[union-attr]
    done = ws.syncs.wait(qtbot, lambda r: r.waiting == 0 and r.error is None, mark, 70_000)
    assert done.report.refused == () and sum(s.report.pushed for s in ws.syncs.seen[mark:]) == 1
    assert server_owner(live_server, key) == ws.login


def test_a_slow_check_is_repeated_less_often() -> None:
    """The count + hash check reads every synced row: on a desk where it takes minutes it must
    not come back every ten minutes (a million tickets: > 60 s on each side)."""
    from opdesk.ui.sync_runner import CHECK_EVERY, check_interval

    assert check_interval(0.5) == CHECK_EVERY  # a small desk: the usual rhythm
    assert check_interval(120.0) == 6000.0  # two minutes a check: every 100 minutes
