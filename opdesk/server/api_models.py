"""The HTTP contract of `opdesk server` as pydantic models: what each request may carry and
what each answer holds. The workstation's sync client is written against these names.

Requests are read strictly (`strict=True`, `extra="forbid"`): "1" is not an op number, 1 is
not `true`, and an unknown key is an error rather than silently ignored, so a client bug or a
forged request is refused with a 422 naming the field instead of being half-understood. An
op's `args` are left as a JSON object here: `opdesk.services.ops` reads them just as
strictly against the op's own declaration, and refuses that op alone.

Limits (a request must not buy unbounded work): a push carries at most MAX_OPS ops and
MAX_PUSH_BYTES bytes; other bodies at most MAX_SMALL_BODY; a pull at most MAX_PULL rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

MAX_OPS = 500
MAX_PUSH_BYTES = 8 * 1024 * 1024
MAX_SMALL_BODY = 64 * 1024
DEFAULT_PULL = 2000
MAX_PULL = 10_000
MAX_NAME = 64

STRICT = ConfigDict(strict=True, extra="forbid")


# -- requests ----------------------------------------------------------------------------------


class LoginRequest(BaseModel):
    model_config = STRICT

    login: Annotated[str, Field(min_length=1, max_length=256)]
    password: Annotated[str, Field(max_length=4096)]
    client_id: uuid.UUID
    training: bool


class PushOp(BaseModel):
    model_config = STRICT

    op: Annotated[int, Field(ge=1, le=2**63 - 1)]
    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
    args: dict[str, Any]
    at: AwareDatetime  # when the workstation made it; the server runs it at its own time


class PushRequest(BaseModel):
    model_config = STRICT

    client_id: uuid.UUID
    ops: list[PushOp]


# -- answers -----------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    code: str
    message_ru: str
    message_en: str


class ErrorResponse(BaseModel):
    error: ErrorDetail


class PersonOut(BaseModel):
    login: str
    name: str
    role: str


class LoginResponse(BaseModel):
    token: str
    expires_at: dt.datetime
    person: PersonOut
    server_id: uuid.UUID
    training: bool


class ReasonOut(BaseModel):
    rule: str
    message_ru: str
    message_en: str


class TicketOut(BaseModel):
    uuid: uuid.UUID
    number: str


class OpResult(BaseModel):
    op: int
    status: Literal["applied", "refused", "duplicate", "conflicted"]
    reasons: list[ReasonOut] = []
    ticket: TicketOut | None = None
    # every ticket the op created (register_call can make two); `ticket` is the first
    tickets: list[TicketOut] = []


class PushResponse(BaseModel):
    results: list[OpResult]
    last_op: int


class TableRowsOut(BaseModel):
    """One table's rows: its synced columns (opdesk.store.wire.column_names) and each row's
    values in that order."""

    columns: list[str]
    rows: list[list[Any]]


class TombstoneOut(BaseModel):
    table: str
    key: str


class PullResponse(BaseModel):
    """Documented here; the route writes the same JSON directly (`wire.batch_json`: a 10,000-row
    batch is pasted from PostgreSQL's own JSON, never validated field by field on its way
    out). Tables appear only when they have rows in the batch."""

    server_id: uuid.UUID
    cursor: int
    more: bool
    tables: dict[str, TableRowsOut]
    tombstones: list[TombstoneOut]


class TableCheck(BaseModel):
    count: int
    hash: str


class CheckResponse(BaseModel):
    server_id: uuid.UUID
    cursor: int
    tables: dict[str, TableCheck]


class HealthResponse(BaseModel):
    status: Literal["ok"]
    server_id: uuid.UUID
    training: bool
