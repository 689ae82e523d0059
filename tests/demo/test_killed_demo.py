"""A `demo` killed at any moment (SIGKILL) never leaves a partial desk at the target (issue 10, #5).

The real CLI runs in a subprocess and is killed while it works; afterwards the target either
does not exist or is a complete desk, the next run removes the dead run's temporary folder,
and a killed `--force` leaves the old desk as it was."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

TICKETS = 20_000
NOW = "2026-11-20T12:00:00+00:00"


def _demo(db: Path, tickets: int, *extra: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "opdesk.cli", "demo", "--tickets", str(tickets), "--db", str(db)]
    return subprocess.Popen(
        [*cmd, "--now", NOW, "--workers", "2", "--quiet", *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _temps(db: Path) -> list[Path]:
    return sorted(db.parent.glob(f".{db.name}.demo-*"))


def _kill_while_working(db: Path, delay: float, *extra: str) -> None:
    """Start the demo, wait until it starts writing (a new entry beside the target), then
    SIGKILL it `delay` s later."""
    before = set(db.parent.iterdir())
    proc = _demo(db, TICKETS, *extra)
    deadline = time.monotonic() + 30
    while set(db.parent.iterdir()) == before and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(delay)
    assert proc.poll() is None, "the demo finished before it was killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def _tickets(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return int(conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0])
    finally:
        conn.close()


def _run(db: Path, tickets: int, *extra: str) -> None:
    proc = _demo(db, tickets, *extra)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> float:
    """Seconds a whole run takes here: the kills are placed at shares of it, so they land
    inside the run on a fast machine and a slow one alike (fixed delays did not)."""
    db = tmp_path_factory.mktemp("timing") / "desk.sqlite3"
    started = time.monotonic()
    _run(db, TICKETS)
    return time.monotonic() - started


@pytest.mark.parametrize("share", [0.0, 0.2, 0.4, 0.6])
def test_a_killed_demo_leaves_no_partial_desk_and_the_next_run_cleans_up(
    tmp_path: Path, share: float, full_run: float
) -> None:
    db = tmp_path / "desk.sqlite3"
    _kill_while_working(db, share * full_run)
    assert not db.exists() or _tickets(db) == TICKETS
    assert not list(tmp_path.glob(".opdesk-demo-*"))  # chunks are staged in the run's folder
    if not db.exists():
        _run(db, 300)
        assert _tickets(db) == 300
    else:
        _run(db, 300, "--force")
        assert _tickets(db) == 300
    assert _temps(db) == []  # the dead run's folder is gone


def test_a_killed_force_leaves_the_old_desk_intact(tmp_path: Path) -> None:
    from opdesk.demo.generate import sweep_stale

    db = tmp_path / "desk.sqlite3"
    _run(db, 300)
    _kill_while_working(db, 0.5, "--force")
    assert _tickets(db) == 300
    assert _temps(db) != []  # the dead run's folder stays until the next start …
    sweep_stale(db)
    assert _temps(db) == []  # … which removes it


def test_the_folder_of_a_live_run_is_kept(tmp_path: Path) -> None:
    from opdesk.demo.generate import sweep_stale

    db = tmp_path / "desk.sqlite3"
    mine = tmp_path / f".{db.name}.demo-{os.getpid()}-x"
    mine.mkdir()
    sweep_stale(db)
    assert mine.exists()
