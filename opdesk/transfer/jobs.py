"""`opdesk import` / `opdesk export`: tickets as JSON Lines or CSV, all-or-nothing on import.

One ticket per line (JSONL) or row (CSV): its main fields and client, then its comments,
closure (with performers and spare parts), confirmations, status history and outgoing
requests. CSV keeps the main fields as plain columns for spreadsheets and the nested parts as
JSON text in their own columns, so a CSV file carries everything a closed ticket needs to pass
the closing checklist on import. Local integer ids are never exported; the ticket's UUID is.

Import validates every row first (check) and writes nothing if any row is bad; a good
file goes in one transaction: tickets, their history ("created"/"status" events from the file
plus one "imported" event), children, one outbox row per ticket, SLA columns (apply_sla, the
command layer's definition) and the full-text index.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import json
import os
import sys
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from opdesk.models import (
    Ticket,
)
from opdesk.progress import Cancel, Cancelled, Report, checkpoint
from opdesk.regulations.pack import Pack, load_default_pack
from opdesk.store.database import Database, DatabaseError
from opdesk.transfer.check import (
    Checked,
    Problem,
    check_record,
)
from opdesk.transfer.export_rows import export_records
from opdesk.transfer.read import CLIENT_FIELDS, CSV_FIELDS, NESTED, read_records
from opdesk.transfer.write import write_all

CHECK_EVERY = 100  # lines between progress reports (and cancel checks) while checking

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
    "write_csv",
    "write_jsonl",
]


class ImportRefused(Exception):
    """The file has bad rows; nothing was written. `problems` lists each with its line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# -- export -----------------------------------------------------------------------------------


def write_jsonl(records: Iterator[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for rec in records:
        out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def write_csv(records: Iterator[dict[str, Any]], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    count = 0
    for rec in records:
        client = rec.get("client") or {}
        row: list[str] = []
        for name in CSV_FIELDS:
            if name in CLIENT_FIELDS:  # not client_dissatisfied, client_allows_closing
                value: Any = client.get(name.removeprefix("client_"), "")
            else:
                value = rec.get(name)
            row.append(_cell(name, value))
        writer.writerow(row)
        count += 1
    return count


def _cell(name: str, value: Any) -> str:
    if name in NESTED:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


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
    `report(done, total)` counts tickets."""
    with db.engine.connect() as conn:
        records = export_records(conn, query, now, report, cancelled)
        if str(file) == "-":
            return _write(records, sys.stdout, fmt)
        tmp = file.with_name(file.name + ".part")
        try:
            with tmp.open("w", encoding="utf-8", newline="") as out:
                count = _write(records, out, fmt)
            os.replace(tmp, file)  # a reader never sees half a file
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return count


def _write(records: Iterator[dict[str, Any]], out: TextIO, fmt: str) -> int:
    return write_csv(records, out) if fmt == "csv" else write_jsonl(records, out)


# -- import -----------------------------------------------------------------------------------


def import_file(
    db: Database,
    file: Path,
    fmt: str,
    now: dt.datetime,
    pack: Pack | None = None,
    *,
    report: Report | None = None,
    cancelled: Cancel | None = None,
) -> int:
    """Import every ticket of `file` or none: raises ImportRefused listing each bad row, or
    `Cancelled` (nothing written) once `cancelled()` is true. `report(done, total)`: lines
    read with total 0 while checking, then tickets written of the total."""
    try:
        with file.open("r", encoding="utf-8-sig", newline="") as stream:
            return import_records(
                db, read_records(stream, fmt), now, pack, report=report, cancelled=cancelled
            )
    except OSError as exc:
        problem = Problem(0, "file", f"файл не читается: {exc.strerror}", str(exc))
        raise ImportRefused([problem]) from exc
    except UnicodeDecodeError as exc:
        problem = Problem(0, "file", "файл не в кодировке UTF-8", "the file is not UTF-8")
        raise ImportRefused([problem]) from exc


def import_records(
    db: Database,
    records: Iterator[tuple[int, Any]],
    now: dt.datetime,
    pack: Pack | None = None,
    *,
    report: Report | None = None,
    cancelled: Cancel | None = None,
) -> int:
    """Check every record, then write them all in one transaction.

    Cancelling works in both passes: while checking nothing has been written yet; while
    writing, `Cancelled` leaves the transaction, which rolls back. Progress while checking is
    (line, 0) every CHECK_EVERY lines — the number of records is not known before the end of
    the file — and while writing (tickets written, tickets).

    Why `gc.freeze` at every checkpoint: all or nothing means the checked file stays in memory
    until it is written, and each full collection of the cyclic collector walks all of it while
    every thread waits — measured on 20 000 tickets, 17 full collections of up to 0.35 s (a
    whole second in the desktop, whose window stopped answering). Freezing moves what exists
    so far out of the collector's sight (it is long-lived anyway); `gc.unfreeze` at the end
    hands it back, mostly freed by then. Import 17.9 → 14.1 s, longest pause 346 → 24 ms.
    """
    try:
        return _import_records(db, records, now, pack, report, cancelled)
    finally:
        gc.unfreeze()


def _import_records(
    db: Database,
    records: Iterator[tuple[int, Any]],
    now: dt.datetime,
    pack: Pack | None,
    report: Report | None,
    cancelled: Cancel | None,
) -> int:
    pack = pack or load_default_pack()
    moment = now
    checked: list[Checked] = []
    problems: list[Problem] = []
    numbers: dict[str, int] = {}
    uuids: dict[uuid.UUID, int] = {}
    for seen, (line, rec) in enumerate(records):
        if seen % CHECK_EVERY == 0:
            gc.freeze()
            checkpoint(line, 0, report, cancelled)
        if isinstance(rec, Problem):
            problems.append(rec)
            continue
        item, bad = check_record(pack, line, rec)
        problems.extend(bad)
        if item is None:
            continue
        number = item.fields["number"]
        if number in numbers:
            problems.append(
                Problem(
                    line,
                    "number",
                    f"номер «{number}» уже был в строке {numbers[number]}",
                    f"number {number!r} repeats line {numbers[number]}",
                )
            )
        numbers.setdefault(number, line)
        if item.ticket_uuid in uuids:
            problems.append(
                Problem(line, "uuid", "UUID повторяется в файле", "the UUID repeats in the file")
            )
        uuids.setdefault(item.ticket_uuid, line)
        checked.append(item)
    try:
        with db.transaction() as session:
            _lock_for_writing(session)
            # Inside the lock: what another import has just committed is seen here, and its
            # tickets are refused line by line as duplicates.
            problems += _existing(session, checked)
            if problems:
                raise ImportRefused(sorted(problems, key=lambda p: p.line))
            total = len(checked)

            def step(done: int) -> None:
                gc.freeze()
                checkpoint(done, total, report, cancelled)

            write_all(session, pack, checked, moment, step=step)
    except OperationalError as exc:
        if not is_busy_error(exc):
            raise
        raise busy_error(db.engine.url.database or str(db.engine.url)) from exc
    except IntegrityError as exc:  # the lock should prevent it; never a traceback if not
        problem = Problem(
            0,
            "database",
            "данные файла столкнулись с записанными другим процессом OpDesk "
            f"({exc.orig}); повторите импорт",
            f"the file's data clashed with what another OpDesk process wrote ({exc.orig}); "
            "run the import again",
        )
        raise ImportRefused([problem]) from exc
    return len(checked)


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


def _existing(session: Session, items: list[Checked]) -> list[Problem]:
    out: list[Problem] = []
    by_number = {c.fields["number"]: c.line for c in items}
    by_uuid = {c.ticket_uuid: c.line for c in items}
    for i in range(0, len(items), 500):
        part = items[i : i + 500]
        for (number,) in session.execute(
            select(Ticket.number).where(Ticket.number.in_([c.fields["number"] for c in part]))
        ):
            out.append(
                Problem(
                    by_number[number],
                    "number",
                    f"тикет с номером «{number}» уже есть в базе",
                    f"a ticket numbered {number!r} already exists",
                )
            )
        for (tid,) in session.execute(
            select(Ticket.uuid).where(Ticket.uuid.in_([c.ticket_uuid for c in part]))
        ):
            out.append(
                Problem(
                    by_uuid[tid],
                    "uuid",
                    "тикет с этим UUID уже есть в базе",
                    "a ticket with this UUID already exists",
                )
            )
    return out
