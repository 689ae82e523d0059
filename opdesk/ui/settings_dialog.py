"""File → Settings: the person at this workstation, the interface language, the database file
and the shared desk's server (empty: a lone desk).

The dialog only edits a copy: `values()` returns the new `Settings`, the caller saves them
and applies what can change at once (the person). The language and the database are read once
at start (the widgets are built in one language, the database is opened before the window is
used), so they apply after a restart, and the dialog says so. It is opened with `open()` and
answers through `finished`, so it never runs a nested event loop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from opdesk import paths
from opdesk.settings import Settings
from opdesk.store.reading import PersonInfo
from opdesk.ui.panels import role_name

# Each language under its own name, never translated: an operator who cannot read the current
# interface must still find their own language in the list.
LANGUAGE_NAMES = (("ru", "Русский"), ("en", "English"))


class SettingsDialog(QDialog):
    def __init__(
        self, prefs: Settings, people: Sequence[PersonInfo], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.prefs = prefs
        self.file_dialog: QFileDialog | None = None
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Настройки"))
        self.resize(560, 280)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)

        self.person = QComboBox(self)
        self.person.setObjectName("settingsPerson")
        for p in people:
            self.person.addItem(f"{p.name} ({role_name(p.role)})", p.login)
        # An unknown remembered login (or none) shows no one; `values()` then keeps it.
        self.person.setCurrentIndex(self.person.findData(prefs.person))
        if not people:
            self.person.setEnabled(False)
            self.person.setPlaceholderText(self.tr("в базе нет сотрудников"))
        form.addRow(self.tr("Сотрудник"), self.person)

        self.language = QComboBox(self)
        self.language.setObjectName("settingsLanguage")
        for code, name in LANGUAGE_NAMES:
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(prefs.language)))
        form.addRow(self.tr("Язык"), self.language)

        self.database = QLineEdit(prefs.database, self)
        self.database.setObjectName("settingsDatabase")
        self.database.setPlaceholderText(
            self.tr("по умолчанию: {path}").format(path=paths.database_path())
        )
        self.browse = QPushButton(self.tr("Обзор…"), self)
        self.browse.setObjectName("settingsBrowse")
        self.browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.database, 1)
        row.addWidget(self.browse)
        form.addRow(self.tr("Файл базы данных"), row)

        # The shared desk's server: empty = a lone desk that syncs with nobody. Applied at
        # once (the window starts or stops syncing); the login is «Сервер → Войти».
        self.server = QLineEdit(prefs.server, self)
        self.server.setObjectName("settingsServer")
        self.server.setPlaceholderText(
            self.tr("пусто — без сервера (одно рабочее место); например, desk.example.ru:8443")
        )
        form.addRow(self.tr("Сервер"), self.server)

        self.note = QLabel(
            self.tr("Язык и файл базы данных применяются после перезапуска OpDesk."), self
        )
        self.note.setObjectName("restartNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        layout.addStretch(1)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        """Pick an existing database file or name a new one (created and filled on start);
        a save-mode file dialog allows both, opened without a nested event loop."""
        current = self.database.text().strip() or str(paths.database_path())
        dialog = QFileDialog(
            self,
            self.tr("Файл базы данных"),
            str(Path(current).parent),
            self.tr("Базы SQLite (*.sqlite3 *.sqlite *.db);;Все файлы (*)"),
        )
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setOption(QFileDialog.Option.DontConfirmOverwrite)
        dialog.setDefaultSuffix("sqlite3")
        dialog.selectFile(current)
        dialog.fileSelected.connect(self.database.setText)
        self.file_dialog = dialog
        dialog.open()

    def values(self) -> Settings:
        """The settings as the dialog shows them now (the fields it does not show unchanged)."""
        login = self.person.currentData() if self.person.currentIndex() >= 0 else None
        return dataclasses.replace(
            self.prefs,
            person=str(login) if login is not None else self.prefs.person,
            language=str(self.language.currentData()),
            database=self.database.text().strip(),
            server=self.server.text().strip(),
        )
