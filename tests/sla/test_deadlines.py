"""Per-stage SLA deadlines from a status history: B-06 limits, P-02 pauses, B-05 plan choice."""

from __future__ import annotations

import datetime as dt

import pytest

from opdesk.errors import EngineError
from opdesk.sla import SlaEngine, StatusChange, WorkingCalendar, compute_deadlines
from tests.sla.helpers import CLOCKS, default_calendar, default_sla, msk

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)
CONSULT = "Вопрос / консультация по проекту"  # Обычный → Стандартная техподдержка: 1h/4h/5d/60d
HOSTING = "Проблемы с хостингом"  # Критичный → Ликвидация аварий: 15m/1h/1d/3d
FEATURE = "Запрос на новый функционал"
WAIT = "Ожидает ответа клиента"


def ch(at: dt.datetime, status: str, stage: str) -> StatusChange:
    return StatusChange(at, status, stage)


def test_b06_friday_1730_ticket_with_1h_reaction_is_due_monday_0930(engine: SlaEngine) -> None:
    history = [ch(msk(2026, 11, 20, 17, 30), "Новая", "classification")]
    report = engine.evaluate(history, CONSULT, "Обычный", now=msk(2026, 11, 20, 17, 45))
    reaction = report.stage("reaction")
    assert reaction.state == "running"
    assert reaction.limit == H
    assert reaction.due_at == msk(2026, 11, 23, 9, 30)
    assert reaction.used == 15 * M and reaction.percent == 25.0 and not reaction.at_risk
    assert reaction.reason.startswith("B-06") and "23.11.2026 09:30" in reaction.reason
    assert report.reason.startswith("B-05") and "Стандартная техподдержка" in report.reason
    assert report.stage("processing").state == "not_started"
    assert report.stage("wait").state == "uncontrolled"


def test_p02_pause_shifts_due_exactly_by_paused_working_time(
    engine: SlaEngine, cal: WorkingCalendar
) -> None:
    start = [
        ch(msk(2026, 11, 16, 9), "Новая", "classification"),
        ch(msk(2026, 11, 16, 9, 10), "В работе", "processing"),  # 4 h processing budget
    ]
    before = engine.evaluate(start, CONSULT, None, now=msk(2026, 11, 16, 10)).stage("processing")
    assert before.due_at == msk(2026, 11, 16, 14, 10)  # 9:10 + 4 h, lunch 13–14

    paused = [*start, ch(msk(2026, 11, 16, 11, 30), WAIT, "processing")]
    during = engine.evaluate(paused, CONSULT, None, now=msk(2026, 11, 17, 12))
    p = during.stage("processing")
    assert p.state == "paused" and p.paused and p.due_at is None
    assert p.remaining == 4 * H - (2 * H + 20 * M)
    assert p.reason.startswith("P-02") and WAIT in p.reason

    resume_at = msk(2026, 11, 17, 15, 20)
    resumed = [*paused, ch(resume_at, "В работе", "processing")]
    after = engine.evaluate(resumed, CONSULT, None, now=resume_at).stage("processing")
    w = cal.working_time_between(msk(2026, 11, 16, 11, 30), resume_at)
    assert after.paused_time == w == 5 * H + 30 * M + 5 * H + 20 * M
    assert after.due_at == cal.add_working(before.due_at, w)
    assert after.due_at == msk(2026, 11, 17, 17, 0)
    assert after.state == "running" and after.used == 2 * H + 20 * M


def test_b06_stage_time_accumulates_when_level_4_returns_to_level_3(engine: SlaEngine) -> None:
    history = [
        ch(msk(2026, 11, 16, 9), "Новая", "classification"),
        ch(msk(2026, 11, 16, 9, 5), "В работе", "processing"),
        ch(msk(2026, 11, 16, 9, 30), "Эскалировано", "resolution"),  # 1 day budget (incident)
        ch(msk(2026, 11, 16, 12), "Эскалировано", "vendor"),
        ch(msk(2026, 11, 18, 10), "В работе", "resolution"),
    ]
    report = engine.evaluate(history, HOSTING, "Критичный", now=msk(2026, 11, 18, 11))
    res = report.stage("resolution")
    assert res.used == 2 * H + 30 * M + 1 * H
    assert res.started_at == msk(2026, 11, 16, 9, 30)
    # Remaining 4h30 from 18.11 11:00 → 16:30 (lunch 13–14).
    assert res.due_at == msk(2026, 11, 18, 16, 30) and res.state == "running"
    wait = report.stage("wait")
    assert wait.state == "uncontrolled" and wait.due_at is None
    assert wait.used == 5 * H + 8 * H + H  # 16.11 12:00 → 18.11 10:00, lunch excluded
    assert "не контролируется" in wait.reason and wait.reason.startswith("B-06")
    reaction = report.stage("reaction")
    assert reaction.state == "met" and reaction.used == 5 * M
    assert "в срок" in reaction.reason


def test_b06_breached_when_the_budget_ran_out_while_running(engine: SlaEngine) -> None:
    history = [ch(msk(2026, 11, 16, 9), "Новая", "classification")]
    report = engine.evaluate(history, HOSTING, "Критичный", now=msk(2026, 11, 16, 9, 40))
    reaction = report.stage("reaction")
    assert reaction.state == "breached" and reaction.breached and not reaction.at_risk
    assert reaction.due_at == msk(2026, 11, 16, 9, 15)
    assert reaction.percent is not None and reaction.percent > 100
    assert "нарушен" in reaction.reason and reaction.reason.startswith("B-06")
    assert report.breached


def test_b06_stage_left_in_the_evening_after_an_18_00_deadline_is_breached(
    engine: SlaEngine,
) -> None:
    # Reaction 1 h from Friday 17:00 is due 18:00; classified on Saturday: too late.
    history = [
        ch(msk(2026, 11, 20, 17), "Новая", "classification"),
        ch(msk(2026, 11, 21, 10), "В работе", "processing"),
    ]
    report = engine.evaluate(history, CONSULT, "Обычный", now=msk(2026, 11, 21, 11))
    assert report.stage("reaction").state == "breached"
    assert report.stage("reaction").used == H
    on_time = [history[0], ch(msk(2026, 11, 20, 18), "В работе", "processing")]
    report = engine.evaluate(on_time, CONSULT, "Обычный", now=msk(2026, 11, 21, 11))
    assert report.stage("reaction").state == "met"


def test_b06_at_risk_from_80_percent(engine: SlaEngine) -> None:
    history = [ch(msk(2026, 11, 16, 9), "Новая", "classification")]
    r = engine.evaluate(history, CONSULT, "Обычный", now=msk(2026, 11, 16, 9, 48)).stage("reaction")
    assert r.percent == 80.0 and r.at_risk and r.state == "running"
    assert "под угрозой" in r.reason


def test_b06_new_feature_resolution_is_set_by_the_performer(engine: SlaEngine) -> None:
    history = [
        ch(msk(2026, 11, 16, 9), "Новая", "classification"),
        ch(msk(2026, 11, 16, 10), "В работе", "processing"),
        ch(msk(2026, 11, 16, 11), "В работе", "resolution"),
    ]
    now = msk(2026, 11, 16, 12)
    unset = engine.evaluate(history, FEATURE, "Срочный", now=now).stage("resolution")
    assert unset.state == "not_set" and unset.due_at is None and unset.limit is None
    assert unset.used == H and "устанавливает исполнитель" in unset.reason
    assert unset.reason.startswith("B-06")
    set_ = engine.evaluate(history, FEATURE, "Срочный", now=now, resolution_limit=3 * H)
    res = set_.stage("resolution")
    assert res.limit == 3 * H and res.due_at == msk(2026, 11, 16, 15) and res.state == "running"
    with pytest.raises(EngineError) as e:
        engine.evaluate(history, CONSULT, "Срочный", now=now, resolution_limit=3 * H)
    assert e.value.message_ru.startswith("B-06")


def test_p02_paused_time_does_not_count_and_unknown_status_is_refused() -> None:
    history = [
        ch(msk(2026, 11, 16, 9), "Новая", "classification"),
        ch(msk(2026, 11, 16, 9, 10), WAIT, "classification"),
    ]
    report = compute_deadlines(
        default_sla(),
        default_calendar(),
        history,
        CLOCKS,
        CONSULT,
        "Обычный",
        now=msk(2026, 11, 19, 9),
    )
    r = report.stage("reaction")
    assert r.used == 10 * M and r.paused_time == 3 * 8 * H - 10 * M and r.state == "paused"
    assert r.remaining == 50 * M and r.reason.startswith("P-02")
    with pytest.raises(EngineError) as e:
        compute_deadlines(
            default_sla(),
            default_calendar(),
            [ch(msk(2026, 11, 16, 9), "Мечтает", "processing")],
            CLOCKS,
            CONSULT,
            "Обычный",
            now=msk(2026, 11, 16, 10),
        )
    assert "«Мечтает»" in e.value.message_ru and "Новая" in e.value.message_ru


def test_b06_resolved_ticket_stops_every_clock(engine: SlaEngine) -> None:
    history = [
        ch(msk(2026, 11, 16, 9), "Новая", "classification"),
        ch(msk(2026, 11, 16, 9, 20), "Выполнена", "resolved"),
    ]
    report = engine.evaluate(history, CONSULT, "Обычный", now=msk(2026, 12, 16, 9))
    assert report.stage("reaction").state == "met"
    assert report.stage("reaction").used == 20 * M
    assert not report.breached and not report.at_risk
