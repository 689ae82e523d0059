"""Benchmark: sync with the shared server (issue 11, "Benchmarks").

Run: .venv/bin/python bench/bench_sync.py [--tickets N] [--changes N]
         [--workstations N] [--rate OPS] [--seconds S] [--db PATH] [--skip initial,change,load]
Prints one figure per line, `name: value unit` (ratios to the targets too; nothing is asserted).

Everything runs for real: a throw-away PostgreSQL (tests/pg.py: initdb on loopback, deleted at
the end), `opdesk server run` processes (tests/server/live.py), workstations on SQLite files
with `SyncEngine` + `HttpServer`. All of it — servers, PostgreSQL, temporary files — is
stopped and removed at the end, on failure and on SIGTERM/SIGINT too. The demo desk of
part 1 is cached in /tmp/opdesk-bench like the other benchmarks' desks.

1. initial: a demo desk of N tickets (`opdesk demo`, SQLite) copied into the server's
   PostgreSQL with COPY in transactions of 1,000 rows (the versioning triggers stamp each
   row), then one `SyncEngine.sync_once(check=False)` into an empty workstation file
   (rows/s), the check timed apart; and in the same run the raw floor: psycopg `COPY (SELECT
   …) TO STDOUT` of the same rows + sqlite3 `executemany` into an empty file of the same
   schema. Target: ≤ 3×.
   The default N is 1,000,000 (generating it takes long: pass --tickets for a quick look).
2. change: a comment made on workstation A (command + A's sync) until it is in B's database,
   B syncing when the server's event stream wakes it. Targets: median ≤ 250 ms, p95 ≤ 1 s.
3. load: W simulated workstations (asyncio tasks, no Qt; each its own login, client id and
   op sequence) push real `add_comment` op batches over HTTP at R ops/s each for S seconds
   against one server process, then against two behind a round-robin TCP proxy written here.
   Figures: ops/s held, push latency p50/p95, the server's applied ops against the
   acknowledged ones (lost and duplicated must be 0), ops per push, and the server processes'
   CPU time per acknowledged op (from /proc: on a shared machine the wall figures move with
   the neighbours' load, the CPU cost of an op much less). Before the load, the same pushes
   (1 and 10 comments) run through `Pusher.push` in this process: CPU time and statements
   per op without HTTP, threads or other pushes, the steadiest figure to compare changes by.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import json
import os
import signal
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import psycopg
from sqlalchemy import event
from sqlalchemy.orm import sessionmaker

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_queue import ensure_data, out  # noqa: E402

from opdesk import services  # noqa: E402
from opdesk.clock import SystemClock  # noqa: E402
from opdesk.models import Ticket  # noqa: E402
from opdesk.regulations.pack import Pack, load_default_pack  # noqa: E402
from opdesk.regulations.snapshot import Actor  # noqa: E402
from opdesk.server.api_models import PushRequest  # noqa: E402
from opdesk.server.app import server_db_engine  # noqa: E402
from opdesk.server.auth_http import Gate  # noqa: E402
from opdesk.server.push import Pusher  # noqa: E402
from opdesk.services.desk import Desk  # noqa: E402
from opdesk.store import wire  # noqa: E402
from opdesk.store.database import open_local  # noqa: E402
from opdesk.sync import state  # noqa: E402
from opdesk.sync.contract import SyncError  # noqa: E402
from opdesk.sync.engine import SyncEngine  # noqa: E402
from opdesk.sync.transport import HttpServer  # noqa: E402
from tests.pg import PgServer, ensure_bindir, start_server, stop_server  # noqa: E402
from tests.server.live import ADMIN, ADMIN_PASSWORD, LiveServer, running_server  # noqa: E402

TARGETS = {"initial_ratio": 3.0, "change_median_ms": 250.0, "change_p95_ms": 1000.0}
PASSWORD = "bench-password-1"
CATEGORY = "Проблемы с хостингом"
SMALL_TABLES = ("departments", "people")  # `opdesk server init` made some of them already
FILL_CHUNK = 1000  # rows per server transaction when the demo desk is copied in


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _stop_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(f"bench_sync: stopped by signal {signum}")  # runs every `finally`


# -- 1. initial sync --------------------------------------------------------------------------


def fill_server(desk: Path, db_url: str) -> dict[str, int]:
    """Copy the demo desk's synced tables into the server database (rows per table), in
    transactions of FILL_CHUNK rows: a desk is written by many small transactions (pushes),
    and a pull never splits one, so a desk copied in one transaction would come to the
    workstation as one batch holding the whole desk."""
    counts: dict[str, int] = {}
    src = sqlite3.connect(f"file:{desk}?mode=ro", uri=True)
    try:
        with psycopg.connect(libpq(db_url)) as pg:
            pg.execute("SET TIME ZONE 'UTC'")  # SQLite keeps moments as naive UTC text
            for table in wire.SYNCED_TABLES:
                cols = [name for name, _, _ in wire.columns(table)]
                names = ", ".join(cols)
                rows = src.execute(f"SELECT {names} FROM {table}")
                if table in SMALL_TABLES:
                    marks = ", ".join(["%s"] * len(cols))
                    with pg.cursor() as cur:
                        cur.executemany(
                            f"INSERT INTO {table} ({names}) VALUES ({marks})"
                            " ON CONFLICT DO NOTHING",
                            rows.fetchall(),
                        )
                else:
                    while chunk := rows.fetchmany(FILL_CHUNK):
                        with (
                            pg.cursor() as cur,
                            cur.copy(f"COPY {table} ({names}) FROM STDIN") as cp,
                        ):
                            for row in chunk:
                                cp.write_row(row)
                        pg.commit()
                counts[table] = pg.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
                pg.commit()
        with psycopg.connect(libpq(db_url), autocommit=True) as pg:
            pg.execute("VACUUM ANALYZE")
    finally:
        src.close()
    return counts


def _raw_select(table: str) -> str:
    """The table's synced columns in SQLite's storage form, spelled by PostgreSQL."""
    parts = []
    for name, kind, _ in wire.columns(table):
        if kind == wire.UUID:
            parts.append(f"replace({name}::text, '-', '')")
        elif kind == wire.MOMENT:
            parts.append(f"to_char({name} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')")
        elif kind == wire.BOOL:
            parts.append(f"{name}::int")
        else:
            parts.append(name)
    return ", ".join(parts)


def raw_baseline(db_url: str, target: Path) -> tuple[float, float, int]:
    """psycopg COPY out + sqlite3 executemany into `target` (empty, same schema):
    (copy seconds, insert seconds, rows)."""
    open_local(target).close()
    copy_s = insert_s = 0.0
    total = 0
    lite = sqlite3.connect(target)
    try:
        with psycopg.connect(libpq(db_url)) as pg:
            for table in wire.SYNCED_TABLES:
                cols = [name for name, _, _ in wire.columns(table)]
                start = time.perf_counter()
                with (
                    pg.cursor() as cur,
                    cur.copy(f"COPY (SELECT {_raw_select(table)} FROM {table}) TO STDOUT") as cp,
                ):
                    rows = list(cp.rows())
                copy_s += time.perf_counter() - start
                start = time.perf_counter()
                marks = ", ".join(["?"] * len(cols))
                with lite:
                    lite.execute(f"DELETE FROM {table}")  # open_local may have made some
                    lite.executemany(
                        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows
                    )
                insert_s += time.perf_counter() - start
                total += len(rows)
    finally:
        lite.close()
    return copy_s, insert_s, total


def bench_initial(pg: PgServer, work: Path, pack: Pack, args: argparse.Namespace) -> None:
    path = args.db or Path("/tmp/opdesk-bench") / f"sync-{args.tickets}.sqlite3"
    out("initial_data_source", ensure_data(path, args.tickets, 1, args.workers))
    open_local(path).close()  # a desk kept from an older run: brought to the current schema
    with running_server(pg, work / "initial") as live:
        start = time.perf_counter()
        counts = fill_server(path, live.db_url)
        out("initial_server_fill_seconds", time.perf_counter() - start, "s")
        out("initial_server_rows", sum(counts.values()), "rows")
        out("initial_server_tickets", counts["tickets"], "tickets")
        db = open_local(work / "initial-ws.sqlite3")
        http = HttpServer(live.url)
        try:
            http.login(ADMIN, ADMIN_PASSWORD, state.client_id(db), training=False)
            engine = SyncEngine(db, http, pack, SystemClock())
            start = time.perf_counter()
            report = engine.sync_once(check=False)
            pull_s = time.perf_counter() - start
            if report.error is not None:
                raise RuntimeError(f"initial sync failed: {report.error}")
            start = time.perf_counter()
            checked = engine.sync_once(check=True)
            check_s = time.perf_counter() - start
        finally:
            http.close()
            db.close()
        rate = report.pulled / pull_s
        out("initial_sync_rows", report.pulled, "rows")
        out("initial_sync_seconds", pull_s, "s")
        out("initial_sync_rate", rate, "rows/s")
        out("initial_check_seconds", check_s, "s")
        out("initial_check_agreed", "yes" if checked.checked else f"NO {checked.diverged}")
        copy_s, insert_s, raw_rows = raw_baseline(live.db_url, work / "initial-raw.sqlite3")
        raw_s = copy_s + insert_s
        out("initial_raw_copy_seconds", copy_s, "s")
        out("initial_raw_insert_seconds", insert_s, "s")
        out("initial_raw_rows", raw_rows, "rows")
        out("initial_raw_rate", raw_rows / raw_s, "rows/s")
        ratio = pull_s / raw_s
        out("initial_sync_to_raw_ratio", ratio, "x")
        out("initial_ratio_to_target", ratio / TARGETS["initial_ratio"], "x")


# -- workstations -----------------------------------------------------------------------------


@dataclass
class Station:
    desk: Desk
    http: HttpServer
    engine: SyncEngine
    actor: Actor
    login: str

    def ticket_id(self, key: uuid.UUID) -> int:
        with self.desk.db.transaction() as s:
            found: int = s.query(Ticket.id).filter(Ticket.uuid == key).one()[0]
            return found

    def sync(self) -> None:
        report = self.engine.sync_once(check=False)
        if report.error is not None or report.refused:
            raise RuntimeError(f"{self.login}: sync failed: {report.error} {report.refused}")

    def close(self) -> None:
        self.http.close()
        self.desk.db.close()


def station(live: LiveServer, path: Path, login: str, pack: Pack) -> Station:
    live.add_person(login, "operator", PASSWORD, f"Оператор {login}")
    db = open_local(path)
    http = HttpServer(live.url)
    http.login(login, PASSWORD, state.client_id(db), training=False)
    engine = SyncEngine(db, http, pack, SystemClock())
    made = Station(Desk(db, pack, SystemClock()), http, engine, Actor(login, "operator", ""),
                   login)  # fmt: skip
    made.sync()
    return made


def create_tickets(a: Station, n: int) -> list[uuid.UUID]:
    keys = []
    for i in range(n):
        made = services.create_ticket(a.desk, a.actor, category=CATEGORY,
                                      subject=f"Нагрузка {i}", process="csn")  # fmt: skip
        if not made.ok or made.created_id is None:
            raise RuntimeError(made.message())
        with a.desk.db.transaction() as s:
            keys.append(s.query(Ticket.uuid).filter(Ticket.id == made.created_id).one()[0])
    a.sync()
    return keys


# -- 2. one change, A → B ---------------------------------------------------------------------


class Watcher:
    """B's worker: syncs at every wake of the server's event stream and notes when each
    `lat-N` comment first is in B's database."""

    def __init__(self, b: Station, url: str) -> None:
        self.b = b
        self.stream = HttpServer(url)
        self.stream.token = b.http.token  # the same session: a second connection for events
        self.seen: dict[str, float] = {}
        self.cond = threading.Condition()
        self.error: BaseException | None = None
        self.syncs = 0
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        try:
            for _wake in self.stream.wakes():
                if self.stopping:
                    return
                self.b.sync()
                self.syncs += 1
                with self.b.desk.db.engine.connect() as conn:
                    texts = conn.exec_driver_sql(
                        "SELECT text FROM comments WHERE text LIKE 'lat-%'"
                    ).scalars()
                    now = time.perf_counter()
                    with self.cond:
                        for text in texts:
                            self.seen.setdefault(text, now)
                        self.cond.notify_all()
        except SyncError:
            pass  # the stream broke: the bench reports the changes it missed
        except BaseException as exc:  # reported by the main thread
            self.error = exc
            with self.cond:
                self.cond.notify_all()

    def wait(self, text: str, timeout: float) -> float | None:
        with self.cond:
            self.cond.wait_for(lambda: text in self.seen or self.error is not None, timeout)
            return self.seen.get(text)

    def stop(self, a: Station, here: int) -> None:
        """A blocked stream read cannot be interrupted from here: one more change wakes the
        worker, which sees `stopping` and ends."""
        self.stopping = True
        if self.thread.is_alive():
            with contextlib.suppress(Exception):
                services.add_comment(a.desk, a.actor, here, "note", "stop")
                a.sync()
            self.thread.join(20)
        self.stream.close()


def bench_change(live: LiveServer, a: Station, b: Station, key: uuid.UUID, n: int) -> None:
    watcher = Watcher(b, live.url)
    watcher.start()
    time.sleep(0.5)  # the stream is subscribed
    here = a.ticket_id(key)
    latencies: list[float] = []
    missed = 0
    try:
        for i in range(n):
            text = f"lat-{i}"
            start = time.perf_counter()
            if not services.add_comment(a.desk, a.actor, here, "note", text).ok:
                raise RuntimeError("add_comment refused on A")
            a.sync()
            seen = watcher.wait(text, 10.0)
            if watcher.error is not None:
                raise RuntimeError(f"B's worker failed: {watcher.error!r}")
            if seen is None:
                missed += 1
            else:
                latencies.append((seen - start) * 1000)
            time.sleep(0.05)
    finally:
        watcher.stop(a, here)
    out("change_count", len(latencies), "changes")
    out("change_missed_10s", missed, "changes")
    if latencies:
        median, p95 = statistics.median(latencies), percentile(latencies, 0.95)
        out("change_median", median, "ms")
        out("change_p95", p95, "ms")
        out("change_max", max(latencies), "ms")
        out("change_median_ratio_to_target", median / TARGETS["change_median_ms"], "x")
        out("change_p95_ratio_to_target", p95 / TARGETS["change_p95_ms"], "x")
    out("change_b_syncs", watcher.syncs)


# -- 3. load ----------------------------------------------------------------------------------


@dataclass
class SimStation:
    login: str
    token: str
    client_id: uuid.UUID
    ticket: uuid.UUID
    next_op: int = 1
    acked: set[str] = field(default_factory=set)


@dataclass
class LoadResult:
    acked: int = 0
    offered: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    backlog_at_end: int = 0
    server_cpu: float | None = None  # seconds, all server processes together


def cpu_seconds(pids: list[int]) -> float | None:
    """User + system CPU time of the processes (Linux /proc; None elsewhere)."""
    total = 0.0
    try:
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
    return total


def comment_op(sim: SimStation, text: str) -> dict[str, Any]:
    """An `add_comment` op exactly as a workstation's outbox sends it."""
    args: dict[str, Any] = {
        "actor": sim.login, "id_seed": str(uuid.uuid4()), "ticket": str(sim.ticket),
        "kind": "note", "text": text, "reached": None, "tags": [], "template_id": "",
    }  # fmt: skip
    op = {"op": sim.next_op, "name": "add_comment", "args": args,
          "at": dt.datetime.now(dt.UTC).isoformat()}  # fmt: skip
    sim.next_op += 1
    return op


async def simulate(
    sim: SimStation, client: httpx.AsyncClient, tag: str, rate: float, seconds: float,
    t0: float, result: LoadResult,
) -> None:  # fmt: skip
    """One workstation: an op every 1/rate s into its outbox; the outbox pushed whenever the
    previous push has returned (so a slow server gets bigger batches, as in real life)."""
    outbox: list[dict[str, Any]] = []
    made = 0
    total = int(rate * seconds)
    phase = (hash(sim.login) % 1000) / 1000 / rate
    headers = {"Authorization": f"Bearer {sim.token}"}
    flush_until = t0 + seconds + 30.0
    while True:
        now = time.perf_counter()
        while made < total and t0 + phase + made / rate <= now:
            outbox.append(comment_op(sim, f"{tag}-{sim.login}-{made}"))
            made += 1
        if time.perf_counter() > flush_until:
            result.backlog_at_end += len(outbox) + total - made
            return
        if outbox:
            batch = outbox[:500]
            body = {"client_id": str(sim.client_id), "ops": batch}
            start = time.perf_counter()
            try:
                response = await client.post("/v1/push", json=body, headers=headers)
                ok = response.status_code == 200
            except httpx.TransportError:
                ok = False
            result.latencies.append(time.perf_counter() - start)
            if ok:
                by_op = {item["op"]: item["status"] for item in response.json()["results"]}
                for op in batch:
                    status = by_op.get(op["op"])
                    if status in ("applied", "duplicate"):
                        sim.acked.add(op["args"]["text"])
                    elif status == "refused":
                        raise RuntimeError(f"{sim.login}: op refused: {response.text[:500]}")
                answered = len([op for op in batch if op["op"] in by_op])
                del outbox[:answered]
            else:
                result.errors += 1
                await asyncio.sleep(0.2)
            continue
        if made >= total:
            return
        await asyncio.sleep(max(0.0, t0 + phase + made / rate - time.perf_counter()))


async def run_load(
    url: str, sims: list[SimStation], tag: str, rate: float, seconds: float,
    servers: list[LiveServer],
) -> tuple[LoadResult, float]:  # fmt: skip
    result = LoadResult(offered=int(rate * seconds) * len(sims))
    pids = [live.process.pid for live in servers if live.process is not None]
    cpu_before = cpu_seconds(pids)
    limits = httpx.Limits(max_connections=len(sims) + 5, max_keepalive_connections=len(sims) + 5)
    timeout = httpx.Timeout(30.0)
    # a client per workstation: each its own connection, as separate machines would have
    clients = [httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) for _ in sims]
    try:
        t0 = time.perf_counter() + 0.2
        await asyncio.gather(*(simulate(s, c, tag, rate, seconds, t0, result)
                               for s, c in zip(sims, clients, strict=True)))  # fmt: skip
        elapsed = time.perf_counter() - t0
        cpu_after = cpu_seconds(pids)
        if cpu_before is not None and cpu_after is not None:
            result.server_cpu = cpu_after - cpu_before
    finally:
        for c in clients:
            await c.aclose()
    result.acked = sum(1 for s in sims for t in s.acked if t.startswith(tag + "-"))
    return result, elapsed


def verify(live: LiveServer, sims: list[SimStation], tag: str) -> tuple[int, int, int, int]:
    """(applied on the server, acknowledged, lost, duplicated)."""
    with psycopg.connect(libpq(live.db_url)) as pg:
        texts = [r[0] for r in pg.execute("SELECT text FROM comments WHERE text LIKE %s",
                                          (tag + "-%",))]  # fmt: skip
    acked = {t for s in sims for t in s.acked if t.startswith(tag + "-")}
    present = set(texts)
    return len(texts), len(acked), len(acked - present), len(texts) - len(present)


class RoundRobinProxy:
    """A tiny TCP load balancer: each new connection goes to the next backend in turn."""

    def __init__(self, backends: list[tuple[str, int]]) -> None:
        self.backends = backends
        self._next = itertools.cycle(range(len(backends)))
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._server: asyncio.Server | None = None
        self.connections = [0] * len(backends)

    def __enter__(self) -> RoundRobinProxy:
        self._thread.start()
        if not self._ready.wait(10) or self._server is None:
            raise RuntimeError("the proxy did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
            # connections still open at the end (keep-alive clients): cancelled and awaited,
            # so closing the loop does not destroy pending tasks
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        finally:
            self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        index = next(self._next)
        self.connections[index] += 1
        host, port = self.backends[index]
        try:
            up_r, up_w = await asyncio.open_connection(host, port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pipe(reader, up_w), self._pipe(up_r, writer))

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()


def report_load(prefix: str, live: LiveServer, sims: list[SimStation], tag: str,
                result: LoadResult, elapsed: float, seconds: float) -> None:  # fmt: skip
    applied, acked, lost, dup = verify(live, sims, tag)
    offered_rate = result.offered / seconds
    out(f"{prefix}_offered_rate", offered_rate, "ops/s")
    out(f"{prefix}_held_rate", result.acked / elapsed, "ops/s")
    out(f"{prefix}_held_ratio_to_offered", result.acked / elapsed / offered_rate, "x")
    out(f"{prefix}_run_seconds", elapsed, "s")
    out(f"{prefix}_pushes", len(result.latencies))
    out(f"{prefix}_ops_per_push", result.acked / max(1, len(result.latencies)), "ops")
    out(f"{prefix}_push_errors", result.errors)
    if result.server_cpu is not None:
        out(f"{prefix}_server_cpu_per_op", result.server_cpu * 1000 / max(1, result.acked), "ms")
    if result.latencies:
        out(f"{prefix}_push_p50", statistics.median(result.latencies) * 1000, "ms")
        out(f"{prefix}_push_p95", percentile(result.latencies, 0.95) * 1000, "ms")
    out(f"{prefix}_ops_offered", result.offered, "ops")
    out(f"{prefix}_ops_acknowledged", acked, "ops")
    out(f"{prefix}_ops_unacknowledged_at_end", result.offered - acked, "ops")
    out(f"{prefix}_ops_applied_on_server", applied, "ops")
    out(f"{prefix}_ops_lost", lost, "ops")
    out(f"{prefix}_ops_duplicated", dup, "ops")


def push_in_process(live: LiveServer, sim: SimStation) -> None:
    """`sim`'s pushes applied by `Pusher.push` called here, on the server's database."""
    engine = server_db_engine(live.db_url)
    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    clock = SystemClock()
    sessions = sessionmaker(engine, expire_on_commit=False)
    pusher = Pusher(engine, sessions, load_default_pack(), clock, Gate(engine, clock))
    try:
        for size in (1, 10):
            pushes = 300 // size

            def batch(n: int, size: int = size) -> PushRequest:
                ops = [comment_op(sim, f"inprocess-{size}-{n}-{i}") for i in range(size)]
                body = {"client_id": str(sim.client_id), "ops": ops}
                return PushRequest.model_validate_json(json.dumps(body))

            for n in range(5):  # warm: the statement caches, psycopg's prepared statements
                pusher.push(sim.token, batch(n))
            requests = [batch(n) for n in range(5, 5 + pushes)]
            statements = 0
            cpu, wall = time.process_time(), time.perf_counter()
            for request in requests:
                pusher.push(sim.token, request)
            ops = pushes * size
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            out(f"push_inprocess_{size}op_cpu_per_op", cpu * 1000 / ops, "ms")
            out(f"push_inprocess_{size}op_wall_per_op", wall * 1000 / ops, "ms")
            out(f"push_inprocess_{size}op_statements_per_op", statements / ops)
    finally:
        engine.dispose()


def bench_load(pg: PgServer, live: LiveServer, key_pool: list[uuid.UUID],
               args: argparse.Namespace) -> None:  # fmt: skip
    tag = uuid.uuid4().hex[:6]
    sims = []
    http = HttpServer(live.url)
    try:
        for i in range(args.workstations):
            login = f"load{i}_{tag}"
            live.add_person(login, "operator", PASSWORD)
            client = uuid.uuid4()
            http.login(login, PASSWORD, client, training=False)
            assert http.token is not None
            sims.append(SimStation(login, http.token, client, key_pool[i % len(key_pool)]))
    finally:
        http.close()
    push_in_process(live, sims[0])
    seconds = args.seconds
    result, elapsed = asyncio.run(run_load(live.url, sims, "one", args.rate, seconds, [live]))
    report_load("load_1proc", live, sims, "one", result, elapsed, seconds)
    second = LiveServer(live.db_url, live.workdir / "second")
    second.workdir.mkdir(parents=True, exist_ok=True)
    try:
        second.start()
        backends = [("127.0.0.1", live.port), ("127.0.0.1", second.port)]
        with RoundRobinProxy(backends) as proxy:
            url = f"http://127.0.0.1:{proxy.port}"
            result, elapsed = asyncio.run(
                run_load(url, sims, "two", args.rate, seconds, [live, second])
            )
            out("load_2proc_connections_per_backend", "/".join(map(str, proxy.connections)))
        report_load("load_2proc", live, sims, "two", result, elapsed, seconds)
    finally:
        second.close()


# -- main -------------------------------------------------------------------------------------


@contextlib.contextmanager
def postgres() -> Iterator[PgServer]:
    server = start_server(ensure_bindir())
    try:
        yield server
    finally:
        stop_server(server)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path, help="the demo desk of part 1 (made when missing)")
    ap.add_argument("--workers", type=int, help="demo generator processes (default: auto)")
    ap.add_argument("--changes", type=int, default=50)
    ap.add_argument("--workstations", type=int, default=50)
    ap.add_argument("--rate", type=float, default=5.0, help="ops/s per workstation")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--skip", default="", help="comma-separated: initial,change,load")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    signal.signal(signal.SIGTERM, _stop_on_signal)
    started = time.perf_counter()
    pack = load_default_pack()
    with tempfile.TemporaryDirectory(prefix="opdesk-bench-sync-") as tmp, postgres() as pg:
        work = Path(tmp)
        out("postgres_start_seconds", time.perf_counter() - started, "s")
        if "initial" not in skip:
            part = time.perf_counter()
            bench_initial(pg, work, pack, args)
            out("initial_part_seconds", time.perf_counter() - part, "s")
        if skip >= {"change", "load"}:
            return
        with running_server(pg, work / "live") as live:
            a = station(live, work / "a.sqlite3", "bench_a", pack)
            b = station(live, work / "b.sqlite3", "bench_b", pack)
            try:
                keys = create_tickets(a, max(1, min(args.workstations, 20)))
                b.sync()
                if "change" not in skip:
                    part = time.perf_counter()
                    bench_change(live, a, b, keys[0], args.changes)
                    out("change_part_seconds", time.perf_counter() - part, "s")
            finally:
                a.close()
                b.close()
            if "load" not in skip:
                part = time.perf_counter()
                bench_load(pg, live, keys, args)
                out("load_part_seconds", time.perf_counter() - part, "s")
    out("bench_seconds", time.perf_counter() - started, "s")


if __name__ == "__main__":
    main()
