"""An `import` killed at any moment (SIGKILL) leaves the desk exactly as it was (issue 10).

The one-pass import writes batch after batch into one open transaction, with worker
processes preparing the batches and the queue's indexes dropped until the end; the real CLI
runs in a subprocess and is killed while it works. Afterwards the desk has the tickets, rows
and indexes it had, passes SQLite's integrity and foreign-key checks, no worker process
outlives the killed import, and the same file then imports whole."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from opdesk.demo import generate
from opdesk.store.database import open_existing, open_local
from opdesk.transfer import export_file, import_file
from opdesk.transfer.pipeline import PARALLEL_FROM
from tests.transfer.test_transfer import ticket

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

TICKETS = 4000
NOW_TEXT = "2026-11-20T12:00:00+00:00"
TABLES = ("tickets", "events", "comments", "closure_reports", "outbox", "people", "ticket_fts")


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import datetime as dt

    folder = tmp_path_factory.mktemp("killed-import")
    desk = folder / "demo.sqlite3"
    now = dt.datetime.fromisoformat(NOW_TEXT)
    generate(desk, TICKETS, seed=2, now=now, workers=0)
    file = folder / "desk.jsonl"
    db = open_existing(desk)
    try:
        export_file(db, file, "jsonl", now)
    finally:
        db.close()
    assert file.stat().st_size > PARALLEL_FROM  # the import runs its worker processes
    return file


def _desk(path: Path) -> None:
    """A desk with tickets of its own, so "as it was" is not just "empty"."""
    own = path.with_suffix(".own.jsonl")
    own.write_text("".join(json.dumps(ticket(f"OWN-{i}")) + "\n" for i in range(5)), "utf-8")
    db = open_local(path)
    try:
        import datetime as dt

        assert import_file(db, own, "jsonl", dt.datetime.fromisoformat(NOW_TEXT)) == 5
    finally:
        db.close()


def _state(path: Path) -> tuple[dict[str, int], set[str]]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        return counts, indexes
    finally:
        conn.close()


def _import(path: Path, file: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "opdesk.cli", "import", "--db", str(path), str(file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its workers share its process group: none may outlive it
    )


def _group_gone(pgid: int, within: float = 15.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    os.killpg(pgid, signal.SIGKILL)  # do not leave them behind for the rest of the run
    return False


State = tuple[dict[str, int], set[str]]


@pytest.fixture(scope="module")
def full_run(source: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[float, State]:
    """Seconds a whole import takes here (the kills land at shares of it on any machine), and
    the desk it leaves."""
    path = tmp_path_factory.mktemp("timing") / "desk.sqlite3"
    _desk(path)
    started = time.monotonic()
    proc = _import(path, source)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    return time.monotonic() - started, _state(path)


@pytest.mark.parametrize("share", [0.25, 0.5, 0.75])
def test_a_killed_import_leaves_the_desk_as_it_was(
    source: Path, full_run: tuple[float, State], tmp_path: Path, share: float
) -> None:
    """All or nothing: the desk as it was — or, killed after the commit while the process
    was ending, the whole file in (the same desk as an import that was not killed)."""
    seconds, complete = full_run
    path = tmp_path / "desk.sqlite3"
    _desk(path)
    before = _state(path)
    proc = _import(path, source)
    time.sleep(share * seconds)
    assert proc.poll() is None, "the import finished before it was killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert _group_gone(proc.pid), "a worker process outlived the killed import"
    after = _state(path)
    assert after in (before, complete)
    if after == complete:
        return
    again = _import(path, source)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err.decode()
    counts, indexes = _state(path)
    assert counts["tickets"] == TICKETS + 5 and indexes == before[1]
