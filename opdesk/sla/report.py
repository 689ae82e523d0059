"""What the SLA engine returns: per-stage figures and the reason in words.

Reasons are built lazily (a property), because a desk recomputes SLA state for every ticket but
reads the explanation for only the few a person looks at.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from opdesk.sla.plans import PlanChoice

# Clock of a status (the statuses section of the pack says which).
RUNS = "runs"
PAUSED = "paused"
STOPPED = "stopped"

# State of an SLA stage.
NOT_STARTED = "not_started"
RUNNING = "running"
PAUSED_STATE = "paused"
MET = "met"
BREACHED = "breached"
UNCONTROLLED = "uncontrolled"
NOT_SET = "not_set"

RULE_PAUSE = "P-02"
RULE_PLANS = "B-06"


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One entry of a ticket's status history: from `at` on, the ticket is in status/stage."""

    at: dt.datetime
    status: str
    stage: str  # B-02 lifecycle stage: classification, processing, ..., closed


@dataclass(frozen=True, slots=True)
class StageSla:
    """SLA figures of one stage at the moment `now` of the report."""

    stage: str
    name: str
    plan_name: str
    state: str
    limit: dt.timedelta | None
    started_at: dt.datetime | None
    used: dt.timedelta  # working time with the clock running
    paused_time: dt.timedelta  # working time spent with the clock paused (P-02)
    due_at: dt.datetime | None
    paused: bool
    remaining: dt.timedelta | None
    percent: float | None
    at_risk: bool
    status: str | None  # the ticket's status when this is its current stage
    tz: dt.tzinfo

    @property
    def breached(self) -> bool:
        return self.state == BREACHED

    @property
    def reason(self) -> str:
        """Why the stage is in its state, in Russian, with the rule IDs."""
        head = f"{RULE_PLANS}: план «{self.plan_name}», этап «{self.name}»"
        used = f"израсходовано {fmt_work(self.used)}"
        if self.percent is not None:
            used += f" ({self.percent:.0f}%)"
        pause = (
            f"; на паузе ({RULE_PAUSE}) {fmt_work(self.paused_time)}" if self.paused_time else ""
        )
        limit = fmt_work(self.limit) if self.limit is not None else "—"
        if self.state == UNCONTROLLED:
            return (
                f"{head}: время не контролируется (ориентир {limit} рабочего времени); "
                f"прошло {fmt_work(self.used)}"
            )
        if self.state == NOT_SET:
            return f"{head}: время решения устанавливает исполнитель; срок ещё не задан"
        if self.state == NOT_STARTED:
            return f"{head}: норматив {limit} рабочего времени 8/5; этап ещё не начат"
        if self.state == PAUSED_STATE:
            left = fmt_work(self.remaining) if self.remaining is not None else "—"
            return (
                f"{RULE_PAUSE}: в статусе «{self.status}» часы SLA на паузе до ответа клиента; "
                f"{head}: норматив {limit}, {used}, осталось {left}{pause}; "
                "срок сдвинется на рабочее время паузы"
            )
        due = self.fmt_moment(self.due_at)
        if self.state == BREACHED:
            return f"{head}: срок {due} нарушен; норматив {limit}, {used}{pause}"
        if self.state == MET:
            return f"{head}: этап завершён в срок; норматив {limit}, {used}{pause}"
        risk = "; под угрозой нарушения" if self.at_risk else ""
        return f"{head}: норматив {limit} рабочего времени 8/5, {used}{pause}; срок {due}{risk}"

    def fmt_moment(self, moment: dt.datetime | None) -> str:
        if moment is None:
            return "—"
        return moment.astimezone(self.tz).strftime("%d.%m.%Y %H:%M")


@dataclass(frozen=True, slots=True)
class SlaReport:
    """All SLA stages of one ticket at `now`, with the plan choice (B-05) behind them."""

    choice: PlanChoice
    now: dt.datetime
    stages: tuple[StageSla, ...]

    def stage(self, key: str) -> StageSla:
        for s in self.stages:
            if s.stage == key:
                return s
        raise KeyError(key)

    @property
    def reason(self) -> str:
        return self.choice.reason_ru

    @property
    def breached(self) -> bool:
        return any(s.state == BREACHED for s in self.stages)

    @property
    def at_risk(self) -> bool:
        return any(s.at_risk for s in self.stages)


@dataclass(frozen=True, slots=True)
class AutoClose:
    """When a resolved ticket closes by itself (B-03 / P-07), and why."""

    at: dt.datetime
    reason_ru: str
    reason_en: str

    @property
    def reason(self) -> str:
        return self.reason_ru


def fmt_work(delta: dt.timedelta) -> str:
    """Working time as «3 ч 05 мин» (working time is never shown in calendar days)."""
    minutes = int(delta.total_seconds()) // 60
    h, m = divmod(minutes, 60)
    if h and m:
        return f"{h} ч {m:02d} мин"
    return f"{h} ч" if h else f"{m} мин"
