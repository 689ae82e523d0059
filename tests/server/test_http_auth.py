"""Logging in and out of a real server process: passwords, lockout, tokens (revoked,
expired), the workstation's owner, training against production — each refusal in the error
shape, with its status, and nothing written."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text

from tests.pg import PgServer
from tests.server.live import LiveServer, opdesk_server, running_server
from tests.server.live import live_server as live_server  # the module's server process
from tests.server.wire import Station, create_ticket, error_of, login, station

PASSWORD = "operator-password-1"


@pytest.fixture(scope="module")
def people(live_server: LiveServer) -> Iterator[LiveServer]:
    for who, role in [("ivanova", "operator"), ("petrov", "operator"), ("guess", "operator"),
                      ("trainer", "trainer")]:  # fmt: skip
        live_server.add_person(who, role, PASSWORD, name=f"{who.title()} И.")
    yield live_server


def test_login_answers_a_token_the_person_and_the_server(people: LiveServer) -> None:
    client_id = uuid.uuid4()
    response = login(people, "ivanova", PASSWORD, client_id=client_id)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"token", "expires_at", "person", "server_id", "training"}
    assert body["person"] == {"login": "ivanova", "name": "Ivanova И.", "role": "operator"}
    assert body["training"] is False
    health = httpx.get(f"{people.url}/v1/health").json()
    assert body["server_id"] == health["server_id"]
    assert body["expires_at"].endswith(("+00:00", "Z"))
    with people.engine.connect() as conn:
        row = conn.execute(
            text("SELECT p.login, c.training, c.last_op FROM sync_clients c "
                 "JOIN people p ON p.id = c.person_id WHERE c.client_id = :c"),
            {"c": client_id},
        ).one()  # fmt: skip
    assert tuple(row) == ("ivanova", False, 0)
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert httpx.get(f"{people.url}/v1/pull", params={"cursor": 0}, headers=headers).is_success


def test_a_wrong_password_and_an_unknown_login_get_the_same_answer(people: LiveServer) -> None:
    wrong = error_of(login(people, "petrov", "not-the-password"), 401, "bad_credentials")
    unknown = error_of(login(people, "nobody-here", "not-the-password"), 401, "bad_credentials")
    assert wrong == unknown
    assert people.count("sync_clients", "person_id IN (SELECT id FROM people "
                        "WHERE login = 'petrov')") == 0  # fmt: skip


def test_five_wrong_passwords_lock_the_account(people: LiveServer) -> None:
    for _ in range(4):
        error_of(login(people, "guess", "wrong-password"), 401, "bad_credentials")
    locked = login(people, "guess", "wrong-password")
    error_of(locked, 429, "locked")
    assert int(locked.headers["Retry-After"]) > 60
    still = login(people, "guess", PASSWORD)  # the right one, too late
    error_of(still, 429, "locked")
    assert people.count("auth_sessions", "person_id IN (SELECT id FROM people "
                        "WHERE login = 'guess')") == 0  # fmt: skip


def test_logout_revokes_the_token(people: LiveServer) -> None:
    ws = station(people, "ivanova", PASSWORD)
    assert ws.push([]).status_code == 200
    assert ws.post("/v1/logout", None).status_code == 204
    error_of(ws.push([]), 401, "revoked")
    error_of(ws.get("/v1/pull", cursor=0), 401, "revoked")
    error_of(ws.post("/v1/logout", None), 401, "revoked")


def test_revoking_a_persons_sessions_holds_at_once(people: LiveServer) -> None:
    ws = station(people, "petrov", PASSWORD)
    done = opdesk_server("revoke", people.db_url, "petrov")
    assert done.returncode == 0, done.stderr
    error_of(ws.get("/v1/check"), 401, "revoked")


def test_missing_or_foreign_tokens_are_refused(people: LiveServer) -> None:
    url = f"{people.url}/v1/pull?cursor=0"
    error_of(httpx.get(url), 401, "no_token")
    error_of(httpx.get(url, headers={"Authorization": "Basic abc"}), 401, "no_token")
    error_of(httpx.get(url, headers={"Authorization": "Bearer " + "x" * 43}), 401, "unknown_token")
    error_of(httpx.get(url, headers={"Authorization": "Bearer " + "x" * 5000}), 401, "no_token")


def test_an_expired_token_is_refused_by_every_server_process(
    people: LiveServer, pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A second process on the same desk, with one-second sessions: its token works at the
    first one (stateless), then expires there too."""
    workdir = tmp_path_factory.mktemp("short")
    with running_server(pg_server, workdir, ["--session-lifetime", "1"],
                        db_url=people.db_url) as short:  # fmt: skip
        ws = station(short, "ivanova", PASSWORD)
    ws.live = people
    assert ws.push([]).status_code == 200
    time.sleep(1.2)
    error_of(ws.push([]), 401, "expired")


def test_a_workstation_passes_to_the_next_shift_and_the_previous_token_stops(
    people: LiveServer,
) -> None:
    """Shift change: another person logging in from a workstation takes it over; the previous
    person's session on it is revoked at once, so only one person pushes from a workstation
    (and their op numbers carry on: the numbers are the workstation's)."""
    first = station(people, "ivanova", PASSWORD)
    assert first.results([first.op("create_ticket", **create_ticket())])[0]["status"] == "applied"
    answer = login(people, "petrov", PASSWORD, client_id=first.client_id)
    assert answer.status_code == 200, answer.text
    error_of(first.push([]), 401, "revoked")  # ivanova's token no longer works here
    second = Station(people, "petrov", answer.json()["token"], first.client_id, next_op=2)
    assert second.results([second.op("create_ticket", **create_ticket())])[0]["status"] == (
        "applied"
    )
    owner = people.count("sync_clients s JOIN people p ON p.id = s.person_id",
                         "s.client_id = :c AND p.login = 'petrov'", c=first.client_id)  # fmt: skip
    assert owner == 1
    forged = second.op("create_ticket", **create_ticket())
    forged["args"]["actor"] = "ivanova"  # petrov cannot send ivanova's ops from it
    assert second.results([forged])[0]["reasons"][0]["rule"] == "actor_mismatch"


def test_training_and_production_never_meet(people: LiveServer) -> None:
    sessions = people.count("auth_sessions")
    error_of(login(people, "ivanova", PASSWORD, training=True), 403, "training_mismatch")
    error_of(login(people, "trainer", PASSWORD), 403, "production_server")
    assert people.count("auth_sessions") == sessions
    production = station(people, "ivanova", PASSWORD)
    people.set_training(True)
    try:
        error_of(production.push([]), 403, "training_mismatch")
        error_of(production.get("/v1/pull", cursor=0), 403, "training_mismatch")
        error_of(login(people, "ivanova", PASSWORD), 403, "training_mismatch")
        trainee = station(people, "trainer", PASSWORD, training=True)
        assert trainee.push([]).status_code == 200
    finally:
        people.set_training(False)
    error_of(trainee.push([]), 403, "production_server")
