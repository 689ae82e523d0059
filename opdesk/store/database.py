"""Opening a database: the local SQLite file (WAL, synchronous=FULL, foreign keys) or the
shared PostgreSQL server, migrated to the current schema every time it is opened.

A file that is not an OpDesk database — corrupt, foreign, or from a newer OpDesk — is refused
with a clear message and left exactly as it was: it is never written, migrated or "repaired".
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from opdesk import paths
from opdesk.store import migrate

SQLITE_HEADER = b"SQLite format 3\x00"
QUICK_CHECK_LIMIT = 256 * 1024 * 1024
OUR_TABLES = {"tickets", "events", "alembic_version"}


class DatabaseError(Exception):
    """A database that cannot be opened; the message is for the person, in both languages."""

    def __init__(self, path: Path | str, message_ru: str, message_en: str) -> None:
        self.path = str(path)
        self.message_ru = message_ru
        self.message_en = message_en
        super().__init__(f"{path}: {message_ru} / {message_en}")


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]
    read_only_path: Path | None = field(default=None, kw_only=True)  # set by open_existing

    def read_mark(self) -> tuple[int, int, bool] | None:
        """For a read-only database read without SQLite's locks (no `-wal` when it was opened:
        `immutable=1`), what would show a writer: the main file's modification time and size,
        and whether a `-wal` exists now; None when reads are snapshots anyway.

        Why: unlocked reads are one moment of the desk only while nobody writes. A writer that
        starts meanwhile checkpoints into the main file, and what was read may mix pages from
        before and after; a job that must be one moment compares the mark when it is done and
        reads again (a writer that came and went leaves its checkpoint's time on the file)."""
        path = self.read_only_path
        if path is None or not _read_only_uri(path).endswith("immutable=1"):
            return None
        stat = path.stat()
        return stat.st_mtime_ns, stat.st_size, path.with_name(path.name + "-wal").exists()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back if it raises."""
        with self.sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _read_only_uri(path: Path) -> str:
    """A URI that reads the file without creating or changing anything next to it.

    `mode=ro` is not enough: on a WAL-mode file (OpDesk's, or another program's) SQLite creates
    `-wal` and `-shm` files and leaves them behind. `immutable=1` reads the main file alone;
    it is used unless a `-wal` with its `-shm` already exists, whose committed changes a plain
    read-only connection must see.
    """
    wal = path.with_name(path.name + "-wal")
    shm = path.with_name(path.name + "-shm")
    mode = "mode=ro" if wal.exists() and shm.exists() else "immutable=1"
    return f"{path.resolve().as_uri()}?{mode}"


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an OpDesk database, reading it without writing a byte.

    It runs before any engine is made, because the first connection of an engine already
    writes (journal_mode=WAL changes the header and creates `-wal`/`-shm`): a refusal after
    that would no longer leave the file as it was.
    """
    if not path.exists():
        return
    if not path.is_file():
        raise DatabaseError(path, "это не файл", "not a file")
    if path.stat().st_size == 0:
        return  # an empty file is a new database
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise DatabaseError(
            path,
            "файл не является базой данных SQLite (повреждён или чужой); он не изменён",
            "the file is not an SQLite database (corrupt or foreign); it was left untouched",
        )
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True)
        try:
            # quick_check reads every page: about 1 s per GB. Up to QUICK_CHECK_LIMIT it runs at
            # every open; a larger file gets the header, schema and revision checks here, and
            # SQLite reports a damaged page when a query reaches it (nothing is overwritten).
            size = path.stat().st_size
            ok = (
                conn.execute("PRAGMA quick_check").fetchone()
                if size <= QUICK_CHECK_LIMIT
                else ("ok",)
            )
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            versions = (
                [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
                if "alembic_version" in tables
                else []
            )
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(
            path,
            f"база данных повреждена ({exc}); файл не изменён",
            f"the database is corrupt ({exc}); the file was left untouched",
        ) from exc
    if ok is None or ok[0] != "ok":
        raise DatabaseError(
            path,
            f"проверка целостности не пройдена ({ok[0] if ok else '—'}); файл не изменён",
            f"integrity check failed ({ok[0] if ok else '-'}); the file was left untouched",
        )
    _check_sqlite_identity(path, tables, versions)


def _check_sqlite_identity(path: Path, tables: set[str], versions: list[str]) -> None:
    """OpDesk always writes `alembic_version` in the same transaction as its tables, so a
    non-empty database without it (or with another program's revisions) is not ours, even if
    it happens to have a table called `tickets`."""
    if not tables:
        return  # a new, empty SQLite file
    known = {rev.revision for rev in migrate.all_revisions()}
    unknown = [v for v in versions if v not in known]
    if "alembic_version" not in tables or (
        unknown and not tables & OUR_TABLES - {"alembic_version"}
    ):
        raise DatabaseError(
            path,
            "это база данных другой программы, а не OpDesk; файл не изменён",
            "this is another program's database, not OpDesk's; the file was left untouched",
        )
    if unknown:
        raise DatabaseError(
            path,
            f"схема базы ({', '.join(unknown)}) новее этой версии OpDesk; файл не изменён",
            f"the schema ({', '.join(unknown)}) is newer than this OpDesk; "
            "the file was left untouched",
        )


READ_ONLY_RU = "только для чтения"
READ_ONLY_EN = "read-only"


def is_read_only_error(exc: BaseException) -> bool:
    """SQLite's refusal to write (a read-only file, folder or connection)."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    return "readonly database" in text or "read-only" in text


def read_only_error(path: Path | str, exc: BaseException | None = None) -> DatabaseError:
    reason = f" ({getattr(exc, 'orig', None) or exc})" if exc is not None else ""
    return DatabaseError(
        path,
        f"база открыта {READ_ONLY_RU}, записать в неё нельзя{reason}; ничего не записано",
        f"the database is {READ_ONLY_EN}, it cannot be written{reason}; nothing was written",
    )


def check_writable(path: Path, *, file: bool = True) -> None:
    """Refuse up front a database file (unless `file` is false: it is to be replaced), or the
    folder it is (or would be) in, that cannot be written: SQLite would fail only later,
    half-way through the work. Writers call it; `open_local` itself does not, so a read-only
    database can still be opened by code that only reads."""
    if file and path.is_file() and not os.access(path, os.W_OK):
        raise DatabaseError(
            path,
            f"файл {READ_ONLY_RU} (нет права на запись); ничего не записано",
            f"the file is {READ_ONLY_EN} (no write permission); nothing was written",
        )
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseError(
            folder,
            f"папка {READ_ONLY_RU} (нет права на запись), база {path} не может быть "
            "создана или изменена; ничего не записано",
            f"the folder is {READ_ONLY_EN} (no write permission), the database {path} "
            "cannot be created or changed; nothing was written",
        )


def open_existing(path: Path | None = None) -> Database:
    """Open an existing local database for reading only: nothing is created or changed.

    A missing path or an empty file is refused (it is not a database yet); the connection is
    SQLite's read-only one (`immutable=1`, or `mode=ro` next to a live `-wal`), so no
    `-wal`/`-shm` files appear. A database of an older schema is refused too, since bringing
    it up to date would write.
    """
    path = path or paths.database_path()
    if not path.exists():
        raise DatabaseError(
            path,
            "базы данных нет: файл не существует; ничего не создано",
            "there is no database: the file does not exist; nothing was created",
        )
    if path.is_file() and path.stat().st_size == 0:
        raise DatabaseError(
            path,
            "файл пуст — это ещё не база данных OpDesk; файл не изменён",
            "the file is empty, not an OpDesk database yet; the file was left untouched",
        )
    check_sqlite_file(path)

    def connect() -> sqlite3.Connection:
        # Decided per connection: a writer that started since the open has made a `-wal`,
        # which an `immutable=1` read would ignore (and misread once it is checkpointed).
        uri = _read_only_uri(path)
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        return conn

    engine = create_engine("sqlite://", creator=connect, future=True, poolclass=NullPool)

    @event.listens_for(engine, "begin")
    def _snapshot(conn: Any) -> None:
        # One read transaction per connection block: a long export reads a single WAL
        # snapshot, whatever a writer commits meanwhile (pysqlite would not begin one).
        conn.exec_driver_sql("BEGIN")

    try:
        _check_revision(engine, path)
        current = migrate.current_revision(engine)
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseError(
            path,
            f"базу не удалось открыть для чтения ({exc.orig}); файл не изменён",
            f"the database cannot be opened for reading ({exc.orig}); the file was left untouched",
        ) from exc
    except BaseException:
        engine.dispose()
        raise
    if current != migrate.head_revision():
        engine.dispose()
        raise DatabaseError(
            path,
            f"схема базы ({current or '—'}) старее этой версии OpDesk; чтение её не "
            "обновляет — откройте базу в OpDesk или импортом, чтобы обновить; файл не изменён",
            f"the schema ({current or '-'}) is older than this OpDesk; reading does not "
            "upgrade it - open it in OpDesk or import into it first; the file was left untouched",
        )
    return Database(engine, sessionmaker(engine, expire_on_commit=False), read_only_path=path)


def open_local(path: Path | None = None) -> Database:
    """Open (creating if needed) the local database and bring it to the current schema."""
    path = path or paths.database_path()
    check_sqlite_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = sqlite_engine(path)
        _check_revision(engine, path)
        migrate.upgrade(engine)
    except (OSError, OperationalError) as exc:
        if is_read_only_error(exc):
            raise read_only_error(path, exc) from exc
        reason = getattr(exc, "orig", None) or exc
        raise DatabaseError(
            path,
            f"базу не удалось открыть или создать ({reason})",
            f"the database cannot be opened or created ({reason})",
        ) from exc
    return Database(engine, sessionmaker(engine, expire_on_commit=False))


def open_url(url: str) -> Database:
    """Open a server database (PostgreSQL) by URL and migrate it to the current schema."""
    engine = create_engine(url, future=True)
    _check_revision(engine, url)
    migrate.upgrade(engine)
    return Database(engine, sessionmaker(engine, expire_on_commit=False))


def _check_revision(engine: Engine, where: Path | str) -> None:
    """A database migrated by a newer OpDesk is refused rather than touched."""
    if "alembic_version" not in inspect(engine).get_table_names():
        return
    current = migrate.current_revision(engine)
    known = {rev.revision for rev in migrate.all_revisions()}
    if current is not None and current not in known:
        raise DatabaseError(
            where,
            f"схема базы ({current}) новее этой версии OpDesk; база не изменена",
            f"the schema ({current}) is newer than this OpDesk; the database was left untouched",
        )
