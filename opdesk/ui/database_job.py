"""Opening the local database off the GUI thread, with demo data on the very first start.

`make run` promises the application on an embedded SQLite database with demo data and no
server: the first start generates a small demo desk; every start opens, checks and migrates
the file in the background and hands the open `Database` (a thread-safe engine, no rows) back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from opdesk.clock import Clock
from opdesk.store import query
from opdesk.store.database import Database, open_local

DEMO_TICKETS = 20_000


@dataclass(frozen=True)
class Opened:
    path: str
    generated: bool
    db: Database


def open_desk_database(path: Path, clock: Clock, demo_tickets: int = DEMO_TICKETS) -> Opened:
    """Runs on a worker thread. Folders a killed demo run left beside the file go first
    (only those whose process is gone)."""
    from opdesk.demo.generate import sweep_stale

    sweep_stale(path)
    db = open_local(path)
    with db.engine.connect() as conn:
        empty = not query.has_tickets(conn)
    if not empty:
        return Opened(str(path), False, db)
    db.close()
    from opdesk.demo import generate

    # In-process (workers=0): forking worker processes from a threaded Qt application is
    # unsafe, and a 20,000-ticket desk takes a few seconds anyway.
    generate(path, demo_tickets, seed=1, now=clock.now(), workers=0)
    return Opened(str(path), True, open_local(path))
