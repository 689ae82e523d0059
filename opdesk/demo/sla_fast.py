"""The ticket SLA columns on epoch seconds, for bulk writers (demo generator, import).

`opdesk.services.sla_columns.apply_sla` is the definition: it rewrites an ORM ticket's SLA
columns from its history through `SlaEngine.evaluate` — only where the ticket's process has
SLA plans (004), all empty elsewhere — and sets the moment its process auto-closes the current
status (B-03, P-07). A million tickets cannot afford its readable dataclasses, so this module
computes the *same* values through the allocation-light `SlaEngine.evaluate_epochs` core and
returns plain epoch seconds (-1 for "no moment"). tests/demo/test_demo.py checks the two agree
on a sample of generated tickets of every process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from opdesk.regulations.pack import Pack
from opdesk.regulations.processes import Process
from opdesk.sla.calendar import from_epoch, seconds_of, to_epoch
from opdesk.sla.report import BREACHED, PAUSED_STATE, RUNNING

NONE = -1
TIMED_STAGES = ("reaction", "processing", "resolution")  # the stages with their own column


class SlaColumns(NamedTuple):
    plan: str  # the plan's name, as apply_sla writes it
    stage: str
    due_at: int
    risk_at: int
    paused: bool
    breached: bool
    paused_seconds: int
    reaction_due_at: int
    processing_due_at: int
    resolution_due_at: int
    auto_close_at: int


class FastSla:
    """Per-pack caches (limits per category × priority, stage indexes) for many tickets."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.engine = pack.sla_engine
        spec = pack.sla
        self.stages = spec.stages
        self.index = {lc: spec.stages.index(s) for lc, s in spec.lifecycle_stages.items()}
        self.columns = tuple(spec.stages.index(s) for s in TIMED_STAGES)
        self.percent = spec.at_risk_percent / 100
        self.plan_limits = {
            key: tuple(plan.limits[s].seconds(pack.calendar.day_seconds) for s in spec.stages)
            for key, plan in spec.plans.items()
        }

    def add_working_days(self, t: int, days: int) -> int:
        """B-03 / P-07 on epochs: the same local time on the `days`-th working day after."""
        return to_epoch(self.pack.calendar.add_working_days(from_epoch(t), days))

    def auto_close_at(self, process: Process, times: Sequence[int], statuses: Sequence[str]) -> int:
        """`lifecycle_checks.auto_close_due` on epochs: when the current status, last entered
        at, closes by itself in this process (NONE: it never does)."""
        status = statuses[-1]
        rule = process.auto_close_for(status)
        if rule is None:
            return NONE
        entered, previous = NONE, ""
        for t, s in zip(times, statuses, strict=True):
            if s == status and previous != status:
                entered = t
            previous = s
        return self.add_working_days(entered, rule.working_days)

    def columns_for(
        self,
        process: Process,
        category: str,
        priority: str,
        resolution_limit_minutes: int | None,
        times: Sequence[int],
        statuses: Sequence[str],
        stages: Sequence[str],
        now: int,
    ) -> SlaColumns:
        """The SLA columns of one ticket from its status history (epoch seconds) at `now`."""
        auto_close = self.auto_close_at(process, times, statuses)
        if not process.sla_plans:
            return SlaColumns("", "", NONE, NONE, False, False, 0, NONE, NONE, NONE, auto_close)
        limit = (
            dt.timedelta(minutes=resolution_limit_minutes)
            if resolution_limit_minutes is not None
            else None
        )
        choice, limits = self.engine.limits_for(category, priority, limit)
        figures = self.engine.evaluate_epochs(limits, times, statuses, stages, now)
        cur = -1
        last_stage = ""
        for i in range(len(times) - 1, -1, -1):
            if times[i] <= now:
                last_stage = stages[i]
                cur = self.index.get(last_stage, -1)
                break
        breached = False
        paused_total = 0
        for si, fig in enumerate(figures):
            paused_total += fig[3]
            if si != cur and fig[0] == BREACHED:
                breached = True
        dues = [fig[4] if fig[4] >= 0 else NONE for fig in figures]
        stage, due, risk, paused = "", NONE, NONE, False
        if cur >= 0 and figures[cur][0] in (RUNNING, PAUSED_STATE, BREACHED):
            state, _started, used, _p, due = figures[cur]
            stage = self.stages[cur]
            paused = state == PAUSED_STATE
            lim = limits[cur]
            if lim < 0 and lim == -1:  # uncontrolled: apply_sla still reads the plan's limit
                lim = self.plan_limits[choice.plan.key][cur]
            risk = self._risk(lim if lim >= 0 else None, used, now, due)
        c = self.columns
        return SlaColumns(
            choice.plan.name,
            stage,
            due,
            risk,
            paused,
            breached,
            paused_total,
            dues[c[0]],
            dues[c[1]],
            dues[c[2]],
            auto_close,
        )

    def _risk(self, limit: int | None, used: int, now: int, due: int) -> int:
        """apply_sla's `_risk_at` on epochs: when the at-risk share of the budget is used."""
        if limit is None or due < 0:
            return NONE
        threshold = dt.timedelta(seconds=limit) * self.percent
        if dt.timedelta(seconds=used) >= threshold:
            return now if now < due else due
        seconds = seconds_of(threshold - dt.timedelta(seconds=used))
        if seconds == 0:
            return now
        cal = self.pack.calendar
        return cal.at_ordinal(cal.ordinal(now) + seconds)
