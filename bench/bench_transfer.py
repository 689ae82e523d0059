"""Benchmark: ticket transfer (issue 10, step 7): export to JSONL and CSV, import with history.

Run: .venv/bin/python bench/bench_transfer.py [--tickets N] [--db PATH]
Prints one figure per line, `name: value unit`. The desk is made once by the demo generator
and reused. Each step runs as its own `python -m opdesk.cli …` process, so the peak RSS
(ru_maxrss of that child) and the time are the job's own, start-up included.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_queue import ensure_data, out  # noqa: E402

TARGETS = {"import": 5_000.0, "export": 20_000.0, "rss": 500.0}
RATES: dict[str, float] = {}


def job(*args: str) -> tuple[float, float]:
    """Run one CLI step in a child; returns (seconds, its peak RSS in MB)."""
    runner = (
        "import resource, subprocess, sys; "
        "rc = subprocess.run(sys.argv[1:]).returncode; "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(rc)"
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", runner, sys.executable, "-m", "opdesk.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"opdesk {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, int(done.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--workers", type=int, help="generator processes (default: auto)")
    args = ap.parse_args()
    path = args.db or Path("/tmp/opdesk-bench") / f"transfer-{args.tickets}.sqlite3"
    out("data_source", ensure_data(path, args.tickets, args.seed, args.workers))
    from opdesk.store.database import open_local

    open_local(path).close()  # a desk kept from an older run: brought to the current schema
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as c:
        n = c.execute("SELECT count(*) FROM tickets").fetchone()[0]
        events = c.execute("SELECT count(*) FROM events").fetchone()[0]
    out("tickets", n)
    out("events", events)
    rss: list[float] = []
    with tempfile.TemporaryDirectory(prefix="opdesk-transfer-") as tmp:
        work = Path(tmp)
        jsonl, csv = work / "desk.jsonl", work / "desk.csv"
        for name, file in (("jsonl", jsonl), ("csv", csv)):
            seconds, mb = job("export", "--db", str(path), str(file))
            rate = RATES[f"export_{name}"] = n / seconds
            out(f"export_{name}_seconds", seconds, "s")
            out(f"export_{name}_rate", rate, "tickets/s")
            out(f"export_{name}_ratio_to_target", rate / TARGETS["export"], "x")
            out(f"export_{name}_peak_rss", mb, "MB")
            out(f"export_{name}_file", os.path.getsize(file) / 2**20, "MB")
            rss.append(mb)
        fresh = work / "fresh.sqlite3"
        seconds, mb = job("import", "--db", str(fresh), str(jsonl))
        rate = RATES["import_jsonl"] = n / seconds
        out("import_jsonl_seconds", seconds, "s")
        out("import_jsonl_rate", rate, "tickets/s")
        out("import_jsonl_ratio_to_target", rate / TARGETS["import"], "x")
        out("import_jsonl_peak_rss", mb, "MB")
        rss.append(mb)
        with sqlite3.connect(f"file:{fresh}?mode=ro", uri=True) as c:
            out("imported_tickets", c.execute("SELECT count(*) FROM tickets").fetchone()[0])
    peak = max(rss)
    out("peak_rss_max_step", peak, "MB")
    out("peak_rss_ratio_to_target", peak / TARGETS["rss"], "x")
    out("bench_process_peak_rss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MB")
    ok = (
        min(RATES["export_jsonl"], RATES["export_csv"]) >= TARGETS["export"]
        and RATES["import_jsonl"] >= TARGETS["import"]
        and peak < TARGETS["rss"]
    )
    out("targets_met", "yes" if ok else "NO")


if __name__ == "__main__":
    main()
