"""Header fields edited in the card (issue 8): each edit is the `set_fields` command; a
ticket the pack forbids editing shows disabled editors that name the rule."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QComboBox
from pytestqt.qtbot import QtBot

from opdesk.ui.main_window import MainWindow
from tests.ui.conftest import sql
from tests.ui.test_workstation import select_ids


def _all(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        window.filters.select("Все")


def test_priority_and_quiet_edited_in_place_go_through_the_command(
    qtbot: QtBot, window: MainWindow, desk_file: Path
) -> None:
    pick = (
        "SELECT id, priority FROM tickets WHERE process = 'helpdesk' AND is_open = 1 "
        "AND priority <> 'Критичный' ORDER BY id LIMIT 1"
    )
    tid, old = sql(desk_file, pick)[0]
    _all(qtbot, window)
    select_ids(qtbot, window, [int(tid)])  # type: ignore[call-overload]
    box = window.detail.editors["priority"]
    assert isinstance(box, QComboBox) and box.isEnabled() and box.currentData() == old
    with qtbot.waitSignal(window.viewShown, timeout=30_000) as shown:
        box.setCurrentIndex(box.findData("Критичный"))
        box.activated.emit(box.currentIndex())
    assert shown.args[0].detail.priority == "Критичный"
    row = sql(desk_file, "SELECT priority, priority_rank FROM tickets WHERE id = ?", tid)[0]
    assert row[0] == "Критичный"
    fields = sql(desk_file, "SELECT e.field, e.new_value FROM events e JOIN tickets t "
                 "ON t.uuid = e.ticket_id WHERE t.id = ? AND e.kind = 'field'", tid)  # fmt: skip
    assert ("priority", "Критичный") in fields  # in the history like any command
    quiet = window.detail.editors["notify_client"]
    assert isinstance(quiet, QCheckBox) and not quiet.isChecked()
    with qtbot.waitSignal(window.viewShown, timeout=30_000) as shown:
        quiet.click()
    assert shown.args[0].detail.notify_client is False
    assert sql(desk_file, "SELECT notify_client FROM tickets WHERE id = ?", tid)[0][0] == 0


def test_a_closed_ticket_shows_disabled_editors_naming_the_rule(
    qtbot: QtBot, window: MainWindow, desk_file: Path
) -> None:
    tid = sql(desk_file, "SELECT id FROM tickets WHERE process = 'outage' AND status = 'closed' "
              "ORDER BY id LIMIT 1")[0][0]  # fmt: skip
    _all(qtbot, window)
    view = select_ids(qtbot, window, [int(tid)])  # type: ignore[call-overload]
    assert not view.editable
    for editor in window.detail.editors.values():
        assert not editor.isEnabled()
        assert view.edit_reasons[0].rule in editor.toolTip()
