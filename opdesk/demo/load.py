"""The bulk load of the demo: workers generate chunks into staging files, one writer copies.

Why staging files: measured on the 2-core target, the single SQLite writer was the bottleneck
(binding ~14 million Python tuples costs more than generating them). Each worker therefore
writes its chunk with executemany into a small constraint-free SQLite file of its own, in
parallel, and the writer moves whole tables with `INSERT … SELECT`, which runs entirely in
SQLite's C code (about 2.5× faster than executemany of the same rows). At most two chunks per
worker are in flight, so memory and disk stay bounded whatever the ticket count.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections import deque
from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any, TextIO

from opdesk.demo.reference import DAY, Clock, Reference, Tables
from opdesk.demo.sla_fast import FastSla
from opdesk.demo.tickets import Kit, make_chunk
from opdesk.progress import Cancel, Progress, Report, checkpoint
from opdesk.regulations.pack import load_default_pack
from opdesk.store import search
from opdesk.store.bulk import COLUMNS, copy_sql, insert_sql

CHUNK = 5000
CHUNK_TABLES = tuple(t for t in Tables().rows if t != "fts")
FTS_COLUMNS = ("rowid", *search.FTS_COLUMNS)


# -- workers -----------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(ref: Reference, staging: str, chunk: int) -> None:
    """A worker's state; everything it needs comes in its arguments (a forkserver child
    shares nothing with the caller, not even a chunk size the caller changed)."""
    _WORKER["ref"] = ref
    _WORKER["chunk"] = chunk
    clock = Clock(ref.start // DAY - 2, ref.now // DAY + 800)
    _WORKER["kit"] = Kit.build(FastSla(load_default_pack()), clock)
    _WORKER["staging"] = staging


def _chunk(index: int) -> tuple[str, dict[str, int]]:
    """Generate chunk `index` into its own staging file; returns the file and row counts."""
    tables = make_chunk(_WORKER["ref"], _WORKER["kit"], index, _WORKER["chunk"])
    path = os.path.join(_WORKER["staging"], f"chunk-{index}.sqlite3")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("BEGIN")
        for table, cols in (*((t, COLUMNS[t]) for t in CHUNK_TABLES), ("fts", FTS_COLUMNS)):
            conn.execute(f'CREATE TABLE "{table}" ({", ".join(f"[{c}]" for c in cols)})')
            marks = ", ".join("?" * len(cols))
            conn.executemany(f'INSERT INTO "{table}" VALUES ({marks})', tables.rows[table])
        conn.execute("COMMIT")
    finally:
        conn.close()
    return path, {t: len(tables.rows[t]) for t in CHUNK_TABLES}


def _chunks(
    ref: Reference, workers: int, staging: Path
) -> Generator[tuple[str, dict[str, int]], None, None]:
    count = (ref.tickets + CHUNK - 1) // CHUNK
    if workers <= 0:
        _init_worker(ref, str(staging), CHUNK)
        for i in range(count):
            yield _chunk(i)
        return
    # forkserver, not fork: the caller may have threads (the desktop's jobs, a test run's
    # servers), and a child forked while another thread holds a lock can hang for good — a
    # generation that never ends. The server process is forked once, single-threaded.
    ctx = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    with ctx.Pool(workers, _init_worker, (ref, str(staging), CHUNK)) as pool:
        pending: deque[AsyncResult[tuple[str, dict[str, int]]]] = deque()
        following = iter(range(count))
        for i in following:
            pending.append(pool.apply_async(_chunk, (i,)))
            if len(pending) >= 2 * workers:
                break
        while pending:
            yield pending.popleft().get()
            nxt = next(following, None)
            if nxt is not None:
                pending.append(pool.apply_async(_chunk, (nxt,)))


# -- the writer --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Watch:
    """The caller's progress report and cancel question, asked between chunks."""

    report: Report | None = None
    cancelled: Cancel | None = None

    def check(self, done: int, total: int) -> None:
        checkpoint(done, total, self.report, self.cancelled)


def load(
    conn: sqlite3.Connection,
    ref: Reference,
    workers: int,
    stream: TextIO | None,
    staging: Path,
    watch: Watch | None = None,
) -> dict[str, int]:
    """Reference data, then every chunk: one short transaction per chunk (ATTACH and DETACH
    need none open; with the journal off a commit costs nothing).

    A cancel is noticed between chunks; the chunk generator is closed on the way out, so the
    worker pool (if any) is terminated rather than left generating."""
    watch = watch or Watch()
    counts: dict[str, int] = dict.fromkeys(CHUNK_TABLES, 0)
    conn.execute("BEGIN")
    conn.executemany(insert_sql("departments", COLUMNS["departments"]), ref.departments)
    conn.executemany(insert_sql("people", COLUMNS["people"]), ref.people)
    conn.executemany(insert_sql("clients", COLUMNS["clients"]), ref.clients)
    conn.execute("COMMIT")
    copies = [copy_sql(t, COLUMNS[t]) for t in CHUNK_TABLES]
    fts_cols = ", ".join(FTS_COLUMNS)
    copies.append(f"INSERT INTO main.ticket_fts ({fts_cols}) SELECT {fts_cols} FROM s.fts")
    bar = Progress(stream, ref.tickets, "Демо / demo", " тикетов")
    done = 0
    with closing(_chunks(ref, workers, staging)) as chunks:
        for path, rows in chunks:
            conn.execute("ATTACH DATABASE ? AS s", (path,))
            conn.execute("BEGIN")
            for sql in copies:
                conn.execute(sql)
            conn.execute("COMMIT")
            conn.execute("DETACH DATABASE s")
            os.remove(path)
            for table, n in rows.items():
                counts[table] += n
            done += rows["tickets"]
            bar.update(done)
            watch.check(done, ref.tickets)
    bar.finish()
    return counts
