"""`opdesk import` / `opdesk export`: tickets as JSON Lines or CSV, all-or-nothing on import.

One ticket per line (JSONL) or row (CSV): its main fields and client, then its comments,
closure (with performers and spare parts), confirmations, status history and outgoing
requests. CSV keeps the main fields as plain columns for spreadsheets and the nested parts as
JSON text in their own columns, so a CSV file carries everything a closed ticket needs to pass
the closing checklist on import. Local integer ids are never exported; the ticket's UUID is.

Import checks every row and writes nothing if any row is bad; a good file goes in one
transaction: tickets, their history ("created"/"status" events from the file plus one
"imported" event), children, SLA columns (apply_sla, the command layer's definition) and the
full-text index. It records no outbox op: an op is a command a server re-runs through the
rule engine, and an import is a data job of its own (a desk's migration from another help
desk happens once, on the database that is to hold it).

Hence an import into a workstation of a shared desk (a database bound to its server) is
refused before anything is written: its tickets would never reach the server, and the sync's
check would sweep them away (opdesk.store.local_writes).
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO, cast

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from opdesk.progress import Cancel, Cancelled, Report, checkpoint
from opdesk.regulations.pack import Pack, load_default_pack
from opdesk.store.database import Database, DatabaseError
from opdesk.store.local_writes import import_refusal, refuse_if_bound
from opdesk.transfer import export_sql, render
from opdesk.transfer.check import (
    Problem,
)
from opdesk.transfer.export_rows import Source, export_records
from opdesk.transfer.keys import Keys
from opdesk.transfer.pipeline import Chunk, batches, preparers, worker_count
from opdesk.transfer.prepare import Prepared
from opdesk.transfer.read import CSV_FIELDS, read_records
from opdesk.transfer.workers import Workers
from opdesk.transfer.write import BulkWriter

MAX_READS = 3  # an export read again because a writer started: at most this many reads

# Build the queue's indexes once at the end when the file has at least this many bytes per
# ticket already in the desk: an exported ticket takes about 3 KB, so a file bringing a third
# of the desk's tickets or more; fewer are cheaper to index row by row.
DEFER_BYTES_PER_TICKET = 1024

__all__ = [
    "CSV_FIELDS",
    "Cancelled",
    "ImportRefused",
    "Problem",
    "export_file",
    "export_records",
    "import_file",
    "import_records",
    "read_records",
]


class ImportRefused(Exception):
    """The file has bad rows; nothing was written. `problems` lists each with its line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# -- export -----------------------------------------------------------------------------------


def export_file(
    db: Database,
    file: Path,
    fmt: str,
    now: dt.datetime,
    query: str | None = None,
    *,
    report: Report | None = None,
    cancelled: Cancel | None = None,
) -> int:
    """Write the tickets (all, or those matching a TicketQuery given as JSON) to `file`.

    The file appears whole or not at all: the rows go to `<file>.part`, renamed over `file`
    at the end. A failure or a cancel (`Cancelled`, raised at the next batch once
    `cancelled()` is true) removes the part file and leaves an existing `file` as it was.
    `report(done, total)` counts tickets. Every batch is read in the one snapshot of the
    connection's read transaction — and when the database was read without locks (no writer
    when it began: Database.read_mark) and a writer came meanwhile, the export is read
    again, so the file is always one moment of the desk."""
    for _attempt in range(MAX_READS):
        mark = db.read_mark()
        if str(file) == "-":
            return _export(db, sys.stdout, fmt, now, query, report, cancelled)
        tmp = file.with_name(file.name + ".part")
        try:
            with tmp.open("w", encoding="utf-8", newline="") as out:
                count = _export(db, out, fmt, now, query, report, cancelled)
            if mark is not None and db.read_mark() != mark:
                continue  # the part file is written over
            os.replace(tmp, file)  # a reader never sees half a file
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return count
    tmp.unlink(missing_ok=True)
    raise DatabaseError(
        str(file),
        "база менялась во время каждой попытки выгрузки; файл не записан — повторите",
        "the database changed during every attempt to export; no file written - try again",
    )


def _export(
    db: Database,
    out: TextIO,
    fmt: str,
    now: dt.datetime,
    query: str | None,
    report: Report | None,
    cancelled: Cancel | None,
) -> int:
    with db.engine.connect() as conn:
        source = Source(conn, query, now)
        export_sql.prepare_connection(conn.connection.dbapi_connection)  # type: ignore[arg-type]
        texts = (
            render.batch_text(source.cur, ids, fmt) for ids in source.id_batches(report, cancelled)
        )
        return _write(texts, out, fmt)


def _write(texts: Iterator[tuple[int, str]], out: TextIO, fmt: str) -> int:
    if fmt == "csv":
        out.write(render.csv_header())
    count = 0
    for n, text in texts:
        out.write(text)
        count += n
    return count


def import_file(
    db: Database,
    file: Path,
    fmt: str,
    now: dt.datetime,
    pack: Pack | None = None,
    *,
    report: Report | None = None,
    cancelled: Cancel | None = None,
    workers: int | None = None,
) -> int:
    """Import every ticket of `file` or none: raises ImportRefused listing each bad row, or
    `Cancelled` (nothing written) once `cancelled()` is true. `report(done, total)` after each
    batch: KiB of the file read so far, of its size in KiB (KiB, not bytes: a progress bar's
    range is a 32-bit int). `workers`: see import_records."""
    try:
        size = file.stat().st_size
        stream = file.open("r", encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise _unreadable(exc) from exc
    with stream:
        buffer = cast(BinaryIO, stream.buffer)
        kib = max(1, size // 1024)

        def position() -> tuple[int, int]:
            return min(kib, buffer.tell() // 1024), kib

        return import_records(
            db,
            _read(read_records(stream, fmt, parse=False)),
            now,
            pack,
            report=report,
            cancelled=cancelled,
            position=position,
            size=size,
            workers=workers,
        )


def _read(records: Iterator[tuple[int, Any]]) -> Iterator[tuple[int, Any]]:
    """The file's records; a file that cannot be read on is refused, not a traceback."""
    try:
        yield from records
    except OSError as exc:
        raise _unreadable(exc) from exc
    except UnicodeDecodeError as exc:
        problem = Problem(0, "file", "файл не в кодировке UTF-8", "the file is not UTF-8")
        raise ImportRefused([problem]) from exc


def _unreadable(exc: OSError) -> ImportRefused:
    return ImportRefused([Problem(0, "file", f"файл не читается: {exc.strerror}", str(exc))])


def import_records(
    db: Database,
    records: Iterator[tuple[int, Any]],
    now: dt.datetime,
    pack: Pack | None = None,
    *,
    report: Report | None = None,
    cancelled: Cancel | None = None,
    position: Callable[[], tuple[int, int]] | None = None,
    size: int = 0,
    workers: int | None = None,
) -> int:
    """Check and write the records in one pass and one transaction: all of them, or none.

    Why one pass: holding a checked file in memory until it is all checked grew with the file
    (1.16 GB for 20 000 tickets) — a migration of a million tickets would not fit. Each batch
    of BATCH records is checked and written into the open transaction; a bad record stops the
    writing but not the checking, so every problem of the file is still reported with its
    line, and the transaction then rolls back (as it does on a cancel or a kill: SQLite never
    commits half of it). Repeated numbers and UUIDs are found through a temporary table of the
    keys seen so far, so memory stays flat whatever the file's size.

    `size`: the file's bytes, when known. It chooses the `workers` that prepare the batches
    when not given (opdesk.transfer.pipeline; 0 prepares them here), and whether the queue's
    indexes are built once at the end instead of row by row (BulkWriter.defer_indexes).
    Progress after each batch: `position()` (KiB read, KiB in all) when given, else (line, 0).
    `gc.freeze` at each checkpoint keeps the cyclic collector from walking what the import
    has built so far (it stopped the desktop for up to 0.35 s at a time).

    A database bound to a shared desk's server is refused (SharedDeskRefusal) before the
    workers start, and once more under the write lock: nothing is written."""
    with db.transaction() as session:
        refuse_if_bound(session, import_refusal())
    pack = pack or load_default_pack()
    if workers is None:
        workers = worker_count(size)
    try:
        with preparers(pack, now, workers) as pool:
            return _import_records(db, records, pack, pool, report, cancelled, position, size)
    finally:
        gc.unfreeze()


def _import_records(
    db: Database,
    records: Iterator[tuple[int, Any]],
    pack: Pack,
    pool: Workers[Chunk, Prepared],
    report: Report | None,
    cancelled: Cancel | None,
    position: Callable[[], tuple[int, int]] | None,
    size: int,
) -> int:
    problems: list[Problem] = []
    written = 0
    line = 0

    def step() -> None:
        gc.freeze()
        done, total = position() if position is not None else (line, 0)
        checkpoint(done, total, report, cancelled)

    try:
        with db.transaction() as session:
            _lock_for_writing(session)
            refuse_if_bound(session, import_refusal())  # bound since the first look?
            # Inside the lock: what another import has just committed is seen here, and its
            # tickets are refused line by line as duplicates.
            raw = session.connection().connection.dbapi_connection
            assert isinstance(raw, sqlite3.Connection), "import writes a local SQLite desk"
            keys = Keys(raw)
            writer = BulkWriter(raw, {d.id: d.name for d in pack.departments})
            if size // DEFER_BYTES_PER_TICKET >= writer.next_id:  # tickets in the desk
                writer.defer_indexes()
            step()
            try:
                for batch in batches(pool, records):
                    line = batch.last_line
                    problems += batch.problems
                    problems += keys.repeats(batch.keys)
                    if not problems:  # after the first problem nothing more is written
                        writer.write(batch)
                        written += len(batch.keys)
                    step()
            finally:
                writer.close()
            keys.drop()
            if problems:  # the transaction rolls back: nothing of the file stays
                raise ImportRefused(sorted(problems, key=lambda p: p.line))
    except OperationalError as exc:
        if not is_busy_error(exc):
            raise
        raise busy_error(db.engine.url.database or str(db.engine.url)) from exc
    except (IntegrityError, sqlite3.IntegrityError) as exc:  # never a traceback
        problem = Problem(
            0,
            "database",
            "данные файла столкнулись с записанными другим процессом OpDesk "
            f"({getattr(exc, 'orig', exc)}); повторите импорт",
            f"the file's data clashed with what another OpDesk process wrote "
            f"({getattr(exc, 'orig', exc)}); run the import again",
        )
        raise ImportRefused([problem]) from exc
    return written


def _lock_for_writing(session: Session) -> None:
    """Take SQLite's write lock before the first read of the transaction.

    Why: pysqlite begins a transaction only at the first INSERT, so the duplicate checks and
    the people/clients/departments read by write_all would see the database as it was before
    a concurrent import committed, and the write would then die on a UNIQUE constraint.
    `BEGIN IMMEDIATE` waits (the connection's busy timeout) for another writer to finish and
    then holds the lock until commit, so everything read afterwards is current. Other
    databases (PostgreSQL) keep their own transaction."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def is_busy_error(exc: BaseException) -> bool:
    """SQLite's "database is locked": another process held the write lock past the busy
    timeout."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    return "database is locked" in text or "database is busy" in text


def busy_error(where: str | Path) -> DatabaseError:
    return DatabaseError(
        where,
        "база занята другим процессом OpDesk (идёт запись, например другой импорт) и не "
        "освободилась вовремя; ничего не записано — повторите импорт позже",
        "another OpDesk process is writing to the database (another import, say) and did not "
        "finish in time; nothing was written - run the import again later",
    )
