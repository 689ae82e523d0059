"""The window around the workstation: the pack view and opening the local database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QTreeWidget
from pytestqt.qtbot import QtBot

from opdesk.clock import FixedClock
from opdesk.regulations.pack import load_default_pack
from opdesk.ui.main_window import MainWindow
from opdesk.ui.pack_view import PackView
from tests.regulations.tickets import msk


def test_pack_view_shows_processes_statuses_rules_and_changes(qtbot: QtBot) -> None:
    pack = load_default_pack()
    view = PackView(pack)
    qtbot.addWidget(view)
    header = view.findChild(QLabel, "packHeader")
    assert header is not None and pack.name in header.text()
    statuses = view.findChild(QTreeWidget, "statusesTree")
    assert statuses is not None
    processes = [statuses.topLevelItem(i) for i in range(statuses.topLevelItemCount())]
    assert [p.text(0) for p in processes] == [p.name for p in pack.processes.values()]
    portal = processes[list(pack.processes).index("portal")]
    rows = {portal.child(i).text(0): portal.child(i) for i in range(portal.childCount())}
    assert rows["Ожидает ответа клиента"].text(2) == "пауза"  # P-02
    assert "Closed (окончательный)" in rows
    rules = view.findChild(QTreeWidget, "rulesTree")
    assert rules is not None and rules.topLevelItemCount() == len(pack.rules)
    changes = view.findChild(QTreeWidget, "changelogTree")
    assert changes is not None and changes.topLevelItemCount() == len(pack.changelog)


def test_local_database_opens_off_the_gui_thread_with_demo_data(
    qtbot: QtBot, tmp_path: Path
) -> None:
    clock = FixedClock(msk(2026, 11, 23, 10, 0))
    window = MainWindow(load_default_pack(), clock)
    qtbot.addWidget(window)
    db = tmp_path / "desk.sqlite3"
    with qtbot.waitSignal(window.database_opened, timeout=120_000) as opened:
        window.open_database(db, demo_tickets=300)
    assert opened.args[0].generated and opened.args[0].path == str(db)
    window.close()
    again_window = MainWindow(load_default_pack(), clock)
    qtbot.addWidget(again_window)
    with qtbot.waitSignal(again_window.database_opened, timeout=60_000) as again:
        again_window.open_database(db, demo_tickets=300)
    assert not again.args[0].generated  # a second start finds the data, generates nothing
    again_window.close()


def test_a_foreign_file_is_reported_and_left_untouched(qtbot: QtBot, tmp_path: Path) -> None:
    window = MainWindow(load_default_pack(), FixedClock(msk(2026, 11, 23, 10, 0)))
    qtbot.addWidget(window)
    foreign = tmp_path / "notes.sqlite3"
    foreign.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 4000)
    before = foreign.read_bytes()
    with qtbot.waitSignal(window.database_failed, timeout=60_000) as failed:
        window.open_database(foreign)
    assert "не является базой данных SQLite" in failed.args[0]
    assert foreign.read_bytes() == before
