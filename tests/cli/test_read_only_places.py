"""Issue 10 #4: `import` into a read-only database and `demo` into a read-only directory are
refused with a clear message (exit 2), not a traceback, and nothing is changed.

Tests may run as root, for whom chmod does not stop writes: there `os.access` is made to
answer as it would for an ordinary user (by the permission bits), and the path where SQLite
itself refuses to write is tested with a read-only (`mode=ro`) connection.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event

from opdesk.cli import main
from opdesk.store import database
from opdesk.store.database import open_local
from tests.transfer.test_transfer import ticket

ROOT = os.geteuid() == 0


@pytest.fixture
def as_ordinary_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """As root, make `os.access(..., W_OK)` follow the permission bits, as for a user."""
    if not ROOT:
        return
    real = os.access

    def access(path: object, mode: int, *args: object, **kwargs: object) -> bool:
        if mode & os.W_OK:
            try:
                st = os.stat(path)  # type: ignore[arg-type]
            except OSError:
                return False
            if not st.st_mode & stat.S_IWUSR:
                return False
        return real(path, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)


def ticket_file(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(ticket("RO-1"), ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def made_database(tmp_path: Path) -> Path:
    db = tmp_path / "opdesk.sqlite3"
    open_local(db).close()
    return db


def test_import_into_a_read_only_database_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], as_ordinary_user: None
) -> None:
    db = made_database(tmp_path)
    db.chmod(0o444)
    before = db.read_bytes()
    try:
        code = main(["import", "--db", str(db), str(ticket_file(tmp_path))])
    finally:
        db.chmod(0o644)
    err = capsys.readouterr().err
    assert code == 2
    assert str(db) in err
    assert "только для чтения" in err and "read-only" in err
    assert db.read_bytes() == before


def test_sqlite_refusing_to_write_becomes_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catch path: the up-front check passes, but SQLite itself refuses to write."""
    db = made_database(tmp_path)
    before = db.read_bytes()

    def read_only_engine(path: Path):  # type: ignore[no-untyped-def]
        engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true", future=True)
        event.listen(engine, "connect", database._sqlite_pragmas)
        return engine

    monkeypatch.setattr(database, "sqlite_engine", read_only_engine)
    code = main(["import", "--db", str(db), str(ticket_file(tmp_path))])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert str(db) in err
    assert "только для чтения" in err and "read-only" in err
    assert db.read_bytes() == before


def test_demo_into_a_read_only_directory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], as_ordinary_user: None
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    db = folder / "demo.sqlite3"
    try:
        code = main(["demo", "--db", str(db), "--tickets", "5", "--quiet"])
    finally:
        folder.chmod(0o755)
    err = capsys.readouterr().err
    assert code == 2
    assert str(folder) in err
    assert "только для чтения" in err and "read-only" in err
    assert list(folder.iterdir()) == []
