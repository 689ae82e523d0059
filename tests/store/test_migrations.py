"""The migrations on SQLite and on a real PostgreSQL: up, down, up again; the schema they build
is exactly the models'; full-text search is SQLite-only; history stays append-only.

Autogenerate comparison catches the usual drift (a column added to a model but not to the
migration) before it reaches a workstation whose database was built by the migration.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from opdesk.models import Base, Event
from opdesk.store import migrate
from tests.store.dialects import DIALECTS, bare_engine, new_event, new_ticket

FTS_TABLES = {f"ticket_fts{suffix}" for suffix in ("", "_data", "_idx", "_content", "_docsize")}
FTS_TABLES.add("ticket_fts_config")


@pytest.fixture(params=DIALECTS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    engine = bare_engine(request, tmp_path)
    yield engine
    engine.dispose()


def _not_fts(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """The FTS5 virtual table and its shadow tables are raw DDL, not models."""
    return not (type_ == "table" and name in FTS_TABLES)


def schema_differences(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_object": _not_fts,
            },
        )
        return list(compare_metadata(context, Base.metadata))


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _insert_ticket_and_event(engine: Engine) -> Event:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        ticket = new_ticket()
        session.add(ticket)
        session.flush()
        row = new_event(ticket, actor="ivanova", new_value="Новая")
        session.add(row)
    return row


def _event_row(engine: Engine, event_id: Any) -> tuple[Any, ...]:
    with Session(engine) as session:
        row = session.execute(
            select(Event.actor, Event.new_value, Event.at).where(Event.id == event_id)
        ).one()
        return tuple(row)


def test_up_down_up_matches_the_models(engine: Engine) -> None:
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert schema_differences(engine) == []
    assert {"tickets", "events", "comments", "outbox"} <= tables(engine)

    migrate.downgrade(engine)
    assert migrate.current_revision(engine) is None
    assert tables(engine) == {"alembic_version"}

    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert schema_differences(engine) == []


def test_every_revision_steps_up_and_down(engine: Engine) -> None:
    """One revision at a time, so each downgrade undoes exactly its own upgrade."""
    order = [script.revision for script in reversed(migrate.all_revisions())]
    for revision in order:
        migrate.upgrade(engine, revision)
        assert migrate.current_revision(engine) == revision
    for revision in reversed(order):
        assert migrate.current_revision(engine) == revision
        migrate.downgrade(engine, "-1")
    assert migrate.current_revision(engine) is None
    assert tables(engine) == {"alembic_version"}
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            functions = conn.execute(
                text("SELECT proname FROM pg_proc WHERE proname LIKE 'opdesk%'")
            ).all()
        assert functions == []


def test_a_failed_migration_leaves_nothing_behind(engine: Engine) -> None:
    """A migration interrupted halfway must not leave a half-built schema (on SQLite the
    driver would autocommit each CREATE TABLE without the explicit transaction)."""

    def fail_midway(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "CREATE TABLE ticket_links" in statement:
            raise RuntimeError("interrupted")

    event.listen(engine, "before_cursor_execute", fail_midway)
    with pytest.raises(RuntimeError, match="interrupted"):
        migrate.upgrade(engine)
    event.remove(engine, "before_cursor_execute", fail_midway)
    assert tables(engine) == set()

    migrate.upgrade(engine)
    assert schema_differences(engine) == []


def test_full_text_table_exists_on_sqlite_only(engine: Engine) -> None:
    migrate.upgrade(engine)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            sql = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'ticket_fts'")
            ).scalar_one()
        assert "fts5" in sql.lower()
        assert tables(engine) >= FTS_TABLES
    else:
        assert not FTS_TABLES & tables(engine)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET actor = 'someone_else' WHERE id = :id",
        "DELETE FROM events WHERE id = :id",
        "DELETE FROM events",
    ],
)
def test_database_refuses_rewriting_history(engine: Engine, statement: str) -> None:
    migrate.upgrade(engine)
    row = _insert_ticket_and_event(engine)
    before = _event_row(engine, row.id)
    # SQLite's driver binds uuids as the hex text it stores them as; psycopg binds uuid
    bound = row.id.hex if engine.dialect.name == "sqlite" else row.id

    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement), {"id": bound})

    assert _event_row(engine, row.id) == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events")).scalar_one() == 1


def test_orm_refuses_changing_or_deleting_an_event(engine: Engine) -> None:
    migrate.upgrade(engine)
    row = _insert_ticket_and_event(engine)
    before = _event_row(engine, row.id)

    with Session(engine) as session:
        loaded = session.get_one(Event, row.id)
        loaded.actor = "someone_else"
        with pytest.raises(PermissionError, match="append-only"):
            session.flush()
        session.rollback()

        loaded = session.get_one(Event, row.id)
        session.delete(loaded)
        with pytest.raises(PermissionError, match="append-only"):
            session.flush()
        session.rollback()

    assert _event_row(engine, row.id) == before
