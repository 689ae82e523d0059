"""Each document's process end to end through the command layer: the numbers of its own
document (B-03 2 working days, P-07 3, S-09 5 minutes, P-08 never, C-07/C-10 no auto-close),
never a desk-wide compromise."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from opdesk import services
from opdesk.clock import FixedClock
from opdesk.models import Event, OutboxEntry, Ticket
from opdesk.regulations.pack import DEFAULT_PACK, load_pack
from opdesk.regulations.snapshot import Actor
from opdesk.services.desk import Desk
from opdesk.store.database import open_local
from tests.regulations.tickets import msk
from tests.services.conftest import ENGINEER, LEAD, OPERATOR

CLIENT = Actor("client", "client")
SYSTEM = Actor("system", "system")


def row(desk: Desk, ticket_id: int) -> Ticket:
    with desk.db.transaction() as s:
        found = s.get(Ticket, ticket_id)
        assert found is not None
        return found


def written(desk: Desk) -> tuple[int, int]:
    with desk.db.transaction() as s:
        return (
            s.scalar(select(func.count(Event.id))) or 0,
            s.scalar(select(func.count(OutboxEntry.seq))) or 0,
        )


def create(desk: Desk, **kw: object) -> int:
    result = services.create_ticket(desk, OPERATOR, subject="Нет связи", **kw)  # type: ignore[arg-type]
    assert result.ok, result.message()
    assert result.created_id is not None
    return result.created_id


def ok(result: services.CommandResult) -> None:
    assert result.ok, result.message()


def test_b03_csn_ticket_closes_two_working_days_after_resolved_across_weekend_and_holiday(
    desk: Desk, clock: FixedClock
) -> None:
    clock.set(msk(2026, 5, 7, 10, 0))  # Thursday
    tid = create(desk, channel="cabinet", category="Проблемы с хостингом")
    assert row(desk, tid).process == "csn"
    ok(services.take(desk, ENGINEER, tid))
    ok(services.transition(desk, ENGINEER, tid, "escalate"))  # level 1 → 2
    clock.set(msk(2026, 5, 8, 15, 0))  # Friday 15:00; Sat, Sun and Mon 11 May (moved) off
    ok(services.transition(desk, ENGINEER, tid, "resolve"))
    due = msk(2026, 5, 13, 15, 0)  # Tue 12 and Wed 13: two working days
    assert row(desk, tid).auto_close_at == due
    clock.set(due - dt.timedelta(minutes=1))
    early = services.transition(desk, SYSTEM, tid, "auto_close")
    assert not early.ok and early.rule_ids == ("B-03",)
    assert row(desk, tid).status == "resolved"
    clock.set(due)
    ok(services.transition(desk, SYSTEM, tid, "auto_close"))
    closed = row(desk, tid)
    assert (closed.status, closed.is_open, closed.closed_via) == ("closed", False, "auto_close")
    assert closed.auto_close_at is None


def test_b02_csn_client_reopens_a_closed_ticket_a_week_later(desk: Desk, clock: FixedClock) -> None:
    tid = create(desk, process="csn", category="Проблемы с хостингом")
    ok(services.take(desk, ENGINEER, tid))
    ok(services.transition(desk, ENGINEER, tid, "escalate"))
    ok(services.transition(desk, ENGINEER, tid, "resolve"))
    ok(services.transition(desk, CLIENT, tid, "client_close"))
    clock.advance(dt.timedelta(days=7))
    refused = services.reopen(desk, OPERATOR, tid)  # the client's form, not the operator's
    assert not refused.ok and refused.rule_ids == ("B-02",)
    ok(services.reopen(desk, CLIENT, tid))
    again = row(desk, tid)
    assert (again.status, again.stage, again.is_open, again.closed_at) == (
        "reopened", "reopened", True, None
    )  # fmt: skip


def test_p07_portal_request_closes_after_three_working_days_of_silence(
    desk: Desk, clock: FixedClock
) -> None:
    tid = create(desk, channel="portal")
    ticket = row(desk, tid)
    assert (ticket.process, ticket.status, ticket.stage, ticket.sla_plan) == (
        "portal",
        "new",
        "",
        "",
    )  # fmt: skip — 003 gives no SLA figures: no plan is invented
    ok(services.take(desk, OPERATOR, tid))
    clock.set(msk(2026, 11, 18, 15, 0))  # Wednesday
    ok(services.transition(desk, OPERATOR, tid, "await_confirmation"))
    due = msk(2026, 11, 23, 15, 0)  # Thu, Fri, Mon: three working days
    assert row(desk, tid).auto_close_at == due
    clock.set(due - dt.timedelta(minutes=1))
    assert services.transition(desk, SYSTEM, tid, "auto_close").rule_ids == ("P-07",)
    clock.set(due)
    ok(services.transition(desk, SYSTEM, tid, "auto_close"))
    assert row(desk, tid).closed_via == "auto_close"


def test_p08_a_closed_portal_request_refuses_reopening_and_changes_nothing(
    desk: Desk, clock: FixedClock
) -> None:
    tid = create(desk, channel="portal")
    ok(services.take(desk, OPERATOR, tid))
    ok(services.set_fields(desk, OPERATOR, tid, client_allows_closing=True))
    ok(services.transition(desk, OPERATOR, tid, "client_close"))  # «Решить эту проблему»
    before = written(desk), row(desk, tid).status
    clock.advance(dt.timedelta(minutes=1))  # well inside any 5-minute window
    refused = services.reopen(desk, CLIENT, tid)
    assert not refused.ok and refused.rule_ids == ("P-08",)
    assert "новом обращении" in refused.message()
    edit = services.add_comment(desk, OPERATOR, tid, "note", "ещё вопрос")
    assert not edit.ok and edit.rule_ids == ("P-08",)
    assert (written(desk), row(desk, tid).status) == before


def test_s09_call_request_refuses_edits_five_minutes_after_closing(
    desk: Desk, clock: FixedClock
) -> None:
    tid = create(desk)  # channel "phone": 001's request, composed during the call
    ticket = row(desk, tid)
    assert (ticket.process, ticket.status, ticket.owner_id is not None) == (
        "call_request", "in_progress", True
    )  # fmt: skip
    closed = services.close(desk, OPERATOR, tid)  # no 000 checklist for a call's request
    assert closed.ok and closed.rule_ids == ("S-09",)
    clock.advance(dt.timedelta(minutes=5))
    ok(services.add_comment(desk, OPERATOR, tid, "note", "Уточнение в пределах 5 минут"))
    clock.advance(dt.timedelta(seconds=1))
    late = services.add_comment(desk, OPERATOR, tid, "note", "Поздно")
    assert not late.ok and late.rule_ids == ("S-09",) and "5 мин" in late.message()
    reopen = services.reopen(desk, OPERATOR, tid)
    assert not reopen.ok and reopen.rule_ids == ("S-09",)


def test_c07_outage_ticket_of_a_vip_client_is_never_auto_closed(
    desk: Desk, clock: FixedClock
) -> None:
    client = services.add_client(desk, "ПАО Банк", category="VIP", mobile="+79160000000")
    tid = create(desk, process="outage", client_id=client)
    ok(services.take(desk, ENGINEER, tid))
    ok(services.transition(desk, ENGINEER, tid, "resolve"))
    assert row(desk, tid).auto_close_at is None  # nothing is scheduled for it
    for days in (3, 30):
        clock.advance(dt.timedelta(days=days))
        auto = services.transition(desk, SYSTEM, tid, "auto_close")
        assert not auto.ok and auto.rule_ids == ("C-10",) and "C-07" in auto.message()
    manual = services.close(desk, OPERATOR, tid)
    assert not manual.ok and "C-07" in manual.rule_ids  # the verbal confirmation is missing
    assert row(desk, tid).status == "resolved"


def test_u05_help_desk_ticket_holds_for_a_department_and_ends_done(desk: Desk) -> None:
    tid = create(desk, channel="email")
    assert row(desk, tid).process == "helpdesk"
    ok(services.take(desk, OPERATOR, tid))
    hold = services.transition(desk, OPERATOR, tid, "hold")
    assert not hold.ok and hold.rule_ids == ("U-05",)
    ok(services.send_outgoing(desk, OPERATOR, tid, "tech"))
    ok(services.transition(desk, OPERATOR, tid, "hold"))
    ok(services.transition(desk, OPERATOR, tid, "set_in_progress"))
    done = services.transition(desk, OPERATOR, tid, "resolve")
    assert done.ok and "send_survey" in done.effects
    ticket = row(desk, tid)
    assert (ticket.status, ticket.is_open, ticket.closed_via) == ("resolved", False, "resolve")


def test_change_process_rejudges_the_ticket_against_the_new_process(desk: Desk) -> None:
    tid = create(desk)  # a call's request, «В работе»
    no_category = services.change_process(desk, LEAD, tid, "csn")
    assert not no_category.ok and no_category.rule_ids == ("B-05",)  # B-05 needs a category
    ok(services.set_fields(desk, LEAD, tid, category="Проблемы с хостингом"))
    moved = services.change_process(desk, LEAD, tid, "csn")
    assert moved.ok and moved.rule_ids == ("B-02",)
    ticket = row(desk, tid)
    assert (ticket.process, ticket.stage, ticket.sla_plan) == (
        "csn", "classification", "Стандартная техподдержка"
    )  # fmt: skip
    ok(services.transition(desk, ENGINEER, tid, "escalate"))
    ok(services.transition(desk, ENGINEER, tid, "resolve"))
    back = services.change_process(desk, LEAD, tid, "call_request")
    assert not back.ok and back.rule_ids == ("S-09",)  # 001 has no «Решен»
    assert row(desk, tid).process == "csn"


def test_b05_category_change_recomputes_sla_keeping_the_pause(
    tmp_path: Path, clock: FixedClock
) -> None:
    """A desk may add P-02's pause to its CSN process (a pack change); the command layer then
    keeps every accumulated pause when a priority change re-selects the plan."""
    text = DEFAULT_PACK.read_text(encoding="utf-8")
    text = text.replace(
        'statuses = ["new", "in_progress", "resolved", "reopened", "closed", "cancelled"]',
        'statuses = ["new", "in_progress", "waiting_client", "resolved", "reopened", "closed", '
        '"cancelled"]',
    )
    text += (
        '\n[[transitions]]\naction = "wait_client"\nname = "Ждать клиента"\nname_en = "Wait"\n'
        'processes = ["csn"]\nfrom = ["in_progress"]\nto = "waiting_client"\nrules = ["P-02"]\n'
        '\n[[transitions]]\naction = "set_in_progress"\nname = "В работу"\nname_en = "Back"\n'
        'processes = ["csn"]\nfrom = ["waiting_client"]\nto = "in_progress"\nrules = ["P-01"]\n'
    )
    path = tmp_path / "pause.toml"
    path.write_text(text, encoding="utf-8")
    db = open_local(tmp_path / "desk.sqlite3")
    desk = Desk(db, load_pack(path), clock)
    services.ensure_departments(desk)
    services.add_person(desk, "ivanova", "Иванова И.И.", "operator", "opp")
    services.add_person(desk, "sidorov", "Сидоров А.А.", "operator", "to")
    try:
        tid = create(desk, process="csn", category="Проблемы с хостингом")
        ok(services.take(desk, ENGINEER, tid))
        ok(services.transition(desk, ENGINEER, tid, "escalate"))  # 10:00, processing: 4 h
        clock.set(msk(2026, 11, 16, 10, 30))
        ok(services.transition(desk, ENGINEER, tid, "wait_client"))
        paused = row(desk, tid)
        assert paused.sla_paused and paused.sla_due_at is None
        clock.set(msk(2026, 11, 16, 14, 30))  # 3 working hours later (lunch 13–14)
        ok(services.transition(desk, ENGINEER, tid, "set_in_progress"))
        resumed = row(desk, tid)
        assert resumed.sla_due_at == msk(2026, 11, 16, 18, 0)  # 10:00 + 4 h + 3 h + lunch
        assert resumed.sla_paused_seconds == 3 * 3600
        clock.set(msk(2026, 11, 16, 15, 0))
        ok(services.set_fields(desk, ENGINEER, tid, priority="Критичный"))
        after = row(desk, tid)
        assert after.sla_plan == "Ликвидация аварий"
        assert after.sla_paused_seconds == 3 * 3600  # no accumulated pause lost
        # 1 h budget from 10:00 with 3 h paused: due 14:00 + 1 h lunch → 15:00
        assert after.sla_due_at == msk(2026, 11, 16, 15, 0)
    finally:
        db.close()
