"""The server's schema on the real PostgreSQL: its own Alembic history beside the store's,
the tables exactly as tables.py says, a second revision file picked up by itself, newer and
foreign databases refused, concurrent starts migrating once, and no secret in plain text."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from argon2 import PasswordHasher
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from opdesk.server import accounts, migrate, tables
from opdesk.store import migrate as store_migrate
from opdesk.store.database import DatabaseError
from tests.pg import PgServer
from tests.server.conftest import T0

SERVER_TABLES = {"accounts", "auth_sessions", "sync_clients", "server_info"}


def _server_tables_only(obj: Any, name: str | None, type_: str, *_: Any) -> bool:
    return type_ != "table" or name in tables.metadata.tables


def test_both_histories_are_at_their_heads(server_db: Engine) -> None:
    names = set(inspect(server_db).get_table_names())
    assert SERVER_TABLES | {"people", "tickets", "alembic_version", migrate.VERSION_TABLE} <= names
    assert migrate.current_revision(server_db) == migrate.head_revision()
    assert store_migrate.current_revision(server_db) == store_migrate.head_revision()
    with server_db.connect() as conn:
        assert not tables.is_training(conn)
        assert tables.server_id(conn).version == 4


def test_the_migrated_schema_is_exactly_tables_py(server_db: Engine) -> None:
    with server_db.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True, "compare_server_default": True,
            "include_object": _server_tables_only,
        })  # fmt: skip
        assert list(compare_metadata(context, tables.metadata)) == []


def test_down_and_up_again_keeps_the_store(server_db: Engine) -> None:
    migrate.downgrade_server(server_db)
    names = set(inspect(server_db).get_table_names())
    assert not names & SERVER_TABLES and "tickets" in names
    migrate.upgrade_server(server_db)
    assert set(inspect(server_db).get_table_names()) >= SERVER_TABLES


def test_a_second_revision_file_just_works(server_db: Engine, tmp_path: Path) -> None:
    """A later engineer adds one more revision file after the head: nothing else changes."""
    head = migrate.head_revision()
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "s9999_probe.py").write_text(
        '"""A probe."""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
        f'revision = "s9999"\ndown_revision = "{head}"\nbranch_labels = None\n'
        "depends_on = None\n\n\ndef upgrade() -> None:\n"
        '    op.create_table("probe", sa.Column("id", sa.Integer, primary_key=True))\n\n\n'
        'def downgrade() -> None:\n    op.drop_table("probe")\n',
        encoding="utf-8",
    )
    assert migrate.head_revision(scripts) == "s9999"
    migrate.upgrade_server(server_db, scripts=scripts)
    assert migrate.current_revision(server_db) == "s9999"
    assert "probe" in inspect(server_db).get_table_names()
    # This OpDesk knows only up to its head: the database is now a "newer" one, refused.
    with pytest.raises(DatabaseError, match="s9999"):
        migrate.upgrade_server(server_db)
    assert migrate.current_revision(server_db) == "s9999"


def test_a_newer_store_schema_is_refused(server_db: Engine) -> None:
    with server_db.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(DatabaseError, match="9999") as newer:
        migrate.upgrade_server(server_db)
    assert "новее" in newer.value.message_ru


def test_sqlite_and_other_urls_are_refused_clearly(tmp_path: Path) -> None:
    for url in (f"sqlite:///{tmp_path / 'desk.db'}", "mysql://h/d", "postgresql+psycopg://h"):
        with pytest.raises(DatabaseError) as refused:
            migrate.open_server(url)
        assert "PostgreSQL" in str(refused.value) or "dbname" in str(refused.value)
    assert not (tmp_path / "desk.db").exists()
    sqlite = create_engine(f"sqlite:///{tmp_path / 'other.db'}")
    with pytest.raises(DatabaseError, match="PostgreSQL only"):
        migrate.upgrade_server(sqlite)
    sqlite.dispose()


def test_a_url_password_is_never_shown() -> None:
    url = "postgresql://opdesk:s3cret-pw@127.0.0.1:1/desk"
    with pytest.raises(DatabaseError) as refused:
        migrate.open_server(url)
    assert "s3cret-pw" not in str(refused.value)
    assert migrate.server_url(url).drivername == "postgresql+psycopg"


def test_another_program_s_database_is_left_alone(pg_fresh_url: str) -> None:
    engine = create_engine(pg_fresh_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE invoices (id int)"))
        with pytest.raises(DatabaseError, match="invoices"):
            migrate.upgrade_server(engine)
        assert set(inspect(engine).get_table_names()) == {"invoices"}
    finally:
        engine.dispose()


def test_concurrent_starts_migrate_once(pg_fresh_url: str) -> None:
    engine = create_engine(pg_fresh_url, pool_size=10)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def run() -> None:
        start.wait()
        try:
            migrate.upgrade_server(engine)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert migrate.current_revision(engine) == migrate.head_revision()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM server_info")).scalar() == 2
    finally:
        engine.dispose()


def _every_row_as_text(engine: Engine) -> str:
    """Every row of every table (server, store and version tables), whole, as text."""
    with engine.connect() as conn:
        names = [n for (n,) in conn.execute(text(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ))]  # fmt: skip
        return "\n".join(
            str(row)
            for name in names
            for (row,) in conn.execute(text(f"SELECT t::text FROM {name} t"))
        )


def test_no_password_or_token_in_plain_text_anywhere(
    server_db: Engine, hasher: PasswordHasher, pg_server: PgServer
) -> None:
    password, wrong = "Пароль-оператора-42", "Guess-the-password-1"
    with server_db.begin() as conn:
        accounts.create_account(conn, "ivanov", "Иванов", "operator", password, T0, hasher=hasher)
    with pytest.raises(accounts.AuthError):
        accounts.attempt_login(server_db, "ivanov", wrong, T0, hasher=hasher)
    issued = [
        accounts.attempt_login(server_db, "ivanov", password, T0 + dt.timedelta(minutes=m),
                               hasher=hasher)
        for m in range(3)
    ]  # fmt: skip
    with server_db.begin() as conn:
        accounts.revoke(conn, issued[0].token, T0 + dt.timedelta(hours=1))
    dump = _every_row_as_text(server_db)
    assert "$argon2id$v=19$" in dump
    assert accounts.token_hash(issued[1].token) in dump  # the sessions are there, hashed
    for secret in (password, wrong, *(i.token for i in issued)):
        assert secret not in dump
    log = pg_server.workdir / "server.log"
    if log.exists():
        server_log = log.read_text(errors="replace")
        for secret in (password, wrong, *(i.token for i in issued)):
            assert secret not in server_log


def test_the_table_refuses_a_hash_that_is_not_argon2id(server_db: Engine) -> None:
    from sqlalchemy.exc import IntegrityError

    with server_db.begin() as conn:
        person = accounts.create_account(conn, "ivanov", "И.", "operator", "x" * 12, T0,
                                         hasher=PasswordHasher(time_cost=1, memory_cost=8,
                                                               parallelism=1))  # fmt: skip
    with pytest.raises(IntegrityError), server_db.begin() as conn:
        conn.execute(
            tables.accounts.update()
            .where(tables.accounts.c.person_id == person)
            .values(password_hash="plain text password")
        )
