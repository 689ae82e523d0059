"""Application entry for `make run` / `opdesk-desk`."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from opdesk import logs, settings
from opdesk.clock import SystemClock
from opdesk.regulations.pack import load_default_pack
from opdesk.ui.i18n import install_translator
from opdesk.ui.main_window import MainWindow


def main() -> int:
    log_path = logs.setup()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("OpDesk")
    prefs = settings.load()
    # Before any widget exists: every text is translated when its widget is built.
    install_translator(app, prefs.language)
    window = MainWindow(load_default_pack(), SystemClock(), prefs)

    def show_error(message: str) -> None:
        window.statusBar().showMessage(
            QCoreApplication.translate("App", "Ошибка: {message} (подробности в {log})").format(
                message=message, log=log_path
            ),
            15000,
        )
        QMessageBox.warning(
            window,
            QCoreApplication.translate("App", "OpDesk — ошибка"),
            QCoreApplication.translate("App", "{message}\n\nЖурнал: {log}").format(
                message=message, log=log_path
            ),
        )

    logs.install_excepthook(show_error)
    # the server's address only (a token never goes to the log); with one, the window syncs
    logging.getLogger("opdesk").info(
        "starting; language %s, database %s, server %s",
        prefs.language, prefs.database_path(), prefs.server or "none (a lone desk)",
    )  # fmt: skip
    window.show()
    window.open_database(prefs.database_path())
    return app.exec()
