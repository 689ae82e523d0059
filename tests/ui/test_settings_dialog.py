"""File → Settings: the dialog shows and returns the settings; the window saves them and
changes the person at once (the language and the database wait for a restart)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from opdesk import settings
from opdesk.store.reading import PersonInfo
from opdesk.ui.main_window import MainWindow
from opdesk.ui.settings_dialog import SettingsDialog
from tests.ui.conftest import sql

PEOPLE = [
    PersonInfo(uuid.uuid4(), "ivanova.a", "Иванова Анна", "operator", "opp"),
    PersonInfo(uuid.uuid4(), "petrov.b", "Петров Борис", "lead", ""),
]


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A settings file of this test's own."""
    monkeypatch.setenv("OPDESK_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_the_dialog_shows_the_current_settings(qtbot: QtBot) -> None:
    prefs = settings.Settings(
        person="petrov.b", language="en", database="/srv/desk.sqlite3", detail_below=True
    )
    dialog = SettingsDialog(prefs, PEOPLE)
    qtbot.addWidget(dialog)
    assert dialog.person.count() == 2
    assert dialog.person.currentData() == "petrov.b"
    assert dialog.person.currentText() == "Петров Борис (руководитель)"
    assert dialog.language.currentData() == "en" and dialog.language.currentText() == "English"
    assert [dialog.language.itemText(i) for i in range(2)] == ["Русский", "English"]
    assert dialog.database.text() == "/srv/desk.sqlite3"
    assert dialog.server.isEnabled() and "без сервера" in dialog.server.placeholderText()
    assert "после перезапуска" in dialog.note.text()
    assert dialog.values() == prefs  # nothing touched, nothing changed


def test_values_are_the_changed_ones(qtbot: QtBot) -> None:
    prefs = settings.Settings(person="ivanova.a", detail_below=True)
    dialog = SettingsDialog(prefs, PEOPLE)
    qtbot.addWidget(dialog)
    assert "opdesk.sqlite3" in dialog.database.placeholderText()  # the default is shown
    dialog.person.setCurrentIndex(dialog.person.findData("petrov.b"))
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    dialog.database.setText("  /data/other.sqlite3 ")
    assert dialog.values() == settings.Settings(
        person="petrov.b", language="en", database="/data/other.sqlite3", detail_below=True
    )


def test_an_unknown_person_and_no_people_keep_the_remembered_login(qtbot: QtBot) -> None:
    prefs = settings.Settings(person="gone.x", server="desk.example:5432")
    for people in (PEOPLE, []):
        dialog = SettingsDialog(prefs, people)
        qtbot.addWidget(dialog)
        assert dialog.person.currentIndex() == -1
        assert dialog.person.isEnabled() == bool(people)
        assert dialog.values() == prefs  # the server slot survives too


def test_browse_fills_the_database_field(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SettingsDialog(settings.Settings(), PEOPLE)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.browse.click()
    files = dialog.file_dialog
    assert files is not None and files.isVisible()  # open(), not a nested event loop
    chosen = str(tmp_path / "new.sqlite3")
    files.fileSelected.emit(chosen)
    files.reject()
    assert dialog.values().database == chosen


def test_saving_settings_writes_the_file_and_changes_the_person(
    qtbot: QtBot, window: MainWindow, desk_file: Path, home: Path
) -> None:
    other_login, other_name = (
        str(v)
        for v in sql(
            desk_file,
            "SELECT login, name FROM people WHERE role = 'lead' ORDER BY login LIMIT 1",
        )[0]
    )
    before = window.who.text()
    action = window.findChild(QAction, "action_settings")
    assert action is not None and action.shortcut().toString() == "Ctrl+,"
    action.trigger()
    qtbot.waitUntil(
        lambda: window.settings_dialog is not None and window.settings_dialog.isVisible(),
        timeout=30_000,
    )
    dialog = window.settings_dialog
    assert dialog is not None
    assert dialog.person.currentData() == window.prefs.person  # the person at the desk
    dialog.person.setCurrentIndex(dialog.person.findData(other_login))
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    with qtbot.waitSignal(window.queueLoaded, timeout=60_000):  # the new person's queue
        dialog.accept()

    saved = json.loads((home / "config" / "settings.json").read_text(encoding="utf-8"))
    assert saved["person"] == other_login and saved["language"] == "en"
    assert settings.load() == window.prefs
    assert window.person is not None and window.person.login == other_login
    assert window.who.text() != before and other_name in window.who.text()
    assert "руководитель" in window.who.text()
    assert "после перезапуска" in window.statusBar().currentMessage()


def test_cancel_changes_nothing(qtbot: QtBot, window: MainWindow, home: Path) -> None:
    prefs = window.prefs
    window.open_settings()
    qtbot.waitUntil(lambda: window.settings_dialog is not None, timeout=30_000)
    dialog = window.settings_dialog
    assert dialog is not None
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    dialog.reject()
    assert window.prefs == prefs
    assert not (home / "config" / "settings.json").exists()
