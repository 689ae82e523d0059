"""No password and no token in plain text anywhere the server keeps things: every row of
every table of its database (read as text), and everything the process wrote to its log —
after logins (right and wrong), pushes, pulls, a logout and a malformed login that carries a
password in its body."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from tests.server.live import LiveServer
from tests.server.live import live_server as live_server  # the module's server process
from tests.server.wire import applied, comment, create_ticket, error_of, login, station

PASSWORDS = {"ivanova": "Секретный-пароль-1", "petrov": "another-secret-2"}
WRONG = "wrong-but-secret-3"


def everything_in(live: LiveServer) -> str:
    """Every row of every table of the server's database, as PostgreSQL prints a row."""
    with live.engine.connect() as conn:
        names = conn.execute(
            text("SELECT quote_ident(table_name) FROM information_schema.tables "
                 "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
        ).scalars().all()  # fmt: skip
        assert {"accounts", "auth_sessions", "sync_clients", "tickets"} <= set(names)
        return "\n".join(
            str(row)
            for name in names
            for row in conn.execute(text(f"SELECT t::text FROM {name} t"))
        )


@pytest.fixture(scope="module")
def secrets(live_server: LiveServer) -> list[str]:
    """Exercise the server with everyone's secrets; return the secrets it has seen."""
    for who, password in PASSWORDS.items():
        live_server.add_person(who, "operator", password)
    tokens = []
    for who, password in PASSWORDS.items():
        ws = station(live_server, who, password)
        tokens.append(ws.token)
        ticket = create_ticket()
        ops = [
            ws.op("create_ticket", **ticket),
            ws.op("add_comment", **comment(ticket["ticket"], "x")),
        ]
        assert all(applied(r) for r in ws.results(ops))
        assert ws.get("/v1/pull", cursor=0).status_code == 200
        assert ws.get("/v1/check").status_code == 200
    error_of(login(live_server, "ivanova", WRONG), 401, "bad_credentials")
    error_of(login(live_server, "nobody", WRONG), 401, "bad_credentials")
    junk = {"login": "petrov", "password": PASSWORDS["petrov"], "client_id": 1, "training": False}
    error_of(httpx.post(f"{live_server.url}/v1/login", json=junk), 422, "malformed")
    logout = httpx.post(f"{live_server.url}/v1/logout",
                        headers={"Authorization": f"Bearer {tokens[0]}"})  # fmt: skip
    assert logout.status_code == 204
    return [*PASSWORDS.values(), WRONG, *tokens]


def test_the_database_holds_no_password_or_token(
    live_server: LiveServer, secrets: list[str]
) -> None:
    dump = everything_in(live_server)
    assert "$argon2id$" in dump and len(dump) > 1000  # the dump did read the accounts
    for secret in secrets:
        assert secret not in dump


def test_the_log_holds_no_password_or_token(live_server: LiveServer, secrets: list[str]) -> None:
    live_server.stop()  # flush everything the process had to say
    live_server.start()
    log = live_server.log()
    assert "POST /v1/login" in log and "POST /v1/push" in log  # the log was written
    for secret in secrets:
        assert secret not in log
    assert "Bearer" not in log and "authorization" not in log.lower()
