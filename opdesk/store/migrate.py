"""Applying Alembic migrations programmatically, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


def all_revisions() -> list[Script]:
    return list(ScriptDirectory.from_config(alembic_config()).walk_revisions())


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def _migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection whose whole migration commits or rolls back as one transaction.

    Python's sqlite3 driver runs DDL in autocommit unless a transaction is already open, so on
    SQLite a migration interrupted halfway would leave some tables without `alembic_version`,
    a file OpDesk can neither use nor recognise. An explicit `BEGIN IMMEDIATE` makes the DDL
    transactional and takes the write lock first, so two processes opening the same file
    migrate one after the other instead of both.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield conn


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; a database already at the head is only read.

    Why look first: the migration takes SQLite's write lock, and an import of a big file
    holds that lock for minutes — the desktop opening the same desk meanwhile must not wait
    for it (and give up after the busy timeout) when it has nothing to migrate."""
    if revision == "head" and current_revision(engine) == head_revision():
        return
    with _migration_connection(engine) as conn:
        command.upgrade(alembic_config(conn), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    with _migration_connection(engine) as conn:
        command.downgrade(alembic_config(conn), revision)
