"""Opening the store: SQLite settings on every connection, where the file lives, refusing files
that are not OpDesk databases without touching them, and the constraints and column types the
rest of OpDesk relies on — on SQLite and on a real PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, StatementError

from opdesk import paths
from opdesk.models import Comment, SparePartLine, Ticket
from opdesk.store import migrate
from opdesk.store.database import Database, DatabaseError, open_local, open_url
from tests.store.dialects import DIALECTS, MOMENT, MOSCOW, FileState, new_ticket, open_db

PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.fixture(params=DIALECTS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    database = open_db(request, tmp_path)
    yield database
    database.close()


def _add_ticket(db: Database, **overrides: object) -> Ticket:
    with db.transaction() as session:
        ticket = new_ticket(**overrides)
        session.add(ticket)
    return ticket


# --- SQLite settings and location -------------------------------------------------------------


def test_every_new_sqlite_connection_gets_wal_full_sync_and_foreign_keys(tmp_path: Path) -> None:
    db = open_local(tmp_path / "opdesk.sqlite3")
    try:
        connections = [db.engine.connect() for _ in range(3)]  # three distinct DBAPI connections
        with db.transaction() as session:
            connections.append(session.connection())
            for conn in connections:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        for conn in connections[:3]:
            conn.close()
    finally:
        db.close()


def test_opdesk_home_moves_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPDESK_HOME", str(tmp_path / "home"))
    expected = tmp_path / "home" / "data" / "opdesk.sqlite3"
    assert paths.database_path() == expected

    db = open_local()
    try:
        assert db.engine.url.database == str(expected)
        assert migrate.current_revision(db.engine) == migrate.head_revision()
    finally:
        db.close()
    assert expected.is_file()


def test_reopening_applies_no_migration_twice(tmp_path: Path) -> None:
    path = tmp_path / "opdesk.sqlite3"
    db = open_local(path)
    ticket = _add_ticket(db)
    db.close()

    writes: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        first = statement.lstrip().split(None, 1)[0].upper()
        if first in {"CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        reopened = open_local(path)
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    try:
        assert writes == []
        with reopened.engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        assert versions == [(migrate.head_revision(),)]
        with reopened.transaction() as session:
            assert session.scalar(select(Ticket.number).where(Ticket.id == ticket.id)) == (
                ticket.number
            )
    finally:
        reopened.close()


# --- files that are not OpDesk databases --------------------------------------------------------


def _opdesk_file(path: Path, tickets: int = 0) -> Path:
    """A real, closed OpDesk database (its -wal checkpointed away on close)."""
    db = open_local(path)
    with db.transaction() as session:
        session.add_all(new_ticket(subject="Не печатает чек " * 8) for _ in range(tickets))
    db.close()
    assert not path.with_name(path.name + "-wal").exists()
    return path


def random_bytes(path: Path) -> tuple[str, str]:
    path.write_bytes(random.Random(1).randbytes(64 * 1024))
    return "не является базой данных SQLite", "not an SQLite database"


def png_image(path: Path) -> tuple[str, str]:
    path.write_bytes(PNG_HEADER + random.Random(2).randbytes(4096))
    return "не является базой данных SQLite", "not an SQLite database"


def sqlite_header_then_garbage(path: Path) -> tuple[str, str]:
    path.write_bytes(b"SQLite format 3\x00" + random.Random(3).randbytes(8192))
    return "повреждена", "corrupt"


def truncated_opdesk_database(path: Path) -> tuple[str, str]:
    _opdesk_file(path, tickets=400)
    os.truncate(path, path.stat().st_size // 2)
    return "повреждена", "corrupt"


def garbled_page_of_opdesk_database(path: Path) -> tuple[str, str]:
    """Random bytes over the root page of the tickets table: a real file with one bad page."""
    _opdesk_file(path, tickets=400)
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'tickets'").fetchone()[0]
    conn.close()
    with path.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(random.Random(4).randbytes(page_size))
    return "повреждена", "corrupt"


def another_programs_wal_database(path: Path) -> tuple[str, str]:
    """WAL mode on purpose: a plain read-only open of it would leave -wal and -shm files."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('купить хлеба')")
    conn.commit()
    conn.close()
    return "другой программы", "another program's database"


def another_program_with_a_tickets_table(path: Path) -> tuple[str, str]:
    """A table name in common is no proof of an OpDesk database; alembic_version is."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE tickets (id INTEGER PRIMARY KEY, title TEXT)")
    conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT)")
    conn.commit()
    conn.close()
    return "другой программы", "another program's database"


def opdesk_database_from_a_newer_version(path: Path) -> tuple[str, str]:
    _opdesk_file(path, tickets=1)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.close()
    return "новее этой версии OpDesk", "newer than this OpDesk"


BAD_FILES: list[Callable[[Path], tuple[str, str]]] = [
    random_bytes,
    png_image,
    sqlite_header_then_garbage,
    truncated_opdesk_database,
    garbled_page_of_opdesk_database,
    another_programs_wal_database,
    another_program_with_a_tickets_table,
    opdesk_database_from_a_newer_version,
]


@pytest.mark.parametrize("make", BAD_FILES, ids=lambda make: make.__name__)
def test_a_file_that_is_not_an_opdesk_database_is_refused_untouched(
    tmp_path: Path, make: Callable[[Path], tuple[str, str]]
) -> None:
    path = tmp_path / "given.sqlite3"
    said_ru, said_en = make(path)
    before = FileState.of(path)

    with pytest.raises(DatabaseError) as refused:
        open_local(path)

    error = refused.value
    assert said_ru in error.message_ru
    assert "не изменён" in error.message_ru
    assert said_en in error.message_en
    assert "untouched" in error.message_en
    assert str(path) in str(error)
    assert FileState.of(path) == before  # same bytes, same mtime, no -wal/-shm/-journal


def test_a_server_database_from_a_newer_version_is_refused_untouched(pg_fresh_url: str) -> None:
    db = open_url(pg_fresh_url)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    db.close()

    with pytest.raises(DatabaseError) as refused:
        open_url(pg_fresh_url)
    assert "новее этой версии OpDesk" in refused.value.message_ru
    assert "newer than this OpDesk" in refused.value.message_en

    engine = create_engine(pg_fresh_url)
    try:
        assert migrate.current_revision(engine) == "9999_from_the_future"
    finally:
        engine.dispose()


# --- constraints and types, on both dialects ----------------------------------------------------


def test_open_url_migrates_a_server_database(pg_fresh_url: str) -> None:
    db = open_url(pg_fresh_url)
    try:
        assert db.engine.dialect.name == "postgresql"
        assert migrate.current_revision(db.engine) == migrate.head_revision()
        ticket = _add_ticket(db)
        with db.transaction() as session:
            assert session.get_one(Ticket, ticket.id).uuid == ticket.uuid
    finally:
        db.close()


def test_a_comment_for_a_missing_ticket_is_refused(db: Database) -> None:
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(
            Comment(ticket_id=uuid.uuid4(), at=MOMENT, author="ivanova", kind="note", text="?")
        )
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Comment)) == 0


@pytest.mark.parametrize("quantity", [0, -1])
def test_a_spare_part_line_needs_a_positive_quantity(db: Database, quantity: int) -> None:
    ticket = _add_ticket(db)
    with pytest.raises(IntegrityError, match="quantity_positive"), db.transaction() as session:
        session.add(SparePartLine(ticket_id=ticket.uuid, name="Термоголовка", quantity=quantity))
    with db.transaction() as session:
        session.add(SparePartLine(ticket_id=ticket.uuid, name="Термоголовка", quantity=1))


def test_moments_and_uuids_round_trip_as_aware_utc(db: Database) -> None:
    """A Moscow-time moment comes back as the same instant, aware, in UTC, to the microsecond;
    SQL comparisons with aware bounds agree with Python's."""
    ticket = _add_ticket(db, created_at=MOMENT, closed_at=None)
    with db.transaction() as session:
        loaded = session.get_one(Ticket, ticket.id)
        assert loaded.created_at == MOMENT
        assert loaded.created_at.utcoffset() == dt.timedelta(0)
        assert loaded.created_at == dt.datetime(2026, 11, 16, 7, 30, 15, 123456, tzinfo=dt.UTC)
        assert loaded.closed_at is None
        assert isinstance(loaded.uuid, uuid.UUID) and loaded.uuid == ticket.uuid
        second = dt.timedelta(seconds=1)
        found = session.scalars(
            select(Ticket.id).where(
                Ticket.created_at > MOMENT.astimezone(dt.UTC) - second,
                Ticket.created_at < MOMENT.astimezone(MOSCOW) + second,
                Ticket.uuid == ticket.uuid,
            )
        ).all()
        assert found == [ticket.id]


def test_a_naive_moment_is_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="timezone-aware"), db.transaction() as session:
        session.add(new_ticket(created_at=dt.datetime(2026, 11, 16, 10, 30)))


def test_a_one_megabyte_comment_is_stored_intact(db: Database) -> None:
    ticket = _add_ticket(db)
    body = ("Клиент сообщает: «терминал № 7 не печатает чек» — ёЁ\n\t'\"; " * 20_000)[:1_000_000]
    with db.transaction() as session:
        session.add(
            Comment(ticket_id=ticket.uuid, at=MOMENT, author="ivanova", kind="note", text=body)
        )
    with db.transaction() as session:
        assert session.scalars(select(Comment.text)).one() == body


def test_a_transaction_that_raises_writes_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as session:
        session.add(new_ticket())
        session.flush()
        raise RuntimeError("the command was refused")
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_open_local_creates_missing_folders(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "desk.sqlite3"
    db = open_local(path)
    db.close()
    assert path.exists()


def test_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(DatabaseError) as info:
        open_local(blocker / "desk.sqlite3")
    assert "не удалось открыть или создать" in info.value.message_ru
    assert blocker.read_text(encoding="utf-8") == "x"


def test_uuid7_ids_increase_within_one_millisecond() -> None:
    from opdesk.models.base import uuid7

    ids = [uuid7() for _ in range(5000)]  # many share a millisecond
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert {i.version for i in ids} == {7}


def test_opening_an_up_to_date_desk_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    """A long import holds the write lock; opening the desk meanwhile has nothing to migrate
    and must not queue behind it (it used to wait the busy timeout and then fail with
    «database is locked»)."""
    import sqlite3

    path = tmp_path / "desk.sqlite3"
    open_local(path).close()
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        db = open_local(path)  # raised DatabaseError (locked) before
        with db.transaction() as s:  # and reads what was committed
            assert s.execute(text("SELECT count(*) FROM tickets")).scalar_one() == 0
        db.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
