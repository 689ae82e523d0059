"""Bad input over real HTTP: junk, wrong types, too many ops, too many bytes, unknown ops,
bad queries — each a 4xx in the error shape, nothing written, and the server goes on
answering (the last test pushes a good batch after all of them)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.server.live import LiveServer
from tests.server.live import live_server as live_server  # the module's server process
from tests.server.wire import Station, applied, comment, create_ticket, error_of, station

PASSWORD = "operator-password-1"
WATCHED = ("tickets", "events", "comments", "auth_sessions", "sync_clients", "people")


@pytest.fixture(scope="module")
def ws(live_server: LiveServer) -> Station:
    live_server.add_person("ivanova", "operator", PASSWORD)
    return station(live_server, "ivanova", PASSWORD)


@pytest.fixture
def unchanged(ws: Station) -> Iterator[None]:
    """The test must leave every watched table and the client's last_op as they were."""
    before = {table: ws.live.count(table) for table in WATCHED}
    last_op = ws.push([]).json()["last_op"]
    yield
    assert {table: ws.live.count(table) for table in WATCHED} == before
    assert ws.push([]).json()["last_op"] == last_op


def raw_push(ws: Station, content: bytes | Iterator[bytes]) -> httpx.Response:
    headers = {**ws.headers, "Content-Type": "application/json"}
    return httpx.post(f"{ws.live.url}/v1/push", content=content, headers=headers, timeout=60)


def good_op(ws: Station, **changes: Any) -> dict[str, Any]:
    op = {"op": ws.next_op, "name": "create_ticket", "args": {"actor": "ivanova",
          "id_seed": "01900000-0000-7000-8000-000000000001", **create_ticket()},
          "at": "2026-12-01T09:00:00+03:00"}  # fmt: skip
    op.update(changes)
    return op


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "body",
    [b"{not json", b"", b"[]", b'"ops"', b"null", '{"client_id": "\u00ff'.encode("latin-1")],
    ids=["junk", "empty", "array", "string", "null", "bad-utf8"],
)
def test_junk_is_a_422(ws: Station, body: bytes) -> None:
    error_of(raw_push(ws, body), 422, "malformed")


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "change",
    [
        {"op": "1"}, {"op": 0}, {"op": 1.0}, {"op": True}, {"name": 5}, {"args": []},
        {"args": "x"}, {"at": "yesterday"}, {"at": "2026-12-01T09:00:00"}, {"extra": 1},
    ],
    ids=["op-text", "op-zero", "op-float", "op-bool", "name-int", "args-list", "args-text",
         "at-junk", "at-naive", "extra-key"],
)  # fmt: skip
def test_wrong_types_in_an_op_are_a_422(ws: Station, change: dict[str, Any]) -> None:
    error = error_of(ws.push([good_op(ws, **change)]), 422, "malformed")
    assert "ops.0" in error["message_en"], error


@pytest.mark.usefixtures("unchanged")
def test_wrong_types_in_the_batch_are_a_422(ws: Station) -> None:
    error_of(ws.post("/v1/push", {"client_id": "not-a-uuid", "ops": []}), 422, "malformed")
    error_of(ws.post("/v1/push", {"client_id": str(ws.client_id)}), 422, "malformed")
    error_of(ws.post("/v1/push", {"client_id": str(ws.client_id), "ops": {}}), 422, "malformed")


@pytest.mark.usefixtures("unchanged")
def test_an_unknown_op_name_is_a_422(ws: Station) -> None:
    error = error_of(ws.push([good_op(ws, name="drop_database")]), 422, "unknown_op")
    assert "drop_database" in error["message_en"]


def test_malformed_args_refuse_that_op(ws: Station) -> None:
    """Arguments are the op's business (services/op_args): that op is refused and answered
    (last_op passes it), nothing of it is run."""
    before = {table: ws.live.count(table) for table in WATCHED}
    bad = good_op(ws)
    bad["args"]["ticket"] = 12345
    [result] = ws.results([bad])
    ws.next_op += 1
    assert result["status"] == "refused" and result["reasons"][0]["rule"] == "bad_op", result
    assert "args.ticket" in result["reasons"][0]["message_en"]
    assert {table: ws.live.count(table) for table in WATCHED} == before


@pytest.mark.usefixtures("unchanged")
def test_501_ops_are_too_many(ws: Station) -> None:
    ops = [good_op(ws, op=ws.next_op + i) for i in range(501)]
    error_of(ws.push(ops), 413, "too_many_ops")


@pytest.mark.usefixtures("unchanged")
def test_a_9_mib_body_is_refused_before_it_is_read(ws: Station) -> None:
    big = good_op(ws)
    big["args"]["subject"] = "я" * (9 * 1024 * 1024 // 2)
    body = json.dumps({"client_id": str(ws.client_id), "ops": [big]}).encode()
    assert len(body) > 9 * 1024 * 1024
    error_of(raw_push(ws, body), 413, "too_big")
    # no Content-Length (chunked): refused once 8 MiB have arrived
    chunks = (body[i : i + 65536] for i in range(0, len(body), 65536))
    error_of(raw_push(ws, chunks), 413, "too_big")


@pytest.mark.usefixtures("unchanged")
def test_bad_logins_and_queries_are_4xx(ws: Station) -> None:
    url = ws.live.url
    error_of(httpx.post(f"{url}/v1/login", content=b"{"), 422, "malformed")
    error_of(httpx.post(f"{url}/v1/login", json={"login": "ivanova"}), 422, "malformed")
    no_password = {"login": "ivanova", "password": PASSWORD, "client_id": "x", "training": False}
    error = error_of(httpx.post(f"{url}/v1/login", json=no_password), 422, "malformed")
    assert PASSWORD not in json.dumps(error)  # the request is never echoed
    error_of(httpx.post(f"{url}/v1/login", content=b"x" * 70_000), 413, "too_big")
    for params in ({"cursor": "abc"}, {"cursor": -1}, {}, {"cursor": 0, "limit": 0},
                   {"cursor": 0, "limit": 10_001}):  # fmt: skip
        error_of(ws.get("/v1/pull", **params), 422, "malformed")
    error_of(ws.get("/v1/nothing-here"), 404, "not_found")
    error_of(httpx.delete(f"{url}/v1/push", headers=ws.headers), 405, "method_not_allowed")


def test_the_server_still_serves_after_all_that(ws: Station) -> None:
    assert httpx.get(f"{ws.live.url}/v1/health").json()["status"] == "ok"
    ticket = create_ticket()
    ops = [
        ws.op("create_ticket", **ticket),
        ws.op("add_comment", **comment(ticket["ticket"], "ok")),
    ]
    assert [applied(r)["op"] for r in ws.results(ops)] == [op["op"] for op in ops]
    assert "Traceback" not in ws.live.log()
