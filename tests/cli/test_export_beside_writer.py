"""Issue 10 #7 (weak spot): `opdesk export` reads a WAL database while another OpDesk process
is writing to it. The reader gets the committed state as a consistent snapshot; the writer's
uncommitted change is not in the file, and nothing waits or refuses."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from opdesk.demo import generate

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
MARK = "UNCOMMITTED-BY-ANOTHER-WRITER"


def opdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "opdesk.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_export_beside_an_active_writer_reads_the_committed_state(tmp_path: Path) -> None:
    db = tmp_path / "desk.sqlite3"
    generate(db, 40, 1, now=NOW, workers=1)
    with sqlite3.connect(db) as c:
        before = c.execute("SELECT subject FROM tickets WHERE id = 1").fetchone()[0]
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        assert writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE tickets SET subject = ? WHERE id = 1", (MARK,))
        # the change is in the writer's page cache or already spilled into the -wal file;
        # either way it is not committed
        out = tmp_path / "out.jsonl"
        result = opdesk("export", "--db", str(db), str(out))
        assert result.returncode == 0, result.stdout + result.stderr
        text = out.read_text(encoding="utf-8")
        assert MARK not in text
        records = [json.loads(line) for line in text.splitlines()]
        assert len(records) == 40
        assert before in {r["subject"] for r in records}
        writer.execute("COMMIT")
    finally:
        writer.close()
    again = tmp_path / "again.jsonl"
    result = opdesk("export", "--db", str(db), str(again))
    assert result.returncode == 0, result.stdout + result.stderr
    assert MARK in again.read_text(encoding="utf-8")  # once committed, the reader sees it


def test_export_beside_a_writer_that_checkpoints_sees_committed_rows(tmp_path: Path) -> None:
    """A writer whose earlier commits sit in the -wal (not yet checkpointed into the main
    file): a read that ignored the -wal (`immutable=1`) would miss them."""
    db = tmp_path / "desk.sqlite3"
    generate(db, 30, 1, now=NOW, workers=1)
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("UPDATE tickets SET subject = 'committed-in-wal' WHERE id = 2")
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE tickets SET subject = ? WHERE id = 3", (MARK,))
        out = tmp_path / "out.jsonl"
        result = opdesk("export", "--db", str(db), str(out))
        assert result.returncode == 0, result.stdout + result.stderr
        text = out.read_text(encoding="utf-8")
        assert "committed-in-wal" in text
        assert MARK not in text
        writer.execute("ROLLBACK")
    finally:
        writer.close()


def test_export_is_one_snapshot_while_a_writer_commits_between_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export reads in batches; a commit landing between two batches must not show up in
    the later one (the file is the desk as it was at one moment)."""
    from opdesk.store.database import open_existing
    from opdesk.transfer import export_rows

    db = tmp_path / "desk.sqlite3"
    generate(db, 30, 1, now=NOW, workers=1)
    monkeypatch.setattr(export_rows, "BATCH", 10)
    writer = sqlite3.connect(db, isolation_level=None)  # another OpDesk process, running
    try:
        writer.execute("SELECT count(*) FROM tickets").fetchone()
        reader = open_existing(db)
        try:
            with reader.engine.connect() as conn:
                records = export_rows.export_records(conn, None, NOW)
                first = [next(records) for _ in range(10)]
                writer.execute("UPDATE tickets SET subject = ? WHERE id = 25", (MARK,))
                rest = list(records)
        finally:
            reader.close()
    finally:
        writer.close()
    subjects = [r["subject"] for r in first + rest]
    assert len(subjects) == 30
    assert MARK not in subjects


def test_a_writer_that_starts_during_an_export_makes_it_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No `-wal` at the start: the export reads the main file alone (immutable, taking no lock,
    making no file). A writer that starts meanwhile commits and checkpoints into the main file,
    so later batches would read the new state and earlier ones the old — a file that was
    never the desk. The export notices the writer's `-wal` and reads again, in one snapshot."""
    from opdesk.store.database import open_existing
    from opdesk.transfer import export_file, export_rows

    db = tmp_path / "desk.sqlite3"
    generate(db, 30, 1, now=NOW, workers=1)
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    monkeypatch.setattr(export_rows, "BATCH", 10)
    changed: list[bool] = []

    def report(done: int, _total: int) -> None:
        if done == 10 and not changed:  # the first batch is in the file, two are to come
            writer = sqlite3.connect(db, isolation_level=None)
            writer.execute("PRAGMA journal_mode=WAL")
            writer.execute("UPDATE tickets SET subject = ? WHERE id IN (1, 25)", (MARK,))
            writer.execute("PRAGMA wal_checkpoint(FULL)")
            writer.close()
            changed.append(True)

    out = tmp_path / "out.jsonl"
    reader = open_existing(db)
    try:
        assert export_file(reader, out, "jsonl", NOW, report=report) == 30
    finally:
        reader.close()
    subjects = {r["number"]: r["subject"] for r in map(json.loads, out.open(encoding="utf-8"))}
    marked = sorted(n for n, s in subjects.items() if s == MARK)
    assert changed and marked == ["СЗ-100001", "СЗ-100025"]  # both changes, or it was torn
