"""The workstation's sync state (`sync_state` rows), read and written inside the caller's
transaction so it always commits with what it describes.

Keys: `client_id` (this database towards the server, made once with uuid7: a restart, a new
login or another person on the same file keep it), `server_id` (the server this database
syncs with: another server's cursor and op numbers mean nothing, so a database stays bound to
its first server), `cursor` (the pull's version, never ahead of the rows stored with it),
`last_op` (the highest op the server answered), `training` ("true": a training database).

Three keys of a pending *refresh* — a re-pull from an older cursor that brings back the
server's rows the workstation changed on its own (a refused op's optimistic change, or a
divergence the check found): `refresh_from`, `refresh_tickets` (JSON list of ticket uuids,
or "*" for every row) and `refresh_sweep` ("true": rows the re-pull did not bring are not
on the server and go). They are written with the acknowledgement that asks for the refresh
and cleared with the last batch of the re-pull, so a workstation killed in between does the
whole re-pull again instead of forgetting it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from opdesk.models import SyncState, uuid7
from opdesk.store.database import Database

CLIENT_ID, SERVER_ID, CURSOR, LAST_OP, TRAINING = (
    "client_id", "server_id", "cursor", "last_op", "training",
)  # fmt: skip
REFRESH_FROM, REFRESH_TICKETS, REFRESH_SWEEP = "refresh_from", "refresh_tickets", "refresh_sweep"
EVERY_ROW = "*"


@dataclass(frozen=True)
class Refresh:
    """A re-pull still to do: from `start`, for `tickets` (None: every row), sweeping or not."""

    start: int
    tickets: frozenset[uuid.UUID] | None
    sweep: bool

    def merged(self, other: Refresh) -> Refresh:
        tickets = None if self.tickets is None or other.tickets is None else (
            self.tickets | other.tickets
        )  # fmt: skip
        return Refresh(min(self.start, other.start), tickets, self.sweep or other.sweep)


@dataclass(frozen=True)
class SyncStatus:
    client_id: uuid.UUID
    server_id: uuid.UUID | None
    cursor: int
    last_op: int
    training: bool
    refresh: Refresh | None


def _values(s: Session) -> dict[str, str]:
    return {row.key: row.value for row in s.scalars(select(SyncState))}


def put(s: Session, key: str, value: str) -> None:
    stmt = insert(SyncState).values(key=key, value=value)
    s.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


def read(s: Session) -> SyncStatus:
    """The state; a database that never synced gets its client id here (in `s`)."""
    values = _values(s)
    if CLIENT_ID not in values:
        values[CLIENT_ID] = str(uuid7())
        put(s, CLIENT_ID, values[CLIENT_ID])
    refresh = None
    if REFRESH_FROM in values:
        named = values.get(REFRESH_TICKETS, EVERY_ROW)
        tickets = None if named == EVERY_ROW else frozenset(uuid.UUID(t) for t in json.loads(named))
        sweep = values.get(REFRESH_SWEEP) == "true"
        refresh = Refresh(int(values[REFRESH_FROM]), tickets, sweep)
    server = values.get(SERVER_ID)
    return SyncStatus(
        client_id=uuid.UUID(values[CLIENT_ID]),
        server_id=uuid.UUID(server) if server else None,
        cursor=int(values.get(CURSOR, "0")),
        last_op=int(values.get(LAST_OP, "0")),
        training=values.get(TRAINING) == "true",
        refresh=refresh,
    )


def load(db: Database) -> SyncStatus:
    with db.transaction() as s:
        return read(s)


def client_id(db: Database) -> uuid.UUID:
    """This database's id towards the server: made on first use, the same ever after."""
    return load(db).client_id


def set_cursor(s: Session, cursor: int) -> None:
    put(s, CURSOR, str(cursor))


def set_last_op(s: Session, last_op: int) -> None:
    put(s, LAST_OP, str(last_op))


def bind_server(s: Session, server_id: uuid.UUID) -> None:
    put(s, SERVER_ID, str(server_id))


def set_training(db: Database, on: bool) -> None:
    """Mark the database a training one (or not). A database already bound to a server keeps
    its binding: the server refuses a workstation whose flag is not its own."""
    with db.transaction() as s:
        put(s, TRAINING, "true" if on else "false")


def request_refresh(s: Session, wanted: Refresh) -> Refresh:
    """Ask for a re-pull (merged with one already asked for); returns what is now pending."""
    current = read(s).refresh
    refresh = wanted if current is None else current.merged(wanted)
    put(s, REFRESH_FROM, str(refresh.start))
    named = EVERY_ROW if refresh.tickets is None else json.dumps(sorted(map(str, refresh.tickets)))
    put(s, REFRESH_TICKETS, named)
    put(s, REFRESH_SWEEP, "true" if refresh.sweep else "false")
    return refresh


def clear_refresh(s: Session) -> None:
    s.execute(delete(SyncState).where(SyncState.key.in_([REFRESH_FROM, REFRESH_TICKETS,
                                                         REFRESH_SWEEP])))  # fmt: skip
