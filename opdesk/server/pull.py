"""The pull: rows changed since a cursor, keyset by version over every synced table, and the
per-table count + hash for the divergence check.

One SQL statement does a whole batch, so the watermark, the choice of the batch and the rows
all come from one snapshot whatever the caller's isolation level: otherwise a row or a
tombstone could be read at another moment than the decision about it.

Batches never split a version: all rows of one transaction share it (opdesk/server/
versioning.py), so the cut falls between versions. A batch holds at most `limit` rows and
tombstones, except when one transaction alone wrote more: it then comes whole, alone (server
writes are push batches of capped size; a bulk load should commit in chunks). Rows come in
the wire's columnar form (opdesk/store/wire.py, "a pull batch on the wire"): each table's rows
one JSON text built and aggregated in SQL, values spelled as `rows.to_json` spells them
(moments by `to_char`), so the server neither parses nor re-encodes a row — it pastes the texts
into the body; the JSON round trip test holds the two spellings to each other.

How to apply a batch on a workstation: tombstones first, then the changes (upserts by key),
with the cursor, in one local transaction. A key is never both deleted and changed in one
batch (a tombstone is reported only for a key absent from the snapshot). Foreign keys cannot
be checked batch by batch: a row's version is its *latest* write, so a comment can arrive a
batch before the ticket it belongs to when the ticket was changed later; the server's content
is consistent, the replica is once the pull has caught up (`more` is false).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from sqlalchemy import text
from sqlalchemy.engine import Connection

from opdesk.server.versioning import TOMBSTONES
from opdesk.store import wire as rows
from opdesk.store.wire import SYNCED_TABLES, VERSION_COLUMN
from opdesk.store.wire import iter_rows as iter_rows
from opdesk.store.wire import snapshot_counts as snapshot_counts

MAX_LIMIT = 100_000
NO_WATERMARK = 2**63 - 1  # the naive keyset of the out-of-order test: everything visible
MOMENT_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'  # = rows.moment_text
TABLE_ORDER = {table: position for position, table in enumerate(SYNCED_TABLES)}
MAX_ARGUMENTS = 100  # PostgreSQL's limit on a function's arguments (json_build_array's)


@dataclass(frozen=True)
class PullBatch:
    """Changed rows, per table (parents first) as the JSON text of the wire's row arrays, with
    their number; deletions (table, key) in version order; the cursor to pull from next;
    `more` if rows below the watermark remain for another batch."""

    rows_json: dict[str, str]
    counts: dict[str, int]
    tombstones: list[tuple[str, str]]
    cursor: int
    more: bool

    def body(self, server_id: str) -> bytes:
        """The batch as `GET /v1/pull` answers it."""
        return rows.batch_json(server_id, self.cursor, self.more, self.rows_json,
                               self.tombstones)  # fmt: skip

    @property
    def tables(self) -> dict[str, rows.TableRows]:
        """The rows decoded, as a workstation reads them (the in-process pull of the tests)."""
        return {
            table: rows.TableRows(rows.column_names(table), json.loads(text))
            for table, text in self.rows_json.items()
        }

    @property
    def changes(self) -> list[tuple[str, rows.JsonRow]]:
        """Every changed row as (table, JSON dict): the form tests compare with `iter_rows`."""
        return [(t, row) for t, block in self.tables.items() for row in block.dicts()]


class CursorAheadError(ValueError):
    """The cursor is above anything this database has made final: it comes from another
    database (a restore, another server), so the workstation must sync from scratch."""


def json_sql(table: str, alias: str) -> str:
    """SQL building the row's wire array (`rows.column_names` order, values as `rows.to_json`
    spells them) from the columns of `alias`. `json_build_array` takes at most 100 arguments:
    a table growing past that fails here, loudly, rather than on the server's first pull."""
    values = []
    for name, kind, _nullable in rows.columns(table):
        value = f'{alias}."{name}"'
        if kind == rows.MOMENT:
            value = f"to_char({value} AT TIME ZONE 'UTC', '{MOMENT_FORMAT}')"
        values.append(value)
    if len(values) > MAX_ARGUMENTS:
        raise ValueError(f"{table}: {len(values)} columns, json_build_array takes {MAX_ARGUMENTS}")
    return f"json_build_array({', '.join(values)})"


@cache
def pull_sql(bounded: bool) -> str:
    """The batch statement (see the module docstring). `w`: the watermark (first version that
    may still change); `cand`: the `limit + 1` smallest versions above the cursor, over every
    table and the tombstones (each table's own `limit + 1` smallest contain the overall ones,
    found on the version indexes); `bound`: where the batch ends — everything when at most
    `limit` were found, else before the version of the first row left out (so it is not
    split), or that one version alone when it is all the batch has (`more` then looks past
    it, so a whole catch-up in one oversized batch does not ask for an empty one)."""
    w = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint" if bounded else str(NO_WATERMARK)
    v = VERSION_COLUMN
    keyset = f"{v} > :cursor AND {v} < (SELECT x FROM w)"
    probes = [f"(SELECT {v} FROM {t} WHERE {keyset} ORDER BY {v} LIMIT :probe)"
              for t in [*SYNCED_TABLES, TOMBSTONES]]  # fmt: skip
    # Only when one version fills the batch: is there anything after it?
    beyond = " UNION ALL ".join(
        f"(SELECT 1 FROM {t} WHERE {v} > top.top AND {v} < (SELECT x FROM w) LIMIT 1)"
        for t in [*SYNCED_TABLES, TOMBSTONES]
    )

    def in_batch(a: str) -> str:
        return (
            f"{a}.{v} > :cursor AND {a}.{v} <= (SELECT cut FROM bound)"
            f" AND {a}.{v} < (SELECT x FROM w)"
        )

    # One row per table with rows in the batch: their number and their arrays as one JSON text.
    changes = [
        f"SELECT 'c', '{t}', count(*), json_agg({json_sql(t, 'r')}"
        f' ORDER BY r.{v}, r."{key}")::text FROM {t} r WHERE {in_batch("r")} HAVING count(*) > 0'
        for t, key in SYNCED_TABLES.items()
    ]
    alive = " ".join(
        f"WHEN '{t}' THEN EXISTS (SELECT 1 FROM {t} k WHERE k.{key} = s.row_key)"
        for t, key in SYNCED_TABLES.items()
    )
    return (
        f"WITH w AS MATERIALIZED (SELECT {w} AS x),\n"
        f"cand AS MATERIALIZED (SELECT {v} FROM (\n  "
        + "\n  UNION ALL ".join(probes)
        + f"\n) u ORDER BY {v} LIMIT :probe),\n"
        f"top AS MATERIALIZED (SELECT count(*) AS n, max({v}) AS top FROM cand),\n"
        f"below AS MATERIALIZED (SELECT max({v}) AS below FROM cand"
        f" WHERE {v} < (SELECT top FROM top)),\n"
        "bound AS MATERIALIZED (SELECT top.top,"
        " CASE WHEN top.n <= :limit THEN false WHEN below.below IS NOT NULL THEN true"
        f" ELSE EXISTS ({beyond}) END AS more,"
        " CASE WHEN top.n <= :limit THEN (SELECT x FROM w) - 1"
        " ELSE coalesce(below.below, top.top) END AS cut"
        " FROM top, below)\n"
        + "\nUNION ALL ".join(changes)
        + f"\nUNION ALL SELECT 't', s.table_name, s.{v}, s.row_key::text"
        f" FROM {TOMBSTONES} s WHERE {in_batch('s')}"
        f" AND NOT CASE s.table_name {alive} ELSE false END"
        "\nUNION ALL SELECT 'b', NULL, bound.cut,"
        " json_build_object('more', bound.more, 'top', bound.top, 'w', (SELECT x FROM w))::text"
        " FROM bound"
    )


def pull(connection: Connection, cursor: int, limit: int) -> PullBatch:
    """The next batch after `cursor` (0 for a first sync): every row and deletion with a
    version in (cursor, new cursor], none of them ever to be followed by another at or below
    the new cursor. Read-only; safe at any isolation level."""
    return keyset_pull(connection, cursor, limit, watermark=True)


def keyset_pull(connection: Connection, cursor: int, limit: int, *, watermark: bool) -> PullBatch:
    """`pull`, or with `watermark=False` the naive keyset (`version > cursor ORDER BY version`)
    that skips a row committed late: kept only so the out-of-order test can show, with the
    same code, that it catches the skip. Never call it so in production."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be within 1..{MAX_LIMIT}, got {limit}")
    if cursor < 0:
        raise ValueError(f"a cursor is never negative, got {cursor}")
    result = connection.execute(
        text(pull_sql(watermark)), {"cursor": cursor, "limit": limit, "probe": limit + 1}
    )
    blocks: dict[str, str] = {}
    counts: dict[str, int] = {}
    deleted: list[tuple[int, int, str, str]] = []
    cut, more, top, final = cursor, False, None, NO_WATERMARK - 1
    for kind, table, number, payload in result:
        if kind == "c":
            blocks[table], counts[table] = payload, number
        elif kind == "t":
            deleted.append((number, -TABLE_ORDER[table], table, payload))
        else:
            bound = json.loads(payload)
            cut, more, top, final = number, bound["more"], bound["top"], bound["w"] - 1
    if watermark and cursor > final:
        raise CursorAheadError(
            f"cursor {cursor} is ahead of this database (final up to {final}): "
            "it comes from another database; sync from scratch"
        )
    if more:
        new_cursor = cut
    elif watermark:
        new_cursor = max(cursor, final)
    else:
        new_cursor = max(cursor, top or cursor)
    deleted.sort()  # in version order; children's deletions first within one
    return PullBatch(
        rows_json={t: blocks[t] for t in SYNCED_TABLES if t in blocks},  # parents first
        counts={t: counts[t] for t in SYNCED_TABLES if t in counts},
        tombstones=[(table, key) for _v, _o, table, key in deleted],
        cursor=new_cursor,
        more=more,
    )
