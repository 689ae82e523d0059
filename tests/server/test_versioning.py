"""Row versions and tombstones on the real PostgreSQL: what is synced, how versions are stamped,
what a delete leaves, and that the watermark waits for a running writer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, delete, insert, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from opdesk.models import Base, uuid7
from opdesk.server.pull import pull
from opdesk.server.versioning import (
    TOMBSTONES,
    cluster_identity,
    install_versioning,
    watermark,
)
from opdesk.store import wire as rows
from opdesk.store.database import open_url
from opdesk.store.wire import SYNCED_TABLES

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
TICKETS = Base.metadata.tables["tickets"]
COMMENTS = Base.metadata.tables["comments"]
EVENTS = Base.metadata.tables["events"]


def ticket(n: int, **values: Any) -> dict[str, Any]:
    return {"uuid": uuid7(), "number": f"T-{n}", "created_at": T0, "updated_at": T0,
            "category": "Связь", "priority": "Обычный", "priority_rank": 0, "status": "Новая",
            "stage": "reaction", **values}  # fmt: skip


def comment(ticket_uuid: Any, body: str = "текст") -> dict[str, Any]:
    return {"id": uuid7(), "ticket_id": ticket_uuid, "at": T0, "author": "ivanov",
            "kind": "note", "text": body}  # fmt: skip


def xid(conn: Connection) -> int:
    return int(conn.execute(text("SELECT pg_current_xact_id()::text::bigint")).scalar_one())


def version_of(conn: Connection, table: str, key: Any) -> int:
    column = SYNCED_TABLES[table]
    sql = text(f"SELECT version FROM {table} WHERE {column} = :k")
    return int(conn.execute(sql, {"k": key}).scalar_one())


@pytest.fixture
def engine(pg_fresh_url: str) -> Iterator[Engine]:
    """A fresh database: the store schema migrated by `open_url`, then the versioning."""
    db = open_url(pg_fresh_url)
    with db.engine.begin() as conn:
        install_versioning(conn)
    try:
        yield db.engine
    finally:
        db.close()


def test_synced_tables_are_every_model_table_but_the_workstations_own() -> None:
    local = {"outbox", "saved_filters", "sync_state"}
    assert set(Base.metadata.tables) - set(SYNCED_TABLES) == local
    assert set(SYNCED_TABLES) <= set(Base.metadata.tables)
    for table, key in SYNCED_TABLES.items():
        column = Base.metadata.tables[table].c[key]
        assert column.primary_key or column.unique, f"{table}.{key} does not identify a row"
        assert rows.kind_of(column) == rows.UUID, f"{table}.{key} is not a client-made UUID"


def test_children_refer_to_tickets_by_uuid_and_the_local_id_is_never_synced() -> None:
    for table in SYNCED_TABLES:
        for fk in Base.metadata.tables[table].foreign_keys:
            if fk.column.table.name == "tickets":
                assert fk.column.name == "uuid", f"{table}.{fk.parent.name} → tickets.id"
            assert rows.kind_of(fk.column) == rows.UUID
    assert "id" not in {name for name, _, _ in rows.columns("tickets")}
    assert "version" in {name for name, _, _ in rows.columns("tickets")}


def test_install_is_idempotent_and_puts_a_trigger_and_index_on_every_table(
    engine: Engine,
) -> None:
    with engine.begin() as conn:
        install_versioning(conn)  # a second time changes nothing
        triggers = set(
            conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars()
        )
        indexes = set(conn.execute(text("SELECT indexname FROM pg_indexes")).scalars())
    for table in SYNCED_TABLES:
        assert {f"{table}_stamp_version", f"{table}_tombstone"} <= triggers
        assert f"ix_{table}_version" in indexes
    assert f"ix_{TOMBSTONES}_version" in indexes


def test_install_refuses_sqlite() -> None:
    sqlite = create_engine("sqlite://")
    with sqlite.begin() as conn, pytest.raises(ValueError, match="PostgreSQL"):
        install_versioning(conn)


def test_insert_and_update_are_stamped_with_the_writing_transaction(engine: Engine) -> None:
    t = ticket(1, version=0)  # whatever a client puts there, the server stamps its own
    with engine.begin() as conn:
        conn.execute(insert(TICKETS).values(t))
        conn.execute(insert(COMMENTS).values(comment(t["uuid"])))
        first = xid(conn)
    with engine.begin() as conn:
        assert version_of(conn, "tickets", t["uuid"]) == first
        assert conn.execute(select(text("version")).select_from(COMMENTS)).scalar_one() == first
    seen = [first]
    for n in range(5):  # one transaction after another: versions only grow
        with engine.begin() as conn:
            conn.execute(update(TICKETS).values(subject=f"v{n}").where(TICKETS.c.uuid == t["uuid"]))
            conn.execute(insert(COMMENTS).values(comment(t["uuid"], f"n{n}")))
            now = xid(conn)
        with engine.connect() as conn:
            assert version_of(conn, "tickets", t["uuid"]) == now
        seen.append(now)
    assert seen == sorted(seen) and len(set(seen)) == len(seen)


def test_a_delete_leaves_a_tombstone_with_the_deleting_version(engine: Engine) -> None:
    t = ticket(1)
    c = comment(t["uuid"])
    with engine.begin() as conn:
        conn.execute(insert(TICKETS).values(t))
        conn.execute(insert(COMMENTS).values(c))
    with engine.begin() as conn:
        conn.execute(delete(COMMENTS).where(COMMENTS.c.id == c["id"]))
        deleting = xid(conn)
    with engine.begin() as conn:  # inserted again, deleted again: one tombstone, newest version
        conn.execute(insert(COMMENTS).values(c))
    with engine.begin() as conn:
        conn.execute(delete(COMMENTS).where(COMMENTS.c.id == c["id"]))
        again = xid(conn)
    with engine.connect() as conn:
        found = conn.execute(text(f"SELECT table_name, row_key, version FROM {TOMBSTONES}")).all()
    assert again > deleting
    assert found == [("comments", c["id"], again)]


def test_a_deleted_closure_report_is_tombstoned_by_its_ticket_key(engine: Engine) -> None:
    t = ticket(1)
    report = Base.metadata.tables["closure_reports"]
    with engine.begin() as conn:
        conn.execute(insert(TICKETS).values(t))
        conn.execute(insert(report).values(ticket_id=t["uuid"], updated_at=T0))
    with engine.begin() as conn:
        conn.execute(delete(report))
    with engine.connect() as conn:
        keys = conn.execute(text(f"SELECT table_name, row_key FROM {TOMBSTONES}")).all()
    assert keys == [("closure_reports", t["uuid"])]


def test_history_stays_append_only(engine: Engine) -> None:
    t = ticket(1)
    event = {"id": uuid7(), "ticket_id": t["uuid"], "at": T0, "actor": "system",
             "kind": "created"}  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(TICKETS).values(t))
        conn.execute(insert(EVENTS).values(event))
    for change in (update(EVENTS).values(actor="x"), delete(EVENTS)):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(change)


def test_rows_written_before_install_get_version_1_and_are_pulled(pg_fresh_url: str) -> None:
    db = open_url(pg_fresh_url)
    try:
        t = ticket(1, version=0)
        with db.engine.begin() as conn:
            conn.execute(insert(TICKETS).values(t))
            conn.execute(insert(EVENTS).values(id=uuid7(), ticket_id=t["uuid"], at=T0,
                                               actor="system", kind="created"))  # fmt: skip
        with db.engine.begin() as conn:
            install_versioning(conn)
        with db.engine.connect() as conn:
            assert version_of(conn, "tickets", t["uuid"]) == 1
            assert conn.execute(text("SELECT version FROM events")).scalar_one() == 1
            batch = pull(conn, 0, 100)
        assert sorted(table for table, _ in batch.changes) == ["events", "tickets"]
    finally:
        db.close()


def test_the_watermark_waits_for_a_running_writer(engine: Engine) -> None:
    with engine.connect() as writer, engine.connect() as reader:
        with writer.begin():
            writer.execute(insert(TICKETS).values(ticket(1)))
            running = xid(writer)
            assert watermark(reader) < running
            reader.rollback()
        assert watermark(reader) >= running


def test_the_cluster_identity_is_stable_and_shared_by_its_databases(
    engine: Engine, pg_url: str
) -> None:
    other = create_engine(pg_url)
    try:
        with engine.connect() as conn, other.connect() as conn2:
            first = cluster_identity(conn)
            assert first == cluster_identity(conn) == cluster_identity(conn2)
            assert first.isdigit()
    finally:
        other.dispose()
