"""Three workstations, one real server, random work: nothing is lost, nothing is doubled, all
converge, and the regulation holds where the truth is (issue 11, "Tests").

A hypothesis state machine drives three workstations (separate SQLite files, each logged in
as its own person) against ONE `opdesk server` process on the test run's PostgreSQL: tickets
are created, taken, commented, moved, their closing reports edited, closed with a full report
(which may pass) or without (which the engine must refuse), while workstations go offline
(skip syncs but keep working), come back, and restart (their Database and SyncEngine closed
and reopened). Why a machine rather than scripted cases: the interesting bugs of an
offline-first sync are orderings — two takes of one ticket made offline, a close pushed after
someone else reopened, a restart between a command and its push — and hypothesis finds and
shrinks orderings no one would think to write.

At the end of every run (`teardown`): everyone heals and syncs until quiet; then every
workstation holds exactly the server's content (per-table count + hash, the figures of
`GET /v1/check`), every op the server applied is there once and every op it refused left no
row, no closed ticket on the server misses a checklist item, each ticket has at most one take
and its owner is the one who took it, and one more sync moves nothing either way.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test
from sqlalchemy import select, text

from opdesk import services
from opdesk.clock import SystemClock
from opdesk.models import Ticket
from opdesk.regulations.checklist import evaluate_checklist
from opdesk.regulations.lifecycle import check_transition
from opdesk.server.migrate import open_server
from opdesk.services.closing import close_action
from opdesk.services.snapshots import snapshot
from opdesk.store.database import Database
from tests.server.live import LiveServer, live_server  # noqa: F401
from tests.sync.convergence_support import (
    PARTIAL_DRAFT,
    Station,
    full_draft,
    new_station,
)
from tests.sync.support import pack, server_figures

# Three people: two of ТО (they may set «Выполнена» for C-03), one of ОПП (who may not).
DEPARTMENTS = {"a": "to", "b": "to", "c": "opp"}
NAMES = tuple(DEPARTMENTS)
# A report saved on the server by someone else first leaves a re-run nothing to write: the op
# is applied and makes no row (save_closing writes nothing when nothing changes).
MAY_WRITE_NOTHING = frozenset({"save_closing"})
QUIET_ROUNDS = 6  # sync rounds to reach quiet after healing; more means it never settles
SETTINGS = settings(
    max_examples=8,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,  # the same runs on every machine and every CI run
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

stations = st.sampled_from(NAMES)
picks = st.integers(min_value=0, max_value=10_000)


class Totals:
    """What the machine explored, over all runs: printed at the end of the test."""

    def __init__(self) -> None:
        self.runs = 0
        self.steps: Counter[str] = Counter()
        self.ops: Counter[str] = Counter()
        self.tickets: list[int] = []
        self.rounds: list[int] = []

    def show(self, seconds: float) -> str:
        lines = [
            f"convergence machine: {self.runs} runs in {seconds:.1f} s; tickets on the server "
            f"after each run: {self.tickets}; rounds to quiet: {self.rounds}",
            "  steps: " + ", ".join(f"{k} {v}" for k, v in sorted(self.steps.items())),
            "  ops and the server's answers: "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.ops.items())),
        ]
        return "\n".join(lines)


class Convergence(RuleBasedStateMachine):
    """See the module docstring. `live`, `workdir` and `totals` are set by the test."""

    live: LiveServer
    workdir: Path
    totals: Totals

    def __init__(self) -> None:
        super().__init__()
        self.stations: dict[str, Station] = {}
        self.counter = 0
        self.totals.runs += 1

    @initialize()
    def start(self) -> None:
        tag = uuid.uuid4().hex[:8]
        for name, department in DEPARTMENTS.items():
            self.stations[name] = new_station(self.live, self.workdir, name, tag, department)
        # One outage ticket from each, seen by all: 25 random steps rarely make a ticket and
        # carry it to every workstation before they start to race on it.
        for s in self.stations.values():
            self.create(s.name, outage=True)
            s.sync()
        for s in self.stations.values():
            s.sync()

    # -- helpers ---------------------------------------------------------------------------
    def step(self, what: str) -> None:
        event(what)
        self.totals.steps[what] += 1

    def next_text(self, what: str) -> str:
        self.counter += 1
        return f"{what} {self.counter:03d} {uuid.uuid4().hex[:6]}"

    def ticket(self, station: Station, pick: int, *prefer: str) -> int | None:
        """A ticket of the workstation, one in a `prefer`red status if it has one: random
        picks alone rarely walk an outage ticket all the way to a close that can pass."""
        here = (station.tickets(prefer) if prefer and pick % 4 else []) or station.tickets()
        if not here:
            self.step("no ticket here yet")
            return None
        return here[pick % len(here)]

    # -- commands --------------------------------------------------------------------------
    @rule(name=stations, outage=st.booleans())
    def create(self, name: str, outage: bool) -> None:
        s = self.stations[name]
        self.counter += 1
        subject = f"T{self.counter:03d}"  # orders tickets alike on every run (Station.tickets)
        if outage:
            made = services.create_ticket(s.local(), s.actor, process="outage", subject=subject)
        else:
            made = services.create_ticket(s.local(), s.actor, process="csn", subject=subject,
                                          category="Проблемы с хостингом")  # fmt: skip
        assert s.record(made).ok, made.message()
        self.step(f"create {'outage' if outage else 'csn'}")

    @rule(name=stations, pick=picks)
    def take(self, name: str, pick: int) -> None:
        s = self.stations[name]
        tid = self.ticket(s, pick, "new")
        if tid is not None:
            done = s.record(services.take(s.local(), s.actor, tid))
            self.step(f"take {'ok' if done.ok else 'refused here'}")

    @rule(name=stations, pick=picks)
    def comment(self, name: str, pick: int) -> None:
        s = self.stations[name]
        tid = self.ticket(s, pick)
        if tid is not None:
            words = self.next_text("Комментарий")
            done = s.record(services.add_comment(s.local(), s.actor, tid, "note", words), words)
            self.step(f"comment {'ok' if done.ok else 'refused here'}")

    @rule(name=stations, pick=picks, which=picks, blind=st.booleans())
    def move(self, name: str, pick: int, which: int, blind: bool) -> None:
        """A lifecycle action of the ticket's process other than the checklist's close: one
        the engine allows here now, or (`blind`) any, which it may refuse."""
        s = self.stations[name]
        tid = self.ticket(s, pick, "in_progress", "resolved", "reopened")
        if tid is None:
            return
        now = SystemClock().now()
        with s.local().db.transaction() as session:
            ticket = session.get_one(Ticket, tid)
            flow = pack().process(ticket.process)
            closing = close_action(flow)
            actions = sorted(
                {t.action for t in flow.transitions} - {closing.action if closing else ""}
            )
            if not blind:
                snap = snapshot(session, ticket)
                allowed = [a for a in actions
                           if check_transition(pack(), snap, a, s.actor, now).allowed]  # fmt: skip
                actions = allowed or actions
        action = actions[which % len(actions)]
        done = s.record(services.transition(s.local(), s.actor, tid, action))
        self.step(f"move {'ok' if done.ok else 'refused here'}")

    @rule(name=stations, pick=picks)
    def edit_report(self, name: str, pick: int) -> None:
        s = self.stations[name]
        tid = self.ticket(s, pick, "resolved", "closed")
        if tid is not None:
            done = s.record(services.save_closing(s.local(), s.actor, tid, PARTIAL_DRAFT))
            self.step(f"edit report {'ok' if done.ok else 'refused here'}")

    @rule(name=stations, pick=picks, full=st.booleans())
    def close(self, name: str, pick: int, full: bool) -> None:
        s = self.stations[name]
        tid = self.ticket(s, pick, "resolved")
        if tid is None:
            return
        draft = full_draft(SystemClock().now()) if full else PARTIAL_DRAFT
        done = s.record(services.close_with_report(s.local(), s.actor, tid, draft))
        if not full:
            assert not done.ok, "a close without a full report must be refused"
        self.step(f"close {'full' if full else 'partial'} {'ok' if done.ok else 'refused here'}")

    # -- the network and the process -------------------------------------------------------
    @rule(name=stations)
    def partition(self, name: str) -> None:
        self.stations[name].online = False
        self.step("partition")

    @rule(name=stations)
    def heal(self, name: str) -> None:
        self.stations[name].online = True
        self.step("heal")

    @rule(name=stations)
    def restart(self, name: str) -> None:
        s = self.stations[name]
        s.close()
        s.open()
        self.step("restart")

    @rule(name=stations)
    def sync(self, name: str) -> None:
        s = self.stations[name]
        if not s.online:
            self.step("sync skipped (offline)")
            return
        report = s.sync()
        self.step("sync" + (" with refusals" if report.refused else ""))

    # -- the end of a run ------------------------------------------------------------------
    def teardown(self) -> None:
        try:
            if len(self.stations) == len(NAMES):
                self.converge_and_check()
        finally:
            for s in self.stations.values():
                s.close()
                s.http.close()

    def converge_and_check(self) -> None:
        everyone = list(self.stations.values())
        for s in everyone:
            s.online = True
        for rounds in range(1, QUIET_ROUNDS + 1):
            reports = [s.sync() for s in everyone]
            if all(r.pushed == r.pulled == 0 and not r.refused and r.checked for r in reports):
                self.totals.rounds.append(rounds)
                break
        else:
            raise AssertionError(f"no quiet after {QUIET_ROUNDS} rounds of syncs: {reports}")
        server = server_figures_of(self.live)
        check = everyone[0].http.check().tables
        assert check == server
        for s in everyone:
            assert s.figures() == server, s.name
        for s in everyone:  # one more sync moves nothing either way
            again = s.sync()
            assert (again.pushed, again.pulled, again.refused) == (0, 0, ()), (s.name, again)
            assert again.checked
        self.check_ops(everyone)
        self.check_regulation()
        for s in everyone:
            self.totals.ops.update(s.tally())
        self.totals.tickets.append(self.live.count("tickets"))

    def check_ops(self, everyone: list[Station]) -> None:
        """Every op the server applied made its rows once; every refused op made none."""
        with self.live.engine.connect() as conn:
            for s in everyone:
                for op in s.ops.values():
                    assert op.answer, (s.name, op)  # everything was pushed and answered
                    ids = [str(i) for i in op.ids()]
                    rows = sum(
                        int(conn.execute(text(f"SELECT count(*) FROM {table} WHERE id::text"
                                              " = ANY(:ids)"), {"ids": ids}).scalar_one())
                        for table in ("events", "comments")
                    )  # fmt: skip
                    if op.answer == "refused":
                        assert rows == 0, (s.name, op, rows)
                    elif op.name not in MAY_WRITE_NOTHING:
                        assert rows >= 1, (s.name, op)
                    if op.comment:
                        found = conn.execute(text("SELECT count(*) FROM comments WHERE text = :t"),
                                             {"t": op.comment}).scalar_one()  # fmt: skip
                        assert found == (0 if op.answer == "refused" else 1), (s.name, op, found)

    def check_regulation(self) -> None:
        """On the server: no ticket closed by the checklist's action misses an item; at
        most one take per ticket, and the owner is the one who took it."""
        p = pack()
        db: Database = open_server(self.live.db_url)
        try:
            with db.transaction() as session:
                for ticket in session.scalars(select(Ticket)):
                    flow = p.process(ticket.process)
                    closing = close_action(flow)
                    if closing is not None and ticket.closed_via == closing.action:
                        missing = evaluate_checklist(p.closing, snapshot(session, ticket),
                                                     p.lists).missing  # fmt: skip
                        assert not missing, (ticket.number, [m.id for m in missing])
            with self.live.engine.connect() as conn:
                takes = conn.execute(text(
                    "SELECT t.uuid, count(e.id), min(e.actor), p.login FROM tickets t"
                    " LEFT JOIN events e ON e.ticket_id = t.uuid AND e.field = 'take'"
                    " LEFT JOIN people p ON p.id = t.owner_id GROUP BY t.uuid, p.login"
                )).all()  # fmt: skip
            for key, count, taker, owner in takes:
                assert count <= 1, (key, count)
                assert owner == taker, (key, owner, taker)
        finally:
            db.engine.dispose()


def server_figures_of(live: LiveServer) -> dict[str, tuple[int, str]]:
    db = open_server(live.db_url)
    try:
        return server_figures(db)
    finally:
        db.engine.dispose()


@pytest.fixture
def machine(
    live_server: LiveServer,  # noqa: F811
    tmp_path: Path,
) -> Iterator[Totals]:
    totals = Totals()
    Convergence.live, Convergence.workdir, Convergence.totals = live_server, tmp_path, totals
    yield totals


def test_workstations_converge_and_the_regulation_holds(
    machine: Totals, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    run_state_machine_as_test(Convergence, settings=SETTINGS)
    with capsys.disabled():
        print("\n" + machine.show(time.monotonic() - started))
    assert machine.runs >= SETTINGS.max_examples
