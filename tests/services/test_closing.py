"""The closing checklist at the operator's hand (000, C-01…C-11): the view judges an unsaved
draft without writing, the command saves it and closes only through the guarded transition,
and a refused close changes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import func, select

from opdesk import services
from opdesk.clock import FixedClock
from opdesk.models import ClosureReport, Comment, Confirmation, Event, OutboxEntry, Ticket
from opdesk.services import ClosingView, ClosureDraft, ConfirmationDraft, SparePart
from opdesk.services.desk import Desk
from tests.services.conftest import ENGINEER, OPERATOR

# Everything the standard scheme asks of an ordinary client with a mobile number.
FULL = ClosureDraft(
    cause="Обрыв кабеля на участке УС-12",
    actions="Замена патч-корда, перезапуск порта",
    performers=("Сидоров А.А.",),
    time_spent_minutes=90,
    responsible_actions_checked=True,
    handed_to_opp=True,
    scheme_permanent=True,
    scheme_recorded_by="ОЭ",
    needs_closing=True,
)


def full(clock: FixedClock, **changes: Any) -> ClosureDraft:
    return dataclasses.replace(FULL, completed_at=clock.now() - dt.timedelta(hours=1), **changes)


def ok(result: services.CommandResult) -> services.CommandResult:
    assert result.ok, result.message()
    return result


def resolved_outage(desk: Desk, name: str = "ООО Ромашка", **client: Any) -> int:
    """An outage ticket taken and resolved by the responsible ТО engineer (C-03)."""
    fields = {"category": "обычный", "mobile": "+79161234567", **client}
    client_id = services.add_client(desk, name, **fields)
    created = ok(
        services.create_ticket(
            desk, OPERATOR, process="outage", subject="Нет связи", client_id=client_id
        )
    )
    assert created.created_id is not None
    ok(services.take(desk, ENGINEER, created.created_id))
    ok(services.transition(desk, ENGINEER, created.created_id, "resolve"))
    return created.created_id


def view(desk: Desk, tid: int, draft: ClosureDraft | None = None) -> ClosingView:
    found = services.closing_view(desk, OPERATOR, tid, draft)
    assert found is not None
    return found


def writes(desk: Desk) -> tuple[int, int, int]:
    """Events, outbox rows and closure reports: what any write would add to."""
    with desk.db.transaction() as s:
        return (
            s.scalar(select(func.count(Event.id))) or 0,
            s.scalar(select(func.count(OutboxEntry.seq))) or 0,
            s.scalar(select(func.count()).select_from(ClosureReport)) or 0,
        )


def status(desk: Desk, tid: int) -> str:
    with desk.db.transaction() as s:
        row = s.get(Ticket, tid)
        assert row is not None
        return row.status


def missing(v: ClosingView) -> dict[str, str]:
    return {i.id: i.rule for i in v.missing}


def test_c01_c11_every_item_is_listed_and_a_draft_is_judged_without_writing(
    desk: Desk, clock: FixedClock
) -> None:
    tid = resolved_outage(desk)
    before = writes(desk)
    saved = view(desk, tid)
    assert saved.applies and saved.scheme == "standard" and saved.close_action == "close"
    assert saved.close_name == "Закрыть" and saved.number == f"СЗ-{100000 + tid}"
    assert missing(saved) == {
        "handed_to_opp": "C-01", "permanent_scheme": "C-02", "cause": "C-04",
        "actions": "C-04", "performers": "C-04", "completed_at": "C-04",
        "needs_closing": "C-06", "actions_checked": "C-10",
    }  # fmt: skip
    c03 = next(i for i in saved.items if i.id == "resolved_by_responsible")
    assert c03.applies and c03.satisfied  # «Выполнена» by ТО
    not_applicable = {i.id for i in saved.items if not i.applies}
    assert {"spare_parts", "arm", "verbal_confirmation", "vip_escalation"} <= not_applicable
    assert all(i.source.startswith("Регламент по закрытию заявок") for i in saved.items)
    assert not saved.can_close
    assert {r.rule for r in saved.reasons} == {"C-01", "C-02", "C-04", "C-06", "C-10"}
    # the operator types the cause only: its item flips, the others stay missing
    typed = view(desk, tid, ClosureDraft(cause="Обрыв кабеля"))
    assert "cause" not in missing(typed) and "actions" in missing(typed)
    # the whole report: closable, and still nothing written
    draft = full(clock)
    complete = view(desk, tid, draft)
    assert complete.can_close and not complete.missing and not complete.reasons
    assert writes(desk) == before and status(desk, tid) == "resolved"
    assert view(desk, tid).stored == saved.stored  # the saved state is untouched


def test_c04_refused_close_changes_nothing_and_returns_the_reasons(
    desk: Desk, clock: FixedClock
) -> None:
    tid = resolved_outage(desk)
    before = writes(desk)
    result = services.close_with_report(desk, OPERATOR, tid, full(clock, cause=""))
    assert not result.ok and result.command == "close"
    assert result.rule_ids == ("C-04",) and "причина аварии" in result.message()
    assert writes(desk) == before and status(desk, tid) == "resolved"


def test_close_saves_the_report_through_the_commands_and_closes(
    desk: Desk, clock: FixedClock
) -> None:
    tid = resolved_outage(desk)
    draft = full(clock)
    result = ok(services.close_with_report(desk, OPERATOR, tid, draft))
    assert result.command == "close" and result.ticket_ids == (tid,)
    assert status(desk, tid) == "closed"
    with desk.db.transaction() as s:
        row = s.get(Ticket, tid)
        assert row is not None
        report = s.get(ClosureReport, row.uuid)
        assert report is not None
        assert (report.cause, report.time_spent_minutes) == (draft.cause, 90)
        assert report.responsible_actions_checked
        ops = s.scalars(select(OutboxEntry.command).order_by(OutboxEntry.seq)).all()
    # the outbox holds named commands (step 8): the save and the close are one command, one
    # op carrying the draft, re-run whole by the server (it used to be one row per step)
    assert ops[-2:] == ["transition", "close_with_report"]  # resolve, then the close
    after = view(desk, tid)
    assert after.stored == dataclasses.replace(draft, completed_at=after.stored.completed_at)
    assert not after.editable and not after.can_close  # closed: final (C-10)


def test_save_without_closing_writes_only_what_changed(desk: Desk, clock: FixedClock) -> None:
    tid = resolved_outage(desk)
    draft = ClosureDraft(cause="Обрыв кабеля", needs_closing=True)
    ok(services.save_closing(desk, OPERATOR, tid, draft))
    saved = view(desk, tid)
    assert status(desk, tid) == "resolved"
    assert saved.stored.cause == "Обрыв кабеля" and saved.stored.needs_closing
    assert "cause" not in missing(saved) and "needs_closing" not in missing(saved)
    before = writes(desk)
    ok(services.save_closing(desk, OPERATOR, tid, saved.stored))  # nothing new
    assert writes(desk) == before


def test_c07_c09_vip_needs_verbal_confirmation_and_the_escalation(
    desk: Desk, clock: FixedClock
) -> None:
    tid = resolved_outage(desk, "ПАО Банк", category="VIP")
    bare = view(desk, tid, full(clock))
    assert [n.key for n in bare.confirmation] == ["verbal"]
    assert bare.confirmation[0].items[0].rule == "C-07"
    assert [i.rule for i in bare.escalation] == ["C-09"]
    assert {r.rule for r in bare.reasons} == {"C-07", "C-09"}
    refused = services.close_with_report(desk, OPERATOR, tid, full(clock))
    assert not refused.ok and set(refused.rule_ids) == {"C-07", "C-09"}
    assert status(desk, tid) == "resolved"
    nobody = ConfirmationDraft("verbal", " ", clock.now())
    blank = view(desk, tid, full(clock, confirmation=nobody, escalation_done=True))
    assert not blank.can_close and [r.rule for r in blank.problems] == ["C-07"]
    said = ConfirmationDraft("verbal", "Петров П.П.", clock.now() - dt.timedelta(minutes=5))
    ok(services.close_with_report(desk, OPERATOR, tid, full(clock, confirmation=said,
                                                           escalation_done=True)))  # fmt: skip
    assert status(desk, tid) == "closed"
    with desk.db.transaction() as s:
        kinds = s.scalars(select(Confirmation.kind)).all()
        call = s.scalars(select(Comment).where(Comment.kind == "call_result")).one()
    assert kinds == ["verbal"] and "Петров П.П." in call.text and "16.11.2026 09:55" in call.text


def test_c07_c08_which_confirmation_the_pack_asks_for(desk: Desk, clock: FixedClock) -> None:
    plain = resolved_outage(desk)
    no_mobile = resolved_outage(desk, "ИП Кузнецов", mobile="")
    important = resolved_outage(desk, "ООО Важное", category="Важный")
    megafon = resolved_outage(desk, "Мегафон, филиал", category="VIP", group_name="Мегафон")
    kinds = {
        tid: [n.key for n in view(desk, tid, full(clock)).confirmation]
        for tid in (plain, no_mobile, important, megafon)
    }
    assert kinds == {
        plain: [], no_mobile: ["verbal"], important: ["verbal"], megafon: ["electronic"]
    }  # fmt: skip
    assert view(desk, megafon, full(clock)).confirmation[0].items[0].rule == "C-08"
    sent = ConfirmationDraft("electronic", "noc@megafon.example", clock.now())
    closable = view(desk, megafon, full(clock, confirmation=sent, escalation_done=True))
    assert closable.can_close, closable.reasons


def test_c08_a_scheme_the_desk_has_not_filled_in_refuses_with_its_explanation(
    desk: Desk, clock: FixedClock
) -> None:
    tid = resolved_outage(desk, "ПАО Сбербанк", group_name="Сбербанк")
    v = view(desk, tid, full(clock))
    assert v.scheme == "sberbank" and "Сбербанка" in v.scheme_name and not v.items
    assert [r.rule for r in v.scheme_reasons] == ["C-08"]
    assert "не заполнена" in v.scheme_reasons[0].detail and not v.can_close
    before = writes(desk)
    refused = services.close_with_report(desk, OPERATOR, tid, full(clock))
    assert not refused.ok and refused.rule_ids == ("C-08",)
    assert writes(desk) == before and status(desk, tid) == "resolved"


def test_c11_delayed_closure_cases_with_their_templates_or_a_comment(
    desk: Desk, clock: FixedClock
) -> None:
    tid = resolved_outage(desk)
    cases = {c.kind: c for c in view(desk, tid).delay_cases}
    assert list(cases) == ["monitoring", "unreachable", "objects"]
    assert f"заявка №СЗ-{100000 + tid} будет закрыта" in cases["monitoring"].text
    assert cases["monitoring"].template_id == "closing_monitoring"
    assert cases["objects"].text.startswith("Уважаемый клиент. Сообщаем Вам, что работы")
    assert cases["unreachable"].comment_only and "недозвон" in cases["unreachable"].comment
    assert all(r.rule == "C-11" for c in cases.values() for r in c.reasons)
    monitoring = full(clock, closing_delay="monitoring")
    assert missing(view(desk, tid, monitoring)) == {
        "delay_comment": "C-11", "delay_template_monitoring": "C-11"
    }  # fmt: skip
    told = dataclasses.replace(monitoring, comment="Клиент просил мониторинг", template_sent=True)
    assert view(desk, tid, told).can_close
    unreachable = full(clock, closing_delay="unreachable")
    assert missing(view(desk, tid, unreachable)) == {"delay_comment": "C-11"}
    ok(services.close_with_report(desk, OPERATOR, tid, told))
    with desk.db.transaction() as s:
        sent = s.scalars(select(Comment).where(Comment.template_id != "")).one()
        row = s.get(Ticket, tid)
        assert row is not None and row.closing_delay == "monitoring"
    assert sent.template_id == "closing_monitoring" and sent.text == cases["monitoring"].text


def test_c04_spare_parts_need_a_name_and_a_quantity_above_zero(
    desk: Desk, clock: FixedClock
) -> None:
    tid = resolved_outage(desk)
    used = full(clock, spare_parts_used=True)
    assert missing(view(desk, tid, used)) == {"spare_parts": "C-04"}
    zero = dataclasses.replace(used, spare_parts=(SparePart("SFP-модуль", 0),))
    bad = view(desk, tid, zero)
    assert not bad.can_close and "ЗИП[1].количество" in bad.problems[0].detail
    before = writes(desk)
    refused = services.save_closing(desk, OPERATOR, tid, zero)
    assert not refused.ok and refused.rule_ids == ("C-04",) and writes(desk) == before
    two = dataclasses.replace(used, spare_parts=(SparePart("SFP-модуль", 2),))
    ok(services.close_with_report(desk, OPERATOR, tid, two))
    assert view(desk, tid).stored.spare_parts == (SparePart("SFP-модуль", 2),)


def test_a_process_without_a_closing_checklist_says_so(desk: Desk) -> None:
    created = ok(services.create_ticket(desk, OPERATOR, channel="email", subject="Письма"))
    assert created.created_id is not None
    v = view(desk, created.created_id)
    assert not v.applies and not v.can_close and not v.items
    assert "чек-листу закрытия" in v.reasons[0].detail
    assert services.closing_view(desk, OPERATOR, 10_000) is None


def test_a_ticket_not_yet_resolved_is_refused_by_its_status_as_well(
    desk: Desk, clock: FixedClock
) -> None:
    client = services.add_client(desk, "ООО Ромашка", mobile="+79161234567")
    created = ok(services.create_ticket(desk, OPERATOR, process="outage", client_id=client))
    assert created.created_id is not None
    ok(services.take(desk, ENGINEER, created.created_id))
    v = view(desk, created.created_id, full(clock))
    assert not v.can_close and v.items and "resolved_by_responsible" in missing(v)
    assert v.others and "«Закрыть»" in v.others[0].detail  # the status refuses it, not an item
    assert v.others[0] in v.reasons
