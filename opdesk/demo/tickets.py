"""One chunk of demo tickets: each ticket's process replayed with a seeded RNG, as row tuples.

Why chunks: chunk `c` depends only on (seed, c) and the shared reference data, so chunks can be
made in worker processes in any order and the database is still identical for a seed. Rows are
plain tuples in the column order of `opdesk.store.bulk.COLUMNS`; moments are written as the text
SQLAlchemy stores on SQLite ("YYYY-MM-DD HH:MM:SS.ffffff", UTC), ids as 32 hex digits.

Why the process is simulated rather than drawn: every status, stage and SLA column must agree
with the history, and the history must be one its process allows. Each ticket gets one of the
pack's processes (shares in data.PROCESS_SHARES) and walks it (walks.py, outage.py): every step
is an action of that process, looked up in its transitions (flows.py), so statuses, stages,
terminal moments, owners and the C-03 resolver follow from the pack; closed outage tickets
also pass the closing checklist (C-01…C-11).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import accumulate

from opdesk.demo import data as D
from opdesk.demo.flows import Flow, build_flows
from opdesk.demo.outage import walk_outage
from opdesk.demo.reference import Clock, Reference, Tables
from opdesk.demo.sla_fast import FastSla
from opdesk.demo.walks import walk_call, walk_csn, walk_helpdesk, walk_portal
from opdesk.store.search import fts_row

NUMBER_PREFIX = "СЗ-"
PRIORITY_WEIGHTS = (70, 22, 8)
RICH_SHARE = 0.25
STUCK_SHARE = 0.04  # long jobs: still under way whatever their age
SEQ = [f"{i:03x}" for i in range(4096)]
WALKS: dict[str, Callable[[Ticket], None]] = {
    "call_request": walk_call,
    "helpdesk": walk_helpdesk,
    "portal": walk_portal,
    "csn": walk_csn,
    "outage": walk_outage,
}


@dataclass(frozen=True)
class Kit:
    """What every chunk of a worker shares: the SLA core, the moment formatter, the flows."""

    sla: FastSla
    clock: Clock
    flows: Mapping[str, Flow]
    process_ids: tuple[str, ...]
    process_cum: tuple[int, ...]  # cumulative shares, for rng.choices

    @classmethod
    def build(cls, sla: FastSla, clock: Clock) -> Kit:
        flows = build_flows(sla.pack)
        if set(flows) != set(WALKS) or set(flows) != set(D.PROCESS_SHARES):
            raise RuntimeError(
                f"демо знает процессы {sorted(WALKS)}, а пакет описывает {sorted(flows)} / "
                f"the demo walks processes {sorted(WALKS)}; the pack declares {sorted(flows)}"
            )
        ids = tuple(D.PROCESS_SHARES)
        return cls(sla, clock, flows, ids, tuple(accumulate(D.PROCESS_SHARES.values())))


def make_chunk(ref: Reference, kit: Kit, chunk: int, size: int) -> Tables:
    """Rows of tickets [chunk*size, (chunk+1)*size) — a pure function of (ref, chunk)."""
    rng = random.Random(ref.seed * 1_000_003 + chunk)
    out = Tables()
    first = chunk * size
    for k in range(first, min(first + size, ref.tickets)):
        Ticket(ref, kit, rng, out, k).build()
    return out


class Ticket:
    """One ticket's state while its process is walked, appending its rows to `out`."""

    def __init__(self, ref: Reference, kit: Kit, rng: random.Random, out: Tables, k: int) -> None:
        self.ref, self.kit, self.ts, self.rng, self.out, self.k = (
            ref,
            kit,
            kit.clock.text,
            rng,
            out,
            k,
        )
        self.created = ref.start + k * ref.slot + rng.randrange(ref.slot)
        ms = self.created * 1000 + rng.randrange(1000)
        self.id_head = f"{ms:012x}7"
        self.id_tail = f"{0x8000000000000000 | rng.getrandbits(62):016x}"
        self.seq = 0
        self.uuid = self.uid()
        self.number = f"{NUMBER_PREFIX}{100001 + k}"
        pid = rng.choices(kit.process_ids, cum_weights=kit.process_cum)[0]
        self.flow = kit.flows[pid]
        channels = self.flow.process.channels
        self.channel = rng.choice(channels) if channels else D.NAMED_PROCESS_CHANNEL
        # Recent tickets and a sample of older ones carry every optional comment (call results,
        # call-back attempts, replies); the rest keep what a rule needs, which keeps a million
        # tickets inside the time budget.
        self.rich = k >= ref.tickets - ref.tickets // 8 or rng.random() < RICH_SHARE
        self.stuck = rng.random() < STUCK_SHARE
        self.backlog = k >= ref.tickets - max(20, ref.tickets // 200) and rng.random() < 0.25
        self.times: list[int] = []  # the status history (created/status events) for SLA
        self.statuses: list[str] = []
        self.stages: list[str] = []
        self.comments: list[str] = []
        self.at = self.last = self.created  # the latest step; the latest row of any kind
        # who and what: drawn once, read by every step
        (self.cid, self.cname, self.ccat, self.mobile, self.group, self.city, self.phone) = (
            rng.choice(ref.clients)
        )
        self.oper = rng.choice(ref.opp)[1]
        _rid, self.resp, self.resp_dept, self.resp_name = rng.choice(ref.responsible)
        self.category = rng.choice(ref.categories)
        self.pi = rng.choices(range(3), PRIORITY_WEIGHTS)[0]
        self.electronic = self.group in ref.electronic
        self.dissatisfied = rng.random() < 0.05
        self.phone_note = False  # C-07: the client asked to confirm restoration by phone
        self.status = self.stage = ""
        self.owner = ""
        self.dept = "ОПП"
        self.resolver = ""  # C-03: the department that set «Выполнена» (record_resolver)
        self.closed_at, self.closed_via = -1, ""
        self.allows_closing = False  # P-09: the client allowed closing
        self.delay = ""  # C-11: why closing was delayed

    def uid(self) -> str:
        """Ids of one ticket's rows: its creation ms, a running sequence, shared random bits
        (unique because creation ms never repeats between tickets)."""
        self.seq += 1
        return self.id_head + SEQ[self.seq] + self.id_tail

    # -- rows -------------------------------------------------------------------------------
    def _event(self, t: int, kind: str, actor: str, dept: str, action: str, old: str,
               new: str) -> None:  # fmt: skip
        self.out.rows["events"].append((
            self.uid(), self.uuid, self.ts(t), actor, kind, self.status, self.stage, action,
            old, new, dept,
        ))  # fmt: skip
        if kind in ("created", "status"):
            self.times.append(t)
            self.statuses.append(self.status)
            self.stages.append(self.stage)
        self.at = t
        self.last = max(self.last, t)

    def intake(self, actor: str, dept: str) -> None:
        """The process's first status (S-01, U-01, B-01, C-01) and its intake effects."""
        flow = self.flow
        self.status, self.stage = flow.intake, flow.intake_stage
        if "set_owner" in flow.intake_effects:  # 001: the operator on the call owns the СЗ
            self.owner = actor
        self._event(self.created, "created", actor, dept, "", "", self.number)

    def act(self, action: str, t: int, actor: str, dept: str, reason: str = "") -> None:
        """One action of the ticket's process: its target status and stage, its effects, and
        the terminal moment, exactly as the command layer records them."""
        old, old_stage = self.status, self.stage
        self.status, self.stage, effects = self.flow.move(action, old, old_stage)
        # a level change (004 escalate) is part of the status history the SLA reads
        kind = "status" if (self.status, self.stage) != (old, old_stage) else "action"
        self._event(t, kind, actor, dept, action, old, self.status)
        if reason:  # P-04: the reason (and comment) of an escalation, as `transition` writes it
            self._event(t, "reason", actor, dept, action, "", reason)
        if "set_owner" in effects:
            self.owner = actor
        if "record_resolver" in effects:  # C-03
            self.resolver = dept
        if self.status in self.flow.terminal:
            self.closed_at, self.closed_via = t, action
        elif old in self.flow.terminal:
            self.closed_at, self.closed_via = -1, ""

    def comment(self, t: int, author: str, kind: str, text: str, tags: str = "",
                template: str = "", reached: bool | None = None) -> None:  # fmt: skip
        self.out.rows["comments"].append(
            (self.uid(), self.uuid, self.ts(t), author, kind, text, tags, template, reached)
        )
        self.comments.append(text)
        self.last = max(self.last, t)

    def step(self, mean: float, low: int) -> int | None:
        """The moment of the next step, or None when it lies beyond `now` (still pending)."""
        t = self.at + low + int(self.rng.expovariate(1 / mean))
        return t if t <= self.ref.now else None

    def auto_close_due(self, t: int) -> int | None:
        """B-03 / P-07: when the current status, entered at `t`, closes by itself (the process's
        working days), or None where it never does."""
        days = self.flow.auto_close_days.get(self.status)
        return None if days is None else self.kit.sla.add_working_days(t, days)

    def hand_over(self, t: int, actor: str, dept: str, to: str) -> None:
        """C-01: the ticket moves to department `to`, recorded as the `hand_over` command does
        (both departments by code)."""
        old, new = self.ref.dept_codes[self.dept], self.ref.dept_codes[to]
        self._event(t, "transfer", actor, dept, "department", old, new)
        self.dept = to

    def outgoing(self, t: int) -> None:
        """U-06: an outgoing request with its 24-hour reminder and a cross-link comment."""
        dept_id, name, _acc = self.rng.choice(self.ref.outgoing)
        self.out.rows["outgoing_requests"].append((
            self.uid(), self.uuid, dept_id, self.ts(t), self.ts(t + 24 * 3600), None, "",
            f"Исходящий запрос по клиентскому тикету №{self.number}.",
        ))  # fmt: skip
        text = f"Создан исходящий запрос в отдел «{name}»."
        self.comment(t, self.oper, "note", text, "outgoing")

    def answer(self, t: int) -> None:
        """The other department answers the last outgoing request."""
        rows = self.out.rows["outgoing_requests"]
        row = list(rows[-1])
        row[5] = self.ts(t)
        row[6] = self.rng.choice(D.DEPARTMENT_ANSWERS)
        rows[-1] = tuple(row)

    # -- the ticket -------------------------------------------------------------------------
    def build(self) -> None:
        WALKS[self.flow.id](self)
        if self.rich and self.owner and self.rng.random() < 0.3:  # S-08: every attempt logged
            for _ in range(self.rng.randint(1, 3)):
                ok = self.rng.random() < 0.6
                t = self.times[-1] - self.rng.randrange(1, 600)
                if t > self.created:
                    text = self.ref.reached if ok else self.ref.not_reached
                    self.comment(t, self.owner, "callback_attempt", text, reached=ok)
        self._ticket_row()

    def _ticket_row(self) -> None:
        """The ticket row, its SLA columns from the history just written, and its FTS row."""
        ref, rng, ts, process = self.ref, self.rng, self.ts, self.flow.process
        theme, ttype, subtheme, product = rng.choice(ref.themes)
        subject = rng.choice(D.SUBJECTS).format(city=self.city, month=rng.choice(D.MONTHS))
        category, priority = self.category, ref.priorities[self.pi]
        limit_min = None
        if process.sla_plans and category in ref.by_performer and rng.random() < 0.7:
            limit_min = rng.choice((960, 2400, 4800))  # B-06: set by the performer (or not yet)
        cols = self.kit.sla.columns_for(
            process, category, priority, limit_min, self.times, self.statuses, self.stages,
            ref.now,
        )  # fmt: skip
        owner_id = ref.person_ids.get(self.owner) if self.owner else None
        resolved = bool(self.resolver)
        outcome = ""
        if subtheme == "Заявка на ремонт" and rng.random() < 0.5:
            outcome = "repair_request"  # U-03: the classification already matches
        paid = arm = scheme = needs_closing = False
        if process.closing_schemes:  # what the closing checklist reads (000)
            paid = rng.random() < 0.15
            arm = paid and self.city in ref.paid_cities and (resolved or rng.random() < 0.5)
            scheme = resolved or rng.random() < 0.5
            needs_closing = resolved or rng.random() < 0.3
        self.out.rows["tickets"].append((
            self.k + 1, self.uuid, self.number, ts(self.created), ts(self.last), self.channel,
            process.id, self.cid, self.cname, self.ccat, self.phone, subject, theme, ttype,
            subtheme, product, category, priority, self.pi, self.status, self.stage,
            self.status not in self.flow.terminal, owner_id, ref.dept_ids[self.dept], paid,
            self.oper if arm else "", ts(self.times[min(1, len(self.times) - 1)]) if arm else None,
            scheme, "ОЭ" if scheme else "", needs_closing, rng.random() > 0.03,
            self.dissatisfied, self.allows_closing, self.resolver, outcome, self.delay, limit_min,
            ts(self.closed_at), self.closed_via, cols.plan, cols.stage, ts(cols.due_at),
            ts(cols.risk_at), cols.paused, cols.breached, cols.paused_seconds,
            ts(cols.reaction_due_at), ts(cols.processing_due_at), ts(cols.resolution_due_at),
            ts(cols.auto_close_at), 0,
        ))  # fmt: skip
        if self.k % 97 == 5 and self.out.rows["tickets"][:-1]:
            prev = rng.choice(self.out.rows["tickets"][:-1])[1]
            self.out.rows["ticket_links"].append((self.uid(), self.uuid, prev, "related"))
        self.out.rows["fts"].append(
            (self.k + 1, *fts_row(self.number, self.cname, self.phone, subject, self.comments))
        )
