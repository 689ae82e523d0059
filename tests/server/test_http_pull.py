"""`GET /v1/pull`, `GET /v1/check` and `GET /v1/events` over real HTTP: what a push changed
comes back with a later cursor, a foreign cursor is refused, the figures of the divergence
check are the database's, and a committed push wakes the listening workstations — also
those connected to another server process of the same desk."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from opdesk.server.wake import event_stream
from opdesk.store.wire import SYNCED_TABLES, column_names
from tests.pg import PgServer
from tests.server.live import LiveServer, running_server
from tests.server.live import live_server as live_server  # the module's server process
from tests.server.wire import Station, applied, comment, create_ticket, error_of, station

PASSWORD = "operator-password-1"


@pytest.fixture(scope="module")
def ws(live_server: LiveServer) -> Station:
    live_server.add_person("ivanova", "operator", PASSWORD)
    return station(live_server, "ivanova", PASSWORD)


def pull_all(ws: Station, cursor: int) -> tuple[int, list[dict[str, Any]], list[Any]]:
    """Every change as {"table", "row"} (a row's dict made from its table's columns)."""
    changes: list[dict[str, Any]] = []
    tombstones: list[Any] = []
    while True:
        response = ws.get("/v1/pull", cursor=cursor, limit=3)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"server_id", "cursor", "more", "tables", "tombstones"}
        assert body["cursor"] >= cursor
        cursor = body["cursor"]
        for table, block in body["tables"].items():
            assert block["columns"] == list(column_names(table))  # the one definition, both sides
            assert block["rows"], "a table comes only with rows"
            changes += [{"table": table, "row": dict(zip(block["columns"], row, strict=True))}
                        for row in block["rows"]]  # fmt: skip
        tombstones += body["tombstones"]
        if not body["more"]:
            return cursor, changes, tombstones


def test_a_pull_after_a_push_brings_the_changed_rows(ws: Station) -> None:
    start, _, _ = pull_all(ws, 0)
    ticket = create_ticket()
    ops = [
        ws.op("create_ticket", **ticket),
        ws.op("add_comment", **comment(ticket["ticket"], "Да")),
    ]
    number = applied(ws.results(ops)[0])["ticket"]["number"]
    cursor, changes, tombstones = pull_all(ws, start)
    assert cursor > start and not tombstones
    tickets = [c["row"] for c in changes if c["table"] == "tickets"]
    assert [(t["uuid"], t["number"]) for t in tickets] == [(ticket["ticket"], number)]
    assert "id" not in tickets[0]  # the local integer key never leaves a database
    comments = [c["row"] for c in changes if c["table"] == "comments"]
    assert [(c["ticket_id"], c["text"]) for c in comments] == [(ticket["ticket"], "Да")]
    assert {c["table"] for c in changes} <= set(SYNCED_TABLES)
    again = ws.get("/v1/pull", cursor=cursor).json()
    assert again["tables"] == {} and again["cursor"] >= cursor and again["more"] is False
    assert again["server_id"] == httpx.get(f"{ws.live.url}/v1/health").json()["server_id"]


def test_a_cursor_ahead_of_the_server_is_refused(ws: Station) -> None:
    error_of(ws.get("/v1/pull", cursor=2**62), 409, "cursor_ahead")


def test_check_answers_the_databases_figures(ws: Station) -> None:
    ticket = create_ticket()
    applied(ws.results([ws.op("create_ticket", **ticket)])[0])
    response = ws.get("/v1/check")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"server_id", "cursor", "tables"}
    assert set(body["tables"]) == set(SYNCED_TABLES)
    for table, figures in body["tables"].items():
        assert figures["count"] == ws.live.count(table), table
        assert len(figures["hash"]) == 64
    assert body["tables"]["tickets"]["count"] >= 1
    assert isinstance(body["cursor"], int) and body["cursor"] > 0


def next_data(lines: Iterator[str]) -> str:
    """The next `data:` line of the stream (comments skipped); the client's read timeout
    fails the test if none comes."""
    return next(line for line in lines if line.startswith("data:"))


def test_a_committed_push_wakes_workstations_on_every_process(
    ws: Station, pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with httpx.Client(timeout=httpx.Timeout(5, read=10)) as client, client.stream(
        "GET", f"{ws.live.url}/v1/events", headers=ws.headers
    ) as response:  # fmt: skip
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        assert next(lines).startswith("retry:")
        applied(ws.results([ws.op("create_ticket", **create_ticket())])[0])
        assert next_data(lines) == "data: wake"
        workdir = tmp_path_factory.mktemp("second")
        with running_server(pg_server, workdir, db_url=ws.live.db_url) as second:
            other = station(second, "ivanova", PASSWORD)
            applied(other.results([other.op("create_ticket", **create_ticket())])[0])
            assert next_data(lines) == "data: wake"  # NOTIFY reached the first process


def test_events_need_a_token(ws: Station) -> None:
    error_of(httpx.get(f"{ws.live.url}/v1/events"), 401, "no_token")


def test_the_event_stream_pings_and_ends_with_the_session() -> None:
    async def scenario() -> list[bytes]:
        wake: asyncio.Queue[None] = asyncio.Queue(maxsize=1)
        checks = iter([True, False])

        async def allowed() -> bool:
            return next(checks)

        wake.put_nowait(None)
        return [chunk async for chunk in event_stream(wake, allowed, ping=0.05)]

    chunks = asyncio.run(scenario())
    assert chunks[1:] == [b"data: wake\n\n", b": ping\n\n"]  # then the session ended
