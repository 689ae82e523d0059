"""The two reading routes' database work: a pull batch as JSON bytes, and the figures of
the divergence check with the cursor they belong to.

The pull's JSON is written directly (not through a response model): a batch of 10,000 rows
would otherwise be parsed and validated field by field on its way out, for nothing — the rows
come from `pull.pull` as JSON text PostgreSQL built, pasted into the body (`PullBatch.body`).

The check's figures are "the desk at cursor C" only if the snapshot they are read in holds
exactly the versions up to C: true when no transaction was running as it was taken (its
in-progress list is empty; then the watermark is its xmax − 1). A snapshot taken while a push
is running sees the pushes that committed above the watermark too, so a workstation at that
cursor would find a difference that is not one. So the check waits (briefly, QUIET_TRIES
times) for a quiet moment; on a desk that is never quiet it answers the last snapshot, and a
workstation comparing it must allow for a passing difference (pull, then check again).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

from opdesk.server import tables
from opdesk.server.api_errors import ApiError
from opdesk.server.auth_http import Gate
from opdesk.server.pull import CursorAheadError, pull, snapshot_counts
from opdesk.server.versioning import watermark

QUIET_TRIES = 20
QUIET_PAUSE = 0.05  # seconds between tries: a push transaction lasts milliseconds


def pull_json(engine: Engine, gate: Gate, token: str, cursor: int, limit: int) -> bytes:
    with engine.connect() as conn:
        gate.allow(token, "pull", conn)
        try:
            batch = pull(conn, cursor, limit)
        except CursorAheadError as exc:
            raise cursor_ahead(cursor) from exc
        return batch.body(str(tables.server_id(conn)))


def check(engine: Engine, gate: Gate, token: str) -> dict[str, Any]:
    """Every synced table's count and hash, and the cursor of the snapshot they were read in."""
    options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    for attempt in range(QUIET_TRIES):
        with engine.connect().execution_options(**options) as conn:
            gate.allow(token, "pull", conn)  # the first statement: it fixes the snapshot
            running = conn.execute(
                text("SELECT EXISTS (SELECT FROM pg_snapshot_xip(pg_current_snapshot()))")
            ).scalar()
            if running and attempt < QUIET_TRIES - 1:
                conn.rollback()
                time.sleep(QUIET_PAUSE)
                continue
            cursor = watermark(conn)
            counts = snapshot_counts(conn)
            return {
                "server_id": tables.server_id(conn),
                "cursor": cursor,
                "tables": {t: {"count": n, "hash": h} for t, (n, h) in counts.items()},
            }
    raise AssertionError("unreachable: the last try always answers")


def cursor_ahead(cursor: int) -> ApiError:
    return ApiError(
        409,
        "cursor_ahead",
        f"курсор {cursor} впереди данных этого сервера (база восстановлена или это другой "
        "сервер): синхронизируйте с нуля",
        f"cursor {cursor} is ahead of this server's data (a restored database, or another "
        "server): sync from scratch",
    )
