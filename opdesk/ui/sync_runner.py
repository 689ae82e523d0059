"""The shared desk's sync in the background: `SyncEngine.sync_once` on a thread of its own,
woken by a timer, by the operator's commands and by the server's event stream.

Where the sync runs, and why: on its own thread, not the window's writer. A sync spends most
of its time waiting for the network (a slow or stopped server holds a request up to the
transport's timeouts, tens of seconds); on the writer thread every command the operator
gives meanwhile would wait for it. The engine never holds a local transaction across a
network call (a push reads the ops, sends them, then records the answer; a pull fetches a
batch, then stores it), so beside the writer it only ever takes SQLite's write lock for one
short local transaction — at most one pull batch of `PULL_LIMIT` rows — and a command in
between waits that long at worst (SQLite's busy timeout is 5 s). The queue's reads never wait
at all (WAL).

When it runs: every `INTERVAL` seconds (polling: the fallback when no wake arrives), shortly
after a local command (debounced: a burst of commands makes one sync), when the server's
event stream says a push committed, and when asked («Синхронизировать сейчас»). Requests
coalesce: however many arrive during a sync, one more sync follows it. The count + hash
check hashes every synced row on both sides, so it runs on the first sync after a login and
then at most every `CHECK_EVERY` seconds (or when the operator asks).

The event stream (`HttpServer.wakes`) has a thread of its own too: it blocks reading for as
long as the server is quiet. It reconnects with a growing, jittered delay when the stream
breaks, so a desk of workstations does not hammer a server that has just come back.

What reaches the GUI: `Synced`, a frozen dataclass around the engine's own `SyncReport`
with the local ids of the tickets it changed (so the window reloads only those) and the
numbers of the tickets whose ops were refused — read on the sync thread, right after the
sync. Widgets are never touched here; the signals are delivered on the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QTimer, Signal
from sqlalchemy import func, select

from opdesk.clock import Clock
from opdesk.models import OutboxEntry, Person, Ticket, TicketConflict
from opdesk.regulations.pack import Pack
from opdesk.services.desk import Desk
from opdesk.services.writes import OP_KIND
from opdesk.store.database import Database
from opdesk.sync.contract import SyncError
from opdesk.sync.engine import SyncEngine, SyncReport
from opdesk.sync.transport import HttpServer
from opdesk.ui.server_calls import Cuttable

log = logging.getLogger(__name__)

INTERVAL = 30.0  # seconds between timer syncs
CHECK_EVERY = 600.0  # seconds between count + hash checks, at least
CHECK_SHARE = 50  # and at least this many times as long as the last check took


def check_interval(took: float) -> float:
    """Seconds until the next check, after one that took `took`. Why it grows with the check:
    it hashes every synced row on both sides — a second on a small desk, minutes on a million
    tickets — and must stay a small share of the workstation's and the server's time."""
    return max(CHECK_EVERY, CHECK_SHARE * took)


DEBOUNCE_MS = 400  # a local command's sync waits this long for the next command
PULL_LIMIT = 500  # rows per pulled batch: the longest a command may wait for the write lock
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 60.0  # the event stream's reconnection delays, seconds


@dataclass(frozen=True)
class Synced:
    """One sync as the window needs it: the engine's report and what to reload."""

    report: SyncReport
    at: dt.datetime
    checked: bool  # the check was asked for (report.checked: it ran and agreed)
    changed: frozenset[int] = frozenset()  # local ids of tickets the sync changed
    numbers: Mapping[uuid.UUID, str] = field(default_factory=dict)  # refused ops' tickets
    owners: Mapping[uuid.UUID, tuple[str, str]] = field(default_factory=dict)  # login, name
    # login → text conflicts of their ops the server kept for a manual merge, not merged yet
    open_conflicts: Mapping[str, int] = field(default_factory=dict)


def waiting_ops(db: Database) -> int:
    """Ops in the outbox (the status bar's «ждут отправки»); a cheap count, for a reader."""
    with db.engine.connect() as conn:
        query = select(func.count()).select_from(OutboxEntry).where(OutboxEntry.op == OP_KIND)
        return int(conn.scalar(query) or 0)


def open_conflicts(db: Database) -> dict[str, int]:
    """Per login, the text conflicts waiting for a merge (models.conflict), in one grouped
    count: the table holds conflicts only, a handful beside the tickets."""
    with db.engine.connect() as conn:
        query = (
            select(TicketConflict.person, func.count())
            .where(TicketConflict.kind == "text", TicketConflict.resolved_at.is_(None))
            .group_by(TicketConflict.person)
        )
        return {login: int(n) for login, n in conn.execute(query)}


Found = dict[uuid.UUID, tuple[int, str, str | None, str | None]]


def _tickets(db: Database, keys: Collection[uuid.UUID]) -> Found:
    """uuid → (local id, number, owner's login and name) of the tickets still here, read
    after the sync: a refused take's ticket names the one who took it first."""
    found: Found = {}
    wanted = list(keys)
    with db.engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            query = (
                select(Ticket.uuid, Ticket.id, Ticket.number, Person.login, Person.name)
                .outerjoin(Person, Person.id == Ticket.owner_id)
                .where(Ticket.uuid.in_(wanted[start : start + 500]))
            )
            found.update({row[0]: (row[1], row[2], row[3], row[4]) for row in conn.execute(query)})
    return found


class SyncRunner(QObject):
    """Syncs one local database with one server (see the module docstring)."""

    started = Signal()
    synced = Signal(object)  # Synced
    crashed = Signal(str)  # a sync raised something that is not a SyncError (a bug)

    def __init__(
        self, db: Database, pack: Pack, clock: Clock, url: str, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.db, self.clock, self.url = db, clock, url
        self._cutter = Cuttable()
        self.http = HttpServer(url, transport=self._cutter)
        self.engine = SyncEngine(db, self.http, pack, clock, pull_limit=PULL_LIMIT, check=False)
        # a pending "create" op re-run on top of a pull must draw a provisional number too
        self.engine.desk = Desk(db, pack, clock, provisional_numbers=True)
        self._wanted = threading.Event()
        self._stopped = threading.Event()
        self._stream_changed = threading.Event()  # a new token (or none), or stop
        self._lock = threading.Lock()
        self._listener: Cuttable | None = None  # the event stream's, while it is open
        self._force_check = True  # the first sync checks
        self._next_check = 0.0
        self.busy = False
        self.timer = QTimer(self)
        self.timer.setInterval(int(INTERVAL * 1000))
        self.timer.timeout.connect(self.request)
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.request)
        self.started.connect(lambda: setattr(self, "busy", True))
        self.synced.connect(lambda _s: setattr(self, "busy", False))
        self.crashed.connect(lambda _m: setattr(self, "busy", False))
        self._threads = [
            threading.Thread(target=self._sync_loop, name="opdesk-sync", daemon=True),
            threading.Thread(target=self._wake_loop, name="opdesk-sync-wakes", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    # -- the GUI's side ------------------------------------------------------------------
    @property
    def signed_in(self) -> bool:
        return self.http.token is not None

    @property
    def idle(self) -> bool:
        """No sync running or asked for (as far as the GUI thread has heard)."""
        return not self.busy and not self._wanted.is_set()

    def set_token(self, token: str | None, login: str | None = None) -> None:
        """Sync as the token's person (`login`) from now on (None: stop syncing; the outbox
        waits). Only that person's ops are pushed (SyncEngine.actor)."""
        self.http.token = token
        self.engine.actor = login if token is not None else None
        self._stream_changed.set()
        self._cut_stream()  # it reconnects with the new token, or waits for one
        if token is None:
            self.timer.stop()
        else:
            self.timer.start()
            self.request(check=True)

    def request(self, check: bool = False) -> None:
        """Ask for a sync (thread-safe; requests made during a sync make one more)."""
        if check:
            self._force_check = True
        self._wanted.set()

    def local_change(self) -> None:
        """A command was written here: sync soon, once the burst of commands is over."""
        if self.signed_in:
            self.debounce.start()

    def stop(self) -> None:
        """Stop both threads without waiting for them: a sync stuck on a dead server ends
        with its timeout, and nothing it says reaches the window any more."""
        self.blockSignals(True)
        self.timer.stop()
        self.debounce.stop()
        self._stopped.set()
        self._wanted.set()
        self._stream_changed.set()
        self._cut_stream()
        self._cutter.cut()  # a sync waiting on a hung server ends now, not at its timeout

    def _cut_stream(self) -> None:
        with self._lock:
            listener = self._listener
        if listener is not None:
            listener.cut()

    # -- the sync thread -----------------------------------------------------------------
    def _emit(self, name: str, *values: object) -> None:
        """Emit a signal by name from a worker: nothing once stopped, and a window deleted
        meanwhile (its C++ half gone, so even looking the signal up raises) ends the loop."""
        if self._stopped.is_set():
            return
        try:
            getattr(self, name).emit(*values)
        except RuntimeError:
            self._stopped.set()

    def _sync_loop(self) -> None:
        try:
            while True:
                self._wanted.wait()
                self._wanted.clear()
                if self._stopped.is_set():
                    return
                if self.http.token is not None:
                    self._sync()
        finally:
            self.http.close()

    def _sync(self) -> None:
        check = self._force_check or time.monotonic() >= self._next_check
        self._force_check = False
        self._emit("started")
        started = time.monotonic()
        try:
            report = self.engine.sync_once(check=check)
            refused = {key for op in report.refused for key in op.tickets}
            found = _tickets(self.db, report.tickets | refused)
            unmerged = open_conflicts(self.db)
        except Exception as exc:  # a bug or a closed database: logged, told, never fatal
            log.exception("sync failed")
            self._emit("crashed", f"{type(exc).__name__}: {exc}")
            return
        if check and report.error is None:
            self._next_check = time.monotonic() + check_interval(time.monotonic() - started)
        elif check:
            self._force_check = not report.offline  # offline: the timer's next try checks
            self._next_check = 0.0
        owners = {}
        for key in refused & found.keys():
            _tid, _number, login, name = found[key]
            if login is not None:
                owners[key] = (login, name or login)
        synced = Synced(
            report, self.clock.now(), check,
            frozenset(found[key][0] for key in report.tickets if key in found),
            {key: found[key][1] for key in refused if key in found}, owners, unmerged,
        )  # fmt: skip
        self._emit("synced", synced)

    # -- the event stream's thread -------------------------------------------------------
    def _wake_loop(self) -> None:
        delay = BACKOFF_FIRST
        while not self._stopped.is_set():
            token = self.http.token
            if token is None:
                self._stream_changed.wait()
                self._stream_changed.clear()
                continue
            cutter = Cuttable()
            listener = HttpServer(self.url, transport=cutter)
            listener.token = token
            with self._lock:
                self._listener = cutter
            if self._stream_changed.is_set():  # a new token or stop came meanwhile
                cutter.cut()
            try:
                for _wake in listener.wakes():
                    delay = BACKOFF_FIRST
                    self.request()
                self.request()  # the server ended the stream: catch up on what we missed
            except SyncError as exc:
                if exc.needs_login:  # the sync says so too; wait for a new token
                    self._stream_changed.wait()
            except Exception:  # not the contract: logged, retried like a broken stream
                log.warning("event stream failed", exc_info=True)
            finally:
                with self._lock:
                    self._listener = None
                listener.close()
            if self._stream_changed.is_set():
                self._stream_changed.clear()
                delay = BACKOFF_FIRST
                continue
            self._stream_changed.wait(delay * random.uniform(0.75, 1.25))
            self._stream_changed.clear()
            delay = min(delay * 2, BACKOFF_MAX)
