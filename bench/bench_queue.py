"""Benchmark: the ticket queue on a 1,000,000-ticket desk (issue 3, "Queue at scale").

Run: .venv/bin/python bench/bench_queue.py [--tickets N] [--db PATH] [--runs R] [--workers W]
Prints one figure per line, `name: value unit`. The database is made once by the demo
generator (`opdesk demo`) and reused by later runs. Timings are taken with a warm SQLite page
cache, as in a running desk, and with OpDesk's compiled-SQL cache warm (as sqlite3's statement
cache is for the raw runs); the cost of compiling a never-seen filter is printed separately.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import resource
import sqlite3
import statistics
import sys
import threading
import time
import uuid
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from opdesk.models import Ticket  # noqa: E402
from opdesk.store import query as Q  # noqa: E402
from opdesk.store.database import open_local  # noqa: E402
from opdesk.store.rows import window_sql  # noqa: E402

FIRST = 60
# The desk's "now" for generation and queries alike, so SLA filters see a realistic mix.
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
TARGETS = {"first_median": 10.0, "first_p95": 50.0, "full": 400.0, "ratio": 1.5}


def out(name: str, value: float | int | str, unit: str = "") -> None:
    text = f"{value:.2f}" if isinstance(value, float) else str(value)
    print(f"{name}: {text} {unit}".rstrip(), flush=True)


def ensure_data(path: Path, tickets: int, seed: int, workers: int | None) -> str:
    """Make the database unless it already holds `tickets` tickets; says who made it."""
    if path.exists():
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as c:
                if c.execute("SELECT count(*) FROM tickets").fetchone()[0] >= tickets:
                    return "existing"
        except sqlite3.Error:
            pass
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()

    from opdesk.demo import generate

    generate(path, tickets, seed, now=NOW, force=True, progress=sys.stderr, workers=workers)
    out("generate_seconds", time.perf_counter() - start, "s")
    return "opdesk.demo"


def filters(conn: Any) -> dict[str, Q.TicketQuery]:
    """The representative filters, each with the sort a person would use with it."""
    cat = conn.exec_driver_sql(
        "SELECT category FROM tickets GROUP BY category ORDER BY count(*) DESC LIMIT 1"
    ).scalar()
    dep = conn.exec_driver_sql(
        "SELECT department_id FROM tickets WHERE department_id IS NOT NULL LIMIT 1"
    ).scalar()
    # tickets 4242 and 777 on a big desk; the last one on a tiny desk (the smoke test)
    pick = "SELECT {} FROM tickets WHERE id = (SELECT min(max(id), {}) FROM tickets)"
    name = conn.exec_driver_sql(pick.format("client_name", 4242)).scalar()
    phone = conn.exec_driver_sql(pick.format("contact_phone", 777)).scalar()
    due = {"sort": "sla_due_at", "descending": False}
    return {
        "all": Q.TicketQuery(),
        "open_by_due": Q.TicketQuery(open_only=True, **due),  # type: ignore[arg-type]
        "mine": Q.TicketQuery(owner="mine", open_only=True),
        "open_vip_breached": Q.TicketQuery(
            open_only=True, client_categories=("VIP",), sla=("breached",), **due
        ),  # type: ignore[arg-type]
        "status_in_progress": Q.TicketQuery(statuses=("in_progress",)),
        "category_priority": Q.TicketQuery(categories=(cat,), priorities=("Критичный",)),
        "at_risk": Q.TicketQuery(open_only=True, sla=("at_risk",), **due),  # type: ignore[arg-type]
        "paused": Q.TicketQuery(open_only=True, sla=("paused",), **due),  # type: ignore[arg-type]
        "department_open": Q.TicketQuery(department=uuid.UUID(hex=dep), open_only=True),
        "process_portal_open": Q.TicketQuery(processes=("portal",), open_only=True),
        "stage_processing": Q.TicketQuery(stages=("processing",), open_only=True),
        "text_client": Q.TicketQuery(text=str(name).split()[0].upper()),
        "text_phone": Q.TicketQuery(text=str(phone)[-9:]),
    }


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def off_thread(fn: Callable[[], object]) -> float:
    """Run `fn` on a worker thread (as the desk does) and return the wall time in ms."""
    start = time.perf_counter()
    worker = threading.Thread(target=fn)
    worker.start()
    worker.join()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=25)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--workers", type=int, help="generator processes (default: auto)")
    args = ap.parse_args()
    path = args.db or Path("/tmp/opdesk-bench") / f"queue-{args.tickets}.sqlite3"
    source = ensure_data(path, args.tickets, args.seed, args.workers)
    out("data_source", source)
    db = open_local(path)  # applies migrations (the 0002 queue indexes) like the app
    now = NOW
    raw = sqlite3.connect(path, check_same_thread=False)
    with db.engine.connect() as conn:
        out("tickets", conn.exec_driver_sql("SELECT count(*) FROM tickets").scalar() or 0)
        me_hex = conn.exec_driver_sql(
            "SELECT owner_id FROM tickets WHERE is_open AND owner_id IS NOT NULL "
            "GROUP BY owner_id ORDER BY count(*) DESC LIMIT 1"
        ).scalar()
        me = uuid.UUID(hex=me_hex) if me_hex else uuid.UUID(int=0)  # nobody: "mine" is empty
        qs = filters(conn)
        first_times(conn, raw, qs, now, me, args.runs)
        full_list(conn, raw, qs["all"], now, me)
        plans(conn, qs, now, me)
        naive(db, conn, qs["open_vip_breached"], now, me)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out("peak_rss", peak, "MB")


def first_times(conn: Any, raw: sqlite3.Connection, qs: dict[str, Q.TicketQuery],
                now: dt.datetime, me: uuid.UUID, runs: int) -> None:  # fmt: skip
    """Filter change → first screen (first 60 ids + their rows), OpDesk and raw sqlite3."""
    worst_median = worst_p95 = 0.0
    ratios: list[float] = []
    compile_ms: list[float] = []
    for name, q in qs.items():

        def screen(q: Q.TicketQuery = q) -> None:
            Q.fetch_rows(conn, Q.first_ids(conn, q, now, FIRST, me=me))

        sql, params = Q.prepare(conn, q, now, me, limit=FIRST)
        start = time.perf_counter()
        Q.forget_compiled()
        Q.prepare(conn, q, now, me, limit=FIRST)
        compile_ms.append((time.perf_counter() - start) * 1000)

        def raw_screen(sql: str = sql, params: Any = params) -> None:
            got = [r[0] for r in raw.execute(sql, params)]
            if got:  # a filter may match nothing (e.g. on a desk generated at another moment)
                raw.execute(window_sql(conn.dialect, len(got))[0], got).fetchall()

        screen()
        raw_screen()
        times = timed(screen, runs)
        raw_times = timed(raw_screen, runs)
        med, p = statistics.median(times), p95(times)
        worst_median, worst_p95 = max(worst_median, med), max(worst_p95, p)
        ratios.append(med / max(statistics.median(raw_times), 1e-6))
        out(f"first{FIRST}_{name}_median", med, "ms")
        out(f"first{FIRST}_{name}_p95", p, "ms")
        out(f"first{FIRST}_{name}_raw_median", statistics.median(raw_times), "ms")
        out(f"first{FIRST}_{name}_ratio_opdesk_raw", ratios[-1], "x")
        out(f"first{FIRST}_{name}_matches", Q.count(conn, q, now, me=me), "tickets")
    out("compile_new_filter_max", max(compile_ms), "ms")
    out(f"first{FIRST}_worst_median", worst_median, "ms")
    out(f"first{FIRST}_worst_p95", worst_p95, "ms")
    out(f"first{FIRST}_ratio_opdesk_raw_median", statistics.median(ratios), "x")
    ok = worst_median <= TARGETS["first_median"] and worst_p95 <= TARGETS["first_p95"]
    out(f"first{FIRST}_target_met", "yes" if ok else "NO")


def full_list(conn: Any, raw: sqlite3.Connection, q: Q.TicketQuery, now: dt.datetime,
              me: uuid.UUID) -> None:  # fmt: skip
    """The complete ordered id list + count of the broadest filter, on a worker thread."""
    result: dict[str, Any] = {}

    def opdesk() -> None:
        result["ids"] = Q.ids(conn, q, now, me=me)
        result["count"] = Q.count(conn, q, now, me=me)

    sql, params = Q.prepare(conn, q, now, me)
    count_sql, count_params = Q.prepare(conn, q, now, me, counting=True)

    def plain() -> None:
        result["raw_ids"] = array("q", [r[0] for r in raw.execute(sql, params)])
        result["raw_count"] = raw.execute(count_sql, count_params).fetchone()[0]

    off_thread(opdesk)
    off_thread(plain)
    times, raw_times = [], []
    for _ in range(7):
        gc.collect()
        times.append(off_thread(opdesk))
        gc.collect()
        raw_times.append(off_thread(plain))
    assert result["ids"] == result["raw_ids"] and result["count"] == len(result["ids"])
    med, raw_med = statistics.median(times), statistics.median(raw_times)
    out("full_ids_count_all_tickets", result["count"], "tickets")
    out("full_ids_count_all_median", med, "ms")
    out("full_ids_count_all_max", max(times), "ms")
    out("full_ids_count_all_raw_median", raw_med, "ms")
    out("full_ids_count_all_ratio_opdesk_raw", med / raw_med, "x")
    out("full_ids_bytes", result["ids"].itemsize * len(result["ids"]), "B")
    ok = med <= TARGETS["full"] and med / raw_med <= TARGETS["ratio"]
    out("full_ids_count_target_met", "yes" if ok else "NO")


def plans(conn: Any, qs: dict[str, Q.TicketQuery], now: dt.datetime, me: uuid.UUID) -> None:
    """EXPLAIN QUERY PLAN of every filter and of every sortable column (both directions)."""
    cases = dict(qs)
    for col in Q.SORTABLE:
        for desc in (False, True):
            cases[f"sort_{col}_{'desc' if desc else 'asc'}"] = Q.TicketQuery(
                sort=col, descending=desc
            )
    whole_table_sorts = 0
    for name, q in cases.items():
        lines = Q.explain(conn, q, now, me=me, limit=FIRST)
        sorts = any("USE TEMP B-TREE FOR ORDER BY" in line for line in lines)
        scans = any(line.startswith("SCAN tickets") for line in lines)
        flag = ""
        if sorts:
            flag = "  <-- WHOLE-TABLE TEMP B-TREE SORT" if scans else "  (sorts its matches only)"
            whole_table_sorts += scans
        print(f"# plan {name}: {' | '.join(lines)}{flag}")
    out("plans_checked", len(cases))
    out("plans_whole_table_temp_btree_sort", whole_table_sorts)


def naive(db: Any, conn: Any, q: Q.TicketQuery, now: dt.datetime, me: uuid.UUID) -> None:
    """The naive way: ORM-load every open ticket, filter and sort in Python."""

    def load() -> list[int]:
        with Session(db.engine) as s:
            tickets = s.scalars(select(Ticket).where(Ticket.is_open)).all()
            hits = [
                t
                for t in tickets
                if t.client_category == "VIP"
                and (t.sla_breached or (t.sla_due_at and t.sla_due_at <= now and not t.sla_paused))
            ]
            hits.sort(key=lambda t: (t.sla_due_at is not None, t.sla_due_at or now, t.id))
            return [t.id for t in hits]

    gc.collect()
    start = time.perf_counter()
    got = load()
    naive_ms = (time.perf_counter() - start) * 1000
    Q.forget_compiled()
    ours = statistics.median(timed(lambda: Q.ids(conn, q, now, me=me), 5))
    assert got == list(Q.ids(conn, q, now, me=me)), "naive and SQL results differ"
    out("naive_orm_open_vip_breached", naive_ms, "ms")
    out("opdesk_ids_open_vip_breached", ours, "ms")
    out("naive_speedup", naive_ms / ours, "x")


if __name__ == "__main__":
    main()
