"""Application entry for `opdesk run` / `make run`."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from opdesk.regulations.pack import load_default_pack
from opdesk.ui.main_window import MainWindow


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("OpDesk")
    window = MainWindow(load_default_pack())
    window.show()
    return app.exec()
