"""Application entry for `make run` / `opdesk-desk`."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from opdesk import paths
from opdesk.clock import SystemClock
from opdesk.regulations.pack import load_default_pack
from opdesk.ui.main_window import MainWindow


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("OpDesk")
    window = MainWindow(load_default_pack())
    window.show()
    window.open_database(paths.database_path(), SystemClock())
    return app.exec()
