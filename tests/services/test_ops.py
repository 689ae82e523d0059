"""Step 8: every command writes ONE outbox op — its name and its arguments, tickets by uuid,
people by login, departments by pack code — in the same transaction as its change, so the
sync server can re-run it through the same commands; a refused command writes no op.

Each case below sets a ticket up, then names the command and the exact op it must record. The
command is first run with an outbox that refuses every insert: if the op were written in
another transaction than the change, the change would survive; it must vanish with the op."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from opdesk import services
from opdesk.clock import FixedClock
from opdesk.models import Comment, OutboxEntry, Ticket, TicketConflict, uuid7
from opdesk.regulations.questions import Question
from opdesk.services import CallDraft, ClosureDraft, CommandResult, ConfirmationDraft, SparePart
from opdesk.services.desk import Desk
from opdesk.services.ops import OPS, decode_args
from opdesk.services.writes import OpScope, derived_id, keep_no_outbox, op_scope, record_op
from tests.services.conftest import ENGINEER, LEAD, OPERATOR
from tests.services.ops_support import dump, ops, outbox, outbox_refused, uuid_of

PHONE = "+7 916 123-45-67"
Expected = list[tuple[str, str, dict[str, Any]]]  # (op name, row_id: the ticket's uuid, args)
Case = tuple[Callable[[], Any], Expected]


def ok(result: CommandResult) -> CommandResult:
    assert result.ok, result.message()
    return result


def created(result: CommandResult) -> int:
    assert ok(result).created_id is not None
    return result.created_id  # type: ignore[return-value]


def csn(desk: Desk) -> int:
    return created(
        services.create_ticket(desk, OPERATOR, process="csn", category="Проблемы с хостингом")
    )


def portal(desk: Desk) -> int:
    return created(services.create_ticket(desk, OPERATOR, channel="portal", subject="Портал"))


def helpdesk(desk: Desk, *, outgoing: bool = False) -> int:
    tid = created(services.create_ticket(desk, OPERATOR, channel="email", subject="Почта"))
    ok(services.take(desk, OPERATOR, tid))
    if outgoing:
        ok(services.send_outgoing(desk, OPERATOR, tid, "tech"))
    return tid


def outage(desk: Desk, *, resolved: bool = False) -> int:
    client = services.add_client(desk, "ООО Ромашка", category="обычный", mobile="+79161234567")
    tid = created(services.create_ticket(desk, OPERATOR, process="outage", client_id=client))
    ok(services.take(desk, ENGINEER, tid))
    if resolved:
        ok(services.transition(desk, ENGINEER, tid, "resolve"))
    return tid


def call_ticket(desk: Desk) -> int:
    q = Question("Баланс и платежи", "Консультация", "Состояние баланса")
    return created(services.register_call(desk, OPERATOR, CallDraft(PHONE, (q,))))


def draft_json(**changes: Any) -> dict[str, Any]:
    """A ClosureDraft as its op spells it: every field, written out here by hand."""
    draft = {
        "cause": "", "actions": "", "performers": [], "completed_at": None,
        "time_spent_minutes": None, "spare_parts_used": False, "spare_parts": [], "comment": "",
        "responsible_actions_checked": False, "escalation_done": False, "handed_to_opp": False,
        "scheme_permanent": False, "scheme_recorded_by": "", "needs_closing": False,
        "paid": False, "arm_processed_by": "", "arm_processed_at": None, "closing_delay": "",
        "template_sent": False, "confirmation": None,
    }  # fmt: skip
    assert set(changes) <= set(draft)
    return {**draft, **changes}


NO_REPORT = {"cause": "", "actions": "", "comment": ""}  # the base before any report


def on(desk: Desk, tid: int, name: str, actor: str = "ivanova", **args: Any) -> Expected:
    u = uuid_of(desk, tid)
    return [(name, u, {"actor": actor, "ticket": u, **args})]


# -- the cases: (command, the ops it must record) ------------------------------------------------

CASES: dict[str, Callable[[Desk, FixedClock], Case]] = {}


def case(fn: Callable[[Desk, FixedClock], Case]) -> Callable[[Desk, FixedClock], Case]:
    CASES[fn.__name__.removeprefix("case_")] = fn
    return fn


@case
def case_create_ticket(desk: Desk, clock: FixedClock) -> Case:
    client = services.add_client(desk, "ООО Ромашка")
    new = uuid7()
    return lambda: services.create_ticket(
        desk, OPERATOR, category="Проблемы с хостингом", priority="Срочный", process="csn",
        subject="Нет связи", client_id=client, contact_phone="+7 916 000-00-01",
        department="ОПП", ticket_uuid=new,
    ), [("create_ticket", str(new), {
        "actor": "ivanova", "ticket": str(new), "category": "Проблемы с хостингом",
        "priority": "Срочный", "process": "csn", "subject": "Нет связи",
        "client_id": str(client), "contact_phone": "+7 916 000-00-01", "channel": "phone",
        "theme": "", "type": "", "subtheme": "", "product": "", "department": "opp",
    })]  # fmt: skip


@case
def case_register_call(desk: Desk, clock: FixedClock) -> Case:
    """A compensation: two linked requests, the first closed at the end of the dialogue — all
    of it one op (the server's re-run plans, links and closes the same way)."""
    client = services.add_client(desk, "Орлова Анна Петровна", phone=PHONE, mobile=PHONE)
    q = Question("Тарифные планы", "Заявка", "Смена тарифного плана", product="Семейный",
                 compensation="корректировка")  # fmt: skip
    first, second = uuid7(), uuid7()
    draft = CallDraft(PHONE, (q,), client, close_at_end=True)
    question = dataclasses.asdict(q)
    return lambda: services.register_call(
        desk, OPERATOR, draft, ticket_uuids=(first, second)
    ), [("register_call", str(first), {
        "actor": "ivanova", "tickets": [str(first), str(second)],
        "draft": {"phone": PHONE, "questions": [question], "client_id": str(client),
                  "subject": "", "close_at_end": True},
    })]  # fmt: skip


@case
def case_take(desk: Desk, clock: FixedClock) -> Case:
    tid = csn(desk)
    return lambda: services.take(desk, ENGINEER, tid), on(desk, tid, "take", "sidorov")


@case
def case_take_through_transition(desk: Desk, clock: FixedClock) -> Case:
    """One spelling per effect: the window's `transition(…, "take")` is a take too."""
    tid = csn(desk)
    run = lambda: services.transition(desk, ENGINEER, tid, "take")  # noqa: E731
    return run, on(desk, tid, "take", "sidorov")


@case
def case_escalate(desk: Desk, clock: FixedClock) -> Case:
    tid = portal(desk)
    ok(services.take(desk, OPERATOR, tid))
    run = lambda: services.escalate(desk, OPERATOR, tid, "dissatisfied_progress", "Недоволен")  # noqa: E731
    return run, on(desk, tid, "escalate", reason="dissatisfied_progress", comment="Недоволен")


@case
def case_escalate_through_transition(desk: Desk, clock: FixedClock) -> Case:
    tid = portal(desk)
    ok(services.take(desk, OPERATOR, tid))
    given = {"reason": "other_weighty", "comment": "Авария у клиента"}
    run = lambda: services.transition(desk, OPERATOR, tid, "escalate", given)  # noqa: E731
    return run, on(desk, tid, "escalate", **given)


@case
def case_transition_with_input(desk: Desk, clock: FixedClock) -> Case:
    tid = helpdesk(desk)
    given = {"history_reviewed": True}  # U-02's guard reads args.history_reviewed
    run = lambda: services.transition(desk, OPERATOR, tid, "reply", given)  # noqa: E731
    return run, on(desk, tid, "transition", action="reply", input=given)


@case
def case_transition_level_change(desk: Desk, clock: FixedClock) -> Case:
    """CSN's escalation moves the level and reads no input: a plain `transition`."""
    tid = csn(desk)
    ok(services.take(desk, ENGINEER, tid))
    run = lambda: services.transition(desk, ENGINEER, tid, "escalate")  # noqa: E731
    return run, on(desk, tid, "transition", "sidorov", action="escalate", input={})


@case
def case_change_status(desk: Desk, clock: FixedClock) -> Case:
    """A status by name records the action that was run to reach it."""
    tid = outage(desk)
    run = lambda: services.change_status(desk, ENGINEER, tid, "Выполнена")  # noqa: E731
    return run, on(desk, tid, "transition", "sidorov", action="resolve", input={})


@case
def case_close(desk: Desk, clock: FixedClock) -> Case:
    tid = call_ticket(desk)
    return lambda: services.close(desk, OPERATOR, tid), on(desk, tid, "close")


@case
def case_reopen(desk: Desk, clock: FixedClock) -> Case:
    tid = helpdesk(desk)
    ok(services.transition(desk, OPERATOR, tid, "resolve"))
    return lambda: services.reopen(desk, OPERATOR, tid), on(desk, tid, "reopen")


@case
def case_cancel(desk: Desk, clock: FixedClock) -> Case:
    tid = portal(desk)
    return lambda: services.cancel(desk, OPERATOR, tid), on(desk, tid, "cancel")


@case
def case_bulk_close(desk: Desk, clock: FixedClock) -> Case:
    """One op per ticket, each in that ticket's own transaction."""
    a, b = call_ticket(desk), call_ticket(desk)
    run = lambda: services.bulk_close(desk, LEAD, [a, b])  # noqa: E731
    return run, on(desk, a, "close", "smirnova") + on(desk, b, "close", "smirnova")


@case
def case_change_process(desk: Desk, clock: FixedClock) -> Case:
    tid = call_ticket(desk)
    ok(services.set_fields(desk, LEAD, tid, category="Проблемы с хостингом"))
    run = lambda: services.change_process(desk, LEAD, tid, "csn")  # noqa: E731
    return run, on(desk, tid, "change_process", "smirnova", process="csn")


@case
def case_set_fields(desk: Desk, clock: FixedClock) -> Case:
    tid = outage(desk)
    at = clock.now() - dt.timedelta(hours=1)
    run = lambda: services.set_fields(  # noqa: E731
        desk, ENGINEER, tid, paid=True, scheme_recorded_by="ОЭ", arm_processed_at=at,
        resolution_limit_minutes=90,
    )  # fmt: skip
    fields = {
        "paid": True,
        "scheme_recorded_by": "ОЭ",
        "arm_processed_at": "2026-11-16T09:00:00+03:00",
        "resolution_limit_minutes": 90,
    }
    return run, on(desk, tid, "set_fields", "sidorov", fields=fields, base={})


@case
def case_set_fields_subject(desk: Desk, clock: FixedClock) -> Case:
    """A long text changed: the op carries what it was before (`base`, the conflict check)."""
    tid = helpdesk(desk)
    run = lambda: services.set_fields(desk, OPERATOR, tid, subject="Нет почты с утра")  # noqa: E731
    fields = {"subject": "Нет почты с утра"}
    return run, on(desk, tid, "set_fields", fields=fields, base={"subject": "Почта"})


@case
def case_hand_over(desk: Desk, clock: FixedClock) -> Case:
    """A department named by its name is recorded by its pack code."""
    tid = outage(desk)
    run = lambda: services.hand_over(desk, ENGINEER, tid, "ОПП")  # noqa: E731
    return run, on(desk, tid, "hand_over", "sidorov", department="opp")


@case
def case_add_comment(desk: Desk, clock: FixedClock) -> Case:
    tid = csn(desk)
    run = lambda: services.add_comment(  # noqa: E731
        desk, OPERATOR, tid, "callback_attempt", "Абонент недоступен", reached=False,
        tags=("callback",),
    )  # fmt: skip
    args = {"kind": "callback_attempt", "text": "Абонент недоступен", "reached": False,
            "tags": ["callback"], "template_id": ""}  # fmt: skip
    return run, on(desk, tid, "add_comment", **args)


@case
def case_send_outgoing(desk: Desk, clock: FixedClock) -> Case:
    tid = helpdesk(desk)
    run = lambda: services.send_outgoing(desk, OPERATOR, tid, "Технический отдел")  # noqa: E731
    return run, on(desk, tid, "send_outgoing", department="tech")


@case
def case_record_answer(desk: Desk, clock: FixedClock) -> Case:
    tid = helpdesk(desk, outgoing=True)
    run = lambda: services.record_answer(desk, OPERATOR, tid, "Порт перезапущен")  # noqa: E731
    return run, on(desk, tid, "record_answer", answer="Порт перезапущен")


@case
def case_send_reply(desk: Desk, clock: FixedClock) -> Case:
    """The interim reply also puts the ticket «На удержании»: still one op, re-run whole."""
    tid = helpdesk(desk, outgoing=True)
    choice = services.reply_choice(desk, OPERATOR, tid)
    run = lambda: services.send_reply(desk, OPERATOR, tid, choice.template_id, choice.text)  # noqa: E731
    return run, on(desk, tid, "send_reply", template_id=choice.template_id, text=choice.text)


@case
def case_fill_closure(desk: Desk, clock: FixedClock) -> Case:
    tid = outage(desk, resolved=True)
    run = lambda: services.fill_closure(  # noqa: E731
        desk, ENGINEER, tid, cause="Обрыв кабеля", actions="Замена патч-корда",
        performers=["Сидоров А.А."], completed_at=clock.now(), time_spent_minutes=45,
        spare_parts=[SparePart("Патч-корд", 2)], responsible_actions_checked=True,
    )  # fmt: skip
    args = {
        "cause": "Обрыв кабеля", "actions": "Замена патч-корда", "performers": ["Сидоров А.А."],
        "completed_at": "2026-11-16T10:00:00+03:00", "time_spent_minutes": 45,
        "spare_parts": [{"name": "Патч-корд", "quantity": 2}], "spare_parts_used": None,
        "comment": "", "responsible_actions_checked": True, "escalation_done": False,
    }  # fmt: skip
    base = {"cause": "", "actions": "", "comment": ""}
    return run, on(desk, tid, "fill_closure", "sidorov", **args, base=base)


@case
def case_record_confirmation(desk: Desk, clock: FixedClock) -> Case:
    tid = outage(desk, resolved=True)
    run = lambda: services.record_confirmation(desk, OPERATOR, tid, "verbal")  # noqa: E731
    return run, on(desk, tid, "record_confirmation", kind="verbal")


@case
def case_save_closing(desk: Desk, clock: FixedClock) -> Case:
    """Several steps (report, flag, confirmation and its comment), one op with the draft."""
    tid = outage(desk, resolved=True)
    said = ConfirmationDraft("verbal", "Петров П.П.", clock.now() - dt.timedelta(minutes=5))
    draft = ClosureDraft(cause="Обрыв кабеля", needs_closing=True, spare_parts_used=True,
                         spare_parts=(SparePart("SFP-модуль", 1),), confirmation=said)  # fmt: skip
    expected = draft_json(
        cause="Обрыв кабеля", needs_closing=True, spare_parts_used=True,
        spare_parts=[{"name": "SFP-модуль", "quantity": 1}],
        confirmation={"kind": "verbal", "by": "Петров П.П.", "at": "2026-11-16T09:55:00+03:00"},
    )  # fmt: skip
    run = lambda: services.save_closing(desk, OPERATOR, tid, draft)  # noqa: E731
    return run, on(desk, tid, "save_closing", draft=expected, base=NO_REPORT)


@case
def case_close_with_report(desk: Desk, clock: FixedClock) -> Case:
    tid = outage(desk, resolved=True)
    done = clock.now() - dt.timedelta(hours=1)
    draft = ClosureDraft(
        cause="Обрыв кабеля", actions="Замена патч-корда", performers=("Сидоров А.А.",),
        completed_at=done, time_spent_minutes=90, responsible_actions_checked=True,
        handed_to_opp=True, scheme_permanent=True, scheme_recorded_by="ОЭ", needs_closing=True,
    )  # fmt: skip
    expected = draft_json(
        cause="Обрыв кабеля", actions="Замена патч-корда", performers=["Сидоров А.А."],
        completed_at="2026-11-16T09:00:00+03:00", time_spent_minutes=90,
        responsible_actions_checked=True, handed_to_opp=True, scheme_permanent=True,
        scheme_recorded_by="ОЭ", needs_closing=True,
    )  # fmt: skip
    run = lambda: services.close_with_report(desk, OPERATOR, tid, draft)  # noqa: E731
    return run, on(desk, tid, "close_with_report", draft=expected, base=NO_REPORT)


@case
def case_resolve_conflict(desk: Desk, clock: FixedClock) -> Case:
    """The merge of a text conflict the server recorded (written here as a pull would)."""
    tid = helpdesk(desk)
    u = uuid_of(desk, tid)
    conflict = uuid7()
    with desk.db.transaction() as s:
        s.add(TicketConflict(
            id=conflict, ticket_id=uuid.UUID(u), at=clock.now(), person="ivanova",
            op_name="set_fields", kind="text", field="subject", server_value="Почта",
            local_value="Нет почты",
        ))  # fmt: skip
    run = lambda: services.resolve_conflict(  # noqa: E731
        desk, OPERATOR, tid, conflict, "Нет почты с утра", {"subject": "Почта"}
    )
    return run, on(desk, tid, "resolve_conflict", conflict=str(conflict),
                   value="Нет почты с утра", base={"subject": "Почта"})  # fmt: skip


def test_every_op_name_has_a_case(desk: Desk, clock: FixedClock) -> None:
    named = {op for make in CASES.values() for op, _row, _args in make(desk, clock)[1]}
    assert named == set(OPS)


@pytest.mark.parametrize("name", CASES)
def test_each_command_records_its_op_in_the_same_transaction(
    desk: Desk, clock: FixedClock, name: str
) -> None:
    run, expected = CASES[name](desk, clock)
    before, before_ops = dump(desk), len(outbox(desk))
    with outbox_refused(desk), pytest.raises(IntegrityError, match="the outbox refuses"):
        run()
    assert dump(desk) == before  # the change went down with its op: one transaction
    result = run()
    for one in result if isinstance(result, list) else [result]:
        ok(one)
    new = outbox(desk)[before_ops:]
    assert [(e.command, e.row_id) for e in new] == [(n, row) for n, row, _ in expected]
    assert all((e.table_name, e.op) == ("tickets", "call") for e in new)
    seeds = []
    for (op_name, _row, args), (_n, _r, recorded) in zip(
        expected, ops(desk)[before_ops:], strict=True
    ):
        seed = uuid.UUID(recorded.pop("id_seed"))
        assert seed.version == 7
        seeds.append(seed)
        assert recorded == args
        decode_args(op_name, {**recorded, "id_seed": str(seed)})  # the server can read it
    assert len(set(seeds)) == len(seeds)


# -- refused commands record nothing ------------------------------------------------------------

REFUSED: dict[str, Callable[[Desk, FixedClock], Callable[[], CommandResult]]] = {}


def refused(fn: Callable[[Desk, FixedClock], Callable[[], CommandResult]]) -> Any:
    REFUSED[fn.__name__.removeprefix("refused_")] = fn
    return fn


@refused
def refused_create_ticket(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    return lambda: services.create_ticket(desk, OPERATOR, process="csn", category="Погода")


@refused
def refused_register_call(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    q = Question("Услуги", "Жалоба", "Услуга не работает", compensation="корректировка")
    return lambda: services.register_call(desk, OPERATOR, CallDraft(PHONE, (q,)))


@refused
def refused_take(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = csn(desk)
    ok(services.take(desk, ENGINEER, tid))
    return lambda: services.take(desk, OPERATOR, tid)  # U-01: one owner


@refused
def refused_escalate(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = portal(desk)
    ok(services.take(desk, OPERATOR, tid))
    return lambda: services.escalate(desk, OPERATOR, tid, "raise_priority")  # P-04


@refused
def refused_transition(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = csn(desk)
    return lambda: services.transition(desk, OPERATOR, tid, "explode")


@refused
def refused_change_status(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = csn(desk)
    return lambda: services.change_status(desk, OPERATOR, tid, "Решен")  # level 1 cannot


@refused
def refused_close(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = outage(desk, resolved=True)
    return lambda: services.close(desk, OPERATOR, tid)  # the closing checklist


@refused
def refused_reopen(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = csn(desk)
    return lambda: services.reopen(desk, OPERATOR, tid)


@refused
def refused_cancel(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = helpdesk(desk)
    return lambda: services.cancel(desk, OPERATOR, tid)


@refused
def refused_bulk_close(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    a, b = outage(desk, resolved=True), outage(desk, resolved=True)
    return lambda: services.bulk_close(desk, LEAD, [a, b])[1]


@refused
def refused_change_process(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = call_ticket(desk)
    return lambda: services.change_process(desk, LEAD, tid, "csn")  # B-05: no category


@refused
def refused_set_fields(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = csn(desk)
    return lambda: services.set_fields(desk, OPERATOR, tid, subject="ок", paid="да")


@refused
def refused_set_fields_status(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = csn(desk)
    return lambda: services.set_fields(desk, OPERATOR, tid, status="closed")


@refused
def refused_hand_over(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = csn(desk)
    return lambda: services.hand_over(desk, OPERATOR, tid, "Бухгалтерия Марса")


@refused
def refused_add_comment(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = csn(desk)
    return lambda: services.add_comment(desk, OPERATOR, tid, "callback_attempt", "")


@refused
def refused_send_outgoing(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = helpdesk(desk)
    return lambda: services.send_outgoing(desk, OPERATOR, tid, "Бухгалтерия Марса")


@refused
def refused_record_answer(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = helpdesk(desk)
    return lambda: services.record_answer(desk, OPERATOR, tid, "ответ без запроса")


@refused
def refused_send_reply(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = helpdesk(desk)  # no outgoing request: U-05 refuses «На удержании», so the reply too
    choice = services.reply_choice(desk, OPERATOR, tid)
    text = choice.text.replace("{department}", "технический отдел")
    return lambda: services.send_reply(desk, OPERATOR, tid, choice.template_id, text)


@refused
def refused_fill_closure(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = outage(desk, resolved=True)
    parts = [SparePart("SFP-модуль", 0)]
    return lambda: services.fill_closure(desk, ENGINEER, tid, cause="x", spare_parts=parts)


@refused
def refused_record_confirmation(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = outage(desk, resolved=True)
    return lambda: services.record_confirmation(desk, OPERATOR, tid, "telepathic")


@refused
def refused_save_closing(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = outage(desk, resolved=True)
    draft = ClosureDraft(cause="x", spare_parts_used=True, spare_parts=(SparePart("SFP", 0),))
    return lambda: services.save_closing(desk, OPERATOR, tid, draft)


@refused
def refused_close_with_report(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = outage(desk, resolved=True)
    draft = ClosureDraft(cause="Обрыв кабеля", handed_to_opp=True, needs_closing=True)
    return lambda: services.close_with_report(desk, OPERATOR, tid, draft)


@refused
def refused_add_comment_after_s09(desk: Desk, clock: FixedClock) -> Callable[[], CommandResult]:
    tid = call_ticket(desk)
    ok(services.close(desk, OPERATOR, tid))
    clock.advance(dt.timedelta(minutes=6))  # S-09: 5 minutes of edits after closing
    return lambda: services.add_comment(desk, OPERATOR, tid, "note", "поздно")


@pytest.mark.parametrize("name", REFUSED)
def test_a_refused_command_records_no_op_and_changes_nothing(
    desk: Desk, clock: FixedClock, name: str
) -> None:
    run = REFUSED[name](desk, clock)
    before = dump(desk)
    result = run()
    assert not result.ok and result.reasons
    assert dump(desk) == before


def test_a_save_with_nothing_new_records_no_op(desk: Desk, clock: FixedClock) -> None:
    tid = outage(desk, resolved=True)
    ok(services.save_closing(desk, OPERATOR, tid, ClosureDraft(cause="Обрыв кабеля")))
    stored = services.closing_view(desk, OPERATOR, tid)
    assert stored is not None
    before = dump(desk)
    assert ok(services.save_closing(desk, OPERATOR, tid, stored.stored)).ticket_ids == ()
    assert dump(desk) == before


def test_a_refused_close_leaves_no_half_saved_report(desk: Desk, clock: FixedClock) -> None:
    """The save and the close are one transaction: a close the engine refuses after the save
    steps went through (here C-07: the saved report is fine, the status is not) keeps none of
    them — the op the server re-runs could not be half applied either."""
    tid = outage(desk)  # taken, not resolved: «Закрыть» is not available from «В работе»
    before = dump(desk)
    draft = ClosureDraft(cause="Обрыв кабеля", handed_to_opp=True)
    result = services.close_with_report(desk, OPERATOR, tid, draft)
    assert not result.ok and result.command == "close"
    assert dump(desk) == before


# -- what the op carries ------------------------------------------------------------------------


def test_created_tickets_carry_the_uuids_their_ops_name(desk: Desk) -> None:
    one = uuid7()
    tid = created(services.create_ticket(desk, OPERATOR, channel="email", ticket_uuid=one))
    assert uuid_of(desk, tid) == str(one)
    again = services.create_ticket(desk, OPERATOR, channel="email", ticket_uuid=one)
    assert not again.ok and "уже есть" in again.message()
    q = Question("Связь и интернет", "Жалоба", "Нет связи", compensation="компенсация")
    pair = (uuid7(), uuid7())
    call = ok(services.register_call(desk, OPERATOR, CallDraft(PHONE, (q,)), ticket_uuids=pair))
    assert [uuid_of(desk, t) for t in call.ticket_ids] == [str(u) for u in pair]
    assert ops(desk)[-1][2]["tickets"] == [str(u) for u in pair]


def test_new_rows_take_their_ids_from_the_ops_seed(desk: Desk) -> None:
    """The comment, the outgoing request and the history events of an op are numbered from its
    id_seed in write order: a re-run with the same seed makes the same rows."""
    tid = helpdesk(desk)
    ok(services.send_outgoing(desk, OPERATOR, tid, "tech"))
    seed = uuid.UUID(ops(desk)[-1][2]["id_seed"])
    with desk.db.transaction() as s:
        ticket = s.scalars(select(Ticket).where(Ticket.id == tid)).one()
        comment = s.scalars(select(Comment).where(Comment.ticket_id == ticket.uuid)).one()
    assert comment.id == derived_id(seed, 1)  # 0: the request, 1: its comment, 2: the event
    assert derived_id(seed, 0) < derived_id(seed, 1) < derived_id(seed, 2)
    assert derived_id(seed, 0).version == 7 and derived_id(seed, 0) != seed


def test_ids_of_later_ops_sort_after_earlier_ones(desk: Desk) -> None:
    """History is read by (at, id): ops run one after another at the same moment (a fixed
    clock, or two within a millisecond) must keep their order through the derived ids."""
    seeds = [uuid7() for _ in range(2000)]
    firsts = [derived_id(seed, 0) for seed in seeds]
    lasts = [derived_id(seed, 9) for seed in seeds]
    assert all(lasts[i] < firsts[i + 1] for i in range(len(seeds) - 1))


def test_an_op_is_recorded_once_and_only_by_the_outermost_command(desk: Desk) -> None:
    tid = csn(desk)
    u = uuid.UUID(uuid_of(desk, tid))
    now = desk.clock.now()
    with desk.db.transaction() as s, op_scope(s) as scope:
        assert isinstance(scope, OpScope)
        with op_scope(s):  # a command run inside another: records nothing
            record_op(s, now, "take", u, {"actor": "ivanova", "ticket": u})
        record_op(s, now, "take", u, {"actor": "ivanova", "ticket": u})
        with pytest.raises(RuntimeError, match="already recorded"):
            record_op(s, now, "close", u, {"actor": "ivanova", "ticket": u})
    with desk.db.transaction() as s, pytest.raises(RuntimeError, match="inside its op_scope"):
        record_op(s, now, "take", u, {"actor": "ivanova", "ticket": u})


def test_a_session_that_keeps_no_outbox_records_no_op_but_still_one_per_command(
    desk: Desk,
) -> None:
    """The sync server's sessions (keep_no_outbox): a command makes no outbox row there — the
    op it re-runs is the workstation's, already answered — yet recording twice is still the
    programming error it is everywhere."""
    tid = csn(desk)
    u = uuid.UUID(uuid_of(desk, tid))
    now = desk.clock.now()
    before = len(outbox(desk))
    with desk.db.transaction() as s, op_scope(s):
        keep_no_outbox(s)
        record_op(s, now, "take", u, {"actor": "ivanova", "ticket": u})
        assert not [row for row in s.new if isinstance(row, OutboxEntry)]
        with pytest.raises(RuntimeError, match="already recorded"):
            record_op(s, now, "close", u, {"actor": "ivanova", "ticket": u})
    assert len(outbox(desk)) == before
