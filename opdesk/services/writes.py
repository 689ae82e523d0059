"""Low-level writes shared by the commands: history events, outbox ops, search index.

Each command calls these inside its own transaction, so the change, its history event and its
outbox op are committed together or not at all.

Why an op scope: the outbox holds the command's name and arguments (`record_op`), and the sync
server re-runs it on its own state. For the rows it makes there (comments, events, links…) to
be the very rows the workstation made — so a pull brings back the same ids instead of
duplicates, and append-only history never needs a local delete — every command draws the ids
of its new rows from one `id_seed` (`new_id`), recorded in the op's arguments. `Desk.run`
opens the scope; a command run inside another one's transaction (a reply's status change, the
steps of a closing save) shares it and records no op of its own: the outer command's op
re-runs them.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from opdesk.models import Event, OutboxEntry, Ticket, uuid7
from opdesk.regulations.snapshot import Actor
from opdesk.services.op_args import encode

OP_TABLE = "tickets"  # every op is about a ticket: its uuid is the outbox row's row_id
OP_KIND = "call"  # OutboxEntry.op of a named command (transfer/write.py writes "insert")
_SCOPE = "opdesk.op_scope"  # Session.info key
_NO_OUTBOX = "opdesk.no_outbox"  # Session.info key: see keep_no_outbox
MAX_ROWS_PER_OP = 1 << 16  # ids one op may derive from its seed


@dataclass
class OpScope:
    """The command running in a transaction: the seed of its new rows' ids, how many it has
    drawn, how deep commands are nested and which op it has recorded."""

    seed: uuid.UUID
    depth: int = 0
    drawn: int = 0
    recorded: str = ""


@contextmanager
def op_scope(session: Session, seed: uuid.UUID | None = None) -> Iterator[OpScope]:
    """Open the op scope of a command's transaction (a fresh seed unless the op being re-run
    gives one), or join the scope already open in it (a command run inside another)."""
    scope = session.info.get(_SCOPE)
    outer = scope is None
    if scope is None:
        scope = session.info[_SCOPE] = OpScope(seed or uuid7())
    scope.depth += 1
    try:
        yield scope
    finally:
        scope.depth -= 1
        if outer:
            del session.info[_SCOPE]


def new_id(session: Session) -> uuid.UUID:
    """The id of a row the running command inserts: the next one derived from its seed, so
    a re-run of the op makes the same id; a fresh uuid7 outside any command."""
    scope: OpScope | None = session.info.get(_SCOPE)
    if scope is None:
        return uuid7()
    n, scope.drawn = scope.drawn, scope.drawn + 1
    return derived_id(scope.seed, n)


def derived_id(seed: uuid.UUID, n: int) -> uuid.UUID:
    """The `n`-th id of an op seeded by `seed` (a uuid7): the seed's millisecond, then its 74
    random bits shifted up by 16 with `n` below them. The ids stay time-ordered like uuid7
    (rows of one op in write order, and ops made in one process in the order they ran, which
    history read by (at, id) relies on at equal moments); they meet other ids only by chance
    of 74 random-looking bits, like any two uuid7. A re-run with the same seed meets its own
    rows: the database refuses them (`ops.apply_op` reports an op applied twice)."""
    if not 0 <= n < MAX_ROWS_PER_OP:
        raise ValueError(f"an op may make at most {MAX_ROWS_PER_OP} rows")
    value = seed.int
    bits = ((value >> 64) & 0xFFF) << 62 | (value & ((1 << 62) - 1))
    bits = ((bits << 16) | n) & ((1 << 74) - 1)
    out = (value >> 80) << 80 | 0x7 << 76 | (bits >> 62) << 64 | 0b10 << 62
    return uuid.UUID(int=out | (bits & ((1 << 62) - 1)))


def record_op(
    session: Session, at: dt.datetime, name: str, ticket_uuid: uuid.UUID, args: dict[str, Any]
) -> None:
    """Write the command's op — its name and arguments, tickets by uuid, people by login,
    departments by pack code — to the outbox, in the command's transaction.

    The scope's `id_seed` is added to the arguments; the arguments are read back through the
    op's declared types (`ops.decode_args`) before anything is written, so the outbox never
    holds an op the server could not read. A command running inside another one records
    nothing (the outer op re-runs it); a command recording twice is a programming error."""
    from opdesk.services.ops import decode_args  # ops imports the commands, which import us

    scope: OpScope | None = session.info.get(_SCOPE)
    if scope is None:
        raise RuntimeError(f"{name}: an op is recorded by a command, inside its op_scope")
    if scope.depth > 1:
        return
    if scope.recorded:
        raise RuntimeError(f"{name}: the command already recorded op {scope.recorded}")
    scope.recorded = name
    if session.info.get(_NO_OUTBOX):
        return
    payload = encode({**args, "id_seed": scope.seed})
    decode_args(name, payload)
    session.add(
        OutboxEntry(
            at=at,
            command=name,
            table_name=OP_TABLE,
            row_id=str(ticket_uuid),
            op=OP_KIND,
            payload=json.dumps(payload, ensure_ascii=False),
        )
    )


def keep_no_outbox(session: Session) -> None:
    """Mark a session whose commands record no op: the sync server's, which re-runs ops the
    workstations recorded and keeps no outbox (opdesk/server/push.py). Why not let them
    record and drop the rows: encoding an op, checking it and making its row cost every op
    of every push, to be thrown away."""
    session.info[_NO_OUTBOX] = True


def record_event(
    session: Session,
    ticket: Ticket,
    actor: Actor,
    at: dt.datetime,
    kind: str,
    *,
    field: str = "",
    old: object = "",
    new: object = "",
) -> Event:
    event = Event(
        id=new_id(session),
        ticket_id=ticket.uuid,
        at=at,
        actor=actor.login,
        kind=kind,
        status=ticket.status,
        stage=ticket.stage,
        field=field,
        old_value=_text(old),
        new_value=_text(new),
        department=actor.department,
    )
    session.add(event)
    return event


def record_outbox(
    session: Session,
    command: str,
    at: dt.datetime,
    table: str,
    row_id: uuid.UUID,
    op: str,
    payload: dict[str, Any],
) -> None:
    session.add(
        OutboxEntry(
            at=at,
            command=command,
            table_name=table,
            row_id=str(row_id),
            op=op,
            payload=json.dumps(payload, ensure_ascii=False, default=_json_default),
        )
    )


def reindex(session: Session, ticket: Ticket) -> None:
    """Keep the ticket's full-text row current (numbers, client, phones, subject, comments).

    The index is the workstation's (SQLite FTS5): the sync server, re-running ops on
    PostgreSQL, has none and searches nothing, so there it is skipped."""
    from opdesk.store.search import index_ticket

    session.flush()
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        index_ticket(connection, ticket.id)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def _json_default(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(type(value).__name__)
