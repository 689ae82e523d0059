"""Application entry for `make run` / `opdesk-desk`."""

from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from opdesk import logs, settings
from opdesk.clock import SystemClock
from opdesk.regulations.pack import load_default_pack
from opdesk.ui.main_window import MainWindow


def main() -> int:
    log_path = logs.setup()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("OpDesk")
    prefs = settings.load()
    window = MainWindow(load_default_pack(), SystemClock(), prefs)

    def show_error(message: str) -> None:
        window.statusBar().showMessage(f"Ошибка: {message} (подробности в {log_path})", 15000)
        QMessageBox.warning(window, "OpDesk — ошибка", f"{message}\n\nЖурнал: {log_path}")

    logs.install_excepthook(show_error)
    logging.getLogger("opdesk").info("starting; database %s", prefs.database_path())
    window.show()
    window.open_database(prefs.database_path())
    return app.exec()
