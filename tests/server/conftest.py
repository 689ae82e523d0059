"""Fixtures of the server tests: a migrated server database on the real test PostgreSQL,
a fixed moment, and an Argon2id hasher cheap enough for tests (production uses RFC 9106)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from opdesk.server.migrate import upgrade_server

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def hasher() -> PasswordHasher:
    """Argon2id with the smallest cost: the format and the checks are the same, the time not."""
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=32, salt_len=16,
                          type=Type.ID)  # fmt: skip


@pytest.fixture
def server_db(pg_fresh_url: str) -> Iterator[Engine]:
    """An engine on a new database holding the store's and the server's schema."""
    engine = create_engine(pg_fresh_url, future=True)
    try:
        upgrade_server(engine)
        yield engine
    finally:
        engine.dispose()
