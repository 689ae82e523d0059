"""Where OpDesk keeps its files: platformdirs locations, overridden by `OPDESK_HOME` (tests)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "OpDesk"


def home() -> Path | None:
    value = os.environ.get("OPDESK_HOME")
    return Path(value) if value else None


def data_dir() -> Path:
    base = home()
    path = base / "data" if base else Path(platformdirs.user_data_dir(APP, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    base = home()
    path = base / "config" if base else Path(platformdirs.user_config_dir(APP, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    base = home()
    path = base / "logs" if base else Path(platformdirs.user_log_dir(APP, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_path() -> Path:
    return data_dir() / "opdesk.sqlite3"
