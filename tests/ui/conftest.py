"""A small demo desk and the real window over it, for the workstation's tests."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from opdesk import settings
from opdesk.clock import FixedClock
from opdesk.demo import generate
from opdesk.regulations.pack import load_default_pack
from opdesk.store.database import open_local
from opdesk.transfer import export_file
from opdesk.ui.main_window import MainWindow

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ui-demo") / "demo.sqlite3"
    generate(path, 400, seed=5, now=NOW, workers=0)
    return path


@pytest.fixture
def desk_file(demo_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "desk.sqlite3"
    shutil.copy(demo_file, path)
    return path


def sql(path: Path, statement: str, *params: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(statement, params).fetchall()
    finally:
        conn.close()


@pytest.fixture
def operator_login(demo_file: Path) -> str:
    """An ОПП operator of the demo desk."""
    rows = sql(
        demo_file,
        "SELECT p.login FROM people p JOIN departments d ON d.id = p.department_id "
        "WHERE p.role = 'operator' AND d.code = 'opp' ORDER BY p.login LIMIT 1",
    )
    return str(rows[0][0])


@pytest.fixture
def window(qtbot: QtBot, desk_file: Path, operator_login: str) -> Iterator[MainWindow]:
    w = MainWindow(load_default_pack(), FixedClock(NOW), settings.Settings(person=operator_login))
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.queueLoaded, timeout=60_000):
        w.open_database(desk_file)
    yield w
    w.close()


@pytest.fixture
def exported(demo_file: Path, tmp_path: Path) -> Path:
    """The demo desk exported as JSON lines: a real file for the import tests."""
    file = tmp_path / "demo-export.jsonl"
    db = open_local(demo_file)
    try:
        export_file(db, file, "jsonl", NOW)
    finally:
        db.close()
    return file
