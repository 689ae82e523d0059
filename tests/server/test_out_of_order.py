"""The out-of-order test: transactions that draw their versions in one order and commit in the
other, with a puller pulling in between, on the real PostgreSQL.

Three stampings run through the same scenario and the same keyset code:
- `xid-watermark`, the one installed (opdesk/server/versioning.py) and pulled by `pull`;
- `advisory-lock`, the alternative DESIGN.md names: a sequence drawn under a transaction
  advisory lock (commit order = version order), pulled by the plain keyset. It skips nothing
  either, but its writers deadlock (one holds a ticket's row lock and waits for the version
  lock, the other holds that and waits for the row): the stress test retries and counts them;
- `naive-sequence`, a sequence with no lock and no watermark, pulled by the plain keyset: the
  test must catch its skip, or it proves nothing about the other two.

The throughput test prints what each costs with 8 concurrent connections (figures only: timed
assertions flake on shared machines).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import delete, insert, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from opdesk.models import Base, uuid7
from opdesk.server.pull import PullBatch, iter_rows, keyset_pull
from opdesk.server.versioning import install_versioning, stamp_functions_sql
from opdesk.store import wire as rows
from opdesk.store.database import open_url
from opdesk.store.wire import SYNCED_TABLES
from tests.server.test_versioning import T0, comment, ticket

TICKETS = Base.metadata.tables["tickets"]
COMMENTS = Base.metadata.tables["comments"]
Replica = dict[tuple[str, str], rows.JsonRow]


@dataclass(frozen=True)
class Scheme:
    name: str
    stamp: str | None  # SQL replacing the installed stamp; None: the installed one
    watermark: bool
    skips: bool


XID = Scheme("xid-watermark", None, watermark=True, skips=False)
LOCK = Scheme("advisory-lock", "opdesk_test_locked_version()", watermark=False, skips=False)
NAIVE = Scheme("naive-sequence", "nextval('opdesk_test_version_seq')", watermark=False, skips=True)
ALTERNATIVES = (
    "CREATE SEQUENCE opdesk_test_version_seq START 2",
    "CREATE FUNCTION opdesk_test_locked_version() RETURNS bigint LANGUAGE plpgsql AS $$"
    " BEGIN PERFORM pg_advisory_xact_lock(830001); RETURN nextval('opdesk_test_version_seq');"
    " END $$",
)


def versioned(url: str, scheme: Scheme) -> tuple[Engine, Callable[[], None]]:
    db = open_url(url)
    with db.engine.begin() as conn:
        install_versioning(conn)
        if scheme.stamp is not None:
            for statement in (*ALTERNATIVES, *stamp_functions_sql(scheme.stamp)):
                conn.exec_driver_sql(statement)
    return db.engine, db.close


@pytest.fixture(params=[XID, LOCK, NAIVE], ids=lambda s: s.name)
def scheme_engine(request: pytest.FixtureRequest, pg_fresh_url: str) -> Iterator[Any]:
    engine, close = versioned(pg_fresh_url, request.param)
    try:
        yield request.param, engine
    finally:
        close()


def pull_into(replica: Replica, conn: Connection, scheme: Scheme, cursor: int, limit: int,
              batches: list[int] | None = None) -> int:  # fmt: skip
    """Pull until nothing is left below the watermark, applying as a workstation would."""
    while True:
        batch: PullBatch = keyset_pull(conn, cursor, limit, watermark=scheme.watermark)
        if batches is not None:
            batches.append(len(batch.changes) + len(batch.tombstones))
        conn.rollback()  # a puller never sits in a transaction between pulls
        for table, key in batch.tombstones:
            replica.pop((table, key), None)
        for table, row in batch.changes:
            replica[(table, rows.row_key(table, row))] = row
        cursor = batch.cursor
        if not batch.more:
            return cursor


def content(engine: Engine) -> Replica:
    with engine.connect() as conn:
        return {(t, rows.row_key(t, r)): r for t in SYNCED_TABLES for r in iter_rows(conn, t)}


def test_a_version_drawn_first_and_committed_last_is_not_skipped(scheme_engine: Any) -> None:
    """Writer 0 writes first, then 1, then 2; they commit 2, 1, 0, the puller pulling after
    each commit. With the naive sequence the puller has passed versions 0 and 1 by the time
    they commit, and never sees them."""
    scheme, engine = scheme_engine
    n = 3
    written = [threading.Event() for _ in range(n)]
    may_commit = [threading.Event() for _ in range(n)]
    committed = [threading.Event() for _ in range(n)]
    made: list[dict[str, Any]] = [ticket(i) for i in range(n)]

    def writer(i: int) -> None:
        with engine.connect() as conn, conn.begin():
            conn.execute(insert(TICKETS).values(made[i]))  # draws the version (or waits)
            conn.execute(insert(COMMENTS).values(comment(made[i]["uuid"])))
            written[i].set()
            may_commit[i].wait(30)
        committed[i].set()

    threads = []
    for i in range(n):
        threads.append(threading.Thread(target=writer, args=(i,)))
        threads[-1].start()
        written[i].wait(0.5)  # under the advisory lock, 1 and 2 wait for 0: they cannot draw
    replica: Replica = {}
    cursor = 0
    with engine.connect() as puller:
        cursor = pull_into(replica, puller, scheme, cursor, limit=2)
        for i in reversed(range(n)):
            may_commit[i].set()
            committed[i].wait(0.5)
            for _ in range(3):  # pull repeatedly while the others are still open
                cursor = pull_into(replica, puller, scheme, cursor, limit=2)
        for thread in threads:
            thread.join(30)
        cursor = pull_into(replica, puller, scheme, cursor, limit=2)
    truth = content(engine)
    missed = {key for key in truth if key not in replica}
    if scheme.skips:
        late = {str(made[i]["uuid"]) for i in (0, 1)}
        assert {key for table, key in missed if table == "tickets"} == late
        assert len(missed) == 4, "the naive keyset skips what committed late"
    else:
        assert missed == set()
        assert replica == truth


def write_randomly(engine: Engine, seed: int, count: int, known: dict[str, list[Any]],
                   guard: threading.Lock, retries: list[int]) -> None:  # fmt: skip
    """Short transactions of 1-4 writes with pauses inside, so they overlap and commit in any
    order: new tickets, comments on known tickets, ticket updates, comment deletes."""
    rnd = random.Random(seed)
    done = 0
    while done < count:
        with guard:
            tickets, comments = list(known["tickets"]), list(known["comments"])
        new_tickets: list[Any] = []
        new_comments: list[Any] = []
        gone: list[Any] = []
        try:
            with engine.connect() as conn, conn.begin():
                for _ in range(rnd.randint(1, 4)):
                    roll = rnd.random()
                    if roll < 0.3 or not tickets:
                        t = ticket(0, number=uuid7().hex[-30:])
                        conn.execute(insert(TICKETS).values(t))
                        new_tickets.append(t["uuid"])
                    elif roll < 0.65:
                        c = comment(rnd.choice(tickets), f"s{seed}")
                        conn.execute(insert(COMMENTS).values(c))
                        new_comments.append(c["id"])
                    elif roll < 0.9:
                        which = TICKETS.c.uuid == rnd.choice(tickets)
                        conn.execute(update(TICKETS).values(subject=f"{seed}-{done}").where(which))
                    elif comments:
                        victim = rnd.choice(comments)
                        conn.execute(delete(COMMENTS).where(COMMENTS.c.id == victim))
                        gone.append(victim)
                    time.sleep(rnd.random() * 0.004)
        except DBAPIError as exc:  # a deadlock: the lock scheme's row lock vs version lock
            retries.append(1)
            if getattr(exc.orig, "sqlstate", None) not in ("40P01", "40001"):
                raise
            continue
        with guard:
            known["tickets"] += new_tickets
            known["comments"] += new_comments
            known["comments"] = [c for c in known["comments"] if c not in gone]
        done += 1


@pytest.mark.parametrize("scheme", [XID, LOCK, NAIVE], ids=lambda s: s.name)
def test_concurrent_writers_and_a_busy_puller_converge(
    scheme: Scheme, pg_fresh_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Six writers and a puller that keeps up with them: skips happen at the head, where a
    late commit lands behind a cursor (a puller working through a backlog in small batches
    stays behind the running writers and would hide them). The catch-up uses small ones."""
    engine, close = versioned(pg_fresh_url, scheme)
    try:
        known: dict[str, list[Any]] = {"tickets": [], "comments": []}
        guard = threading.Lock()
        retries: list[int] = []
        writers = [
            threading.Thread(target=write_randomly,
                             args=(engine, seed, 30, known, guard, retries))
            for seed in range(6)
        ]  # fmt: skip
        for thread in writers:
            thread.start()
        replica: Replica = {}
        cursor, batches = 0, []
        with engine.connect() as puller:
            while any(thread.is_alive() for thread in writers):
                cursor = pull_into(replica, puller, scheme, cursor, 100, batches)
            for thread in writers:
                thread.join()
            pull_into(replica, puller, scheme, cursor, limit=5)
        truth = content(engine)
        missed = {k for k in truth if replica.get(k) != truth[k]}
        with capsys.disabled():
            print(f"\n{scheme.name}: {len(truth)} rows, {len(batches)} batches while writing,"
                  f" {len(missed)} missed or stale, {len(retries)} deadlocks retried")  # fmt: skip
        assert len([n for n in batches if n]) >= 5, "the puller must pull while writers write"
        if scheme.skips:
            assert missed, "the naive keyset skipped nothing: the writers do not overlap enough"
        else:
            assert missed == set(), "a row was skipped"
            assert replica == truth
    finally:
        close()


def measure(engine: Engine, work: float, seconds: float, threads: int = 8) -> tuple[float, int]:
    """Transactions per second: each of `threads` connections inserts a comment, waits `work`
    seconds (a push's rule engine between statements), updates its own ticket, commits."""
    own = [ticket(i, number=uuid7().hex[-30:]) for i in range(threads)]
    with engine.begin() as conn:
        conn.execute(insert(TICKETS), own)
    counts = [0] * threads
    failures: list[int] = []
    start = time.monotonic()
    stop = start + seconds

    def run(i: int) -> None:
        which = TICKETS.c.uuid == own[i]["uuid"]
        with engine.connect() as conn:
            while time.monotonic() < stop:
                try:
                    with conn.begin():
                        conn.execute(insert(COMMENTS).values(comment(own[i]["uuid"])))
                        if work:
                            time.sleep(work)
                        conn.execute(update(TICKETS).values(updated_at=T0).where(which))
                    counts[i] += 1
                except DBAPIError:
                    failures.append(i)

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(counts) / (time.monotonic() - start), len(failures)


def test_throughput_with_8_connections(pg_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    figures = []
    for scheme in (XID, LOCK, NAIVE):
        name = pg_server.create_database()
        try:
            engine, close = versioned(pg_server.url(name), scheme)
            try:
                for work in (0.0, 0.002):
                    rate, failures = measure(engine, work, seconds=1.0)
                    figures.append((scheme.name, work, rate, failures))
            finally:
                close()
        finally:
            pg_server.drop_database(name)
    with capsys.disabled():
        print("\nversion stamping, 8 connections, short transactions (insert + update):")
        for name, work, rate, failures in figures:
            print(f"  {name:15s} work inside {work * 1000:3.0f} ms: {rate:7.0f} tx/s"
                  f"  ({failures} failed)")  # fmt: skip
    assert all(rate > 0 and failures == 0 for _, _, rate, failures in figures)
