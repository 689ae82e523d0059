"""Workstations for the convergence machine (test_convergence.py): each one a SQLite file
logged in as its own person against ONE real `opdesk server` process, with a ledger of the
ops it made and what the server answered to each.

Why a ledger keyed by an op's `id_seed`: the seed is the op's identity on both sides — every
row the op makes (events, comments) takes its id from it, here and in the server's re-run —
so "every acknowledged op is present exactly once" can be checked by looking those ids up in
the server's database, whatever op numbers the pushes gave the ops.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, text

from opdesk.clock import SystemClock
from opdesk.models import OutboxEntry
from opdesk.regulations.snapshot import Actor
from opdesk.services import ClosureDraft, ConfirmationDraft
from opdesk.services.desk import Desk
from opdesk.services.results import CommandResult
from opdesk.services.writes import OP_KIND, derived_id
from opdesk.store.database import Database, open_local
from opdesk.sync import outbox, state
from opdesk.sync.engine import SyncEngine, SyncReport
from opdesk.sync.transport import HttpServer
from tests.server.live import LiveServer
from tests.services.test_closing import FULL
from tests.sync.support import local_figures, pack

PASSWORD = "convergence-password-7"
ROWS_PER_OP = 64  # more than any op of the machine makes (a full close makes about ten)


def full_draft(now: dt.datetime) -> ClosureDraft:
    """Everything the standard scheme (000) asks of an outage ticket without a client: the
    ticket has no mobile number, so C-07's verbal confirmation is asked for as well."""
    return dataclasses.replace(
        FULL,
        completed_at=now - dt.timedelta(hours=1),
        confirmation=ConfirmationDraft("verbal", "Клиент", now - dt.timedelta(minutes=30)),
    )


PARTIAL_DRAFT = ClosureDraft(cause="Причина пока неясна", actions="Перезапуск порта")


@dataclass
class Op:
    """One op a workstation made: what it was, and (once answered) what the server said."""

    seed: uuid.UUID
    name: str
    comment: str = ""  # the (unique) text of an add_comment op
    answer: str = ""  # "" while waiting; applied (or duplicate) | refused

    def ids(self) -> list[uuid.UUID]:
        return [derived_id(self.seed, n) for n in range(ROWS_PER_OP)]


@dataclass
class Station:
    """One workstation: its file, its person, and its connection (see the module docstring).

    `online` False is a partition: syncs are skipped, commands still run locally."""

    name: str
    login: str
    path: Path
    http: HttpServer
    department: str  # the pack's name of the person's department («ТО»): C-03 reads it
    online: bool = True
    ops: dict[uuid.UUID, Op] = field(default_factory=dict)
    db: Database | None = None
    desk: Desk | None = None
    engine: SyncEngine | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.login, "operator", self.department)

    def open(self) -> None:
        self.db = open_local(self.path)
        self.desk = Desk(self.db, pack(), SystemClock(), provisional_numbers=True)
        self.engine = SyncEngine(self.db, self.http, pack(), SystemClock())

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
        self.db = self.desk = self.engine = None

    def local(self) -> Desk:
        assert self.desk is not None, f"{self.name} is closed"
        return self.desk

    # -- commands ------------------------------------------------------------------------
    def tickets(self, statuses: tuple[str, ...] = ()) -> list[int]:
        """Local ids of the tickets here (in `statuses`, if given), in an order that does not
        depend on random uuids or server numbers, so a derandomized run replays its choices."""
        where = "WHERE status IN (SELECT value FROM json_each(:s))" if statuses else ""
        with self.local().db.engine.connect() as conn:
            rows = conn.execute(text(f"SELECT id FROM tickets {where} ORDER BY subject, id"),
                                {"s": json.dumps(statuses)}).scalars()  # fmt: skip
            return [int(r) for r in rows]

    def record(self, result: CommandResult, comment: str = "") -> CommandResult:
        """Put the op a successful command wrote into the ledger."""
        if not result.ok:
            return result
        with self.local().db.transaction() as s:
            entries = s.scalars(select(OutboxEntry).where(OutboxEntry.op == OP_KIND)).all()
            for entry in entries:
                args = json.loads(entry.payload)
                seed = uuid.UUID(args["id_seed"])
                if seed not in self.ops:
                    self.ops[seed] = Op(seed, entry.command, comment)
        return result

    # -- sync ----------------------------------------------------------------------------
    def sync(self) -> SyncReport:
        """One sync; the answers go into the ledger. The server never goes away in this
        machine, so any error is a failure, not an offline moment."""
        assert self.engine is not None and self.db is not None
        with self.db.transaction() as s:
            status = state.read(s)
            sent = {op.number: op.seed for op in outbox.pending(s, status.last_op)}
        report = self.engine.sync_once()
        assert report.error is None, (self.name, report.error)
        assert report.waiting == 0 and not report.diverged, (self.name, report)
        refused = {sent[r.op] for r in report.refused}
        for seed in sent.values():
            if seed is not None:
                self.ops[seed].answer = "refused" if seed in refused else "applied"
        return report

    def figures(self) -> dict[str, tuple[int, str]]:
        assert self.db is not None
        return local_figures(self.db)

    def tally(self) -> Counter[str]:
        return Counter(f"{op.name}: {op.answer or 'waiting'}" for op in self.ops.values())


def new_station(live: LiveServer, workdir: Path, name: str, tag: str, department: str) -> Station:
    """A person of `department` (pack code) on the server, logged in from a new file."""
    login = f"{name}_{tag}"
    live.add_person(login, "operator", PASSWORD, f"Оператор {name}")
    with live.engine.begin() as conn:  # accounts are made without one; the desk gives it
        conn.execute(
            text("UPDATE people SET department_id = (SELECT id FROM departments WHERE code = :d)"
                 " WHERE login = :l"), {"d": department, "l": login},
        )  # fmt: skip
    station = Station(name, login, workdir / f"{name}-{tag}.sqlite", HttpServer(live.url),
                      pack().departments.get(department).name)  # fmt: skip
    station.open()
    assert station.db is not None
    station.http.login(login, PASSWORD, state.client_id(station.db), training=False)
    station.sync()  # the people (the person included) and the desk so far arrive
    return station
