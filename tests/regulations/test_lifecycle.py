"""Lifecycle (B-02, P-01…P-09, U-01, U-02, U-05, S-09, B-01, B-04, U-04): decisions and reasons."""

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
from opdesk.regulations.snapshot import CommentSnap, OutgoingSnap, TicketSnapshot
from tests.regulations.tickets import (
    CLIENT,
    OPERATOR,
    OTHER,
    SYSTEM,
    msk,
    ready_to_close,
)

NOW = msk(2026, 11, 17, 11, 0)  # a Tuesday


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_default_pack()


def open_ticket(**changes: object) -> TicketSnapshot:
    base = TicketSnapshot(
        number="СЗ-2002",
        created_at=msk(2026, 11, 17, 9, 30),
        status="new",
        stage="classification",
        category="Ошибка поведения или интерфейса",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_b01_intake_queues_for_line_one_round_the_clock(pack: Pack) -> None:
    night = msk(2026, 11, 22, 3, 17)  # Sunday, 03:17: intake does not wait for working hours
    result = intake(pack, night)
    assert (result.status, result.stage, result.queue) == ("new", "classification", "Первая линия")
    assert result.created_at == night
    assert set(result.effects) == {
        "notify_creator_email",
        "publish_client_cabinet",
        "publish_group_news",
    }
    assert result.reasons[0].rule == "B-01"


def test_u04_priority_defaults_to_medium_normal(pack: Pack) -> None:
    result = intake(pack, NOW)
    assert result.priority == "Обычный"
    assert "U-04" in [r.rule for r in result.reasons]
    assert intake(pack, NOW, "Средний").priority == "Обычный"  # U-04's word for it
    assert intake(pack, NOW, "Критичный").priority == "Критичный"
    with pytest.raises(EngineError, match="Высший"):
        intake(pack, NOW, "Высший")


def test_u01_take_sets_owner_and_one_owner_at_a_time(pack: Pack) -> None:
    ticket = open_ticket()
    verdict = check_transition(pack, ticket, "take", OPERATOR, NOW)
    assert verdict.allowed
    assert (verdict.to_status, verdict.to_stage) == ("in_progress", "processing")
    assert "set_owner" in verdict.effects and "U-01" in verdict.rule_ids
    owned = open_ticket(owner="ivanova")
    refused = check_transition(pack, owned, "take", OTHER, NOW)
    assert not refused.allowed and refused.rule_ids == ("U-01",)
    assert "владелец" in refused.reasons[0].detail
    assert check_transition(pack, owned, "take", OPERATOR, NOW).allowed


def test_p01_in_progress_from_take_and_back_to_work(pack: Pack) -> None:
    verdict = check_transition(pack, open_ticket(), "take", OPERATOR, NOW)
    assert verdict.to_status == "in_progress" and "P-01" in verdict.rule_ids
    waiting = open_ticket(status="waiting_client", stage="processing", owner="ivanova")
    back = check_transition(pack, waiting, "set_in_progress", OPERATOR, NOW)
    assert back.allowed and back.to_stage == "processing" and back.rule_ids == ("P-01",)


def test_b02_level_one_cancels_or_escalates_but_does_not_resolve(pack: Pack) -> None:
    new = open_ticket()
    assert check_transition(pack, new, "cancel", OPERATOR, NOW).allowed
    resolve = check_transition(pack, new, "resolve", OPERATOR, NOW)
    assert not resolve.allowed and "B-02" in resolve.rule_ids
    assert "Классификация" in resolve.reasons[0].detail
    esc = check_transition(pack, new, "escalate", OPERATOR, NOW, {"reason": "new_circumstances"})
    assert esc.allowed and esc.to_stage == "processing"


def test_b02_levels_two_three_resolve_or_escalate_four_returns_to_three(pack: Pack) -> None:
    args = {"reason": "dissatisfied_progress"}
    level2 = open_ticket(status="in_progress", stage="processing", owner="ivanova")
    assert check_transition(pack, level2, "escalate", OPERATOR, NOW, args).to_stage == "resolution"
    assert check_transition(pack, level2, "resolve", OPERATOR, NOW).to_stage == "resolved"
    level3 = dataclasses.replace(level2, stage="resolution")
    assert check_transition(pack, level3, "escalate", OPERATOR, NOW, args).to_stage == "vendor"
    level4 = dataclasses.replace(level2, stage="vendor")
    no_more = check_transition(pack, level4, "escalate", OPERATOR, NOW, args)
    assert not no_more.allowed and "B-02" in no_more.rule_ids
    back = check_transition(pack, level4, "return_to_resolution", OPERATOR, NOW)
    assert back.allowed and back.to_stage == "resolution"
    assert check_transition(pack, level4, "resolve", OPERATOR, NOW).allowed
    cancel = check_transition(pack, level2, "cancel", OPERATOR, NOW)
    assert not cancel.allowed and "B-02" in cancel.rule_ids


def test_b02_reopened_comes_from_resolved_and_goes_to_resolved(pack: Pack) -> None:
    resolved = ready_to_close()
    reopen = check_transition(pack, resolved, "reopen", CLIENT, NOW)
    assert reopen.allowed and (reopen.to_status, reopen.to_stage) == ("reopened", "reopened")
    reopened = ready_to_close(status="reopened", stage="reopened")
    assert check_transition(pack, reopened, "resolve", OPERATOR, NOW).to_status == "resolved"
    assert check_transition(pack, reopened, "client_close", CLIENT, NOW).allowed


def test_p02_waiting_for_client_pauses_the_clock(pack: Pack) -> None:
    ticket = open_ticket(status="in_progress", stage="processing")
    verdict = check_transition(pack, ticket, "wait_client", OPERATOR, NOW)
    assert verdict.allowed and verdict.to_status == "waiting_client"
    assert verdict.to_stage == "processing"  # the working level is kept
    assert pack.statuses["waiting_client"].clock == "paused"
    assert "P-02" in verdict.rule_ids


def test_p03_postponed_keeps_clock_running(pack: Pack) -> None:
    ticket = open_ticket(status="in_progress", stage="resolution")
    verdict = check_transition(pack, ticket, "postpone", OPERATOR, NOW)
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
    ticket = open_ticket(status="in_progress", stage="processing")
    verdict = check_transition(pack, ticket, "escalate", OPERATOR, NOW, args)
    assert not verdict.allowed
    assert set(verdict.rule_ids) == {"P-04"}
    assert fragment in " ".join(r.detail for r in verdict.reasons)


def test_p04_escalation_with_valid_reason(pack: Pack) -> None:
    ticket = open_ticket(status="in_progress", stage="processing")
    ok = check_transition(
        pack, ticket, "escalate", OPERATOR, NOW, {"reason": "other_weighty", "comment": "Нет связи"}
    )
    assert ok.allowed and ok.to_status == "escalated" and "P-04" in ok.rule_ids


def test_p05_analysis(pack: Pack) -> None:
    ticket = open_ticket(status="escalated", stage="resolution")
    verdict = check_transition(pack, ticket, "analyse", OPERATOR, NOW)
    assert verdict.allowed and verdict.to_status == "analysis" and verdict.rule_ids == ("P-05",)


def test_p06_cancel_closes_the_ticket(pack: Pack) -> None:
    verdict = check_transition(pack, open_ticket(), "cancel", CLIENT, NOW)
    assert verdict.allowed and verdict.to_status == "cancelled" and verdict.to_stage == "closed"
    assert "P-06" in verdict.rule_ids
    cancelled = open_ticket(status="cancelled", stage="closed", closed_at=NOW)
    reopen = check_transition(pack, cancelled, "reopen", CLIENT, NOW)
    assert not reopen.allowed


def test_p07_auto_close_after_working_days_without_client_reaction(pack: Pack) -> None:
    resolved = ready_to_close()  # resolved Wed 2026-11-18 15:00
    days = pack.parameters.auto_close_working_days
    too_early = check_transition(pack, resolved, "auto_close", SYSTEM, msk(2026, 11, 20, 12))
    assert not too_early.allowed and too_early.rule_ids == ("B-03",)
    assert f"{days} раб. дн." in too_early.reasons[0].detail
    due = pack.calendar.add_working_days(resolved.history[-1].at, days)
    verdict = check_transition(pack, resolved, "auto_close", SYSTEM, due)
    assert verdict.allowed and verdict.to_status == "closed" and "P-07" in verdict.rule_ids
    replied = dataclasses.replace(
        resolved, comments=(CommentSnap(kind="client_reply", text="Ещё не работает", at=due),)
    )
    late = due + dt.timedelta(days=3)
    answered = check_transition(pack, replied, "auto_close", SYSTEM, late)
    assert not answered.allowed and "ответил" in answered.reasons[0].detail


def test_p08_auto_closed_ticket_is_never_reopened(pack: Pack) -> None:
    auto = ready_to_close(status="closed", stage="closed", closed_at=NOW, closed_via="auto_close")
    verdict = check_transition(pack, auto, "reopen", CLIENT, NOW + dt.timedelta(minutes=1))
    assert not verdict.allowed and verdict.rule_ids[0] == "P-08"
    assert "новое обращение" in verdict.reasons[0].detail


def test_s09_closed_reopen_and_edit_only_within_five_minutes(pack: Pack) -> None:
    closed = ready_to_close(status="closed", stage="closed", closed_at=NOW, closed_via="close")
    inside = NOW + dt.timedelta(minutes=5)
    outside = NOW + dt.timedelta(minutes=5, seconds=1)
    assert check_transition(pack, closed, "reopen", OPERATOR, inside).allowed
    late = check_transition(pack, closed, "reopen", OPERATOR, outside)
    assert not late.allowed and late.rule_ids == ("S-09",)
    assert "5 мин" in late.reasons[0].detail
    assert can_edit(pack, closed, inside).allowed
    refused = can_edit(pack, closed, outside)
    assert not refused.allowed and refused.rule_ids == ("S-09",)
    assert can_edit(pack, open_ticket(), outside).allowed


def test_s09_closed_status_is_named_closed_by_end_of_dialogue(pack: Pack) -> None:
    from opdesk.regulations.statuses import find_status

    assert find_status(pack.statuses, "Закрыт по окончанию диалога").id == "closed"


def test_p09_do_not_notify_suppresses_client_notifications(pack: Pack) -> None:
    ticket = open_ticket(status="in_progress", stage="processing")
    assert "notify_client" in check_transition(pack, ticket, "wait_client", OPERATOR, NOW).effects
    quiet = dataclasses.replace(ticket, notify_client=False)
    verdict = check_transition(pack, quiet, "wait_client", OPERATOR, NOW)
    assert verdict.allowed and "notify_client" not in verdict.effects
    assert [r.rule for r in verdict.suppressed] == ["P-09"]


def test_p09_client_allows_closing_by_button_or_comment(pack: Pack) -> None:
    resolved = ready_to_close()
    refused = check_transition(pack, resolved, "client_close", OPERATOR, NOW)
    assert not refused.allowed and refused.rule_ids == ("P-09",)
    by_comment = dataclasses.replace(
        resolved,
        comments=(CommentSnap(kind="client_reply", text="Вопрос исчерпан, прошу закрыть"),),
    )
    assert check_transition(pack, by_comment, "client_close", OPERATOR, NOW).allowed
    by_button = dataclasses.replace(resolved, client_allows_closing=True)
    assert check_transition(pack, by_button, "client_close", OPERATOR, NOW).allowed


def test_b04_close_closes_linked_tasks_for_billing(pack: Pack) -> None:
    verdict = check_transition(pack, ready_to_close(), "close", OPERATOR, NOW)
    assert verdict.allowed and "close_linked_tasks" in verdict.effects
    assert "B-04" in verdict.rule_ids
    assert ready_to_close().closure.time_spent_minutes == 90


def test_u02_reply_needs_related_tickets_and_history_reviewed(pack: Pack) -> None:
    ticket = open_ticket(status="in_progress", stage="processing")
    refused = check_transition(pack, ticket, "reply", OPERATOR, NOW)
    assert not refused.allowed and refused.rule_ids == ("U-02",)
    ok = check_transition(pack, ticket, "reply", OPERATOR, NOW, {"history_reviewed": True})
    assert ok.allowed and ok.to_status == "in_progress"


def test_u05_statuses_done_waiting_on_hold_keep(pack: Pack) -> None:
    ticket = open_ticket(status="in_progress", stage="processing", owner="ivanova")
    done = check_transition(pack, ticket, "resolve", OPERATOR, NOW)
    assert done.allowed and "send_survey" in done.effects and "U-05" in done.rule_ids
    waiting = check_transition(pack, ticket, "wait_client", OPERATOR, NOW)
    assert waiting.to_status == "waiting_client"
    from opdesk.regulations.statuses import find_status

    assert find_status(pack.statuses, "В ожидании").id == "waiting_client"
    hold = check_transition(pack, ticket, "hold", OPERATOR, NOW)
    assert not hold.allowed and hold.rule_ids == ("U-05",)
    with_request = dataclasses.replace(
        ticket, outgoing=(OutgoingSnap("Технический отдел", sent_at=NOW),)
    )
    assert check_transition(pack, with_request, "hold", OPERATOR, NOW).to_status == "on_hold"
    waiting_ticket = dataclasses.replace(ticket, status="waiting_client")
    keep = keep_status_choice(pack, waiting_ticket)
    assert keep.to_status == "waiting_client" and keep.rule_ids == ("U-05",)


def test_unknown_action_and_status_are_clear_errors(pack: Pack) -> None:
    with pytest.raises(EngineError, match="Неизвестное действие"):
        check_transition(pack, open_ticket(), "explode", OPERATOR, NOW)
    with pytest.raises(EngineError, match="Неизвестный статус"):
        check_transition(pack, open_ticket(status="лимб"), "take", OPERATOR, NOW)


def test_available_actions_lists_every_action_with_reasons(pack: Pack) -> None:
    verdicts = available_actions(pack, open_ticket(), OPERATOR, NOW)
    by_action = {v.action: v for v in verdicts}
    assert by_action["take"].allowed and by_action["cancel"].allowed
    assert not by_action["close"].allowed and by_action["close"].reasons
