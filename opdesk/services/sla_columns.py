"""Keeping a ticket's SLA columns current, recomputed from its history.

The queue filters "breached", "at risk (≥ 80 %)" and "paused" in SQL, so every command that
changes status, category or priority rewrites these columns from the full status history:
a change of category or priority therefore keeps every accumulated pause (P-02).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from opdesk.regulations.lifecycle_checks import auto_close_due
from opdesk.regulations.pack import Pack
from opdesk.regulations.snapshot import StatusEvent
from opdesk.sla.report import BREACHED, PAUSED_STATE, RUNNING, StatusChange

STAGE_COLUMNS = {
    "reaction": "reaction_due_at",
    "processing": "processing_due_at",
    "resolution": "resolution_due_at",
}


class SlaTarget(Protocol):
    """What `apply_sla` reads and writes: a Ticket, or the plain row an import builds (an ORM
    object per imported ticket cost more than the SLA itself)."""

    process: str
    status: str
    category: str
    priority: str
    resolution_limit_minutes: int | None
    auto_close_at: dt.datetime | None
    sla_plan: str
    sla_stage: str
    sla_due_at: dt.datetime | None
    sla_risk_at: dt.datetime | None
    sla_paused: bool
    sla_breached: bool
    sla_paused_seconds: int
    reaction_due_at: dt.datetime | None
    processing_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None


def apply_sla(
    pack: Pack, ticket: SlaTarget, history: Sequence[StatusEvent], now: dt.datetime
) -> None:
    """Rewrite the SLA columns of `ticket` from `history` as they stand at `now`: the B-05
    plan where the ticket's process has SLA plans (004), none elsewhere; and the moment its
    process closes it by itself, if its status auto-closes."""
    process = pack.process(ticket.process)
    ticket.auto_close_at = auto_close_due(pack, process, ticket.status, history)
    if not process.sla_plans:
        _no_plan(ticket)
        return
    changes = [StatusChange(e.at, e.status, e.stage) for e in history if e.at <= now]
    levels = (*pack.stages.names, "*")
    outside = [i for i, c in enumerate(changes) if c.stage not in levels]
    if outside:  # time spent in a process without levels, before the ticket moved into this one
        changes = changes[outside[-1] + 1 :]
    limit = ticket.resolution_limit_minutes
    report = pack.sla_engine.evaluate(
        changes,
        ticket.category,
        ticket.priority,
        now,
        dt.timedelta(minutes=limit) if limit is not None else None,
    )
    ticket.sla_plan = report.choice.plan.name
    for stage in report.stages:
        column = STAGE_COLUMNS.get(stage.stage)
        if column is not None:
            setattr(ticket, column, stage.due_at)
    current = next((s for s in report.stages if s.status is not None), None)
    ticket.sla_breached = any(s.state == BREACHED for s in report.stages if s is not current)
    ticket.sla_paused_seconds = int(sum(s.paused_time.total_seconds() for s in report.stages))
    if current is None or current.state not in (RUNNING, PAUSED_STATE, BREACHED):
        ticket.sla_stage, ticket.sla_due_at, ticket.sla_risk_at = "", None, None
        ticket.sla_paused = False
    else:
        ticket.sla_stage = current.stage
        ticket.sla_paused = current.state == PAUSED_STATE
        ticket.sla_due_at = current.due_at
        ticket.sla_risk_at = _risk_at(pack, current.limit, current.used, now, current.due_at)
        if current.state == BREACHED and current.due_at is None:
            ticket.sla_breached = True


def _no_plan(ticket: SlaTarget) -> None:
    ticket.sla_plan, ticket.sla_stage = "", ""
    ticket.sla_due_at = ticket.sla_risk_at = None
    ticket.sla_paused = ticket.sla_breached = False
    ticket.sla_paused_seconds = 0
    for column in STAGE_COLUMNS.values():
        setattr(ticket, column, None)


def _risk_at(
    pack: Pack,
    limit: dt.timedelta | None,
    used: dt.timedelta,
    now: dt.datetime,
    due: dt.datetime | None,
) -> dt.datetime | None:
    """When the current stage reaches the at-risk share of its budget (None while paused)."""
    if limit is None or due is None:
        return None
    threshold = limit * (pack.sla.at_risk_percent / 100)
    if used >= threshold:
        return now if now < due else due
    return pack.calendar.add_working(now, threshold - used)
