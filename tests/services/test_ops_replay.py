"""The round trip the sync server relies on: a workstation (A, a SQLite file) does random work
through the commands; its outbox ops, re-run with `apply_op` on a copy of A's file as it was
before that work, give the same desk — tickets, comments, history with its statuses, outgoing
requests, links, closure reports and confirmations, row for row.

Only the tickets' local integer `id` is left out of the comparison: it never leaves the
workstation (here it happens to match, since the copy starts from the same file). Ids of all
other rows, history included, are compared too: a command draws them from its op's `id_seed`,
so a re-run makes the very same rows (the server's pull then brings back ids the workstation
already has, instead of duplicates). Each op is re-run at the moment it was made (its outbox
row's `at`), as the SLA columns and the S-09 edit window depend on the moment."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from opdesk import services
from opdesk.clock import FixedClock
from opdesk.models import Ticket
from opdesk.regulations.questions import Question
from opdesk.regulations.snapshot import Actor
from opdesk.services import CallDraft, ClosureDraft, CommandResult, ConfirmationDraft, SparePart
from opdesk.services.desk import Desk
from opdesk.services.ops import OPS, apply_op, as_op
from opdesk.store.database import open_local
from tests.services.conftest import ENGINEER, LEAD, OPERATOR
from tests.services.ops_support import copy_file, outbox
from tests.services.test_closing import FULL

PHONE = "+7 916 123-45-67"
ACTORS = (OPERATOR, ENGINEER, LEAD)
# table -> columns left out of the comparison (see the module's docstring)
COMPARED = {
    "tickets": {"id"},
    "events": set(),
    "comments": set(),
    "outgoing_requests": set(),
    "ticket_links": set(),
    "closure_reports": set(),
    "closure_performers": set(),
    "spare_part_lines": set(),
    "confirmations": set(),
}
QUESTIONS = (
    Question("Баланс и платежи", "Консультация", "Состояние баланса"),
    Question("Связь и интернет", "Жалоба", "Нет связи", compensation="компенсация"),
    Question("Тарифные планы", "Заявка", "Смена тарифного плана", product="Семейный",
             compensation="корректировка"),
    Question("Услуги", "Жалоба", "Услуга не работает", compensation="корректировка"),  # S-04
)  # fmt: skip


def content(desk: Desk) -> dict[str, list[dict[str, Any]]]:
    """The compared tables as sorted rows of column → value."""
    out = {}
    with desk.db.engine.connect() as conn:
        for table, left_out in COMPARED.items():
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).mappings()
            kept = [{k: v for k, v in r.items() if k not in left_out} for r in rows]
            out[table] = sorted(kept, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return out


class Workstation:
    """Random work on one desk through the commands, as operators would do it."""

    def __init__(self, desk: Desk, clock: FixedClock, rng: random.Random) -> None:
        self.desk, self.clock, self.rng = desk, clock, rng
        self.tickets: list[int] = []
        self.clients = [
            services.add_client(desk, "ООО Ромашка", mobile="+79161234567"),
            services.add_client(desk, "ПАО Банк", category="VIP", mobile="+79160000001"),
            services.add_client(desk, "ИП Кузнецов", phone=PHONE),
        ]

    # -- helpers ---------------------------------------------------------------------------
    def keep(self, result: CommandResult) -> CommandResult:
        self.tickets += [t for t in result.ticket_ids if t not in self.tickets]
        return result

    def ticket(self) -> int:
        return self.rng.choice(self.tickets)

    def actor(self) -> Actor:
        return self.rng.choice(ACTORS)

    def process(self, tid: int) -> str:
        with self.desk.db.transaction() as s:
            found = s.scalar(select(Ticket.process).where(Ticket.id == tid))
            assert found is not None
            return found

    def words(self) -> str:
        return self.rng.choice(("Нет связи", "Проверили порт", "Клиент перезвонит", "ок", ""))

    # -- the commands ----------------------------------------------------------------------
    def create(self) -> object:
        rng, pack = self.rng, self.desk.pack
        kind = rng.choice(("csn", "outage", "email", "portal"))
        kw: dict[str, Any] = {"subject": self.words(), "client_id": rng.choice(self.clients)}
        if kind == "csn":
            kw |= {"process": "csn", "category": rng.choice(sorted(pack.sla.categories))}
            kw |= {"priority": rng.choice((None, *pack.sla.priorities))}
        elif kind == "outage":
            kw |= {"process": "outage", "department": rng.choice(("", "ТО", "tech"))}
        else:
            kw |= {"channel": kind}
        return self.keep(services.create_ticket(self.desk, self.actor(), **kw))

    def call(self) -> object:
        q = self.rng.choice(QUESTIONS)
        draft = CallDraft(PHONE, (q,), self.clients[2], close_at_end=self.rng.random() < 0.5)
        return self.keep(services.register_call(self.desk, self.actor(), draft))

    def take(self) -> object:
        return services.take(self.desk, self.actor(), self.ticket())

    def transition(self) -> object:
        tid = self.ticket()
        flow = self.desk.pack.process(self.process(tid))
        action = self.rng.choice([t.action for t in flow.transitions])
        given: dict[str, Any] = {}
        if action == "escalate" and self.rng.random() < 0.7:
            reason = self.rng.choice(
                ("dissatisfied_progress", "new_circumstances", "other_weighty")
            )
            given = {"reason": reason, "comment": self.words()}
        if action == "reply":
            given = {"history_reviewed": self.rng.random() < 0.8}
        return services.transition(self.desk, self.actor(), tid, action, given or None)

    def change_status(self) -> object:
        tid = self.ticket()
        flow = self.desk.pack.process(self.process(tid))
        targets = sorted({t.to for t in flow.transitions if t.to != "*"})
        name = self.desk.pack.statuses[self.rng.choice(targets)].name
        return services.change_status(self.desk, self.actor(), tid, name)

    def change_process(self) -> object:
        process = self.rng.choice(sorted(self.desk.pack.processes))
        return services.change_process(self.desk, LEAD, self.ticket(), process)

    def set_fields(self) -> object:
        rng, now = self.rng, self.clock.now()
        choices: dict[str, Any] = {
            "subject": self.words(), "paid": rng.random() < 0.5,
            "priority": rng.choice(self.desk.pack.sla.priorities),
            "category": rng.choice(sorted(self.desk.pack.sla.categories)),
            "needs_closing": rng.random() < 0.5, "scheme_permanent": rng.random() < 0.5,
            "scheme_recorded_by": rng.choice(("ОЭ", "ТО", "")),
            "client_allows_closing": rng.random() < 0.5, "notify_client": rng.random() < 0.5,
            "closing_delay": rng.choice(("", "monitoring", "unreachable", "objects")),
            "arm_processed_at": rng.choice((None, now - dt.timedelta(minutes=30))),
            "resolution_limit_minutes": rng.choice((None, 60, 240)),
        }  # fmt: skip
        names = rng.sample(sorted(choices), rng.randint(1, 3))
        changes = {n: choices[n] for n in names}
        return services.set_fields(self.desk, self.actor(), self.ticket(), **changes)

    def hand_over(self) -> object:
        department = self.rng.choice(("ОПП", "opp", "tech", "ТО"))
        return services.hand_over(self.desk, self.actor(), self.ticket(), department)

    def comment(self) -> object:
        kind = self.rng.choice(("note", "call_result", "callback_attempt", "client_reply"))
        reached = self.rng.choice((None, True, False))
        return services.add_comment(
            self.desk, self.actor(), self.ticket(), kind, self.words(), reached=reached,
            tags=self.rng.choice(((), ("callback",))),
        )  # fmt: skip

    def outgoing(self) -> object:
        department = self.rng.choice(("tech", "Технический отдел", "service_department"))
        return services.send_outgoing(self.desk, self.actor(), self.ticket(), department)

    def answer(self) -> object:
        return services.record_answer(self.desk, self.actor(), self.ticket(), self.words())

    def reply(self) -> object:
        tid = self.ticket()
        try:
            choice = services.reply_choice(self.desk, self.actor(), tid)
        except Exception:  # a process without templates: nothing to send
            return None
        if not choice.template_id:
            return None
        body = choice.text.replace("{department}", "технический отдел")
        return services.send_reply(self.desk, self.actor(), tid, choice.template_id, body)

    def fill(self) -> object:
        rng = self.rng
        parts = rng.choice(([], [SparePart("Патч-корд", 2)], [SparePart("SFP", 0)]))
        return services.fill_closure(
            self.desk, self.actor(), self.ticket(), cause=self.words(), actions=self.words(),
            performers=rng.choice(([], ["Сидоров А.А."])), spare_parts=parts,
            completed_at=rng.choice((None, self.clock.now() - dt.timedelta(hours=1))),
            time_spent_minutes=rng.choice((None, 45)),
            responsible_actions_checked=rng.random() < 0.5,
        )  # fmt: skip

    def confirm(self) -> object:
        kind = self.rng.choice(("verbal", "electronic"))
        return services.record_confirmation(self.desk, self.actor(), self.ticket(), kind)

    def draft(self) -> ClosureDraft:
        rng, now = self.rng, self.clock.now()
        said = ConfirmationDraft("verbal", "Петров П.П.", now - dt.timedelta(minutes=5))
        return dataclasses.replace(
            FULL,
            completed_at=now - dt.timedelta(hours=1),
            cause=rng.choice((FULL.cause, "")),
            escalation_done=rng.random() < 0.5,
            confirmation=rng.choice((None, said)),
            closing_delay=rng.choice(("", "monitoring")),
            comment=rng.choice(("", "Клиент просил мониторинг")),
            template_sent=rng.random() < 0.5,
        )

    def save(self) -> object:
        return services.save_closing(self.desk, self.actor(), self.ticket(), self.draft())

    def close_with_report(self) -> object:
        return services.close_with_report(self.desk, self.actor(), self.ticket(), self.draft())

    def bulk_close(self) -> object:
        chosen = self.rng.sample(self.tickets, min(3, len(self.tickets)))
        return services.bulk_close(self.desk, LEAD, chosen)

    def close(self) -> object:
        return services.close(self.desk, self.actor(), self.ticket())

    def reopen(self) -> object:
        return services.reopen(self.desk, self.actor(), self.ticket())

    def cancel(self) -> object:
        return services.cancel(self.desk, self.actor(), self.ticket())

    # -- a session ---------------------------------------------------------------------------
    def tour(self) -> None:
        """Every op at least once, carried out (random work alone rarely gets a full close)."""
        d, ok = self.desk, _ok
        out = self.keep(ok(services.create_ticket(d, OPERATOR, process="outage",
                                                  client_id=self.clients[0])))  # fmt: skip
        tid = out.ticket_ids[0]
        ok(services.take(d, ENGINEER, tid))
        ok(services.add_comment(d, ENGINEER, tid, "note", "Выехали"))
        ok(services.set_fields(d, ENGINEER, tid, paid=False, resolution_limit_minutes=120))
        ok(services.change_status(d, ENGINEER, tid, "Выполнена"))
        ok(services.fill_closure(d, ENGINEER, tid, cause="Обрыв", performers=["Сидоров А.А."]))
        ok(services.save_closing(d, OPERATOR, tid, ClosureDraft(cause="Обрыв кабеля")))
        ok(services.record_confirmation(d, OPERATOR, tid, "verbal"))
        ok(services.hand_over(d, ENGINEER, tid, "ОПП"))
        draft = dataclasses.replace(FULL, completed_at=self.clock.now())
        ok(services.close_with_report(d, OPERATOR, tid, draft))
        mail = self.keep(ok(services.create_ticket(d, OPERATOR, channel="email"))).ticket_ids[0]
        ok(services.take(d, OPERATOR, mail))
        ok(services.send_outgoing(d, OPERATOR, mail, "tech"))
        choice = services.reply_choice(d, OPERATOR, mail)
        ok(services.send_reply(d, OPERATOR, mail, choice.template_id, choice.text))
        ok(services.record_answer(d, OPERATOR, mail, "Порт перезапущен"))
        ok(services.transition(d, OPERATOR, mail, "reply", {"history_reviewed": True}))
        ok(services.transition(d, OPERATOR, mail, "resolve"))
        ok(services.reopen(d, OPERATOR, mail))
        web = self.keep(ok(services.create_ticket(d, OPERATOR, channel="portal"))).ticket_ids[0]
        ok(services.take(d, OPERATOR, web))
        ok(services.escalate(d, OPERATOR, web, "new_circumstances", "Новые вводные"))
        ok(services.cancel(d, OPERATOR, web))
        correction = CallDraft(PHONE, QUESTIONS[2:3], close_at_end=True)
        call = self.keep(ok(services.register_call(d, OPERATOR, correction)))
        ok(services.set_fields(d, LEAD, call.ticket_ids[1], category="Проблемы с хостингом"))
        ok(services.change_process(d, LEAD, call.ticket_ids[1], "csn"))
        ok(services.close(d, OPERATOR, self.keep(self.call_simple()).ticket_ids[0]))

    def call_simple(self) -> CommandResult:
        draft = CallDraft(PHONE, QUESTIONS[:1], self.clients[2])
        return _ok(services.register_call(self.desk, OPERATOR, draft))

    def session(self, steps: int) -> None:
        self.tour()
        moves = [
            (self.create, 6), (self.call, 3), (self.take, 6), (self.transition, 10),
            (self.change_status, 4), (self.change_process, 1), (self.set_fields, 5),
            (self.hand_over, 2), (self.comment, 6), (self.outgoing, 3), (self.answer, 2),
            (self.reply, 3), (self.fill, 3), (self.confirm, 2), (self.save, 3),
            (self.close_with_report, 3), (self.bulk_close, 1), (self.close, 2),
            (self.reopen, 2), (self.cancel, 1),
        ]  # fmt: skip
        for _ in range(steps):
            self.clock.advance(dt.timedelta(minutes=self.rng.choice((0, 0, 1, 4, 30, 200))))
            move = self.rng.choices([m for m, _ in moves], [w for _, w in moves])[0]
            move()


def _ok(result: CommandResult) -> CommandResult:
    assert result.ok, result.message()
    return result


@pytest.mark.parametrize("seed", range(6))
def test_replaying_the_outbox_on_the_old_file_gives_the_same_desk(
    desk: Desk, clock: FixedClock, tmp_path: Path, seed: int
) -> None:
    a = Workstation(desk, clock, random.Random(seed))
    before = copy_file(desk, tmp_path / "before.sqlite3")  # A's file before the work
    a.session(steps=70)
    entries = outbox(desk)
    # every op took part but the merge of a text conflict, whose conflict only the server
    # records (its own case in test_ops; its round trip in tests/sync/test_conflicts.py)
    assert {e.command for e in entries} == set(OPS) - {"resolve_conflict"}

    copy_db = open_local(before)
    replay_clock = FixedClock(clock.now())
    b = Desk(copy_db, desk.pack, replay_clock)
    try:
        for entry in entries:
            op = as_op(entry)
            replay_clock.set(entry.at)
            result = apply_op(b, op["name"], op["args"])
            assert result.ok, (op["name"], result.message())
        assert content(b) == content(desk)
        # and B's own outbox holds the very ops it re-ran (same names, arguments and moments)
        mine = [(e.command, e.row_id, e.op, e.payload, e.at) for e in entries]
        assert [(e.command, e.row_id, e.op, e.payload, e.at) for e in outbox(b)] == mine
    finally:
        copy_db.close()


def test_an_op_is_judged_on_the_state_where_it_is_re_run(
    desk: Desk, clock: FixedClock, tmp_path: Path
) -> None:
    """Not a diff: on another state the same op is judged anew. A take pushed after another
    workstation took the ticket first is refused there (U-01: one owner) and writes nothing."""
    tid = _ok(services.create_ticket(desk, OPERATOR, channel="email")).ticket_ids[0]
    other = Desk(open_local(copy_file(desk, tmp_path / "server.sqlite3")), desk.pack, clock)
    try:
        _ok(services.take(other, ENGINEER, tid))  # the server's state: sidorov was first
        _ok(services.take(desk, OPERATOR, tid))  # ivanova, offline, takes it too
        op = as_op(outbox(desk)[-1])
        result = apply_op(other, op["name"], op["args"])
        assert not result.ok and result.rule_ids == ("U-01",)
        with other.db.transaction() as s:
            row = s.get(Ticket, tid)
            assert row is not None and str(row.uuid) == op["args"]["ticket"]
        assert [json.loads(e.payload)["actor"] for e in outbox(other)][-1] == "sidorov"
    finally:
        other.db.close()
