"""Lifecycle per process (B-02, P-01…P-09, U-01, U-02, U-05, S-09, B-01, B-04, U-04, C-10):
decisions and reasons, each judged by the ticket's own process and document."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from opdesk.errors import EngineError
from opdesk.regulations.intake import intake
from opdesk.regulations.lifecycle import (
    available_actions,
    can_edit,
    check_transition,
    keep_status_choice,
)
from opdesk.regulations.pack import Pack, load_default_pack
from opdesk.regulations.snapshot import CommentSnap, OutgoingSnap, StatusEvent, TicketSnapshot
from tests.regulations.tickets import (
    CLIENT,
    OPERATOR,
    OTHER,
    SYSTEM,
    msk,
    ready_to_close,
)

NOW = msk(2026, 11, 17, 11, 0)  # a Tuesday
LEAD = dataclasses.replace(OPERATOR, login="smirnova", role="lead")


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_default_pack()


def ticket(process: str, **changes: object) -> TicketSnapshot:
    base = TicketSnapshot(
        number="СЗ-2002",
        process=process,
        created_at=msk(2026, 11, 17, 9, 30),
        status="new",
        stage="classification" if process == "csn" else "",
        category="Ошибка поведения или интерфейса",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def resolved_csn(at: dt.datetime) -> TicketSnapshot:
    return ticket(
        "csn",
        status="resolved",
        stage="resolved",
        history=(
            StatusEvent(msk(2026, 11, 16, 9), "new", "classification"),
            StatusEvent(msk(2026, 11, 16, 10), "in_progress", "processing"),
            StatusEvent(at, "resolved", "resolved"),
        ),
    )


# -- intake ------------------------------------------------------------------------------------


def test_b01_intake_of_a_csn_ticket_queues_for_line_one_round_the_clock(pack: Pack) -> None:
    night = msk(2026, 11, 22, 3, 17)  # Sunday, 03:17: intake does not wait for working hours
    result = intake(pack, pack.processes["csn"], night)
    assert (result.status, result.stage, result.queue) == ("new", "classification", "Первая линия")
    assert result.created_at == night
    assert set(result.effects) == {
        "notify_creator_email",
        "publish_client_cabinet",
        "publish_group_news",
    }
    assert result.reasons[0].rule == "B-01"


def test_s01_a_call_request_starts_in_work_with_its_operator_and_no_level(pack: Pack) -> None:
    result = intake(pack, pack.processes["call_request"], NOW)
    assert (result.process, result.status, result.stage) == ("call_request", "in_progress", "")
    assert result.effects == ("set_owner",) and result.reasons[0].rule == "S-01"


def test_u04_priority_defaults_to_medium_normal(pack: Pack) -> None:
    helpdesk = pack.processes["helpdesk"]
    result = intake(pack, helpdesk, NOW)
    assert result.priority == "Обычный"
    assert "U-04" in [r.rule for r in result.reasons]
    assert intake(pack, helpdesk, NOW, "Средний").priority == "Обычный"  # U-04's word for it
    assert intake(pack, helpdesk, NOW, "Критичный").priority == "Критичный"
    with pytest.raises(EngineError, match="Высший"):
        intake(pack, helpdesk, NOW, "Высший")


# -- 002 help-desk ticket ------------------------------------------------------------------------


def test_u01_take_sets_owner_and_one_owner_at_a_time(pack: Pack) -> None:
    new = ticket("helpdesk")
    verdict = check_transition(pack, new, "take", OPERATOR, NOW)
    assert verdict.allowed
    assert (verdict.to_status, verdict.to_stage) == ("in_progress", "")
    assert "set_owner" in verdict.effects and "U-01" in verdict.rule_ids
    owned = ticket("helpdesk", owner="ivanova")
    refused = check_transition(pack, owned, "take", OTHER, NOW)
    assert not refused.allowed and refused.rule_ids == ("U-01",)
    assert "владелец" in refused.reasons[0].detail
    assert check_transition(pack, owned, "take", OPERATOR, NOW).allowed


def test_u05_statuses_done_waiting_on_hold_keep(pack: Pack) -> None:
    work = ticket("helpdesk", status="in_progress", owner="ivanova")
    done = check_transition(pack, work, "resolve", OPERATOR, NOW)
    assert done.allowed and "send_survey" in done.effects and "U-05" in done.rule_ids
    assert pack.processes["helpdesk"].is_terminal(done.to_status)  # 002 has no «Закрыт»
    waiting = check_transition(pack, work, "wait_client", OPERATOR, NOW)
    assert waiting.to_status == "waiting_client"
    helpdesk = pack.processes["helpdesk"]
    assert helpdesk.find_status(pack.statuses, "В ожидании").id == "waiting_client"
    assert helpdesk.find_status(pack.statuses, "Выполнен").id == "resolved"
    hold = check_transition(pack, work, "hold", OPERATOR, NOW)
    assert not hold.allowed and hold.rule_ids == ("U-05",)
    with_request = dataclasses.replace(
        work, outgoing=(OutgoingSnap("Технический отдел", sent_at=NOW),)
    )
    assert check_transition(pack, with_request, "hold", OPERATOR, NOW).to_status == "on_hold"
    keep = keep_status_choice(pack, dataclasses.replace(work, status="waiting_client"))
    assert keep.to_status == "waiting_client" and keep.rule_ids == ("U-05",)
    no_keep = keep_status_choice(pack, ticket("portal", status="in_progress"))
    assert not no_keep.allowed  # «Не изменять» is 002's, not the portal's


def test_u02_reply_needs_related_tickets_and_history_reviewed(pack: Pack) -> None:
    work = ticket("helpdesk", status="in_progress")
    refused = check_transition(pack, work, "reply", OPERATOR, NOW)
    assert not refused.allowed and refused.rule_ids == ("U-02",)
    ok = check_transition(pack, work, "reply", OPERATOR, NOW, {"history_reviewed": True})
    assert ok.allowed and ok.to_status == "in_progress"


def test_b02_a_help_desk_ticket_done_is_reopened_without_a_time_limit(pack: Pack) -> None:
    """002 is silent; borrowed from 004: the client may resume work, with no window."""
    done = ticket("helpdesk", status="resolved", stage="resolved", closed_at=NOW)
    later = check_transition(pack, done, "reopen", OPERATOR, NOW + dt.timedelta(days=30))
    assert later.allowed and later.to_status == "in_progress" and later.rule_ids == ("B-02",)


# -- 003 portal request ----------------------------------------------------------------------


def test_p01_in_progress_from_take_and_back_to_work(pack: Pack) -> None:
    verdict = check_transition(pack, ticket("portal"), "take", OPERATOR, NOW)
    assert verdict.to_status == "in_progress" and "P-01" in verdict.rule_ids
    waiting = ticket("portal", status="waiting_client", owner="ivanova")
    back = check_transition(pack, waiting, "set_in_progress", OPERATOR, NOW)
    assert back.allowed and back.to_stage == "" and back.rule_ids == ("P-01",)


def test_p02_waiting_for_client_pauses_the_clock(pack: Pack) -> None:
    verdict = check_transition(pack, ticket("portal", status="in_progress"), "wait_client",
                               OPERATOR, NOW)  # fmt: skip
    assert verdict.allowed and verdict.to_status == "waiting_client"
    assert pack.statuses["waiting_client"].clock == "paused"
    assert "P-02" in verdict.rule_ids


def test_p03_postponed_keeps_clock_running(pack: Pack) -> None:
    verdict = check_transition(pack, ticket("portal", status="in_progress"), "postpone",
                               OPERATOR, NOW)  # fmt: skip
    assert verdict.allowed and verdict.to_status == "postponed" and verdict.rule_ids == ("P-03",)
    assert pack.statuses["postponed"].clock == "runs"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ({}, "без указания причины"),
        ({"reason": "raise_priority"}, "Повышение приоритета"),
        ({"reason": "no_reason"}, "чёткой причины"),
        ({"reason": "because"}, "Неизвестная причина"),
        ({"reason": "other_weighty"}, "опишите причину"),
    ],
)
def test_p04_escalation_requires_a_valid_reason(
    pack: Pack, args: dict[str, str], fragment: str
) -> None:
    verdict = check_transition(pack, ticket("portal", status="in_progress"), "escalate",
                               OPERATOR, NOW, args)  # fmt: skip
    assert not verdict.allowed
    assert set(verdict.rule_ids) == {"P-04"}
    assert fragment in " ".join(r.detail for r in verdict.reasons)


def test_p04_escalation_with_valid_reason(pack: Pack) -> None:
    ok = check_transition(
        pack, ticket("portal", status="in_progress"), "escalate", OPERATOR, NOW,
        {"reason": "other_weighty", "comment": "Нет связи"},
    )  # fmt: skip
    assert ok.allowed and ok.to_status == "escalated" and "P-04" in ok.rule_ids


def test_p05_analysis(pack: Pack) -> None:
    verdict = check_transition(pack, ticket("portal", status="escalated"), "analyse", OPERATOR, NOW)
    assert verdict.allowed and verdict.to_status == "analysis" and verdict.rule_ids == ("P-05",)


def test_p06_cancel_closes_the_request_for_good(pack: Pack) -> None:
    verdict = check_transition(pack, ticket("portal"), "cancel", CLIENT, NOW)
    assert verdict.allowed and verdict.to_status == "cancelled" and verdict.to_stage == "closed"
    assert "P-06" in verdict.rule_ids
    cancelled = ticket("portal", status="cancelled", stage="closed", closed_at=NOW)
    reopen = check_transition(pack, cancelled, "reopen", CLIENT, NOW)
    assert not reopen.allowed and reopen.rule_ids == ("P-08",)


def test_p07_awaiting_confirmation_auto_closes_after_three_working_days(pack: Pack) -> None:
    silent_since = msk(2026, 11, 18, 15, 0)  # Wednesday
    waiting = ticket(
        "portal",
        status="awaiting_confirmation",
        stage="resolved",
        history=(
            StatusEvent(msk(2026, 11, 18, 9), "new", ""),
            StatusEvent(silent_since, "awaiting_confirmation", "resolved"),
        ),
    )
    due = msk(2026, 11, 23, 15, 0)  # Wed + 3 working days: Mon 15:00 (Sat, Sun off)
    early = check_transition(pack, waiting, "auto_close", SYSTEM, due - dt.timedelta(minutes=1))
    assert not early.allowed and early.rule_ids == ("P-07",)
    assert "3 раб. дн." in early.reasons[0].detail
    verdict = check_transition(pack, waiting, "auto_close", SYSTEM, due)
    assert verdict.allowed and verdict.to_status == "closed" and verdict.rule_ids == ("P-07",)
    back = check_transition(pack, waiting, "set_in_progress", OPERATOR, due - dt.timedelta(hours=1))
    assert back.allowed  # the client answered in time: work goes on
    gone = check_transition(pack, waiting, "set_in_progress", OPERATOR, due)
    assert not gone.allowed and "считается закрытым" in gone.reasons[0].detail
    replied = dataclasses.replace(
        waiting, comments=(CommentSnap(kind="client_reply", text="Ещё не работает", at=due),)
    )
    answered = check_transition(pack, replied, "auto_close", SYSTEM, due + dt.timedelta(days=3))
    assert not answered.allowed and "ответил" in answered.reasons[0].detail


def test_p08_a_closed_portal_request_is_never_reopened_however_it_was_closed(pack: Pack) -> None:
    for via in ("client_close", "auto_close", "cancel"):
        closed = ticket("portal", status="closed", stage="closed", closed_at=NOW, closed_via=via)
        verdict = check_transition(pack, closed, "reopen", CLIENT, NOW + dt.timedelta(minutes=1))
        assert not verdict.allowed and verdict.rule_ids == ("P-08",)
        assert "новом обращении" in verdict.reasons[0].detail
        assert not can_edit(pack, closed, NOW + dt.timedelta(seconds=1)).allowed


def test_p09_do_not_notify_suppresses_client_notifications(pack: Pack) -> None:
    work = ticket("portal", status="in_progress")
    assert "notify_client" in check_transition(pack, work, "wait_client", OPERATOR, NOW).effects
    quiet = dataclasses.replace(work, notify_client=False)
    verdict = check_transition(pack, quiet, "wait_client", OPERATOR, NOW)
    assert verdict.allowed and "notify_client" not in verdict.effects
    assert [r.rule for r in verdict.suppressed] == ["P-09"]


def test_p09_client_allows_closing_by_button_or_comment(pack: Pack) -> None:
    waiting = ticket("portal", status="awaiting_confirmation", stage="resolved")
    refused = check_transition(pack, waiting, "client_close", OPERATOR, NOW)
    assert not refused.allowed and refused.rule_ids == ("P-09",)
    by_comment = dataclasses.replace(
        waiting,
        comments=(CommentSnap(kind="client_reply", text="Вопрос исчерпан, прошу закрыть"),),
    )
    assert check_transition(pack, by_comment, "client_close", OPERATOR, NOW).allowed
    by_button = dataclasses.replace(waiting, client_allows_closing=True)
    assert check_transition(pack, by_button, "client_close", OPERATOR, NOW).allowed


# -- 004 CSN ticket ----------------------------------------------------------------------------


def test_b02_level_one_cancels_or_escalates_but_does_not_resolve(pack: Pack) -> None:
    new = ticket("csn")
    assert check_transition(pack, new, "cancel", OPERATOR, NOW).allowed
    resolve = check_transition(pack, new, "resolve", OPERATOR, NOW)
    assert not resolve.allowed and "B-02" in resolve.rule_ids
    assert "Классификация" in resolve.reasons[0].detail
    taken = check_transition(pack, new, "take", OPERATOR, NOW)
    assert taken.to_stage == "classification"  # taking is not a level change
    esc = check_transition(pack, new, "escalate", OPERATOR, NOW)
    assert esc.allowed and esc.to_stage == "processing"


def test_b02_levels_two_three_resolve_or_escalate_four_returns_to_three(pack: Pack) -> None:
    level2 = ticket("csn", status="in_progress", stage="processing", owner="ivanova")
    assert check_transition(pack, level2, "escalate", OPERATOR, NOW).to_stage == "resolution"
    assert check_transition(pack, level2, "resolve", OPERATOR, NOW).to_stage == "resolved"
    level3 = dataclasses.replace(level2, stage="resolution")
    assert check_transition(pack, level3, "escalate", OPERATOR, NOW).to_stage == "vendor"
    level4 = dataclasses.replace(level2, stage="vendor")
    no_more = check_transition(pack, level4, "escalate", OPERATOR, NOW)
    assert not no_more.allowed and "B-02" in no_more.rule_ids
    back = check_transition(pack, level4, "return_to_resolution", OPERATOR, NOW)
    assert back.allowed and back.to_stage == "resolution"
    assert check_transition(pack, level4, "resolve", OPERATOR, NOW).allowed
    cancel = check_transition(pack, level2, "cancel", OPERATOR, NOW)
    assert not cancel.allowed and "B-02" in cancel.rule_ids


def test_b02_reopened_comes_from_resolved_or_closed_and_goes_to_resolved(pack: Pack) -> None:
    resolved = resolved_csn(msk(2026, 11, 16, 15))
    reopen = check_transition(pack, resolved, "reopen", CLIENT, NOW)
    assert reopen.allowed and (reopen.to_status, reopen.to_stage) == ("reopened", "reopened")
    assert not check_transition(pack, resolved, "reopen", OPERATOR, NOW).allowed  # the client's
    reopened = dataclasses.replace(resolved, status="reopened", stage="reopened")
    assert check_transition(pack, reopened, "resolve", OPERATOR, NOW).to_status == "resolved"
    assert check_transition(pack, reopened, "client_close", CLIENT, NOW).allowed


def test_b02_a_csn_client_reopens_a_closed_ticket_a_week_later(pack: Pack) -> None:
    closed = dataclasses.replace(
        resolved_csn(NOW), status="closed", stage="closed", closed_at=NOW, closed_via="auto_close"
    )
    verdict = check_transition(pack, closed, "reopen", CLIENT, NOW + dt.timedelta(days=7))
    assert verdict.allowed and verdict.to_status == "reopened"


def test_b03_a_resolved_csn_ticket_closes_after_two_working_days(pack: Pack) -> None:
    resolved = resolved_csn(msk(2026, 11, 18, 15, 0))  # Wednesday 15:00
    due = msk(2026, 11, 20, 15, 0)  # Friday 15:00: two working days, not the portal's three
    early = check_transition(pack, resolved, "auto_close", SYSTEM, due - dt.timedelta(minutes=1))
    assert not early.allowed and early.rule_ids == ("B-03",)
    assert "2 раб. дн." in early.reasons[0].detail
    verdict = check_transition(pack, resolved, "auto_close", SYSTEM, due)
    assert verdict.allowed and verdict.to_status == "closed"
    assert "close_linked_tasks" in verdict.effects and "B-04" in verdict.rule_ids


# -- 001 call request ----------------------------------------------------------------------------


def test_s09_closed_reopen_and_edit_only_within_five_minutes(pack: Pack) -> None:
    closed = ticket("call_request", status="closed", stage="closed", closed_at=NOW,
                    closed_via="close")  # fmt: skip
    inside = NOW + dt.timedelta(minutes=5)
    outside = NOW + dt.timedelta(minutes=5, seconds=1)
    assert check_transition(pack, closed, "reopen", OPERATOR, inside).allowed
    late = check_transition(pack, closed, "reopen", OPERATOR, outside)
    assert not late.allowed and late.rule_ids == ("S-09",)
    assert "5 мин" in late.reasons[0].detail
    assert can_edit(pack, closed, inside).allowed
    refused = can_edit(pack, closed, outside)
    assert not refused.allowed and refused.rule_ids == ("S-09",)
    assert can_edit(pack, ticket("call_request", status="in_progress"), outside).allowed


def test_s09_a_call_request_closes_by_end_of_dialogue_without_the_000_checklist(
    pack: Pack,
) -> None:
    call = pack.processes["call_request"]
    assert call.find_status(pack.statuses, "Закрыт по окончанию диалога").id == "closed"
    work = ticket("call_request", status="in_progress", owner="ivanova")
    verdict = check_transition(pack, work, "close", OPERATOR, NOW)
    assert verdict.allowed and verdict.rule_ids == ("S-09",)


# -- 000 outage ticket ---------------------------------------------------------------------------


def test_b04_csn_client_close_closes_linked_tasks_for_billing(pack: Pack) -> None:
    verdict = check_transition(pack, resolved_csn(NOW), "client_close", CLIENT, NOW)
    assert verdict.allowed and "close_linked_tasks" in verdict.effects
    assert "B-04" in verdict.rule_ids


def test_c10_an_outage_ticket_is_closed_by_the_checklist_never_by_itself(pack: Pack) -> None:
    ready = ready_to_close()
    assert check_transition(pack, ready, "close", OPERATOR, NOW).allowed
    vip = dataclasses.replace(ready, client=dataclasses.replace(ready.client, category="VIP"))
    refused = check_transition(pack, vip, "close", OPERATOR, NOW)
    assert not refused.allowed and "C-07" in refused.rule_ids  # the verbal confirmation
    for moment in (NOW, NOW + dt.timedelta(days=30)):
        auto = check_transition(pack, vip, "auto_close", SYSTEM, moment)
        assert not auto.allowed and auto.rule_ids == ("C-10",)
        assert "C-07" in auto.reasons[0].detail


# -- errors and listings -------------------------------------------------------------------------


def test_an_action_outside_the_process_cites_the_process_rule(pack: Pack) -> None:
    verdict = check_transition(pack, ticket("csn", status="in_progress", stage="processing"),
                               "hold", OPERATOR, NOW)  # fmt: skip
    assert not verdict.allowed and verdict.rule_ids == ("B-02",)
    assert "не входит в процесс" in verdict.reasons[0].detail


def test_unknown_action_process_and_status_are_clear_errors(pack: Pack) -> None:
    with pytest.raises(EngineError, match="Неизвестное действие"):
        check_transition(pack, ticket("csn"), "explode", OPERATOR, NOW)
    with pytest.raises(EngineError, match="нет статуса «лимб»"):
        check_transition(pack, ticket("csn", status="лимб"), "take", OPERATOR, NOW)
    with pytest.raises(EngineError, match="Неизвестный процесс"):
        check_transition(pack, ticket("jira"), "take", OPERATOR, NOW)
    with pytest.raises(EngineError, match="не указан процесс"):
        check_transition(pack, ticket(""), "take", OPERATOR, NOW)
    with pytest.raises(EngineError, match="нет статуса"):  # «Анализ» is the portal's, not 001's
        check_transition(pack, ticket("call_request", status="analysis"), "close", OPERATOR, NOW)


def test_available_actions_are_the_process_actions_with_reasons(pack: Pack) -> None:
    verdicts = available_actions(pack, ticket("csn"), LEAD, NOW)
    by_action = {v.action: v for v in verdicts}
    assert set(by_action) == {t.action for t in pack.processes["csn"].transitions}
    assert by_action["take"].allowed and by_action["cancel"].allowed
    assert not by_action["resolve"].allowed and by_action["resolve"].reasons
    assert "hold" not in by_action and "close" not in by_action


@pytest.mark.parametrize(
    ("process", "cited"),
    [("portal", {"U-01", "P-01"}), ("helpdesk", {"U-01"}), ("csn", {"U-01"}),
     ("outage", {"U-01"})],
)  # fmt: skip
def test_u01_p01_take_cites_the_rules_of_the_tickets_own_process(
    pack: Pack, process: str, cited: set[str]
) -> None:
    """P-01 is the portal's (the client sees «В работе»); a helpdesk ticket taken by someone
    else is refused by U-01 alone, never by a rule of another document."""
    owned = ticket(process, owner=OTHER.login)
    verdict = check_transition(pack, owned, "take", OPERATOR, NOW)
    assert not verdict.allowed
    rules = {t.rule for t in verdict.reasons}
    assert rules == {"U-01"}
    transition = next(t for t in pack.process(process).transitions if t.action == "take")
    assert {r.id for r in transition.rules} == cited
