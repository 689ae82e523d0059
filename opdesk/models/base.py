"""The declarative base, column types shared by every model, and client-made ids.

Moments are stored in UTC on both SQLite and PostgreSQL, and come back timezone-aware, so the
engine (which never sees naive datetimes) and SQL comparisons agree. Ids of synced rows are
UUIDs made on the client (uuid7: time-ordered, so inserts stay at the right edge of indexes).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import uuid
from typing import Any

from sqlalchemy import DateTime, MetaData, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime stored as UTC (naive UTC text on SQLite, timestamptz on PostgreSQL)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError(f"a stored moment must be timezone-aware, got {value!r}")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # raw SQLite text
            value = dt.datetime.fromisoformat(value)
        moment: dt.datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


_uuid7_lock = threading.Lock()
_uuid7_last = (0, 0)  # (milliseconds, 74 random bits) of the last id made in this process


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 version 7): 48 bits of milliseconds, then 74 bits that
    are random for a new millisecond and counted up within one, so ids made in this process
    are strictly increasing (children written in one transaction come back in write order)."""
    global _uuid7_last
    with _uuid7_lock:
        ms = time.time_ns() // 1_000_000
        last_ms, last_bits = _uuid7_last
        if ms > last_ms:
            bits = int.from_bytes(os.urandom(10), "big") >> 6  # 74 bits, high ones left for growth
            bits &= (1 << 73) - 1
        else:
            ms, bits = last_ms, last_bits + 1
        _uuid7_last = (ms, bits)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= (bits >> 62) << 64  # rand_a: 12 bits
    value |= 0b10 << 62  # variant
    value |= bits & ((1 << 62) - 1)  # rand_b: 62 bits
    return uuid.UUID(int=value)


# The namespace of stable ids (uuid5): fixed forever, or every desk's reference rows change ids.
STABLE_NAMESPACE = uuid.UUID("6f1d3a52-9a0e-4c8e-8a55-0b7c1d2e4f60")


def stable_id(kind: str, key: str) -> uuid.UUID:
    """The id of a reference row named by its natural key: a department by its pack code
    ("department", "ОЭ"), a person by login ("person", "ivanov.i").

    Why not uuid7: every database — each workstation's SQLite, the server's PostgreSQL — makes
    its departments on first use and its people when they are added, and tickets point at them
    by id. Ids drawn at random would differ per database, so a synced ticket's department
    would point at nothing; the same name gives the same id everywhere."""
    return uuid.uuid5(STABLE_NAMESPACE, f"{kind}:{key}")
