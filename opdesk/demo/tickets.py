"""One chunk of demo tickets: the desk's process replayed with a seeded RNG, as row tuples.

Why chunks: chunk `c` depends only on (seed, c) and the shared reference data, so chunks can be
made in worker processes in any order and the database is still identical for a seed. Rows are
plain tuples in the column order of `load.COLUMNS`; moments are written as the text
SQLAlchemy stores on SQLite ("YYYY-MM-DD HH:MM:SS.ffffff", UTC), ids as 32 hex digits.

Why the process is simulated rather than drawn: every status, stage and SLA column must agree
with the history (the same walk the pack's transitions allow: take, wait for the client, hold
for another department, escalate, analyse, resolve, close or cancel), and closed tickets must
pass the closing checklist (C-01…C-11); drawing fields independently would break both.
"""

from __future__ import annotations

import datetime as dt
import random

from opdesk.demo import data as D
from opdesk.demo.reference import Clock, Reference, Tables
from opdesk.demo.sla_fast import FastSla
from opdesk.store.search import fts_row

HOUR = 3600
PRIORITY_WEIGHTS = (70, 22, 8)
RICH_SHARE = 0.25
SEQ = [f"{i:03x}" for i in range(4096)]
PAUSE_STATUSES = ("waiting_client", "on_hold", "escalated", "analysis", "postponed")


def make_chunk(ref: Reference, sla: FastSla, clock: Clock, chunk: int, size: int) -> Tables:
    """Rows of tickets [chunk*size, (chunk+1)*size) — a pure function of (ref, chunk)."""
    rng = random.Random(ref.seed * 1_000_003 + chunk)
    out = Tables()
    first = chunk * size
    for k in range(first, min(first + size, ref.tickets)):
        _Ticket(ref, sla, clock, rng, out, k).build()
    return out


class _Ticket:
    """The walk of one ticket through the lifecycle, appending its rows to `out`."""

    def __init__(
        self, ref: Reference, sla: FastSla, clock: Clock, rng: random.Random, out: Tables, k: int
    ) -> None:
        self.ref, self.sla, self.ts, self.rng, self.out, self.k = ref, sla, clock.text, rng, out, k
        self.created = ref.start + k * ref.slot + rng.randrange(ref.slot)
        ms = self.created * 1000 + rng.randrange(1000)
        self.id_head = f"{ms:012x}7"
        self.id_tail = f"{0x8000000000000000 | rng.getrandbits(62):016x}"
        self.seq = 0
        self.uuid = self.uid()
        self.number = f"СЗ-{100001 + k}"
        # Recent tickets and a sample of older ones carry every optional comment (call results,
        # call-back attempts, replies); the rest keep what a rule needs, which keeps a million
        # tickets inside the time budget.
        self.rich = k >= ref.tickets - ref.tickets // 8 or rng.random() < RICH_SHARE
        self.times: list[int] = []
        self.statuses: list[str] = []
        self.stages: list[str] = []
        self.comments: list[str] = []
        self.last = self.created
        # who and what: drawn once, read by every step
        (self.cid, self.cname, self.ccat, self.mobile, self.group, self.city, self.phone) = (
            rng.choice(ref.clients)
        )
        self.oper = rng.choice(ref.opp)[1]
        _rid, self.resp, self.resp_dept, self.resp_name = rng.choice(ref.responsible)
        self.electronic = self.group in ref.electronic
        self.dissatisfied = rng.random() < 0.05
        self.phone_note = rng.random() < 0.05
        self.channel = rng.choice(D.CHANNELS)
        self.owner = ""
        self.dept = "ОПП"
        self.resolved = False
        self.closed_via = ""
        self.delay = ""

    def uid(self) -> str:
        """Ids of one ticket's rows: its creation ms, a running sequence, shared random bits
        (unique because creation ms never repeats between tickets)."""
        self.seq += 1
        return self.id_head + SEQ[self.seq] + self.id_tail

    # -- rows -------------------------------------------------------------------------------
    def event(self, t: int, status: str, stage: str, actor: str, dept: str, kind: str) -> None:
        old = self.statuses[-1] if self.statuses else ""
        self.out.rows["events"].append((
            self.uid(), self.uuid, self.ts(t), actor, kind, status, stage,
            "status" if old else "", old, status if old else "", dept,
        ))  # fmt: skip
        self.times.append(t)
        self.statuses.append(status)
        self.stages.append(stage)
        self.last = max(self.last, t)

    def comment(self, t: int, author: str, kind: str, text: str, tags: str = "",
                template: str = "", reached: bool | None = None) -> None:  # fmt: skip
        self.out.rows["comments"].append(
            (self.uid(), self.uuid, self.ts(t), author, kind, text, tags, template, reached)
        )
        self.comments.append(text)
        self.last = max(self.last, t)

    def step(self, mean: float, low: int) -> int | None:
        """The moment of the next step, or None when it lies beyond `now` (still pending)."""
        t = self.times[-1] + low + int(self.rng.expovariate(1 / mean))
        return t if t <= self.ref.now else None

    # -- the walk ---------------------------------------------------------------------------
    def build(self) -> None:
        ref, rng, oper = self.ref, self.rng, self.oper
        intake = oper if self.channel == "phone" else "system"
        self.event(self.created, "new", "classification", intake, "ОПП", "created")
        r = rng.random()
        if self.group == "Сбербанк":  # C-08: its individual closing scheme is not in the pack
            fate = "cancelled" if r < 0.05 else "resolved"
        else:
            fate = "cancelled" if r < 0.04 else ("open" if r < 0.08 else "closed")
        category = rng.choice(ref.categories)
        pi = rng.choices(range(3), PRIORITY_WEIGHTS)[0]
        if fate == "cancelled":
            t = self.step(30 * 60, 60)
            if t is not None:
                self.event(t, "cancelled", "closed", oper, "ОПП", "status")
                self.comment(t, oper, "note", "Обращение создано по ошибке (дубль), отменено.")
                self.closed_via = "cancel"
        else:
            t = self.step(600 if pi == 2 else 2400, 60)
            backlog = self.k >= ref.tickets - max(20, ref.tickets // 200)
            if backlog and rng.random() < 0.25:
                t = None  # the newest tickets: some still wait in the line-1 queue (B-01)
            if t is not None:
                self._take(t)
                if fate == "open" and rng.random() < 0.4:
                    pass  # a long job: still «В работе» with its owner
                elif self._episodes(fate == "open") and fate != "open":
                    self._finish(fate == "closed")
        if self.rich and rng.random() < 0.3 and self.owner:  # S-08: every attempt is logged
            for _ in range(rng.randint(1, 3)):
                ok = rng.random() < 0.6
                t = self.times[-1] - rng.randrange(1, 600)
                if t > self.created:
                    text = ref.reached if ok else ref.not_reached
                    self.comment(t, self.owner, "callback_attempt", text, reached=ok)
        self._ticket_row(category, pi)

    def _take(self, t: int) -> None:
        """U-01: an ОПП operator takes it (line 1 → level 2), U-07: the call is written down."""
        rng, oper = self.rng, self.oper
        self.owner = oper
        self.event(t, "in_progress", "processing", oper, "ОПП", "status")
        if self.channel == "phone" or (self.rich and rng.random() < 0.4):
            self.comment(t, oper, "call_result", rng.choice(D.CALL_RESULTS))
        if self.phone_note:
            self.comment(t + 30, oper, "note", D.PHONE_CONFIRM_NOTE, "phone_confirmation")
        self.dept = self.resp_dept if rng.random() < 0.6 else "ОПП"

    def _episodes(self, stay_open: bool) -> bool:
        """Pauses and hand-overs between taking and resolving; False if still under way."""
        rng, oper, dept = self.rng, self.oper, self.dept
        stage = "processing"
        weights = (35, 40, 18, 7) if self.rich else (60, 35, 5, 0)
        for i in range(rng.choices((0, 1, 2, 3), weights)[0] + (1 if stay_open else 0)):
            kind = rng.choices(PAUSE_STATUSES, (45, 20, 15, 10, 10))[0]
            t = self.step(3 * HOUR, 300)
            if t is None:
                return False
            if kind == "escalated" and stage == "vendor":
                kind = "analysis"  # P-04/B-02: level 4 cannot escalate further
            if kind == "escalated":
                stage = "resolution" if stage == "processing" else "vendor"
            self.event(t, kind, stage, oper, dept, "status")
            if kind == "waiting_client" and self.rich:
                self.comment(t, oper, "reply", "Просим прислать серийный номер и MAC-адрес.")
            if kind == "on_hold":
                self._outgoing(t)
            if stay_open and i == 0:
                return False
            back = self.step((20 if kind == "waiting_client" else 8) * HOUR, 600)
            if back is None:
                return False
            if kind == "waiting_client" and self.rich:
                self.comment(back, "client", "client_reply", rng.choice(D.CLIENT_REPLIES[:3]))
            if kind == "on_hold":
                self._answer(back)
            if stage == "vendor" and rng.random() < 0.5:
                stage = "resolution"  # B-02: level 4 returns the ticket to level 3
            actor = self.resp if dept != "ОПП" else oper
            self.event(back, "in_progress", stage, actor, dept, "status")
        return True

    def _outgoing(self, t: int) -> None:
        """U-06: an outgoing request with its 24-hour reminder and a cross-link comment."""
        dept_id, name, _acc = self.rng.choice(self.ref.outgoing)
        self.out.rows["outgoing_requests"].append((
            self.uid(), self.uuid, dept_id, self.ts(t), self.ts(t + 24 * HOUR), None, "",
            f"Исходящий запрос по клиентскому тикету №{self.number}.",
        ))  # fmt: skip
        text = f"Создан исходящий запрос в отдел «{name}»."
        self.comment(t, self.oper, "note", text, "outgoing")

    def _answer(self, t: int) -> None:
        rows = self.out.rows["outgoing_requests"]
        row = list(rows[-1])
        row[5] = self.ts(t)
        row[6] = self.rng.choice(D.DEPARTMENT_ANSWERS)
        rows[-1] = tuple(row)

    def _finish(self, to_close: bool) -> None:
        """Resolve (by ОЭ/ТО, C-03), hand back to ОПП (C-01), then close meeting C-04…C-11."""
        rng, ref = self.rng, self.ref
        t = self.step(20 * HOUR, 1800)
        if t is None:
            return
        self.event(t, "resolved", "resolved", self.resp, self.resp_dept, "status")
        self.resolved = True
        self.dept = "ОПП"
        resolved = t
        parts = rng.random() < 0.25
        performers = {self.resp_name}
        while rng.random() < 0.35 and len(performers) < 3:
            performers.add(rng.choice(ref.responsible)[3])
        for name in sorted(performers):
            self.out.rows["closure_performers"].append((self.uid(), self.uuid, name))
        for _ in range(rng.randint(1, 2) if parts else 0):
            part = (self.uid(), self.uuid, rng.choice(D.SPARE_PARTS), rng.randint(1, 5))
            self.out.rows["spare_part_lines"].append(part)
        close_at = self._close(resolved) if to_close else None
        checked = close_at is not None
        self.out.rows["closure_reports"].append((
            self.uuid, rng.choice(D.CAUSES).format(n=rng.randint(1, 99)), rng.choice(D.ACTIONS),
            self.ts(resolved), rng.randint(15, 600), parts,
            D.CLOSURE_COMMENTS[self.delay] if self.delay else "", checked,
            checked and self.ccat == "VIP", self.ts(close_at if close_at else resolved),
        ))  # fmt: skip

    def _close(self, resolved: int) -> int | None:
        """Close by the operator, by the client (P-09) or automatically (B-03/P-07), with the
        confirmations C-07/C-08 ask for and the C-11 comment when the client delayed it."""
        rng, ref, oper = self.rng, self.ref, self.oper
        r = rng.random()
        via = "close" if r < 0.7 else ("client_close" if r < 0.85 else "auto_close")
        if via == "auto_close":
            moment = dt.datetime.fromtimestamp(resolved, dt.UTC)
            days = self.sla.pack.parameters.auto_close_working_days
            at = int(self.sla.pack.calendar.add_working_days(moment, days).timestamp())
            close_at = at if at <= ref.now else None
        else:
            close_at = self.step(10 * HOUR, 300)
        if close_at is None:
            return None
        if via == "client_close":
            self.comment(close_at - 60, "client", "client_reply", D.CLIENT_REPLIES[3])
        if rng.random() < 0.08:
            self.delay = rng.choice(("monitoring", "unreachable", "objects"))
            template = {"monitoring": "closing_monitoring", "objects": "closing_objects"}
            if self.delay in template:
                tid = template[self.delay]
                text = ref.templates[tid].replace("{ticket_number}", self.number)
                self.comment(close_at - 30, oper, "reply", text, template=tid)
            else:
                self.comment(close_at - 30, oper, "note", D.CLOSURE_COMMENTS[self.delay])
        needs_verbal = not self.electronic and (
            self.ccat in ref.verbal_categories
            or not self.mobile
            or self.dissatisfied
            or self.phone_note
        )
        if self.electronic:
            self._confirm(close_at - 120, "electronic", self.cname)
        if needs_verbal or (not self.electronic and rng.random() < 0.3):
            self._confirm(close_at - 90, "verbal", oper)
            text = "Клиент устно подтвердил восстановление услуги."
            self.comment(close_at - 90, oper, "call_result", text)
        actor = "system" if via == "auto_close" else oper
        self.event(close_at, "closed", "closed", actor, "ОПП", "status")
        self.closed_via = via
        return close_at

    def _confirm(self, t: int, kind: str, by: str) -> None:
        self.out.rows["confirmations"].append((self.uid(), self.uuid, kind, by, self.ts(t)))

    def _ticket_row(self, category: str, pi: int) -> None:
        """The ticket row, its SLA columns from the history just written, and its FTS row."""
        ref, rng, ts = self.ref, self.rng, self.ts
        theme, ttype, subtheme, product = rng.choice(ref.themes)
        subject = rng.choice(D.SUBJECTS).format(city=self.city, month=rng.choice(D.MONTHS))
        priority = ref.priorities[pi]
        limit_min = rng.choice((960, 2400, 4800)) if category in ref.by_performer else None
        if limit_min is not None and rng.random() < 0.3:
            limit_min = None  # B-06: not yet set by the performer
        status, stage = self.statuses[-1], self.stages[-1]
        cols = self.sla.columns_for(
            category, priority, limit_min, self.times, self.statuses, self.stages, ref.now
        )
        closed = status in ("closed", "cancelled")
        owner_id = next((pid for pid, login in ref.opp if login == self.owner), None)
        resolved, oper = self.resolved, self.oper
        paid = rng.random() < 0.15
        arm = paid and self.city in ref.paid_cities and (resolved or rng.random() < 0.5)
        outcome = ""
        if subtheme == "Заявка на ремонт" and rng.random() < 0.5:
            outcome = "repair_request"  # U-03: the classification already matches
        scheme = resolved or rng.random() < 0.5
        self.out.rows["tickets"].append((
            self.k + 1, self.uuid, self.number, ts(self.created), ts(self.last), self.channel,
            self.cid, self.cname, self.ccat, self.phone, subject, theme, ttype, subtheme, product,
            category, priority, pi, status, stage, not closed, owner_id, ref.dept_ids[self.dept],
            paid, oper if arm else "", ts(self.times[min(1, len(self.times) - 1)]) if arm else None,
            scheme, "ОЭ" if scheme else "", resolved or rng.random() < 0.3, rng.random() > 0.03,
            self.dissatisfied, self.closed_via == "client_close" and rng.random() < 0.5,
            self.resp_dept if resolved else "", outcome, self.delay, limit_min,
            ts(self.times[-1] if closed else -1), self.closed_via, cols.plan, cols.stage,
            ts(cols.due_at), ts(cols.risk_at), cols.paused, cols.breached, cols.paused_seconds,
            ts(cols.reaction_due_at), ts(cols.processing_due_at), ts(cols.resolution_due_at),
            ts(cols.auto_close_at), 0,
        ))  # fmt: skip
        if self.k % 97 == 5 and self.out.rows["tickets"][:-1]:
            prev = rng.choice(self.out.rows["tickets"][:-1])[1]
            self.out.rows["ticket_links"].append((self.uid(), self.uuid, prev, "related"))
        self.out.rows["fts"].append(
            (self.k + 1, *fts_row(self.number, self.cname, self.phone, subject, self.comments))
        )
