"""`opdesk demo`: a realistic Russian desk in a fresh local database, fast enough for 10⁶ tickets.

Why raw sqlite3 and not the ORM or the command layer: a million tickets with their history,
comments and closures are ~10 million rows; the ORM would take an hour. The generator instead
walks each ticket through its own process exactly as the pack defines it (tickets, walks,
outage, flows), computes the SLA columns with the engine's epoch core (sla_fast, checked
against the command layer's `apply_sla` in tests), and worker processes stage the rows that
one writer copies in (load).

Why the speed settings are safe: they are used only on a file this run created (or an empty
one it replaced) — synchronous=OFF and no journal for the load, secondary indexes dropped and
rebuilt from the exact SQL the migrations stored — and WAL is restored at the end. A crash
or a cancel leaves no half-written desk behind: the partial file is removed. An existing
database with any data is never touched unless `force` is given.
"""

from __future__ import annotations

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
    `Cancelled` is raised at the next chunk or index and the half-made file is removed."""
    if tickets < 1:
        raise DemoError("число тикетов должно быть не меньше 1", "--tickets must be at least 1")
    _prepare_target(path, force)
    pack = load_default_pack()
    moment = now
    watch = Watch(report, cancelled)
    try:
        summary = _generate(path, pack, tickets, seed, moment, progress, workers, watch)
    except BaseException:
        _remove(path)
        raise
    return summary


def _prepare_target(path: Path, force: bool) -> None:
    if path.exists() and path.stat().st_size > 0:
        check_sqlite_file(path)  # a foreign or corrupt file is refused and never removed
        filled = _filled_tables(path)
        if filled and not force:
            raise DemoError(
                f"база {path} уже содержит данные ({', '.join(filled)}); демо-данные не "
                "записаны. Укажите --force, чтобы заменить её, или другой файл --db",
                f"database {path} already holds data ({', '.join(filled)}); nothing was "
                "written. Pass --force to replace it, or another file with --db",
            )
    _remove(path)
    path.parent.mkdir(parents=True, exist_ok=True)


def _filled_tables(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not r[0].startswith(("sqlite_", "ticket_fts")) and r[0] != "alembic_version"
        ]
        return [n for n in names if conn.execute(f'SELECT 1 FROM "{n}" LIMIT 1').fetchone()]
    finally:
        conn.close()


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
        staging = Path(tempfile.mkdtemp(prefix=".opdesk-demo-", dir=path.parent))
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
