"""What one push costs the server in round trips to PostgreSQL, counted (not timed: timings
flake on a shared machine, statement counts do not).

Why it matters: one server process must hold 50 workstations pushing 5 ops/s each; a push is
almost all database round trips, and each costs CPU under the interpreter lock (SQLAlchemy,
psycopg) besides its wait. These tests pin the savings that got it there — the token checked
on the batch's own connection, the op's ticket read once (locked) for the whole op, the
acting person and the ticket looked up once a batch — so a change that brings a lookup back
fails here with the statement that came back named.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from opdesk.clock import FixedClock
from opdesk.models import uuid7
from opdesk.regulations.pack import load_default_pack
from opdesk.server import accounts
from opdesk.server.api_models import LoginRequest, PushRequest, PushResponse
from opdesk.server.app import server_db_engine
from opdesk.server.auth_http import Gate, login_once
from opdesk.server.push import Pusher
from tests.server.conftest import T0
from tests.server.wire import comment, create_ticket

PASSWORD = "correct horse battery"
# Per op: SAVEPOINT, the ticket locked and read, the comment, its history event, the ticket's
# updated_at, RELEASE.
PER_OP = 6
# Per push: the token, the training flag, the client row (locked), `last_op`, the NOTIFY;
# and once a batch the acting person (the ticket's id comes with its lock).
PER_PUSH = 5 + 1


class ServerUnderCount:
    """A server's push machinery in this process over the test database, with a counter of
    the statements sent and of the connections taken from the pool."""

    def __init__(self, url: str, hasher: PasswordHasher) -> None:
        self.engine = server_db_engine(url)
        self.clock = clock = FixedClock(T0)
        gate = Gate(self.engine, clock)
        sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.pusher = Pusher(self.engine, sessions, load_default_pack(), clock, gate)
        with self.engine.begin() as conn:
            accounts.create_account(conn, "ivanov", "Иванов И.", "operator", PASSWORD, T0,
                                    hasher=hasher)  # fmt: skip
        self.client = uuid.uuid4()
        body = LoginRequest(login="ivanov", password=PASSWORD, client_id=self.client,
                            training=False)  # fmt: skip
        self.token = login_once(self.engine, clock, body, accounts.SESSION_LIFETIME, hasher).token
        self.next_op = 1
        self.statements: list[str] = []
        self.checkouts = 0
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine.pool, "checkout", self._checkout)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        self.statements.append(" ".join(statement.split()))

    def _checkout(self, *_args: Any) -> None:
        self.checkouts += 1

    def op(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        made = {"op": self.next_op, "name": name, "at": T0.isoformat(),
                "args": {"actor": "ivanov", "id_seed": str(uuid7()), **args}}  # fmt: skip
        self.next_op += 1
        return made

    def push(self, ops: list[dict[str, Any]]) -> PushResponse:
        """Push `ops` a minute after the last push (a comment at the same moment as the
        ticket's last change would leave its `updated_at` as it was: one UPDATE less)."""
        self.clock.advance(dt.timedelta(minutes=1))
        body = json.dumps({"client_id": str(self.client), "ops": ops})
        self.statements.clear()
        self.checkouts = 0
        answer = self.pusher.push(self.token, PushRequest.model_validate_json(body))
        assert all(r.status == "applied" for r in answer.results), answer
        return answer

    def new_ticket(self) -> str:
        ticket = str(uuid7())
        self.push([self.op("create_ticket", create_ticket(uuid.UUID(ticket)))])
        return ticket


@pytest.fixture
def desk(server_db: Engine, hasher: PasswordHasher) -> Iterator[ServerUnderCount]:
    made = ServerUnderCount(server_db.url.render_as_string(hide_password=False), hasher)
    try:
        yield made
    finally:
        made.engine.dispose()


def test_a_push_takes_one_connection_and_checks_the_token_on_it(desk: ServerUnderCount) -> None:
    """Two checkouts (one for the token, one for the batch) cost a ping, a BEGIN and a
    ROLLBACK more per push: a push of one op is mostly such overhead."""
    ticket = desk.new_ticket()
    desk.push([desk.op("add_comment", comment(ticket, "один"))])
    assert desk.checkouts == 1
    assert "auth_sessions" in desk.statements[0], desk.statements


def test_a_push_of_one_comment_costs_a_fixed_number_of_statements(desk: ServerUnderCount) -> None:
    ticket = desk.new_ticket()
    desk.push([desk.op("add_comment", comment(ticket, "один"))])
    assert len(desk.statements) == PER_PUSH + PER_OP, "\n".join(desk.statements)
    ticket_reads = [s for s in desk.statements if s.startswith("SELECT tickets.")]
    assert len(ticket_reads) == 1, f"the ticket is read once, locked: {ticket_reads}"


def test_a_batch_looks_up_its_person_and_ticket_once(desk: ServerUnderCount) -> None:
    """Ten comments on one ticket: each op runs its own statements (a savepoint, the lock,
    the three writes), the lookups that would give the same answer again are not repeated."""
    ticket = desk.new_ticket()
    ops = [desk.op("add_comment", comment(ticket, f"№{n}")) for n in range(10)]
    desk.push(ops)
    people = [s for s in desk.statements if "FROM people" in s]
    assert len(people) == 1, people
    # the test's clock stands still during a push: only the first comment moves updated_at
    assert len(desk.statements) == PER_PUSH + 10 * (PER_OP - 1) + 1, "\n".join(desk.statements)


def test_each_op_of_a_batch_still_locks_its_ticket(desk: ServerUnderCount) -> None:
    """The lock is taken inside each op's savepoint, where a refused op's rollback would drop
    a lock taken by it: every op therefore locks again (push.py's module docstring)."""
    first, second = desk.new_ticket(), desk.new_ticket()
    ops = [desk.op("add_comment", comment(t, "текст")) for t in (first, second, first)]
    desk.push(ops)
    locks = [s for s in desk.statements if s.startswith("SELECT tickets.") and "FOR UPDATE" in s]
    assert len(locks) == 3, desk.statements


def test_a_comment_written_through_the_batch_is_the_one_stored(desk: ServerUnderCount) -> None:
    """The ticket the lock read is the one the command changed and the batch wrote back."""
    ticket = desk.new_ticket()
    desk.push([desk.op("add_comment", comment(ticket, "проверка"))])
    with desk.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT t.updated_at, c.text FROM tickets t JOIN comments c ON c.ticket_id = t.uuid"
            " WHERE t.uuid = %(u)s",
            {"u": uuid.UUID(ticket)},
        ).one()
    assert row.text == "проверка"
    assert row.updated_at == desk.clock.now()
