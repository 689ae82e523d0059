"""A workstation SIGKILLed while it pulls — inside a batch's transaction and between two
batches, again and again while the server's desk keeps changing — never has a cursor ahead
of its rows, never a row twice or a row the server does not have, and the next sync
completes with the server's very figures."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from opdesk import services
from opdesk.server.pull import iter_rows
from opdesk.services.desk import Desk
from opdesk.store import wire
from opdesk.store.wire import SYNCED_TABLES
from opdesk.sync import state
from tests.sync.support import (
    CATEGORY,
    ENGINEER,
    OPERATOR,
    DirectPull,
    local_figures,
    server_desk,
    server_figures,
    sync_pull,
    workstation,
)

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 8


@pytest.fixture
def server(pg_fresh_url: str) -> Iterator[Desk]:
    desk = server_desk(pg_fresh_url)
    try:
        yield desk
    finally:
        desk.db.close()


def work(desk: Desk, rnd: random.Random, tickets: list[int], n: int) -> None:
    """Some of a desk's day: new tickets, comments, edits, takes."""
    for i in range(n):
        made = services.create_ticket(desk, OPERATOR, category=CATEGORY, subject=f"Заявка {i}",
                                      process="csn")  # fmt: skip
        assert made.created_id is not None
        tickets.append(made.created_id)
        some = rnd.choice(tickets)
        services.add_comment(desk, OPERATOR, some, "note", f"Комментарий {rnd.random():.6f}")
        services.set_fields(desk, OPERATOR, rnd.choice(tickets), subject=f"Тема {i}")
        services.take(desk, ENGINEER, rnd.choice(tickets))  # refused when taken: no matter


def run_until(local: Path, url: str, stop_at: tuple[str, int] | None) -> str:
    """Run the child; SIGKILL it at the `stop_at[1]`-th `stop_at[0]` line. Returns what it
    printed last."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.sync.kill_child", str(local), url, "3"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    assert child.stdout is not None
    seen, last = 0, ""
    for line in child.stdout:
        last = line.strip()
        if stop_at is not None and last.startswith(stop_at[0]):
            seen += 1
            if seen == stop_at[1]:
                os.killpg(child.pid, signal.SIGKILL)
                break
    child.wait(60)
    errors = child.stderr.read() if child.stderr else ""
    assert last.startswith(("mid", "between", "done")), errors
    if last == "done":
        assert child.returncode == 0, errors
    return last


def assert_consistent(server: Desk, local: Desk) -> None:
    """Every server row at or below the local cursor is here, as the server has it; nothing
    is here that the server does not have (keys are unique by the schema)."""
    cursor = state.load(local.db).cursor
    with server.db.engine.connect() as conn, local.db.engine.connect() as lite:
        for table, key in SYNCED_TABLES.items():
            versions = dict(conn.execute(text(f"SELECT {key}::text, version FROM {table}")).all())
            theirs = {wire.row_key(table, r): r for r in iter_rows(conn, table)}
            ours = {wire.row_key(table, r): r for r in wire.iter_rows(lite, table)}
            assert set(ours) <= set(theirs), f"{table}: rows the server does not have"
            for row_key, version in versions.items():
                if version <= cursor:
                    assert ours.get(row_key) == theirs[row_key], f"{table} {row_key}: behind"


def test_a_killed_pull_never_runs_ahead_and_finishes_next_time(
    server: Desk, pg_fresh_url: str, tmp_path: Path
) -> None:
    rnd = random.Random(8)
    tickets: list[int] = []
    work(server, rnd, tickets, 6)
    local_file = tmp_path / "ws.sqlite"
    kills = {"mid": 0, "between": 0}
    for round_ in range(ROUNDS):
        where = "mid" if round_ % 2 == 0 else "between"
        last = run_until(local_file, pg_fresh_url, (where, rnd.randint(1, 3)))
        if last.startswith(where):
            kills[where] += 1
        local = workstation(local_file)
        try:
            assert_consistent(server, local)
        finally:
            local.db.close()
        work(server, rnd, tickets, 2)
    assert kills["mid"] >= ROUNDS // 3 and kills["between"] >= ROUNDS // 3, kills
    assert run_until(local_file, pg_fresh_url, None) == "done"
    local = workstation(local_file)
    try:
        assert local_figures(local.db) == server_figures(server.db)
        assert sync_pull(local, DirectPull(server.db)).rows == 0
    finally:
        local.db.close()
