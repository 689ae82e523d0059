"""The first window, as a real Qt application (offscreen)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTreeWidget
from pytestqt.qtbot import QtBot

from opdesk.regulations.pack import load_default_pack
from opdesk.ui.main_window import MainWindow


def test_main_window_shows_pack_statuses_rules_and_changes(qtbot: QtBot) -> None:
    pack = load_default_pack()
    window = MainWindow(pack)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    header = window.findChild(QLabel, "packHeader")
    assert header is not None and pack.name in header.text()
    statuses = window.findChild(QTreeWidget, "statusesTree")
    assert statuses is not None
    names = [statuses.topLevelItem(i).text(0) for i in range(statuses.topLevelItemCount())]
    assert "Ожидает ответа клиента" in names
    paused_row = names.index("Ожидает ответа клиента")
    assert statuses.topLevelItem(paused_row).text(2) == "пауза"
    rules = window.findChild(QTreeWidget, "rulesTree")
    assert rules is not None and rules.topLevelItemCount() == len(pack.rules)
    changes = window.findChild(QTreeWidget, "changelogTree")
    assert changes is not None and changes.topLevelItemCount() == len(pack.changelog)
