"""SLA deadlines per stage from a ticket's status history (B-05, B-06, P-02) and auto-close (B-03).

The history is replayed as segments [change, next change). A segment's working time counts as
*used* when the status's clock runs and as *paused* when it is paused (P-02), for the SLA stage
its lifecycle stage feeds. Time in a stage accumulates across re-entries (level 4 back to 3).
The due moment is where the budget runs out along the actual running segments, so after a pause
it is exactly the old due plus the paused working time.

`SlaEngine.evaluate_epochs` is the allocation-light core on epoch seconds, used by queue
recomputation and the benchmark; `SlaEngine.evaluate` wraps it into readable dataclasses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from opdesk.errors import EngineError
from opdesk.sla.calendar import WorkingCalendar, from_epoch, seconds_of, to_epoch
from opdesk.sla.plans import PERFORMER_STAGE, RULE_PLANS, PlanChoice, SlaSpec
from opdesk.sla.report import (
    BREACHED,
    MET,
    NOT_SET,
    NOT_STARTED,
    PAUSED,
    PAUSED_STATE,
    RUNNING,
    RUNS,
    STOPPED,
    UNCONTROLLED,
    AutoClose,
    SlaReport,
    StageSla,
    StatusChange,
)

# Limit codes inside the core: >= 0 working seconds; negatives are "no deadline".
_UNCONTROLLED = -1
_NOT_SET = -2
_CLOCKS = {RUNS: 0, PAUSED: 1, STOPPED: 2}

# (state, started_at or -1, used s, paused s, due_at or -1) per SLA stage, in spec order.
StageFigures = tuple[str, int, int, int, int]


class SlaEngine:
    """SLA arithmetic for one pack: plans, calendar and the clock of each status."""

    def __init__(self, spec: SlaSpec, calendar: WorkingCalendar, clocks: Mapping[str, str]) -> None:
        self.spec = spec
        self.calendar = calendar
        self._clock: dict[str, int] = {}
        for status, clock in clocks.items():
            if clock not in _CLOCKS:
                raise EngineError(
                    f"статус «{status}»: неизвестный режим часов «{clock}» (runs, paused, stopped)",
                    f"status {status!r}: unknown clock {clock!r} (runs, paused, stopped)",
                )
            self._clock[status] = _CLOCKS[clock]
        index = {s: i for i, s in enumerate(spec.stages)}
        self._stage: dict[str, int] = {lc: index[s] for lc, s in spec.lifecycle_stages.items()}
        self._stage.update((lc, -1) for lc in spec.untimed_lifecycle_stages)
        self._limits: dict[tuple[str, str | None], tuple[PlanChoice, tuple[int, ...]]] = {}

    # -- plan and limits (cached per category × priority) ---------------------------------
    def limits_for(
        self,
        category: str,
        priority: str | None,
        resolution_limit: dt.timedelta | None = None,
    ) -> tuple[PlanChoice, tuple[int, ...]]:
        """The plan choice (B-05) and per-stage limit codes in working seconds (B-06)."""
        cached = self._limits.get((category, priority))
        if cached is None:
            choice = self.spec.plan_for(category, priority)
            day = self.calendar.day_seconds
            codes: list[int] = []
            for s in self.spec.stages:
                if s in self.spec.uncontrolled_stages:
                    codes.append(_UNCONTROLLED)
                elif s == PERFORMER_STAGE and choice.category.resolution_set_by_performer:
                    codes.append(_NOT_SET)
                else:
                    codes.append(choice.plan.limits[s].seconds(day))
            cached = (choice, tuple(codes))
            self._limits[(category, priority)] = cached
        if resolution_limit is None:
            return cached
        choice, base = cached
        if not choice.category.resolution_set_by_performer:
            raise EngineError(
                f"{RULE_PLANS}: время решения устанавливает исполнитель только для категорий "
                f"с resolution_set_by_performer; у «{category}» оно задано планом",
                f"{RULE_PLANS}: a performer sets the resolution time only for categories with "
                f"resolution_set_by_performer; {category!r} takes it from the plan",
            )
        i = self.spec.stages.index(PERFORMER_STAGE)
        fixed = (*base[:i], seconds_of(resolution_limit), *base[i + 1 :])
        return choice, fixed

    def _unknown(self, what_ru: str, what_en: str, value: str, valid: Iterable[str]) -> EngineError:
        listed = ", ".join(valid)
        return EngineError(
            f"{what_ru} «{value}»; допустимы: {listed}",
            f"{what_en} {value!r}; valid: {listed}",
        )

    # -- the core on epoch seconds --------------------------------------------------------
    def evaluate_epochs(
        self,
        limits: Sequence[int],
        times: Sequence[int],
        statuses: Sequence[str],
        stages: Sequence[str],
        now: int,
    ) -> list[StageFigures]:
        """Replay a history given as parallel sequences (epoch seconds, status, stage)."""
        cal = self.calendar
        ordinal = cal.ordinal
        at_ordinal = cal.at_ordinal
        clock_of = self._clock
        stage_of = self._stage
        k = len(limits)
        started = [-1] * k
        used = [0] * k
        paused = [0] * k
        exhausted = [-1] * k
        breached = [False] * k
        cur_si = -1
        cur_clock = 2
        n = len(times)
        w_a = ordinal(times[0]) if n else 0
        for i in range(n):
            a = times[i]
            if a > now:
                break
            b = times[i + 1] if i + 1 < n else now
            if b > now:
                b = now
            if b < a:
                raise EngineError(
                    "история статусов не упорядочена по времени",
                    "the status history is not in time order",
                )
            w_b = ordinal(b)
            try:
                si = stage_of[stages[i]]
                c = clock_of[statuses[i]]
            except KeyError:
                raise self._bad_entry(statuses[i], stages[i]) from None
            cur_si = si
            cur_clock = c
            if si >= 0:
                if started[si] < 0:
                    started[si] = a
                w = w_b - w_a
                if c == 0:
                    lim = limits[si]
                    if lim >= 0:
                        if exhausted[si] < 0:
                            rem = lim - used[si]
                            if w >= rem:
                                e = at_ordinal(w_a + rem) if rem > 0 else a
                                exhausted[si] = e
                                if e < b:
                                    breached[si] = True
                        elif b > a:
                            breached[si] = True
                    used[si] += w
                elif c == 1:
                    paused[si] += w
            w_a = w_b

        out: list[StageFigures] = []
        for si in range(k):
            lim = limits[si]
            due = -1
            if lim == _UNCONTROLLED:
                state = UNCONTROLLED
            elif lim == _NOT_SET:
                state = NOT_SET
            elif started[si] < 0:
                state = NOT_STARTED
            elif breached[si]:
                state = BREACHED
                due = exhausted[si]
            elif si == cur_si and cur_clock == 0:
                state = RUNNING
                due = exhausted[si]
                if due < 0:
                    due = at_ordinal(ordinal(now) + lim - used[si])
            elif si == cur_si and cur_clock == 1:
                state = PAUSED_STATE
            else:
                state = MET
                due = exhausted[si]
            out.append((state, started[si], used[si], paused[si], due))
        return out

    def _bad_entry(self, status: str, stage: str) -> EngineError:
        if stage not in self._stage:
            return self._unknown(
                "неизвестная стадия жизненного цикла", "unknown lifecycle stage", stage, self._stage
            )
        return self._unknown(
            "статус без режима часов SLA", "status without an SLA clock", status, self._clock
        )

    # -- the readable API -----------------------------------------------------------------
    def evaluate(
        self,
        history: Sequence[StatusChange],
        category: str,
        priority: str | None,
        now: dt.datetime,
        resolution_limit: dt.timedelta | None = None,
    ) -> SlaReport:
        """Per-stage SLA state of a ticket at `now` (B-05 plan, B-06 limits, P-02 pauses)."""
        choice, limits = self.limits_for(category, priority, resolution_limit)
        figures = self.evaluate_epochs(
            limits,
            [to_epoch(c.at) for c in history],
            [c.status for c in history],
            [c.stage for c in history],
            to_epoch(now),
        )
        last = next((c for c in reversed(history) if c.at <= now), None)
        current = last.status if last is not None else None
        cur_sla = self._stage.get(last.stage, -1) if last is not None else -1
        spec = self.spec
        tz = self.calendar.tz
        stages = []
        for si, (state, started, used, paused, due) in enumerate(figures):
            key = spec.stages[si]
            lim = limits[si]
            limit: dt.timedelta | None
            if lim >= 0:
                limit = dt.timedelta(seconds=lim)
            elif lim == _UNCONTROLLED:
                limit = dt.timedelta(
                    seconds=choice.plan.limits[key].seconds(self.calendar.day_seconds)
                )
            else:
                limit = None
            percent = used * 100 / lim if lim > 0 else None
            active = state in (RUNNING, PAUSED_STATE)
            stages.append(
                StageSla(
                    stage=key,
                    name=spec.stage_names[key],
                    plan_name=choice.plan.name,
                    state=state,
                    limit=limit,
                    started_at=from_epoch(started) if started >= 0 else None,
                    used=dt.timedelta(seconds=used),
                    paused_time=dt.timedelta(seconds=paused),
                    due_at=from_epoch(due) if due >= 0 else None,
                    paused=state == PAUSED_STATE,
                    remaining=dt.timedelta(seconds=max(lim - used, 0)) if lim >= 0 else None,
                    percent=percent,
                    at_risk=active and percent is not None and percent >= spec.at_risk_percent,
                    status=current if si == cur_sla else None,
                    tz=tz,
                )
            )
        return SlaReport(choice, now, tuple(stages))


def compute_deadlines(
    spec: SlaSpec,
    calendar: WorkingCalendar,
    history: Sequence[StatusChange],
    clocks: Mapping[str, str],
    category: str,
    priority: str | None,
    now: dt.datetime,
    resolution_limit: dt.timedelta | None = None,
) -> SlaReport:
    """One-shot form of `SlaEngine.evaluate`; build an SlaEngine once for many tickets."""
    return SlaEngine(spec, calendar, clocks).evaluate(
        history, category, priority, now, resolution_limit
    )


def auto_close_at(
    calendar: WorkingCalendar,
    resolved_at: dt.datetime,
    working_days: int,
    rule: str = "B-03",
) -> AutoClose:
    """When a resolved ticket with no client reaction closes itself (B-03: 2 days; P-07: 3).

    The pack's parameter picks the number of days; `rule` names the regulation it follows.
    """
    at = calendar.add_working_days(resolved_at, working_days)
    local = "%d.%m.%Y %H:%M"
    res = resolved_at.astimezone(calendar.tz).strftime(local)
    when = at.astimezone(calendar.tz).strftime(local)
    return AutoClose(
        at,
        f"{rule}: решено {res}; без реакции клиента {working_days} раб. дн. — "
        f"автоматическое закрытие {when}",
        f"{rule}: resolved {res}; no client reaction for {working_days} working days — "
        f"closes automatically at {when}",
    )
