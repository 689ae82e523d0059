"""pulling.py's loop against a scripted server (no PostgreSQL needed): a batch whose rows do
not fit is refused whole and leaves the batches before it committed with their cursor; a
failure while the next batch is asked for (it travels while the one before is written) loses
nothing either; and the next batch is asked for before the one in hand is written."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from opdesk.clock import FixedClock
from opdesk.regulations.pack import load_default_pack
from opdesk.services.desk import Desk
from opdesk.store import wire
from opdesk.store.database import open_local
from opdesk.sync import pulling, state
from opdesk.sync.contract import PullAnswer, SyncError
from tests.sync.support import T0

SERVER = uuid.uuid4()


def department(code: str, key: str | None = None) -> list[Any]:
    return [key or str(uuid.uuid4()), code, f"Отдел {code}"]


class Scripted:
    """Answers pull(cursor) from a script of batches, one per cursor 0, 10, 20, …; an
    exception in the script is raised instead. Notes each request in `log`."""

    def __init__(self, script: list[PullAnswer | Exception], log: list[str]) -> None:
        self.script, self.log = script, log
        self.changed = threading.Condition()

    def pull(self, cursor: int, limit: int) -> PullAnswer:
        with self.changed:
            self.log.append(f"pull {cursor}")
            self.changed.notify_all()
        answer = self.script[cursor // 10]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def wait_for(self, entry: str) -> None:
        """Until `entry` is logged (a request on the pull's worker thread), or 5 s."""
        with self.changed:
            self.changed.wait_for(lambda: entry in self.log, timeout=5)


def batch(cursor: int, more: bool, *rows: list[Any]) -> PullAnswer:
    tables = {"departments": wire.TableRows(wire.column_names("departments"), list(rows))}
    return PullAnswer(SERVER, cursor, more, tables if rows else {}, [])


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    db = open_local(tmp_path / "ws.sqlite")
    with db.transaction() as s:
        state.read(s)
        state.bind_server(s, SERVER)
    try:
        yield Desk(db, load_default_pack(), FixedClock(T0))
    finally:
        db.close()


def codes(desk: Desk) -> set[str]:
    with desk.db.engine.connect() as conn:
        return set(conn.execute(text("SELECT code FROM departments")).scalars())


def run(desk: Desk, script: list[PullAnswer | Exception]) -> list[str]:
    """Pull the script; the log of requests and writes. A write waits (at most 5 s) for the
    request of the batch after it, so the log shows whether it was made before the write."""
    log: list[str] = []
    server = Scripted(script, log)
    real = pulling.apply_batch

    def apply_batch(*args: Any, **kw: Any) -> Any:
        if args[1].more:
            server.wait_for(f"pull {args[1].cursor}")
        with server.changed:
            log.append(f"apply {args[1].cursor}")
        return real(*args, **kw)

    pulling.apply_batch = apply_batch  # type: ignore[assignment]
    try:
        pulling.pull_all(desk.db, server, desk)  # type: ignore[arg-type]
    finally:
        pulling.apply_batch = real  # type: ignore[assignment]
    return log


def test_a_bad_batch_is_refused_whole_and_the_ones_before_stay(desk: Desk) -> None:
    before = codes(desk)
    script: list[PullAnswer | Exception] = [
        batch(10, True, department("P1")),
        batch(20, True, department("P2"), department("P3", key="not-a-uuid")),
        batch(30, False, department("P4")),
    ]
    with pytest.raises(SyncError) as caught:
        run(desk, script)
    assert caught.value.code == "bad_response" and "departments.id" in caught.value.message_en
    assert codes(desk) - before == {"P1"}  # not P2: its batch went back whole
    assert state.load(desk.db).cursor == 10


def test_a_failure_fetching_ahead_loses_nothing_written(desk: Desk) -> None:
    offline = SyncError("offline", "нет связи", "no connection", offline=True)
    with pytest.raises(SyncError) as caught:
        run(desk, [batch(10, True, department("Q1")), offline])
    assert caught.value.offline
    assert "Q1" in codes(desk) and state.load(desk.db).cursor == 10


def test_the_next_batch_is_asked_for_before_this_one_is_written(desk: Desk) -> None:
    """Why: the server's and the network's time then overlaps SQLite's. What must not change:
    each batch is written, with its cursor, in turn."""
    script: list[PullAnswer | Exception] = [
        batch(10, True, department("R1")),
        batch(20, True, department("R2")),
        batch(30, False),
    ]
    log = run(desk, script)
    assert log.index("pull 10") < log.index("apply 10")
    assert log.index("pull 20") < log.index("apply 20")
    assert [e for e in log if e.startswith("apply")] == ["apply 10", "apply 20", "apply 30"]
    assert log.count("pull 30") == 0  # a batch without `more` is the last asked for
    assert {"R1", "R2"} <= codes(desk) and state.load(desk.db).cursor == 30
