"""Benchmark: the operator's window on a big desk (issue 8), in the real application window.

Run: .venv/bin/python bench/bench_ui_queue.py [--tickets N] [--db PATH] [--runs R]
Prints one figure per line, `name: value unit`: start-up to a painted queue, filter change to
painted rows (every saved filter and three text searches), scrolling one page, a command to
its row and counts updated, and the peak RSS. Offscreen unless QT_QPA_PLATFORM says otherwise.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_queue import NOW, ensure_data, out  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from opdesk import services, settings  # noqa: E402
from opdesk.clock import FixedClock  # noqa: E402
from opdesk.regulations.pack import load_default_pack  # noqa: E402
from opdesk.store.database import open_local  # noqa: E402
from opdesk.store.reading import people  # noqa: E402
from opdesk.ui.main_window import MainWindow  # noqa: E402

TARGETS = {"filter_median": 50.0, "filter_p95": 100.0, "scroll": 16.0, "start": 2000.0,
           "command": 100.0, "rss": 400.0}  # fmt: skip
TEXTS = ("Смирнов", "интернет", "+7 916")


def wait(app: QApplication, done: Callable[[], bool], timeout: float = 60.0) -> None:
    """Run the event loop until `done()`. Why not `processEvents()` in a loop: PySide6 6.12
    drops a reference to None on every call from Python, and on Python 3.11 (None is not yet
    immortal) a few thousand calls end in "Fatal Python error: none_dealloc"."""
    end = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > end:
            raise TimeoutError("the window did not answer in time")
        loop = QEventLoop()
        QTimer.singleShot(2, loop.quit)
        loop.exec()


def painted(app: QApplication, w: MainWindow) -> None:
    """Wait until the first visible row is fetched, then paint the queue."""
    model = w.model
    assert model is not None
    top = max(0, w.table.rowAt(0))
    wait(app, lambda: not model.rowCount() or model.cached(top) is not None)
    w.table.viewport().repaint()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--workers", type=int)
    args = ap.parse_args()
    path = args.db or Path("/tmp/opdesk-bench") / f"queue-{args.tickets}.sqlite3"
    out("data_source", ensure_data(path, args.tickets, args.seed, args.workers))
    db = open_local(path)
    with db.engine.connect() as conn:
        login = next(p.login for p in people(conn) if p.role == "operator")
    db.close()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    start = time.perf_counter()
    w = MainWindow(load_default_pack(), FixedClock(NOW), settings.Settings(person=login))
    w.show()
    loads: list[int] = []
    w.queueLoaded.connect(loads.append)
    firsts: list[int] = []
    w.firstScreen.connect(firsts.append)  # what the operator sees of a new filter
    w.open_database(path)
    wait(app, lambda: bool(loads))
    painted(app, w)
    start_ms = (time.perf_counter() - start) * 1000
    out("startup_to_queue_painted", start_ms, "ms")
    out("queue_tickets", loads[-1], "tickets")

    times: list[float] = []
    by_name: dict[str, list[float]] = {}
    for _ in range(max(1, args.runs // 2)):
        for name in w.filters.filters():
            before = len(firsts)
            t0 = time.perf_counter()
            w.filters.select(name)
            wait(app, lambda b=before: len(firsts) > b)  # type: ignore[misc]
            painted(app, w)
            times.append((time.perf_counter() - t0) * 1000)
            by_name.setdefault(name, []).append(times[-1])
        for text in TEXTS:
            before = len(firsts)
            t0 = time.perf_counter()
            w.filters.search.setText(text)
            w.filters._emit()
            wait(app, lambda b=before: len(firsts) > b)  # type: ignore[misc]
            painted(app, w)
            times.append((time.perf_counter() - t0) * 1000)
            by_name.setdefault(text, []).append(times[-1])
        w.filters.search.clear()
    f_med, f_p95 = statistics.median(times), sorted(times)[max(0, round(0.95 * len(times)) - 1)]
    for name, spent in sorted(by_name.items(), key=lambda kv: -max(kv[1]))[:4]:
        print(f"# slowest filter changes: {name}: worst {max(spent):.1f} ms, "
              f"median {statistics.median(spent):.1f} ms")  # fmt: skip
    out("filter_change_painted_median", f_med, "ms")
    out("filter_change_painted_p95", f_p95, "ms")

    before = len(loads)
    w.filters.select("Мои")
    w.filters.select("Все")
    wait(app, lambda: len(loads) > before and loads[-1] == w.model.rowCount())
    painted(app, w)
    bar = w.table.verticalScrollBar()
    scrolls = []
    for _ in range(args.runs * 4):
        t0 = time.perf_counter()
        bar.setValue(min(bar.maximum(), bar.value() + bar.pageStep()))
        painted(app, w)
        scrolls.append((time.perf_counter() - t0) * 1000)
    s_med = statistics.median(scrolls)
    out("scroll_page_median", s_med, "ms")

    assert w.model is not None and w.writer is not None
    before = len(loads)
    w.filters.search.clear()
    w.filters._reset()  # open tickets: a comment on a closed one is refused (S-09, P-08 …)
    wait(app, lambda: len(loads) > before and loads[-1] == w.model.rowCount())
    painted(app, w)
    commands = []
    for i in range(args.runs):
        tid = w.model.ticket_id(i)
        fetched: list[int] = []
        w.model.rowsFetched.connect(fetched.append)
        counts: list[object] = []
        w.countsShown.connect(counts.append)
        t0 = time.perf_counter()
        w.writer.submit(
            lambda desk, t=tid: services.add_comment(desk, w.actor(), t, "note", "бенчмарк"),
            lambda r: w.after_commands(set(r.ticket_ids)),
        )
        wait(app, lambda f=fetched, c=counts: bool(f) and bool(c))  # type: ignore[misc]
        w.table.viewport().repaint()
        commands.append((time.perf_counter() - t0) * 1000)
        w.model.rowsFetched.disconnect(fetched.append)
        w.countsShown.disconnect(counts.append)
    c_med = statistics.median(commands)
    out("command_row_and_counts_median", c_med, "ms")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out("peak_rss", rss, "MB")
    ok = (f_med <= TARGETS["filter_median"] and f_p95 <= TARGETS["filter_p95"]
          and s_med <= TARGETS["scroll"] and start_ms <= TARGETS["start"]
          and c_med <= TARGETS["command"] and rss <= TARGETS["rss"])  # fmt: skip
    out("targets_met", "yes" if ok else "NO")
    w.close()


if __name__ == "__main__":
    main()
