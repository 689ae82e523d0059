"""The command layer: every write runs the engine and writes change + event + outbox at once;
a refused command changes nothing and says which rule and why."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from opdesk import services
from opdesk.clock import FixedClock
from opdesk.models import Comment, Event, OutboxEntry, OutgoingRequest, Ticket
from opdesk.services import SparePart
from opdesk.services.desk import Desk
from tests.regulations.tickets import msk
from tests.services.conftest import ENGINEER, LEAD, OPERATOR


def counts(desk: Desk) -> tuple[int, int, int]:
    with desk.db.transaction() as s:
        return (
            s.scalar(select(func.count(Ticket.id))) or 0,
            s.scalar(select(func.count(Event.id))) or 0,
            s.scalar(select(func.count(OutboxEntry.seq))) or 0,
        )


def ticket(desk: Desk, ticket_id: int) -> Ticket:
    with desk.db.transaction() as s:
        row = s.get(Ticket, ticket_id)
        assert row is not None
        return row


def create(desk: Desk, process: str = "csn", **kw: object) -> int:
    result = services.create_ticket(
        desk, OPERATOR, category="Проблемы с хостингом", subject="Нет связи", process=process, **kw
    )
    assert result.ok, result.message()
    assert result.created_id is not None
    return result.created_id


def test_create_writes_ticket_event_outbox_and_sla_in_one_go(desk: Desk) -> None:
    tid = create(desk)
    row = ticket(desk, tid)
    assert row.number == f"СЗ-{100000 + tid}"
    assert (row.process, row.status, row.stage, row.priority) == (
        "csn", "new", "classification", "Обычный"
    )  # fmt: skip
    assert row.sla_plan == "Стандартная техподдержка"
    assert row.sla_stage == "reaction"
    assert row.sla_due_at == msk(2026, 11, 16, 11, 0)  # 1 hour of working time
    assert row.sla_risk_at == msk(2026, 11, 16, 10, 48)  # 80 % of the hour
    assert counts(desk) == (1, 1, 1)


def test_refused_command_changes_nothing_and_names_the_rule(desk: Desk) -> None:
    tid = create(desk)
    before = counts(desk), ticket(desk, tid).status
    result = services.transition(desk, OPERATOR, tid, "resolve")
    assert not result.ok and result.rule_ids == ("B-02",)
    assert "недоступно из статуса «Новая»" in result.message()
    assert (counts(desk), ticket(desk, tid).status) == before


def test_invalid_values_are_refused_naming_the_field(desk: Desk) -> None:
    bad_category = services.create_ticket(desk, OPERATOR, category="Погода", process="csn")
    assert not bad_category.ok and "поле «категория»" in bad_category.message()
    bad_priority = services.create_ticket(
        desk, OPERATOR, category="Проблемы с хостингом", priority="Хз", process="csn"
    )
    assert not bad_priority.ok and "поле «приоритет»" in bad_priority.message()
    tid = create(desk)
    before = counts(desk)
    zero = services.fill_closure(
        desk, ENGINEER, tid, cause="x", spare_parts=[SparePart("SFP-модуль", 0)]
    )
    assert not zero.ok and "ЗИП[1].количество" in zero.message()
    assert zero.rule_ids == ("C-04",)
    bad_status = services.transition(desk, OPERATOR, tid, "explode")
    assert not bad_status.ok and "Неизвестное действие" in bad_status.message()
    assert counts(desk) == before


def test_full_path_to_closure_through_the_guards(desk: Desk, clock: FixedClock) -> None:
    tid = create(desk, "outage")
    assert services.take(desk, ENGINEER, tid).ok
    assert ticket(desk, tid).stage == ""  # 000 has no support levels
    clock.advance(dt.timedelta(hours=2))
    assert services.set_fields(desk, ENGINEER, tid, scheme_permanent=True, needs_closing=True).ok
    assert services.set_fields(desk, ENGINEER, tid, scheme_recorded_by="ОЭ").ok
    resolved = services.transition(desk, ENGINEER, tid, "resolve")
    assert resolved.ok and "record_resolver" in resolved.effects
    assert ticket(desk, tid).resolved_by_department == "ТО"
    refused = services.close(desk, OPERATOR, tid)
    assert not refused.ok
    assert {"C-01", "C-04", "C-10", "C-07"} <= set(refused.rule_ids)
    assert services.hand_over(desk, ENGINEER, tid, "opp").ok
    assert services.fill_closure(
        desk, ENGINEER, tid, cause="Обрыв кабеля", actions="Замена патч-корда",
        performers=["Сидоров А.А."], completed_at=clock.now(), time_spent_minutes=45,
        spare_parts=[SparePart("Патч-корд", 2)], responsible_actions_checked=True,
    ).ok  # fmt: skip
    still = services.close(desk, OPERATOR, tid)  # no mobile on file: C-07 verbal confirmation
    assert not still.ok and still.rule_ids == ("C-07",)
    assert services.record_confirmation(desk, OPERATOR, tid, "verbal").ok
    closed = services.close(desk, OPERATOR, tid)
    assert closed.ok, closed.message()
    row = ticket(desk, tid)
    assert (row.status, row.is_open, row.closed_via) == ("closed", False, "close")
    assert row.sla_plan == "" and row.sla_due_at is None  # 000 sets no deadlines


def test_bulk_close_runs_every_ticket_through_the_same_guard(desk: Desk) -> None:
    ready, not_ready = create(desk, "outage"), create(desk, "outage")
    for tid in (ready, not_ready):
        assert services.take(desk, ENGINEER, tid).ok
        assert services.transition(desk, ENGINEER, tid, "resolve").ok
    results = services.bulk_close(desk, LEAD, [ready, not_ready])
    assert not results[0].ok and not results[1].ok  # neither meets C-01 … C-10
    assert ticket(desk, not_ready).status == "resolved"
    assert all("C-01" in r.rule_ids for r in results)


def test_s08_callback_attempt_logged_reached_or_not(desk: Desk) -> None:
    tid = create(desk)
    missing = services.add_comment(desk, OPERATOR, tid, "callback_attempt", "")
    assert not missing.ok and "S-08" in missing.rule_ids
    ok = services.add_comment(
        desk, OPERATOR, tid, "callback_attempt", "Абонент недоступен", reached=False
    )
    assert ok.ok
    with desk.db.transaction() as s:
        texts = s.scalars(select(Comment.text).where(Comment.kind == "callback_attempt")).all()
    assert texts and texts[0].startswith("Попытка перезвонить клиенту: дозвон не состоялся")


def test_u06_outgoing_request_reminder_and_cross_links(desk: Desk, clock: FixedClock) -> None:
    tid = create(desk)
    result = services.send_outgoing(desk, OPERATOR, tid, "tech")
    assert result.ok and result.rule_ids == ("U-06",)
    with desk.db.transaction() as s:
        request = s.scalars(select(OutgoingRequest)).one()
        note = s.scalars(select(Comment).where(Comment.tags == "outgoing")).one()
    assert request.reminder_at == clock.now() + dt.timedelta(hours=24)
    assert "Технический отдел" in note.text
    assert ticket(desk, tid).number in request.note


def test_megabyte_comment_round_trips_intact(desk: Desk) -> None:
    tid = create(desk)
    text = ("Лог маршрутизатора: «ошибка 0x1F» ; DROP TABLE tickets; --\n" * 20000)[:1_000_000]
    assert services.add_comment(desk, OPERATOR, tid, "note", text).ok
    with desk.db.transaction() as s:
        stored = s.scalars(select(Comment.text).where(Comment.ticket_id == ticket(desk, tid).uuid))
        assert list(stored) == [text]


def test_history_only_grows(desk: Desk) -> None:
    tid = create(desk)
    services.take(desk, ENGINEER, tid)
    services.transition(desk, OPERATOR, tid, "resolve")  # refused on level 1: no event
    with desk.db.transaction() as s:
        kinds = s.scalars(select(Event.kind).order_by(Event.at, Event.id)).all()
    assert kinds == ["created", "status"]


def test_hand_over_history_names_both_departments_by_code(desk: Desk) -> None:
    """The card shows a transfer as «ТО → ОПП»: both ends of the event are pack codes."""
    tid = create(desk, "outage")
    assert services.hand_over(desk, ENGINEER, tid, "tech").ok
    assert services.hand_over(desk, ENGINEER, tid, "opp").ok
    with desk.db.transaction() as s:
        uuid = s.get(Ticket, tid).uuid  # type: ignore[union-attr]
        moves = s.execute(
            select(Event.old_value, Event.new_value)
            .where(Event.ticket_id == uuid, Event.kind == "transfer")
            .order_by(Event.at, Event.id)
        ).all()
    assert [tuple(m) for m in moves][-1] == ("tech", "opp")
