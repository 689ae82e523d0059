"""Application logging: a rotating file in the platformdirs log directory (`OPDESK_HOME`
respected), so an operator's "it did something odd" can be answered from the file."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import types
from collections.abc import Callable
from pathlib import Path

from opdesk import paths

FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"


def log_file() -> Path:
    return paths.log_dir() / "opdesk.log"


def setup(level: int = logging.INFO) -> Path:
    """Log to the rotating file (1 MB × 5); idempotent."""
    root = logging.getLogger()
    path = log_file()
    if not any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    root.setLevel(level)
    return path


def install_excepthook(show: Callable[[str], None]) -> None:
    """An unexpected exception anywhere on the GUI thread is logged with its traceback and
    shown to the operator as one short line; the application goes on."""

    def hook(
        kind: type[BaseException], value: BaseException, tb: types.TracebackType | None
    ) -> None:
        logging.getLogger("opdesk").error("unexpected error", exc_info=(kind, value, tb))
        try:
            show(f"{kind.__name__}: {value}")
        except Exception:  # the message itself must never take the desk down
            logging.getLogger("opdesk").exception("could not show the error")

    sys.excepthook = hook
