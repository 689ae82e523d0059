"""Scheduled work on the shared desk: one pass (`run_due`) that does what time alone makes due.

Run by `opdesk worker DATABASE_URL` (or a server process), as many at once as anyone starts:
each piece of work is done exactly once across all of them.

What is due, and what of it needs writing:
- **Auto-close** (B-03 for 004's «Решен» after 2 working days, P-07 for 003's portal request
  after 3): every open ticket whose `auto_close_at` has passed is closed by the pack's
  `auto_close` action, through `services.transition` with the system actor — so the rule
  engine judges it on the ticket's current state (a client who replied in time keeps it
  open: the refusal is counted, nothing is written) and the history says who («system») and
  why (the action). The only job that writes.
- **24-hour reminders** (U-06 / U-09): computed on read. An outgoing request stores its
  `reminder_at`; the queue's ⚑ (`query_sql`, `outgoing_overdue`: unanswered and
  `reminder_at <= now`) and the U-09 template choice (`services.replies`) compare it with the
  reader's clock, and `reminder_at` syncs like any row. Nothing to write: the pass counts them.
- **SLA breach**: computed on read as well. `sla_breached` means "a *finished* stage was late"
  (models/ticket.py) and is set by the commands that finish a stage; the current stage's
  breach is `sla_due_at <= now and not sla_paused` in the queue's SQL and the window, and
  at-risk is `sla_risk_at <= now`. Recomputing the columns when those moments pass changes
  nothing that a reader does not already see (checked: `apply_sla` keeps `sla_breached` and
  `sla_due_at`, and only slides `sla_risk_at` to "now", which would bump every such ticket's
  row version on every pass for no reader's benefit). The pass counts them.

Exactly once — `SELECT … FOR UPDATE SKIP LOCKED` on each due ticket's row, not an advisory
lock. Why: the row lock is the very lock a push takes on the op's ticket
(`push._lock_ticket`), so the automatic close and a workstation's op on the same ticket
(a client's reply arriving at the last minute) are judged one after the other on committed
state — an advisory lock per job would exclude other workers but not a push, and the worker
could close a ticket on a state that a concurrent push is changing. Row locks also let several
workers share one pass instead of one holding a job-wide lock while the others idle. A worker
that finds a row locked skips it (another worker or a push has it; if it is still due, the
next pass takes it), and the lock's statement re-checks `is_open` and `auto_close_at` on the
row's latest committed version, so a ticket another worker has just closed is not judged again.

One short transaction per ticket: the close, its history event and the NOTIFY that wakes the
workstations commit together, and a pull (which waits for the oldest running writer, see
`versioning`) is never held up by one huge transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import and_, event, func, or_, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from opdesk.clock import Clock
from opdesk.models import OutgoingRequest, Ticket
from opdesk.regulations.pack import Pack
from opdesk.regulations.snapshot import Actor
from opdesk.server.push import no_outbox
from opdesk.services.desk import Desk
from opdesk.services.transitions import transition
from opdesk.services.writes import keep_no_outbox
from opdesk.store.database import Database

log = logging.getLogger("opdesk.server.worker")

SYSTEM = Actor(login="system", role="system")  # the pack's `auto_close` action is the system's
AUTO_CLOSE = "auto_close"
NOTIFY_CHANNEL = "opdesk_changes"  # the channel pushes notify (push.NOTIFY_CHANNEL)
PAGE = 500  # due tickets read per query; each is then locked and closed on its own


@dataclass(frozen=True)
class WorkerReport:
    """What one pass did: tickets closed by this worker, refused by the engine (the rule
    said no, e.g. the client replied), skipped (locked by another worker or a push, or no
    longer due when locked), failed (the database refused; logged); and, computed on read,
    the reminders and SLA breaches standing at the pass's moment."""

    at: dt.datetime
    closed: int = 0
    refused: int = 0
    skipped: int = 0
    failed: int = 0
    reminders_due: int = 0
    sla_breached: int = 0

    def summary(self) -> str:
        return (
            f"закрыто автоматически: {self.closed}, отказано правилами: {self.refused}, "
            f"пропущено (у другого): {self.skipped}, ошибок: {self.failed}; "
            f"просроченных напоминаний: {self.reminders_due}, нарушений SLA: {self.sla_breached}"
            f" / auto-closed {self.closed}, refused {self.refused}, skipped {self.skipped}, "
            f"failed {self.failed}; reminders due {self.reminders_due}, "
            f"SLA breached {self.sla_breached}"
        )


class _Undo(Exception):
    """The engine refused the close: roll the ticket's transaction back."""


@dataclass
class _Locked(Database):
    """The ticket's transaction, holding its row lock, lent to the command: the command
    flushes into it and the worker commits (or rolls back) lock and change together."""

    session: Session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        yield self.session
        self.session.flush()


def run_due(engine: Engine, pack: Pack, clock: Clock) -> WorkerReport:
    """One pass over what is due at `clock.now()`; safe to run in any number of processes."""
    now = clock.now()
    sessions = sessionmaker(engine, expire_on_commit=False)
    counts = {"closed": 0, "refused": 0, "skipped": 0, "failed": 0}
    for ticket_id in _due_tickets(sessions, now):
        counts[_auto_close(engine, sessions, pack, clock, ticket_id, now)] += 1
    with sessions() as s:
        reminders = s.scalar(
            select(func.count(OutgoingRequest.id))
            .join(Ticket, Ticket.uuid == OutgoingRequest.ticket_id)
            .where(
                Ticket.is_open,
                OutgoingRequest.answered_at.is_(None),
                OutgoingRequest.reminder_at <= now,
            )
        )
        breached = s.scalar(
            select(func.count(Ticket.id)).where(
                Ticket.is_open,
                or_(Ticket.sla_breached, and_(Ticket.sla_due_at <= now, ~Ticket.sla_paused)),
            )
        )
    return WorkerReport(now, reminders_due=reminders or 0, sla_breached=breached or 0, **counts)


def _due_tickets(sessions: sessionmaker[Session], now: dt.datetime) -> Iterator[int]:
    """Ids of open tickets due to auto-close, oldest first, a page at a time by keyset: a
    ticket the engine refuses stays due, and must not be met again in the same pass."""
    after: tuple[dt.datetime | None, int] | None = None  # never None: WHERE <= now
    while True:
        query = (
            select(Ticket.auto_close_at, Ticket.id)
            .where(Ticket.is_open, Ticket.auto_close_at <= now)
            .order_by(Ticket.auto_close_at, Ticket.id)
            .limit(PAGE)
        )
        if after is not None:
            moment, last = after
            query = query.where(
                or_(Ticket.auto_close_at > moment,
                    and_(Ticket.auto_close_at == moment, Ticket.id > last))
            )  # fmt: skip
        with sessions() as s:
            rows = s.execute(query).all()
        for moment, ticket_id in rows:
            after = (moment, ticket_id)
            yield ticket_id
        if len(rows) < PAGE:
            return


def _auto_close(
    engine: Engine,
    sessions: sessionmaker[Session],
    pack: Pack,
    clock: Clock,
    ticket_id: int,
    now: dt.datetime,
) -> str:
    """Lock the ticket (skipping it if anyone holds it), re-check that it is still due, and
    close it through the command layer, all in one short transaction. Returns the count it
    falls under."""
    try:
        with sessions.begin() as s:
            keep_no_outbox(s)  # the server keeps no outbox (push.py)
            event.listen(s, "before_flush", no_outbox)
            locked = s.scalar(
                select(Ticket.id)
                .where(Ticket.id == ticket_id, Ticket.is_open, Ticket.auto_close_at <= now)
                .with_for_update(skip_locked=True)
            )
            if locked is None:
                return "skipped"
            desk = Desk(_Locked(engine, sessions, s), pack, clock)
            result = transition(desk, SYSTEM, ticket_id, AUTO_CLOSE)
            if not result.ok:
                log.info("ticket %s: auto-close refused: %s", ticket_id, result.message())
                raise _Undo
            # delivered on commit only: workstations wake to pull the closed ticket
            s.execute(text("SELECT pg_notify(:c, 'worker')"), {"c": NOTIFY_CHANNEL})
    except _Undo:
        return "refused"
    except DBAPIError:
        log.exception("ticket %s: auto-close failed in the database; left for the next pass",
                      ticket_id)  # fmt: skip
        return "failed"
    return "closed"
