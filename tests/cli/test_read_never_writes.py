"""Issue 10 #6: `opdesk export` reads; it never creates or changes a database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from opdesk.store.database import open_local


def opdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "opdesk.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_export_from_a_missing_database_is_refused_and_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "no" / "such.sqlite3"
    out = tmp_path / "out.jsonl"
    result = opdesk("export", "--db", str(db), str(out))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert str(db) in result.stderr
    assert "не существует" in result.stderr and "does not exist" in result.stderr
    assert not (tmp_path / "no").exists()
    assert not out.exists()


def test_export_from_a_zero_byte_file_is_refused_and_leaves_it_empty(tmp_path: Path) -> None:
    db = tmp_path / "empty.sqlite3"
    db.touch()
    out = tmp_path / "out.jsonl"
    result = opdesk("export", "--db", str(db), str(out))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert str(db) in result.stderr
    assert db.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.sqlite3"]


def test_export_reads_an_existing_database_without_changing_it(tmp_path: Path) -> None:
    db = tmp_path / "opdesk.sqlite3"
    open_local(db).close()
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    before = db.read_bytes()
    out = tmp_path / "out.jsonl"
    result = opdesk("export", "--db", str(db), str(out))
    assert result.returncode == 0, result.stderr
    assert out.exists()
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["opdesk.sqlite3", "out.jsonl"]
