"""Opening the local database off the GUI thread, with demo data on the very first start.

`make run` promises the application on an embedded SQLite database with demo data and no
server: the first start generates a small demo desk; every start opens, checks and migrates
the file in the background and reports plain counts (SQL filters) back to the window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from opdesk.clock import Clock
from opdesk.store import query
from opdesk.store.database import open_local
from opdesk.store.filters import TicketQuery

DEMO_TICKETS = 20_000


@dataclass(frozen=True)
class DatabaseSummary:
    path: str
    generated: bool
    counts: dict[str, int]


SUMMARY_FILTERS = {
    "Все": TicketQuery(),
    "Открытые": TicketQuery(open_only=True),
    "Просрочены (SLA)": TicketQuery(open_only=True, sla=("breached",)),
    "Под угрозой (≥ 80 %)": TicketQuery(open_only=True, sla=("at_risk",)),
    "На паузе": TicketQuery(open_only=True, sla=("paused",)),
}


def open_and_summarise(
    path: Path, clock: Clock, demo_tickets: int = DEMO_TICKETS
) -> DatabaseSummary:
    """Runs on a worker thread: returns only plain values."""
    generated = False
    db = open_local(path)
    try:
        with db.engine.connect() as conn:
            empty = not query.has_tickets(conn)
    finally:
        db.close()
    if empty:
        from opdesk.demo import generate

        # In-process (workers=0): forking worker processes from a threaded Qt application is
        # unsafe, and a 20,000-ticket desk takes a few seconds anyway.
        generate(path, demo_tickets, seed=1, now=clock.now(), workers=0)
        generated = True
    db = open_local(path)
    try:
        now: dt.datetime = clock.now()
        with db.engine.connect() as conn:
            counts = {name: query.count(conn, q, now) for name, q in SUMMARY_FILTERS.items()}
    finally:
        db.close()
    return DatabaseSummary(str(path), generated, counts)
