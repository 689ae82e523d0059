"""The workstation's side of the HTTP contract, as the tests speak it: log in, build ops the
way the outbox records them (named command, `actor`, `id_seed`, tickets by uuid), push, pull,
and check that a refusal has the one error shape."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from opdesk.models import uuid7
from tests.server.live import LiveServer

Op = dict[str, Any]


def login(
    live: LiveServer,
    who: str,
    password: str,
    *,
    client_id: uuid.UUID | None = None,
    training: bool = False,
) -> httpx.Response:
    body = {"login": who, "password": password, "client_id": str(client_id or uuid.uuid4()),
            "training": training}  # fmt: skip
    return httpx.post(f"{live.url}/v1/login", json=body, timeout=30)


def error_of(response: httpx.Response, status: int, code: str | None = None) -> dict[str, str]:
    """The response is a refusal with the contract's shape (and `code`, when given)."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message_ru", "message_en"}, error
    assert all(isinstance(v, str) and v for v in error.values()), error
    assert "Traceback" not in response.text
    if code is not None:
        assert error["code"] == code, error
    return dict(error)


@dataclass
class Station:
    """A logged-in workstation: its person, token, client id and next op number."""

    live: LiveServer
    login: str
    token: str
    client_id: uuid.UUID
    next_op: int = 1
    sent: list[Op] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def op(self, name: str, **args: Any) -> Op:
        """The next op, numbered; `actor` and `id_seed` as the outbox would record them."""
        body = {"actor": self.login, "id_seed": str(uuid7()), **args}
        made = {"op": self.next_op, "name": name, "args": body,
                "at": dt.datetime.now(dt.UTC).isoformat()}  # fmt: skip
        self.next_op += 1
        return made

    def push(self, ops: list[Op], *, client_id: uuid.UUID | None = None) -> httpx.Response:
        body = {"client_id": str(client_id or self.client_id), "ops": ops}
        return self.post("/v1/push", body)

    def post(self, path: str, body: Any, timeout: float = 120) -> httpx.Response:
        return httpx.post(f"{self.live.url}{path}", json=body, headers=self.headers,
                          timeout=timeout)  # fmt: skip

    def get(self, path: str, **params: Any) -> httpx.Response:
        return httpx.get(f"{self.live.url}{path}", params=params, headers=self.headers, timeout=60)

    def results(self, ops: list[Op]) -> list[dict[str, Any]]:
        """Push and return the per-op answers (the push itself must be accepted)."""
        response = self.push(ops)
        assert response.status_code == 200, (response.text, self.live.log()[-4000:])
        answer = response.json()
        assert answer["last_op"] >= ops[-1]["op"], answer
        return list(answer["results"])


def station(live: LiveServer, who: str, password: str, *, training: bool = False) -> Station:
    client_id = uuid.uuid4()
    response = login(live, who, password, client_id=client_id, training=training)
    assert response.status_code == 200, response.text
    return Station(live, who, response.json()["token"], client_id)


def create_ticket(ticket: uuid.UUID | None = None, **fields: Any) -> dict[str, Any]:
    """The args of a `create_ticket` op (without actor and seed): an e-mail ticket."""
    args: dict[str, Any] = {
        "ticket": str(ticket or uuid7()), "category": "", "priority": None, "process": None,
        "subject": "Не работает почта", "client_id": None, "contact_phone": "",
        "channel": "email", "theme": "", "type": "", "subtheme": "", "product": "",
        "department": "",
    }  # fmt: skip
    args.update(fields)
    return args


def comment(ticket: str, text: str) -> dict[str, Any]:
    return {"ticket": ticket, "kind": "note", "text": text, "reached": None, "tags": [],
            "template_id": ""}  # fmt: skip


def applied(result: dict[str, Any]) -> dict[str, Any]:
    assert result["status"] == "applied", result
    return result
