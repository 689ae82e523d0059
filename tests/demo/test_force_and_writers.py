"""`demo --force` replaces a desk like any other writer (issue 10, #1): it waits for the write
lock, so another connection's committed write is replaced only after that COMMIT, never lost
to a deleted `-wal`; it refuses when the lock does not come in time and leaves the target as
it was; the new desk is built beside the target and nothing of it is left behind."""

from __future__ import annotations

import datetime as dt
import importlib
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from opdesk.cli.data import main as cli
from opdesk.demo import DemoError, generate
from opdesk.progress import Cancelled

NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
generate_module = importlib.import_module("opdesk.demo.generate")
HOLD = 2.0  # seconds the other writer keeps its transaction open


class Writer(threading.Thread):
    """Another connection: BEGIN IMMEDIATE, an update, COMMIT `hold` seconds later; it stays
    open until `release` and then reads the desk through its own connection."""

    def __init__(self, path: Path, hold: float) -> None:
        super().__init__(daemon=True)
        self.path, self.hold = path, hold
        self.locked, self.release = threading.Event(), threading.Event()
        self.committed_at: float | None = None
        self.commit_error: BaseException | None = None
        self.shm_inode = 0
        self.seen: tuple[int, int] | None = None  # (tickets, rows with the writer's subject)

    def run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE tickets SET subject = 'writer'")
            self.shm_inode = Path(f"{self.path}-shm").stat().st_ino
            self.locked.set()
            time.sleep(self.hold)
            try:
                conn.execute("COMMIT")
                self.committed_at = time.monotonic()
            except sqlite3.Error as exc:  # a visible failure is acceptable, a silent loss not
                self.commit_error = exc
            self.release.wait(30)
            self.seen = (
                conn.execute("SELECT count(*) FROM tickets").fetchone()[0],
                conn.execute("SELECT count(*) FROM tickets WHERE subject = 'writer'").fetchone()[0],
            )
        finally:
            self.locked.set()
            conn.close()


def _desk(path: Path, tickets: int) -> None:
    generate(path, tickets, seed=3, now=NOW, workers=0)


def _read(path: Path) -> tuple[str, int, int]:
    conn = sqlite3.connect(path)
    try:
        return (
            conn.execute("PRAGMA integrity_check").fetchone()[0],
            conn.execute("SELECT count(*) FROM tickets").fetchone()[0],
            conn.execute("SELECT count(*) FROM tickets WHERE subject = 'writer'").fetchone()[0],
        )
    finally:
        conn.close()


def _leftovers(path: Path) -> list[str]:
    own = {path.name, f"{path.name}-wal", f"{path.name}-shm"}
    return sorted(p.name for p in path.parent.iterdir() if p.name not in own)


def test_force_waits_for_the_other_writers_commit_and_keeps_its_wal(tmp_path: Path) -> None:
    target = tmp_path / "desk.sqlite3"
    _desk(target, 20)
    writer = Writer(target, HOLD)
    writer.start()
    assert writer.locked.wait(10) and writer.shm_inode
    started = time.monotonic()
    generate(target, 30, seed=5, now=NOW, force=True, workers=0)
    finished = time.monotonic()
    shm_inode = Path(f"{target}-shm").stat().st_ino  # while the writer is still open
    writer.release.set()
    writer.join(30)
    assert writer.commit_error is None and writer.committed_at is not None
    assert started < writer.committed_at < finished  # the demo waited for the COMMIT
    assert shm_inode == writer.shm_inode  # the shared -shm was never deleted and remade
    assert writer.seen == (30, 0)  # the open connection reads the new desk, not an orphan
    assert _read(target) == ("ok", 30, 0)  # complete, and replaced after the writer's COMMIT
    assert _leftovers(target) == []


def test_force_refuses_when_the_lock_does_not_come_and_leaves_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generate_module, "LOCK_TIMEOUT", 0.3)
    target = tmp_path / "desk.sqlite3"
    _desk(target, 20)
    writer = Writer(target, HOLD)
    writer.start()
    assert writer.locked.wait(10)
    with pytest.raises(DemoError, match="write lock"):
        generate(target, 30, seed=5, now=NOW, force=True, workers=0)
    assert cli(["demo", "--tickets", "30", "--db", str(target), "--force", "--quiet",
                "--workers", "0", "--now", NOW.isoformat()]) == 2  # fmt: skip
    writer.release.set()
    writer.join(30)
    assert writer.commit_error is None
    assert writer.seen == (20, 20)  # the writer's work stands
    assert _read(target) == ("ok", 20, 20)
    assert _leftovers(target) == []


def test_a_cancelled_replacement_leaves_the_old_desk(tmp_path: Path) -> None:
    target = tmp_path / "desk.sqlite3"
    _desk(target, 20)
    before = _read(target)
    with pytest.raises(Cancelled):
        generate(target, 30, now=NOW, force=True, workers=0, cancelled=lambda: True)
    assert _read(target) == before
    assert _leftovers(target) == []
