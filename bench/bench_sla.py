"""Benchmark: SLA deadlines for many tickets with realistic status histories (B-05, B-06, P-02).

Run: .venv/bin/python bench/bench_sla.py [--tickets N].
Prints one figure per line, `name: value unit`.
Ticket generation is excluded from the timings; the seed is fixed so runs are comparable.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import resource
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from opdesk.pack_reader import Reader  # noqa: E402
from opdesk.sla import (  # noqa: E402
    SlaEngine,
    StatusChange,
    WorkingCalendar,
    parse_calendar,
    parse_sla,
)

PACK = ROOT / "resources" / "regulations" / "default.toml"
TARGET_US = 50.0
WAIT = "Ожидает ответа клиента"
FALLBACK_CLOCKS = {
    "Новая": "runs",
    "В работе": "runs",
    "Эскалировано": "runs",
    "Ожидает ответа клиента": "paused",
    "Выполнена": "stopped",
    "Закрыта": "stopped",
}

Ticket = tuple[str, str, list[StatusChange], dt.datetime]


def clocks_from(pack: dict[str, object]) -> dict[str, str]:
    """Status name → clock from the pack's [statuses] section, when it is there."""
    statuses = pack.get("statuses")
    if not isinstance(statuses, dict):
        return FALLBACK_CLOCKS
    out = {str(s["name"]): str(s["clock"]) for s in statuses.values() if "clock" in s}
    return out if WAIT in out and "В работе" in out else FALLBACK_CLOCKS


def _step(rng: random.Random) -> dt.timedelta:
    """Minutes to a few working days between status changes (log-uniform)."""
    return dt.timedelta(minutes=int(10 ** rng.uniform(0.7, 3.6)))


def make_tickets(n: int, categories: list[str], priorities: list[str]) -> list[Ticket]:
    rng = random.Random(20261123)
    lo = dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp()
    hi = dt.datetime(2027, 11, 1, tzinfo=dt.UTC).timestamp()
    tickets: list[Ticket] = []
    for _ in range(n):
        at = dt.datetime.fromtimestamp(int(rng.uniform(lo, hi)) // 60 * 60, dt.UTC)
        history = [StatusChange(at, "Новая", "classification")]
        stage = "classification"
        for _ in range(rng.randint(1, 7)):
            at += _step(rng)
            r = rng.random()
            if r < 0.25 and history[-1].status != WAIT and stage != "resolved":
                history.append(StatusChange(at, WAIT, stage))  # P-02 pause
            elif history[-1].status == WAIT:
                history.append(StatusChange(at, "В работе", stage))
            elif stage in ("classification", "processing") or (stage == "resolution" and r < 0.5):
                stage = {"classification": "processing", "processing": "resolution"}.get(
                    stage, "vendor"
                )
                history.append(StatusChange(at, "Эскалировано", stage))
            elif stage == "vendor":
                stage = "resolution"
                history.append(StatusChange(at, "В работе", stage))
            else:
                stage = "resolved"
                history.append(StatusChange(at, "Выполнена", stage))
        now = at + _step(rng)
        tickets.append((rng.choice(categories), rng.choice(priorities), history, now))
    return tickets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    args = parser.parse_args()

    with PACK.open("rb") as f:
        pack = tomllib.load(f)
    t0 = time.perf_counter()
    calendar = WorkingCalendar(parse_calendar(Reader(PACK, pack["calendar"], "calendar")))
    spec = parse_sla(Reader(PACK, pack["sla"], "sla"))
    build_ms = (time.perf_counter() - t0) * 1000
    engine = SlaEngine(spec, calendar, clocks_from(pack))

    priorities = [*spec.priorities, *spec.priority_aliases]
    tickets = make_tickets(args.tickets, list(spec.categories), priorities)
    epochs = [
        (
            cat,
            pri,
            [int(c.at.timestamp()) for c in h],
            [c.status for c in h],
            [c.stage for c in h],
            int(now.timestamp()),
        )
        for cat, pri, h, now in tickets
    ]
    changes = sum(len(h) for _, _, h, _ in tickets)

    gc.collect()
    gc.disable()
    t0 = time.perf_counter()
    limits_for = engine.limits_for
    core = engine.evaluate_epochs
    for cat, pri, times, statuses, stages, now_s in epochs:
        core(limits_for(cat, pri)[1], times, statuses, stages, now_s)
    fast_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    evaluate = engine.evaluate
    breached = 0
    for cat, pri, h, now in tickets:
        report = evaluate(h, cat, pri, now)
        breached += report.breached
    full_s = time.perf_counter() - t0
    gc.enable()

    n = max(args.tickets, 1)
    full_us = full_s / n * 1e6
    fast_us = fast_s / n * 1e6
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"tickets: {args.tickets}")
    print(f"status_changes_per_ticket: {changes / n:.2f}")
    print(f"calendar_build: {build_ms:.1f} ms")
    print(f"calendar_intervals: {len(calendar.starts)}")
    print(f"sla_deadlines_per_ticket: {full_us:.1f} us")
    print(f"sla_fast_path_per_ticket: {fast_us:.1f} us")
    print(f"sla_target: {TARGET_US:.0f} us")
    print(f"sla_ratio_to_target: {full_us / TARGET_US:.2f}")
    print(f"sla_fast_path_ratio_to_target: {fast_us / TARGET_US:.2f}")
    print(f"sla_breached_share: {breached / n:.3f}")
    print(f"peak_rss: {rss_mb:.1f} MB")


if __name__ == "__main__":
    main()
