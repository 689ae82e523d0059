"""What the sync engine needs from `opdesk server`, as plain data and one Protocol.

The engine talks to a `Server`; `transport.HttpServer` is the one over HTTP. Keeping the
answers as frozen dataclasses (not httpx responses or pydantic models) lets the engine run
on a worker thread and hand its report to the window without sharing anything mutable.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from opdesk.store.wire import TableRows

NEEDS_LOGIN = frozenset({"not_logged_in", "unknown_token", "revoked", "expired"})


class SyncError(Exception):
    """Every way a sync can fail, told in both languages.

    `offline`: the server could not be reached or answered that it cannot serve now (a
    network cut, a timeout, 502/503/504) — nothing is lost, the next sync tries again.
    Otherwise the server refused (`code` from its error body: `training_mismatch`, `expired`,
    `op_gap`, …) or answered something that is not the contract (`bad_response`)."""

    def __init__(
        self,
        code: str,
        message_ru: str,
        message_en: str,
        *,
        offline: bool = False,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_ru = message_ru
        self.message_en = message_en
        self.offline = offline
        self.status = status
        self.retry_after = retry_after

    @property
    def needs_login(self) -> bool:
        return self.code in NEEDS_LOGIN


@dataclass(frozen=True)
class Reason:
    """Why the server refused an op: the rule's id (or the refusal's code) and its words."""

    rule: str
    message_ru: str
    message_en: str


@dataclass(frozen=True)
class OpAnswer:
    op: int
    status: str  # applied | refused | duplicate | conflicted (applied, a long text kept)
    reasons: tuple[Reason, ...] = ()
    tickets: tuple[tuple[uuid.UUID, str], ...] = ()  # (uuid, server number) it created


@dataclass(frozen=True)
class PushAnswer:
    results: tuple[OpAnswer, ...]
    last_op: int


@dataclass(frozen=True)
class PullAnswer:
    """One pull batch; the same attributes as the server's own `PullBatch`: each table's rows
    in the wire's columnar form (opdesk/store/wire.py), values not yet checked."""

    server_id: uuid.UUID | None
    cursor: int
    more: bool
    tables: dict[str, TableRows] = field(default_factory=dict)
    tombstones: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class CheckAnswer:
    server_id: uuid.UUID
    cursor: int
    tables: dict[str, tuple[int, str]]


@dataclass(frozen=True)
class Identity:
    """Which server this is: its id (a database stays bound to one) and its training flag."""

    server_id: uuid.UUID
    training: bool


@dataclass(frozen=True)
class Login:
    token: str
    expires_at: dt.datetime
    login: str
    name: str
    role: str
    identity: Identity


@dataclass(frozen=True)
class OutgoingOp:
    """An outbox op as pushed: its number in this client's sequence, name, args, moment."""

    op: int
    name: str
    args: dict[str, Any]
    at: dt.datetime

    def as_json(self) -> dict[str, Any]:
        return {"op": self.op, "name": self.name, "args": self.args, "at": self.at.isoformat()}


class Server(Protocol):
    """The server as the engine sees it (all calls block; run them off the GUI thread)."""

    def identity(self) -> Identity: ...

    def push(self, client_id: uuid.UUID, ops: Sequence[OutgoingOp]) -> PushAnswer: ...

    def pull(self, cursor: int, limit: int) -> PullAnswer: ...

    def check(self) -> CheckAnswer: ...
