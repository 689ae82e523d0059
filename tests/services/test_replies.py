"""Replies by template (U-08, U-09, C-11): the engine's choice for a ticket at fixed moments of
the desk's clock, its text filled from the ticket, and the reply command — whose status change
(an interim reply puts the ticket «На удержании», U-05) is guarded and all-or-nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from opdesk import services
from opdesk.clock import FixedClock
from opdesk.models import Comment, Event, OutboxEntry, Ticket
from opdesk.services.desk import Desk
from opdesk.services.replies import unfilled
from tests.regulations.tickets import msk
from tests.services.conftest import OPERATOR

TECH = "технический отдел"  # «Технический отдел» in the accusative of «подключить ___»


def helpdesk_ticket(desk: Desk, *, outgoing: str | None = "tech") -> int:
    """A help-desk ticket taken by the operator, with an outgoing request to `outgoing`."""
    created = services.create_ticket(desk, OPERATOR, channel="email", subject="Не работает")
    assert created.ok and created.created_id is not None, created.message()
    tid = created.created_id
    assert services.take(desk, OPERATOR, tid).ok
    if outgoing:
        assert services.send_outgoing(desk, OPERATOR, tid, outgoing).ok
    return tid


def state(desk: Desk, tid: int) -> tuple[str, int, int, int]:
    with desk.db.transaction() as s:
        ticket = s.get(Ticket, tid)
        assert ticket is not None
        return (
            ticket.status,
            s.scalar(select(func.count(Comment.id)).where(Comment.ticket_id == ticket.uuid)) or 0,
            s.scalar(select(func.count(Event.id))) or 0,
            s.scalar(select(func.count(OutboxEntry.seq))) or 0,
        )


# (moment in Moscow, template, words of the reason)
MOMENTS = {
    "weekday before 17:00": (
        msk(2026, 11, 17, 16, 30),
        "interim_before_evening",
        ("U-08: вторник 16:30, 17.11.2026 — рабочий день, до 17:00", "до 17:00"),
    ),
    "weekday after 17:00": (
        msk(2026, 11, 17, 17, 30),
        "interim_evening",
        ("вторник 17:30", "вечер (с 17:00), следующий день рабочий", "после 17:00"),
    ),
    "Friday evening": (
        msk(2026, 11, 20, 18, 30),
        "interim_weekend",
        ("пятница 18:30", "вечер перед нерабочим днём", "первый рабочий день — понедельник"),
    ),
    "Saturday": (
        msk(2026, 11, 21, 11, 0),
        "interim_weekend",
        ("суббота 11:00", "нерабочий день", "первый рабочий день — понедельник 23.11.2026"),
    ),
    "public holiday": (
        msk(2027, 1, 5, 12, 0),
        "interim_weekend",
        ("вторник 12:00, 05.01.2027 — нерабочий день", "Новогодние каникулы", "11.01.2027"),
    ),
}


@pytest.mark.parametrize("moment", MOMENTS, ids=list(MOMENTS))
def test_u08_the_engine_chooses_the_interim_reply_by_the_moment(
    desk: Desk, clock: FixedClock, moment: str
) -> None:
    at, template, words = MOMENTS[moment]
    clock.set(at - dt.timedelta(hours=1))  # the outgoing request an hour earlier (U-06)
    tid = helpdesk_ticket(desk)
    clock.set(at)
    choice = services.reply_choice(desk, OPERATOR, tid)
    assert choice.chosen_id == choice.template_id == template
    assert [r.rule for r in choice.reasons] == ["U-08"]
    for word in words:
        assert word in choice.reason
    assert "\n" not in choice.reason  # one line
    # U-08: the department of the open outgoing request, named in the accusative
    assert f"мне надо подключить {TECH}." in choice.text
    assert choice.unfilled == () and choice.overdue == ()
    offered = {o.id: o for o in choice.offers}
    assert set(offered) == {"interim_before_evening", "interim_evening", "interim_weekend"}
    assert offered[template].sets_status == "На удержании"


def test_the_operator_may_pick_another_template_filled_the_same_way(desk: Desk) -> None:
    tid = helpdesk_ticket(desk, outgoing="product_manager")
    choice = services.reply_choice(desk, OPERATOR, tid, "interim_weekend")
    assert choice.chosen_id == "interim_before_evening"  # Monday 10:00: the engine's choice
    assert choice.template_id == "interim_weekend"
    assert choice.text == (
        "Для того чтобы решить вопрос, мне надо подключить менеджера по продукту. "
        "Вернемся с ответом в первый рабочий день"
    )


def test_an_unfilled_placeholder_is_reported_and_refused_on_sending(desk: Desk) -> None:
    tid = helpdesk_ticket(desk, outgoing=None)  # no outgoing request: no department to name
    choice = services.reply_choice(desk, OPERATOR, tid)
    assert choice.template_id == "interim_before_evening"
    assert choice.unfilled == ("department",)
    assert "подключить {department}." in choice.text
    assert unfilled(choice.text) == ("department",)
    before = state(desk, tid)
    result = services.send_reply(desk, OPERATOR, tid, choice.template_id, choice.text)
    assert not result.ok and result.rule_ids == ("U-08",)
    assert "не заполнено: {department}" in result.message()
    assert state(desk, tid) == before


def test_u05_an_interim_reply_refused_by_the_hold_guard_changes_nothing(desk: Desk) -> None:
    """The operator typed the department in, but no outgoing request exists: «На удержании»
    is refused (U-05), so the reply is not written either."""
    tid = helpdesk_ticket(desk, outgoing=None)
    text = services.reply_choice(desk, OPERATOR, tid).text.replace("{department}", TECH)
    before = state(desk, tid)
    result = services.send_reply(desk, OPERATOR, tid, "interim_before_evening", text)
    assert not result.ok and "U-05" in result.rule_ids
    assert "исходящий запрос" in result.message()
    assert state(desk, tid) == before and before[0] == "in_progress"


def test_u08_u05_an_interim_reply_is_written_and_puts_the_ticket_on_hold(desk: Desk) -> None:
    tid = helpdesk_ticket(desk)
    choice = services.reply_choice(desk, OPERATOR, tid)
    _status, comments, events, outbox = state(desk, tid)
    result = services.send_reply(desk, OPERATOR, tid, choice.template_id, choice.text)
    assert result.ok, result.message()
    assert result.rule_ids[0] == "U-08" and "U-05" in result.rule_ids
    assert result.ticket_ids == (tid,)
    # one op for the reply and the status change it makes (step 8: the outbox holds named
    # commands; the server's re-run of send_reply moves the status too — it was 2 rows)
    assert state(desk, tid) == ("on_hold", comments + 1, events + 2, outbox + 1)
    with desk.db.transaction() as s:
        reply = s.scalars(select(Comment).where(Comment.kind == "reply")).one()
        assert (reply.text, reply.template_id) == (choice.text, "interim_before_evening")
    # a second interim reply on a ticket already on hold needs no status change
    again = services.send_reply(desk, OPERATOR, tid, "interim_evening", choice.text)
    assert again.ok and again.rule_ids == ("U-08",)
    assert state(desk, tid)[:2] == ("on_hold", comments + 2)


def test_u09_past_the_24_hour_reminder_the_no_answer_template_is_offered_and_chosen(
    desk: Desk, clock: FixedClock
) -> None:
    tid = helpdesk_ticket(desk)
    clock.advance(dt.timedelta(hours=23, minutes=59))
    early = services.reply_choice(desk, OPERATOR, tid)
    assert "department_no_answer" not in {o.id for o in early.offers} and early.overdue == ()
    clock.advance(dt.timedelta(minutes=1))
    due = services.reply_choice(desk, OPERATOR, tid)
    assert due.chosen_id == "department_no_answer" and due.overdue == ("Технический отдел",)
    assert [r.rule for r in due.reasons] == ["U-09"]
    assert due.text.startswith("Вопрос в работе, но ответ от коллег еще не получили.")
    assert {o.id: o.sets_status for o in due.offers}["department_no_answer"] == ""
    result = services.send_reply(desk, OPERATOR, tid, due.template_id, due.text)
    assert result.ok and result.rule_ids == ("U-09",)
    assert state(desk, tid)[0] == "in_progress"  # this template sets no status


def test_c11_the_closing_case_picks_template_1_with_the_ticket_number(desk: Desk) -> None:
    created = services.create_ticket(desk, OPERATOR, process="outage", subject="Нет связи")
    assert created.ok and created.created_id is not None
    tid = created.created_id
    none_yet = services.reply_choice(desk, OPERATOR, tid)
    assert none_yet.chosen_id == "" and none_yet.text == "" and "C-11" in none_yet.reason
    assert {o.id for o in none_yet.offers} == {"closing_monitoring", "closing_objects"}
    assert services.set_fields(desk, OPERATOR, tid, closing_delay="monitoring").ok
    choice = services.reply_choice(desk, OPERATOR, tid)
    assert choice.chosen_id == "closing_monitoring" and choice.unfilled == ()
    assert f"заявка №{choice.number} будет закрыта" in choice.text
    result = services.send_reply(desk, OPERATOR, tid, choice.template_id, choice.text)
    assert result.ok and result.rule_ids == ("C-11",)


def test_a_process_without_templates_offers_none_and_a_foreign_template_is_refused(
    desk: Desk,
) -> None:
    created = services.create_ticket(
        desk, OPERATOR, process="csn", category="Проблемы с хостингом", subject="x"
    )
    assert created.ok and created.created_id is not None
    tid = created.created_id
    choice = services.reply_choice(desk, OPERATOR, tid)
    assert choice.offers == () and choice.chosen_id == "" and "шаблонов ответа нет" in choice.reason
    result = services.send_reply(desk, OPERATOR, tid, "interim_weekend", "Текст")
    assert not result.ok and "не относится к процессу" in result.message()
