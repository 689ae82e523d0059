"""The server database: PostgreSQL only, migrated by the store's revisions, then the server's.

The server's own tables (opdesk/server/tables.py) have an Alembic script directory of their own
(opdesk/server/migrations, revisions "s0001", "s0002", …) and their own version table, so the
store's history — which every workstation's SQLite file shares — never mentions accounts.

Why PostgreSQL only: the server relies on what SQLite lacks (row locks for the login counter,
transactional DDL under an advisory lock, and later LISTEN/NOTIFY and commit-ordered versions);
a server on SQLite would look like it works until two workstations push at once.

A database migrated by a newer OpDesk (either history) is refused and left untouched. Several
server processes may start at once against one database: the migrations run under a
PostgreSQL advisory lock, so one migrates and the others find the work done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import sessionmaker

from opdesk.store import migrate as store_migrate
from opdesk.store.database import Database, DatabaseError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "opdesk_server_version"
STORE_VERSION_TABLE = "alembic_version"
# pg_advisory_lock key shared by every OpDesk process that migrates a server database.
MIGRATION_LOCK = 0x0DE5_0001


def alembic_config(connection: Connection | None = None, scripts: Path = MIGRATIONS) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(scripts))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision(scripts: Path = MIGRATIONS) -> str:
    """The newest server revision, found in the script directory (never written down here)."""
    head = ScriptDirectory.from_config(alembic_config(scripts=scripts)).get_current_head()
    if head is None:
        raise RuntimeError(f"no server migrations found in {scripts}")
    return head


def known_revisions(scripts: Path = MIGRATIONS) -> set[str]:
    directory = ScriptDirectory.from_config(alembic_config(scripts=scripts))
    return {script.revision for script in directory.walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The server schema's revision, or None where the server tables were never created."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def safe_url(url: str | URL) -> str:
    """The URL for messages and logs: the database password is never printed."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<неверный адрес / invalid URL>"


def server_url(url: str) -> URL:
    """Parse a server database URL; anything but PostgreSQL is refused with a clear message.

    `postgresql://` and `postgres://` mean psycopg 3 (the driver OpDesk installs), not
    SQLAlchemy's default psycopg2.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(
            safe_url(url),
            "неверный адрес базы; ожидается postgresql+psycopg://пользователь@узел:порт/база",
            "invalid database URL; expected postgresql+psycopg://user@host:port/dbname",
        ) from exc
    backend = parsed.get_backend_name()
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseError(
            safe_url(url),
            f"сервер OpDesk работает только с PostgreSQL, а не с «{backend}»; SQLite — это "
            "база рабочего места, серверу нужна postgresql+psycopg://…",
            f"the OpDesk server runs on PostgreSQL only, not on '{backend}'; SQLite is the "
            "workstation's database, the server needs postgresql+psycopg://…",
        )
    if not parsed.database:
        raise DatabaseError(
            safe_url(url),
            "в адресе не указана база данных (…/имя_базы)",
            "the URL names no database (…/dbname)",
        )
    return parsed


def server_engine(url: str) -> Engine:
    """An engine on the server database; a bad URL or a missing driver is a clear refusal."""
    parsed = server_url(url)
    try:
        return create_engine(parsed, future=True, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise DatabaseError(
            safe_url(parsed),
            f"драйвер базы не установлен ({exc})",
            f"the database driver is not installed ({exc})",
        ) from exc


def check_versions(engine: Engine) -> None:
    """Refuse, before touching it, a database from a newer OpDesk (store or server history)
    or another program's database (tables, but no OpDesk history): `init` on the wrong URL must
    not scatter the desk's tables among someone else's."""
    where = safe_url(engine.url)
    tables = set(inspect(engine).get_table_names())
    if tables and not tables & {STORE_VERSION_TABLE, VERSION_TABLE}:
        some = ", ".join(sorted(tables)[:5])
        raise DatabaseError(
            where,
            f"в базе уже есть таблицы другой программы ({some}); серверу OpDesk нужна своя "
            "база (например, CREATE DATABASE opdesk); база не изменена",
            f"the database holds another program's tables ({some}); the OpDesk server needs "
            "a database of its own (e.g. CREATE DATABASE opdesk); it was left untouched",
        )
    if STORE_VERSION_TABLE in tables:
        store = store_migrate.current_revision(engine)
        if store is not None and store not in {r.revision for r in store_migrate.all_revisions()}:
            raise _newer(where, store)
    if VERSION_TABLE in tables:
        server = current_revision(engine)
        if server is not None and server not in known_revisions():
            raise _newer(where, server)


def _newer(where: str, revision: str) -> DatabaseError:
    return DatabaseError(
        where,
        f"схема базы ({revision}) новее этой версии OpDesk; обновите OpDesk; база не изменена",
        f"the schema ({revision}) is newer than this OpDesk; upgrade OpDesk; "
        "the database was left untouched",
    )


def is_initialised(engine: Engine) -> bool:
    """The server's tables exist (`opdesk server init` has run on this database)."""
    return VERSION_TABLE in inspect(engine).get_table_names() and (
        current_revision(engine) is not None
    )


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Hold PostgreSQL's advisory lock while migrating: concurrent starts migrate in turn.

    A session-level lock on its own autocommit connection, so it spans both histories' separate
    transactions and never holds a transaction open itself.
    """
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})


def _require_postgresql(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        raise DatabaseError(
            safe_url(engine.url),
            "сервер OpDesk работает только с PostgreSQL",
            "the OpDesk server runs on PostgreSQL only",
        )


def upgrade_server(engine: Engine, revision: str = "head", scripts: Path = MIGRATIONS) -> None:
    """Bring the store's tables to their head, then the server's, each in one transaction.

    The store first: the server's tables refer to `people`. PostgreSQL's DDL is transactional,
    so a migration that fails half-way leaves its history exactly where it was.
    """
    _require_postgresql(engine)
    with migration_lock(engine):
        check_versions(engine)
        store_migrate.upgrade(engine)
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn, scripts), revision)


def downgrade_server(engine: Engine, revision: str = "base", scripts: Path = MIGRATIONS) -> None:
    """Undo server revisions (the store's tables stay): for tests and a careful rollback."""
    _require_postgresql(engine)
    with migration_lock(engine), engine.begin() as conn:
        command.downgrade(alembic_config(conn, scripts), revision)


def open_server(url: str) -> Database:
    """Open the server database by URL, refusing foreign or newer ones, and migrate it."""
    engine = server_engine(url)
    try:
        upgrade_server(engine)
    except OperationalError as exc:
        engine.dispose()
        raise unreachable(exc, engine.url) from exc
    except BaseException:
        engine.dispose()
        raise
    return Database(engine, sessionmaker(engine, expire_on_commit=False))


def unreachable(exc: OperationalError, url: str | URL) -> DatabaseError:
    """A connection failure, told without the password (psycopg's text never includes it)."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return DatabaseError(
        safe_url(url),
        f"нет связи с базой данных ({reason})",
        f"cannot reach the database ({reason})",
    )
