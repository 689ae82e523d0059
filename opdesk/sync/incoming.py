"""A pulled table's values checked and turned into what SQLite stores, a column at a time.

Why column-wise: a first sync of a large desk is millions of rows, and checking and converting
each value through a Python function (`wire.from_json`, then SQLAlchemy's type processors)
cost more than all of SQLite's own work (3.6 of the 20 s a first sync of 20,000 tickets took).
A column in the canonical spelling the server sends (opdesk/store/wire.py) is checked in a few
C-level passes over its values joined into one string: each value's length, the character at
each fixed position, what is left once the digits are taken out. A column holding anything
else goes value by value and accepts what `wire.from_json` accepts (a UUID in another
spelling, a moment in another zone), so the fast way changes speed, never the verdict.

Stored forms are the ones SQLAlchemy writes and reads back (opdesk/store/bulk.py): UUIDs as 32
lowercase hex digits, moments as naive UTC text with microseconds, booleans 0/1 (sqlite3 binds
`True` as 1). As strict as `wire.from_json`: exactly the synced columns, each value of its
column's JSON type, null only where the column allows it, integers within SQLite's 64 bits;
a ValueError names the column and the value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from opdesk.store import bulk, wire

NoneType = type(None)
JSON_TYPES: dict[str, frozenset[type]] = {
    wire.UUID: frozenset({str}), wire.MOMENT: frozenset({str}), wire.TEXT: frozenset({str}),
    wire.INT: frozenset({int}), wire.BOOL: frozenset({bool}),
}  # fmt: skip
INT_RANGE = (-(2**63), 2**63 - 1)

# The canonical spellings, as (position, character) pairs and the text left once the hex
# digits (UUIDs) or decimal digits (moments) are taken out.
UUID_LENGTH = 36
UUID_FIXED = ((8, "-"), (13, "-"), (18, "-"), (23, "-"))
UUID_REST = "----"
NOT_HEX = str.maketrans("", "", "0123456789abcdef")
MOMENT_LENGTH = 32  # 2026-12-01T09:00:00.000000+00:00
MOMENT_FIXED = ((4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (26, "+"),
                (27, "0"), (28, "0"), (29, ":"), (30, "0"), (31, "0"))  # fmt: skip
MOMENT_REST = "--T::.+:"
NOT_DIGIT = str.maketrans("", "", "0123456789")


def storage_rows(table: str, block: wire.TableRows) -> list[tuple[Any, ...]]:
    """The rows of `block` as tuples of stored values, in `wire.column_names(table)` order."""
    if block.columns != wire.column_names(table):
        raise ValueError(f"{table}: columns {list(block.columns)} are not the synced ones")
    if not block.rows:
        return []
    width = len(block.columns)
    if any(len(row) != width for row in block.rows):
        raise ValueError(f"{table}: a row does not have {width} values")
    converted = [
        _column(f"{table}.{name}", kind, nullable, values)
        for (name, kind, nullable), values in zip(
            wire.columns(table), zip(*block.rows, strict=True), strict=True
        )
    ]
    return list(zip(*converted, strict=True))


def _column(where: str, kind: str, nullable: bool, values: tuple[Any, ...]) -> Sequence[Any]:
    allowed = JSON_TYPES[kind] | {NoneType} if nullable else JSON_TYPES[kind]
    if not set(map(type, values)) <= allowed:
        bad = next(v for v in values if type(v) not in allowed)
        if bad is None:
            raise ValueError(f"{where}: null is not allowed")
        raise ValueError(f"{where}: expected {kind}, got {type(bad).__name__} {bad!r}")
    if kind == wire.UUID:
        return _converted(where, values, _canonical_uuids, _uuid)
    if kind == wire.MOMENT:
        return _converted(where, values, _canonical_moments, _moment)
    if kind == wire.INT:
        present = [v for v in values if v is not None] if NoneType in allowed else values
        if present and (min(present) < INT_RANGE[0] or max(present) > INT_RANGE[1]):
            raise ValueError(f"{where}: an integer beyond 64 bits")
    return values


def _converted(
    where: str,
    values: tuple[Any, ...],
    canonical: Callable[[Sequence[str]], list[str] | None],
    one: Callable[[str, str], str],
) -> Sequence[Any]:
    """`values` (str or None) converted: all at once when every one is canonical, else one by
    one (which also finds the value that does not fit)."""
    present: Sequence[str] = values if None not in values else [v for v in values if v is not None]
    done = canonical(present) if present else []
    if done is None:
        done = [one(where, v) for v in present]
    if present is values:
        return done
    stored = iter(done)
    return [None if v is None else next(stored) for v in values]


def _fixed(joined: str, count: int, stride: int, fixed: tuple[tuple[int, str], ...]) -> bool:
    """Whether every line of `joined` (all `stride - 1` long) has each fixed character."""
    return all(joined[at::stride] == char * count for at, char in fixed)


def _canonical_uuids(values: Sequence[str]) -> list[str] | None:
    if set(map(len, values)) != {UUID_LENGTH}:
        return None
    joined = "\n".join(values)
    rest = "\n".join([UUID_REST] * len(values))
    if not _fixed(joined, len(values), UUID_LENGTH + 1, UUID_FIXED):
        return None
    if joined.translate(NOT_HEX) != rest:
        return None
    return joined.replace("-", "").split("\n")


def _canonical_moments(values: Sequence[str]) -> list[str] | None:
    if set(map(len, values)) != {MOMENT_LENGTH}:
        return None
    joined = "\n".join(values)
    rest = "\n".join([MOMENT_REST] * len(values))
    if not _fixed(joined, len(values), MOMENT_LENGTH + 1, MOMENT_FIXED):
        return None
    if joined.translate(NOT_DIGIT) != rest:
        return None
    try:  # the calendar: no 13th month, no 30 February, no hour 24
        list(map(dt.datetime.fromisoformat, values))
    except ValueError:
        return None
    return joined.replace("T", " ").replace("+00:00", "").split("\n")


def _uuid(where: str, value: str) -> str:
    return wire.parse_uuid(where, value).hex


def _moment(where: str, value: str) -> str:
    moment = wire.parse_moment(where, value)
    stored = bulk.moment_text(moment)
    assert stored is not None
    return stored
