"""The server process killed (SIGKILL) in the middle of a big batch: the batch is all or
nothing — PostgreSQL rolls the open transaction back, last_op included — and the workstation's
retry after the restart applies it exactly once.

"In the middle" is observed, not guessed: the kill comes once the push's transaction holds a
transaction id (it has written) and has been running for a while, seen in pg_stat_activity
under the server's application_name."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from sqlalchemy import text

from opdesk.server.app import APPLICATION_NAME
from tests.server.live import LiveServer
from tests.server.live import live_server as live_server  # the module's server process
from tests.server.wire import Op, Station, applied, comment, create_ticket, station

PASSWORD = "operator-password-1"
TICKETS, COMMENTS = 100, 399  # with the ticket made first: a full batch of 500 ops
COUNTED = ("tickets", "comments", "events")


@pytest.fixture(scope="module")
def ws(live_server: LiveServer) -> Station:
    live_server.add_person("ivanova", "operator", PASSWORD)
    return station(live_server, "ivanova", PASSWORD)


def writing_for(live: LiveServer) -> float:
    """How long the server's oldest writing transaction has run (0: none is writing)."""
    with live.engine.connect() as conn:
        age = conn.execute(
            text("SELECT extract(epoch FROM max(clock_timestamp() - xact_start)) "
                 "FROM pg_stat_activity WHERE application_name = :app "
                 "AND datname = current_database() "
                 "AND backend_xid IS NOT NULL"),
            {"app": APPLICATION_NAME},
        ).scalar()  # fmt: skip
    return float(age or 0)


def server_backends(live: LiveServer) -> int:
    with live.engine.connect() as conn:
        return int(conn.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :app "
                 "AND datname = current_database() "
                 "AND state <> 'idle'"),
            {"app": APPLICATION_NAME},
        ).scalar_one())  # fmt: skip


def counts(live: LiveServer) -> dict[str, int]:
    return {table: live.count(table) for table in COUNTED}


def big_batch(ws: Station) -> list[Op]:
    first = create_ticket()
    ops = [ws.op("create_ticket", **first)]
    ops += [ws.op("create_ticket", **create_ticket()) for _ in range(TICKETS - 1)]
    ops += [ws.op("add_comment", **comment(first["ticket"], f"№{i}")) for i in range(COMMENTS)]
    return ops


def test_a_batch_killed_midway_is_all_or_nothing_and_applies_once(ws: Station) -> None:
    live = ws.live
    last_op = ws.push([]).json()["last_op"]
    before = counts(live)
    batch = big_batch(ws)
    outcome: list[object] = []

    def send() -> None:
        try:
            outcome.append(ws.push(batch))
        except httpx.TransportError as exc:  # the server died under the request
            outcome.append(exc)

    sender = threading.Thread(target=send)
    sender.start()
    deadline = time.monotonic() + 60
    while writing_for(live) < 0.3 and sender.is_alive():
        assert time.monotonic() < deadline, "the batch never started writing"
        time.sleep(0.01)
    assert sender.is_alive(), f"the batch finished before the kill: {outcome}"
    live.kill()
    sender.join(30)
    assert outcome and isinstance(outcome[0], httpx.TransportError), outcome
    while server_backends(live):  # PostgreSQL notices the dead client and rolls back
        time.sleep(0.05)
    assert counts(live) == before
    assert live.count("sync_clients", "client_id = :c AND last_op = :n", c=ws.client_id,
                      n=last_op) == 1  # fmt: skip

    live.start()  # the workstation retries the unacknowledged batch
    results = ws.results(batch)
    assert [r["status"] for r in results] == ["applied"] * len(batch)
    after = counts(live)
    assert after["tickets"] == before["tickets"] + TICKETS
    assert after["comments"] == before["comments"] + COMMENTS
    assert {r["status"] for r in ws.results(batch)} == {"duplicate"}
    assert counts(live) == after
    applied(results[0])
