"""Synced rows as plain JSON values and back: the one form a row has on the wire.

Why in the store: the server (opdesk.server: pull, the divergence check) and the workstation
(opdesk.sync: applying a pull, the same check) must spell and hash rows byte for byte alike,
and neither may import the other — so the one definition lives below both.

A row is a dict of the model's columns (tickets without their local integer `id`) whose values
are JSON's own: UUIDs as lowercase hyphenated text, moments as UTC ISO 8601 with microseconds
and the zone (`2026-12-01T09:00:00.000000+00:00`), booleans, integers, text, or null. The form
is canonical — one value has one spelling — because the divergence check hashes it on both
sides: the server (PostgreSQL, which builds the same dict in SQL for the pull) and the
workstation (SQLite) must reach byte-identical JSON for identical content.

The hash of a table (`table_hash`): each row's dict without `version` (a server stamp, not
content) is dumped as JSON with sorted keys, no spaces and non-ASCII kept as UTF-8
(`json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`); the row digest
is the SHA-256 of those bytes; the table hash is the hex SHA-256 of the row digests sorted
bytewise and concatenated (of nothing, for an empty table). Sorting makes it independent of
the order rows are read in, which differs between the two databases.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Column, Integer, String, Table, Uuid, select
from sqlalchemy.engine import Connection

from opdesk.models import Base, UtcDateTime

JsonValue = None | bool | int | str
JsonRow = dict[str, JsonValue]

# Every table of opdesk/models a workstation holds, parents first (a batch applies rows of one
# transaction in this order), with the column that identifies a row across databases. Tickets
# are identified by `uuid`: their integer `id` is local to each database and is never synced
# (every child refers to tickets.uuid). Not synced: outbox and saved_filters (a workstation's
# own), sync_state, alembic_version, the SQLite full-text index, and the server's own tables.
SYNCED_TABLES: dict[str, str] = {
    "departments": "id",
    "people": "id",
    "clients": "id",
    "tickets": "uuid",
    "events": "id",
    "comments": "id",
    "outgoing_requests": "id",
    "ticket_links": "id",
    "closure_reports": "ticket_id",
    "closure_performers": "id",
    "spare_part_lines": "id",
    "confirmations": "id",
    "ticket_conflicts": "id",
}
TICKET_CHILDREN = tuple(
    t for t in SYNCED_TABLES if t not in ("departments", "people", "clients", "tickets")
)
VERSION_COLUMN = "version"

UUID, MOMENT, BOOL, INT, TEXT = "uuid", "moment", "bool", "int", "text"
LOCAL_ONLY = {"tickets": frozenset({"id"})}  # never leaves its database


def model_table(table: str) -> Table:
    if table not in SYNCED_TABLES:
        raise ValueError(f"{table!r} is not a synced table")
    return Base.metadata.tables[table]


def kind_of(column: Column[Any]) -> str:
    """The JSON form of a column, from its type. An unknown type fails loudly, so a new
    column type in the models cannot slip through sync with an unintended spelling."""
    type_ = column.type
    if isinstance(type_, UtcDateTime):
        return MOMENT
    if isinstance(type_, Uuid):
        return UUID
    if isinstance(type_, Boolean):
        return BOOL
    if isinstance(type_, Integer):  # SmallInteger and BigInteger too
        return INT
    if isinstance(type_, String):  # Text too
        return TEXT
    raise TypeError(f"{column.table.name}.{column.name}: no JSON form for {type_!r}")


@cache
def columns(table: str) -> tuple[tuple[str, str, bool], ...]:
    """(name, kind, nullable) of each synced column of `table`, in the model's order."""
    local = LOCAL_ONLY.get(table, frozenset())
    return tuple(
        (c.name, kind_of(c), bool(c.nullable))
        for c in model_table(table).columns
        if c.name not in local
    )


def moment_text(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError(f"a moment must be timezone-aware, got {value!r}")
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


@cache
def _converters(table: str) -> tuple[tuple[str, Callable[[Any], JsonValue] | None], ...]:
    """Per column, the function giving its JSON value (None: text, kept as it is)."""
    by_kind: dict[str, Callable[[Any], JsonValue] | None] = {
        UUID: str, MOMENT: moment_text, BOOL: bool, INT: int, TEXT: None,
    }  # fmt: skip
    return tuple((name, by_kind[kind]) for name, kind, _ in columns(table))


def to_json(table: str, values: Mapping[str, Any]) -> JsonRow:
    """A row's typed values (as SQLAlchemy reads them) → the canonical JSON dict. Columns that
    are not synced (tickets.id, the server's `version` on other tables) are left out."""
    out: JsonRow = {}
    for name, convert in _converters(table):
        value = values[name]
        out[name] = value if value is None or convert is None else convert(value)
    return out


def parse_uuid(where: str, value: str) -> uuid.UUID:
    """A UUID of the wire (any spelling `uuid.UUID` reads), or a ValueError naming `where`."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValueError(f"{where}: not a UUID: {value!r}") from None


def parse_moment(where: str, value: str) -> dt.datetime:
    """A moment of the wire (ISO 8601 with its zone), or a ValueError naming `where`."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{where}: not an ISO 8601 moment: {value!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"{where}: a moment needs its zone: {value!r}")
    return moment


def _typed(table: str, name: str, kind: str, value: Any) -> Any:
    where = f"{table}.{name}"
    if kind == UUID and isinstance(value, str):
        return parse_uuid(where, value)
    if kind == MOMENT and isinstance(value, str):
        return parse_moment(where, value).astimezone(dt.UTC)
    if kind == BOOL and isinstance(value, bool):
        return value
    if kind == INT and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == TEXT and isinstance(value, str):
        return value
    raise ValueError(f"{where}: expected {kind}, got {type(value).__name__} {value!r}")


def from_json(table: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON dict → typed values ready for an INSERT/UPDATE of the model's table.

    Strict, because the dict comes over the network: exactly the synced columns (a missing or
    unknown key is an error, not a silent default), each of its own JSON type, null only where
    the column allows it. Any ISO 8601 moment with a zone is accepted and made UTC."""
    expected = {name for name, _, _ in columns(table)}
    unknown = set(data) - expected
    missing = expected - set(data)
    if unknown or missing:
        raise ValueError(
            f"{table}: row does not match the synced columns"
            + (f"; unknown {sorted(unknown)}" if unknown else "")
            + (f"; missing {sorted(missing)}" if missing else "")
        )
    out: dict[str, Any] = {}
    for name, kind, nullable in columns(table):
        value = data[name]
        if value is None:
            if not nullable:
                raise ValueError(f"{table}.{name}: null is not allowed")
            out[name] = None
        else:
            out[name] = _typed(table, name, kind, value)
    return out


def row_key(table: str, row: Mapping[str, Any]) -> str:
    """The row's identity across databases (its key column, as text)."""
    return str(row[SYNCED_TABLES[table]])


def canonical_bytes(row: Mapping[str, JsonValue]) -> bytes:
    """The bytes a row's digest is taken over: its content without the server's version."""
    content = {k: v for k, v in row.items() if k != VERSION_COLUMN}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def row_digest(row: Mapping[str, JsonValue]) -> bytes:
    return hashlib.sha256(canonical_bytes(row)).digest()


def table_hash(digests: Iterable[bytes]) -> str:
    """Order-independent: the digests are sorted before they are hashed together."""
    return hashlib.sha256(b"".join(sorted(digests))).hexdigest()


def iter_rows(connection: Connection, table: str) -> Iterator[JsonRow]:
    """Every row of a synced table in JSON form, on PostgreSQL or SQLite alike (the model's
    columns read with their types, then `to_json`), streamed in chunks."""
    model = model_table(table)
    names = [name for name, _, _ in columns(table)]
    stmt = select(*(model.c[name] for name in names))
    result = connection.execute(stmt, execution_options={"yield_per": 5000})
    for record in result.mappings():
        yield to_json(table, dict(record))


def snapshot_counts(connection: Connection) -> dict[str, tuple[int, str]]:
    """{table: (row count, `table_hash` of its rows)} for every synced table.

    The same function runs on the workstation's SQLite, so equal content gives equal figures.
    On the server, call it in a REPEATABLE READ transaction to get one moment for all tables
    (and `versioning.watermark` in the same transaction says which cursor that moment is)."""
    counts: dict[str, tuple[int, str]] = {}
    for table in SYNCED_TABLES:
        digests = [row_digest(row) for row in iter_rows(connection, table)]
        counts[table] = (len(digests), table_hash(digests))
    return counts


# -- a pull batch on the wire --------------------------------------------------------------
#
# {"server_id": "…", "cursor": 17, "more": false,
#  "tables": {"tickets": {"columns": ["uuid", "number", …], "rows": [["…", "СЗ-100001", …], …]},
#             …},
#  "tombstones": [{"table": "comments", "key": "…"}, …]}
#
# Columnar: a table's column names once (`column_names`, the model's order), then each row as
# an array of its canonical JSON values in that order. Why not a dict per row: the keys were
# half of a batch's bytes and most of the cost of building and reading it (measured on a first
# sync of 20,000 tickets). The names are sent rather than implied so that a server and a
# workstation of different schemas meet a clear refusal instead of values in the wrong column.
# Rows and tombstones are in version order; a table appears only when it has rows.


@dataclass(frozen=True)
class TableRows:
    """One table's rows of a pull batch: column names and, per row, its JSON values."""

    columns: tuple[str, ...]
    rows: list[list[Any]]

    def dicts(self) -> list[JsonRow]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@cache
def column_names(table: str) -> tuple[str, ...]:
    return tuple(name for name, _, _ in columns(table))


def batch_json(
    server_id: str,
    cursor: int,
    more: bool,
    rows_json: Mapping[str, str],
    tombstones: Iterable[tuple[str, str]],
) -> bytes:
    """The batch's JSON body from each table's rows already spelled as JSON text (an array of
    arrays in `column_names` order: PostgreSQL builds it, see opdesk/server/pull.py)."""
    head = json.dumps(
        {"server_id": server_id, "cursor": cursor, "more": more,
         "tombstones": [{"table": t, "key": key} for t, key in tombstones]},
        ensure_ascii=False, separators=(",", ":"),
    )  # fmt: skip
    tables = ",".join(
        f'"{table}":{{"columns":{json.dumps(column_names(table))},"rows":{text}}}'
        for table, text in rows_json.items()
    )
    return f'{head[:-1]},"tables":{{{tables}}}}}'.encode()


def read_tables(data: Any) -> dict[str, TableRows]:
    """The decoded "tables" member → TableRows per table. Only the shape is checked here (a
    synced table, exactly its columns, a list of rows); each value is checked where it is
    converted for storage. ValueError says what does not fit."""
    if not isinstance(data, dict):
        raise ValueError("'tables' is not an object")
    out: dict[str, TableRows] = {}
    for table, block in data.items():
        if table not in SYNCED_TABLES:
            raise ValueError(f"unknown table {table!r}")
        if not isinstance(block, dict) or set(block) != {"columns", "rows"}:
            raise ValueError(f"{table}: a table needs exactly 'columns' and 'rows'")
        names, rows = block["columns"], block["rows"]
        expected = column_names(table)
        if not isinstance(names, list) or names != list(expected):
            raise ValueError(f"{table}: columns {names!r} are not the synced ones {expected!r}")
        if not isinstance(rows, list) or not set(map(type, rows)) <= {list}:
            raise ValueError(f"{table}: 'rows' is not a list of arrays")
        if rows and set(map(len, rows)) != {len(expected)}:
            raise ValueError(f"{table}: a row does not have {len(expected)} values")
        out[table] = TableRows(expected, rows)
    return out
