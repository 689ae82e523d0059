"""Two `opdesk import` processes on one database at once (issue 10, #3).

The loser must wait its turn (and then refuse the tickets the winner already wrote, line by
line, as duplicates) or refuse with a clear message — exit 2, no traceback — and the database
must hold whole imports only: the union of both files, or exactly one of them.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from opdesk.demo import generate
from opdesk.store.database import open_local
from opdesk.transfer import export_file

NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
TICKETS = 1200
ROUNDS = 3


@pytest.fixture(scope="module")
def halves(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two files of different tickets sharing people, clients and departments."""
    base = tmp_path_factory.mktemp("concurrent")
    demo = base / "demo.sqlite3"
    generate(demo, TICKETS, seed=5, now=NOW, workers=0)
    db = open_local(demo)
    try:
        everything = base / "all.jsonl"
        export_file(db, everything, "jsonl", NOW)
    finally:
        db.close()
    lines = everything.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = base / "first.jsonl", base / "second.jsonl"
    first.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    second.write_text("".join(lines[len(lines) // 2 :]), encoding="utf-8")
    return first, second


def numbers(file: Path) -> set[str]:
    return {json.loads(line)["number"] for line in file.read_text(encoding="utf-8").splitlines()}


def race(db: Path, *files: Path) -> list[subprocess.CompletedProcess[str]]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "opdesk.cli", "import", str(f), "--db", str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=300)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


def state(db: Path) -> tuple[set[str], str, dict[str, int]]:
    conn = sqlite3.connect(db)
    try:
        tickets = {r[0] for r in conn.execute("SELECT number FROM tickets")}
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        logins = conn.execute("SELECT count(*), count(DISTINCT login) FROM people").fetchone()
        events = conn.execute(
            "SELECT count(DISTINCT ticket_id) FROM events WHERE kind = 'imported'"
        ).fetchone()[0]
        fts = conn.execute("SELECT count(*) FROM ticket_fts").fetchone()[0]
    finally:
        conn.close()
    return tickets, ok, {"people": logins[0] - logins[1], "imported": events, "fts": fts}


def fresh_db(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    open_local(path).close()  # created and migrated before the race
    return path


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 2), result.stderr
    if result.returncode == 2:
        assert "ничего не записано" in result.stderr and "nothing was written" in result.stderr
        assert "уже есть в базе" in result.stderr or "другим процессом OpDesk" in result.stderr


def test_two_different_files_at_once(tmp_path: Path, halves: tuple[Path, Path]) -> None:
    first, second = halves
    a, b = numbers(first), numbers(second)
    assert a and b and not a & b
    for round_ in range(ROUNDS):
        db = fresh_db(tmp_path, f"two-{round_}.sqlite3")
        results = race(db, first, second)
        for r in results:
            assert_clean(r)
        tickets, ok, extra = state(db)
        assert ok == "ok"
        assert extra["people"] == 0  # no login twice
        assert extra["imported"] == len(tickets) == extra["fts"]
        expected = set()
        for r, nums in zip(results, (a, b), strict=True):
            if r.returncode == 0:
                expected |= nums
        assert tickets == expected  # whole files only, never a part of one
        assert tickets  # at least one import got through


def test_same_file_twice_at_once(tmp_path: Path, halves: tuple[Path, Path]) -> None:
    first, _ = halves
    for round_ in range(ROUNDS):
        db = fresh_db(tmp_path, f"same-{round_}.sqlite3")
        results = race(db, first, first)
        for r in results:
            assert_clean(r)
        assert sorted(r.returncode for r in results) == [0, 2]  # the same tickets go in once
        tickets, ok, extra = state(db)
        assert ok == "ok"
        assert tickets == numbers(first)
        assert extra["people"] == 0
        assert extra["imported"] == len(tickets) == extra["fts"]


def test_refuses_clearly_when_the_lock_is_not_freed(
    tmp_path: Path, halves: tuple[Path, Path]
) -> None:
    """Another process holds the write lock past the busy timeout: a clear refusal, exit 2."""
    first, _ = halves
    db = fresh_db(tmp_path, "held.sqlite3")
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        (result,) = race(db, first)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "база занята другим процессом OpDesk" in result.stderr
    assert "another OpDesk process is writing" in result.stderr
    tickets, ok, extra = state(db)
    assert (tickets, ok, extra["fts"]) == (set(), "ok", 0)
