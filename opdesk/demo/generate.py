"""`opdesk demo`: a realistic Russian desk in a fresh local database, fast enough for 10⁶ tickets.

Why raw sqlite3 and not the ORM or the command layer: a million tickets with their history,
comments and closures are ~10 million rows; the ORM would take an hour. The generator instead
walks each ticket through its own process exactly as the pack defines it (tickets, walks,
outage, flows), computes the SLA columns with the engine's epoch core (sla_fast, checked
against the command layer's `apply_sla` in tests), and worker processes stage the rows that
one writer copies in (load).

Why the speed settings are safe: they are used only on a file this run created — synchronous=OFF
and no journal for the load, secondary indexes dropped and rebuilt from the exact SQL the
migrations stored — and WAL is restored at the end. An existing database with any data is never
touched unless `force` is given.

Why every desk is built beside its target, never at it (issue 10, #5): a run killed outright
(SIGKILL, power off) runs no cleanup, and a half-loaded file at the target would open without
complaint holding part of the tickets or part of the indexes. So the desk, and the chunk files
staged for it, are made in a folder beside the target, `.<name>.demo-<pid>-XXXX/` (same
filesystem), and only a complete desk reaches the target: a new target is linked into place in
one atomic step (`os.link`, `os.replace` where links are not supported), an existing one is
replaced as below. The target path therefore never holds an unfinished database, and no
"unfinished" mark is needed: whatever opens there is either the old desk or the complete new
one. A cancel or an error removes the folder at once; a killed run's folder (its pid no longer
alive) is removed by the next run for that target, or by anyone calling `sweep_stale` at open.

Why an existing file is replaced in place and never removed: another process may have it open,
mid-transaction. Deleting it and its `-wal`/`-shm` would let that process's COMMIT succeed
into an orphaned file (issue 10, #1). So the new desk is built in a directory beside the target
and copied INTO it with SQLite's backup API, which takes the write lock like any writer and
waits for it (the busy timeout, `LOCK_TIMEOUT`): a write in progress commits first and is then
replaced, and connections left open read the new desk. If the lock does not come in time the
run is refused and the target is left as it was; the directory beside it is always removed.

Why a workstation of a shared desk is refused even with `force`: its database is bound to its
server, and a demo desk over it would write tickets no op carries — they would never reach the
server, and the sync's check would sweep them away — while the replaced file would drop the
ops still waiting for the server (opdesk.store.local_writes).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from opdesk.demo.directory import build_reference
from opdesk.demo.load import CHUNK, CHUNK_TABLES, Watch, load
from opdesk.progress import Cancel, Progress, Report
from opdesk.regulations.pack import Pack, load_default_pack
from opdesk.store.database import check_sqlite_file, open_local
from opdesk.store.local_writes import bound_server_raw, demo_refusal

LOCK_TIMEOUT = 5.0
"""Seconds a replacement waits for the write lock, as long as any writer waits (busy_timeout)."""
_BUSY = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED: the backup step could not take its lock


class DemoError(Exception):
    """The demo cannot be generated here; the message is for the person, in both languages."""

    def __init__(self, message_ru: str, message_en: str) -> None:
        self.message_ru, self.message_en = message_ru, message_en
        super().__init__(f"{message_ru} / {message_en}")


@dataclass(frozen=True)
class DemoSummary:
    path: Path
    tickets: int
    clients: int
    people: int
    rows: dict[str, int]
    seconds: float


def generate(
    path: Path,
    tickets: int,
    seed: int = 1,
    *,
    now: dt.datetime,
    force: bool = False,
    progress: TextIO | None = None,
    workers: int | None = None,
    report: Report | None = None,
    cancelled: Cancel | None = None,
) -> DemoSummary:
    """Generate the demo desk into `path` (created fresh); refuses a database holding data.

    `progress` is the CLI's text bar; `report(done, total)` (tickets loaded of the total) and
    `cancelled()` serve any other caller (the desktop's dialog): once `cancelled()` is true,
    `Cancelled` is raised at the next chunk or index and the half-made desk is removed (it was
    built beside the target, which is left as it was)."""
    if tickets < 1:
        raise DemoError("число тикетов должно быть не меньше 1", "--tickets must be at least 1")
    sweep_stale(path)
    existing = _prepare_target(path, force)
    pack = load_default_pack()
    watch = Watch(report, cancelled)
    beside = Path(tempfile.mkdtemp(prefix=f"{_beside_prefix(path)}{os.getpid()}-", dir=path.parent))
    try:
        fresh = beside / path.name
        summary = _generate(fresh, pack, tickets, seed, now, progress, workers, watch)
        if existing or not _move_into_place(fresh, path):
            _replace_in_place(fresh, path, force)
    finally:
        shutil.rmtree(beside, ignore_errors=True)
    return dataclasses.replace(summary, path=path)


def _beside_prefix(path: Path) -> str:
    return f".{path.name}.demo-"


def sweep_stale(path: Path) -> list[Path]:
    """Remove the folders that killed demo runs left beside `path`; returns those removed.

    A run's folder is `.<name>.demo-<pid>-XXXX/`, the pid in its name from the moment it
    exists; it is stale once that process is gone. A folder whose process is alive (or whose
    pid cannot be read or checked) is never touched. Safe to call at any open of `path`."""
    removed: list[Path] = []
    prefix = _beside_prefix(path)
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(prefix) or not entry.is_dir() or entry.is_symlink():
            continue
        pid_text = entry.name[len(prefix) :].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    """Whether process `pid` exists; True when that cannot be told (the folder is kept)."""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return True  # os.kill(pid, 0) would terminate the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # PermissionError: it exists, under another user
    return True


def _move_into_place(fresh: Path, path: Path) -> bool:
    """Put the complete desk `fresh` at the new target `path` in one atomic step; False when a
    file appeared at `path` meanwhile (then it is replaced under the write lock instead).

    The load ran with synchronous=OFF, so the file is flushed to disk before it is published
    and the folder after, so that a power loss cannot leave a half-written desk at `path`."""
    _fsync(fresh)
    try:
        os.link(fresh, path)  # never overwrites: fails if `path` exists
    except FileExistsError:
        return False
    except OSError:
        if path.exists():
            return False
        os.replace(fresh, path)  # a filesystem without hard links
    _fsync(path.parent)
    return True


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # a folder cannot be synced on some systems; the data itself was
    finally:
        os.close(fd)


def _prepare_target(path: Path, force: bool) -> bool:
    """Refuse a foreign file or (without `force`) one holding data; True when `path` exists
    and so must be replaced in place, under the write lock (it may be open elsewhere)."""
    if path.exists() and path.stat().st_size > 0:
        check_sqlite_file(path)  # a foreign or corrupt file is refused and never removed
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            _refuse_filled(conn, path, force)
        finally:
            conn.close()
    if path.exists():
        return True
    _remove(path)  # no database: a stray -wal/-shm/-journal would be replayed into the new one
    path.parent.mkdir(parents=True, exist_ok=True)
    return False


def _refuse_filled(conn: sqlite3.Connection, path: Path, force: bool) -> None:
    if bound_server_raw(conn) is not None:  # `force` or not: see the module docstring
        refused = demo_refusal()
        raise DemoError(f"{path}: {refused.message_ru}", f"{path}: {refused.message_en}")
    filled = _filled_tables(conn)
    if filled and not force:
        raise DemoError(
            f"база {path} уже содержит данные ({', '.join(filled)}); демо-данные не "
            "записаны. Укажите --force, чтобы заменить её, или другой файл --db",
            f"database {path} already holds data ({', '.join(filled)}); nothing was "
            "written. Pass --force to replace it, or another file with --db",
        )


def _filled_tables(conn: sqlite3.Connection) -> list[str]:
    names = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not r[0].startswith(("sqlite_", "ticket_fts")) and r[0] != "alembic_version"
    ]
    return [n for n in names if conn.execute(f'SELECT 1 FROM "{n}" LIMIT 1').fetchone()]


def _locked_out(path: Path) -> DemoError:
    return DemoError(
        f"база {path} занята другой записью дольше {LOCK_TIMEOUT:g} с (блокировка записи не "
        "получена); она не изменена. Повторите, когда запись закончится",
        f"database {path} is held by another writer for more than {LOCK_TIMEOUT:g} s (the "
        "write lock was not obtained); it was left untouched. Retry once that write is done",
    )


def _replace_in_place(fresh: Path, path: Path, force: bool) -> None:
    """Copy `fresh` INTO `path` with the backup API; never unlink `path` or its -wal/-shm.

    BEGIN IMMEDIATE waits (busy timeout) for a writer in progress to COMMIT and, under that
    lock, checks the target once more (without `force` it must still hold no data). The backup
    then takes the write lock itself (it cannot start inside a transaction of its connection)
    and, should another writer slip in between, waits for it the same way; past the timeout
    the copy is abandoned before a page is written and the run is refused."""
    dst = sqlite3.connect(path, timeout=LOCK_TIMEOUT, isolation_level=None)
    try:
        try:
            dst.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise _locked_out(path) from exc
            raise
        try:
            _refuse_filled(dst, path, force)
        finally:
            dst.execute("ROLLBACK")
        src = sqlite3.connect(fresh)
        try:
            deadline = time.monotonic() + LOCK_TIMEOUT

            def progress(status: int, remaining: int, total: int) -> None:
                if status in _BUSY and time.monotonic() > deadline:
                    raise _locked_out(path)

            src.backup(dst, progress=progress)
        finally:
            src.close()
    finally:
        dst.close()


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _in_load_order(sql: str) -> bool:
    """Indexes led by `ticket_id` (or the creation moment) receive their keys in ascending
    order during the load (ticket uuids grow with creation time), so keeping them costs an
    append; sorting millions of child rows afterwards would cost more."""
    columns = sql[sql.index("(") + 1 :].lstrip()
    return columns.startswith(("ticket_id", "created_at"))


def _generate(
    path: Path,
    pack: Pack,
    tickets: int,
    seed: int,
    now: dt.datetime,
    stream: TextIO | None,
    workers: int | None,
    watch: Watch,
) -> DemoSummary:
    started = time.monotonic()
    watch.check(0, tickets)
    open_local(path).close()  # the schema, exactly as the migrations make it
    ref = build_reference(pack, tickets, seed, now)
    watch.check(0, tickets)
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if tickets >= 4 * CHUNK else 0
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "foreign_keys=OFF",
            "locking_mode=EXCLUSIVE",
            "temp_store=MEMORY",
            "cache_size=-131072",
            "threads=2",
        ):
            conn.execute(f"PRAGMA {pragma}")
        indexes = [
            (name, sql)
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND tbl_name IN (" + ", ".join("?" * len(CHUNK_TABLES)) + ")",
                CHUNK_TABLES,
            )
            if not _in_load_order(sql)
        ]
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        staging = path.parent / "chunks"  # inside the run's folder, removed with it
        staging.mkdir()
        try:
            counts = load(conn, ref, workers, stream, staging, watch)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        bar = Progress(stream, len(indexes), "Индексы / indexes")
        for i, (_name, sql) in enumerate(indexes, 1):
            watch.check(tickets, tickets)  # all loaded; the indexes take the last moments
            conn.execute(sql)
            bar.update(i)
        bar.finish()
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
    finally:
        conn.close()
    return DemoSummary(
        path, tickets, len(ref.clients), len(ref.people), counts, time.monotonic() - started
    )
