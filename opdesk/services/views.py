"""What the operator's window shows of one ticket, in one read: its details, the actions the
engine allows now (and why the others are refused), and its SLA per stage.

Why here and not in the window: the verdicts are the engine's, judged on the same snapshot a
command would judge, so a button is enabled exactly when its command would be carried out.
Everything returned is a plain frozen value that may cross to the GUI thread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from opdesk.models import Ticket
from opdesk.regulations.lifecycle import can_edit, check_transition, input_needed
from opdesk.regulations.rules import Reason
from opdesk.regulations.snapshot import Actor
from opdesk.services.desk import Desk
from opdesk.services.snapshots import snapshot, status_history
from opdesk.sla.report import StageSla, StatusChange
from opdesk.store.reading import TicketDetail, ticket_detail


@dataclass(frozen=True)
class ActionOffer:
    action: str
    name: str  # the document's name of the action («Взять в работу», «Решен», …)
    allowed: bool
    reasons: tuple[Reason, ...]  # why it is allowed (rules) or refused (rule, text, detail)
    to_status: str  # the document's name of the status it leads to ("" if refused)
    needs: tuple[str, ...] = ()  # the operator's input its guards read (reason, comment, …)


@dataclass(frozen=True)
class StageBar:
    stage: str  # reaction | processing | resolution | wait
    name: str
    state: str
    limit_minutes: int | None
    used_minutes: int
    paused_minutes: int
    due_at: dt.datetime | None
    percent: float | None
    current: bool
    reason: str


@dataclass(frozen=True)
class TicketView:
    detail: TicketDetail
    process_name: str
    status_name: str
    stage_name: str
    actions: tuple[ActionOffer, ...]
    keep_status: bool  # U-05 «Не изменять» is offered
    editable: bool
    edit_reasons: tuple[Reason, ...]
    sla: tuple[StageBar, ...]  # empty where the process has no SLA plans
    sla_reason: str


def ticket_view(desk: Desk, actor: Actor, ticket_id: int) -> TicketView | None:
    """The ticket as the operator sees it now (None if it no longer exists)."""
    now = desk.clock.now()
    with desk.db.transaction() as s:
        detail = ticket_detail(s.connection(), ticket_id)
        row = s.get(Ticket, ticket_id)
        if detail is None or row is None:
            return None
        snap = snapshot(s, row)
        history = status_history(s, row)
    pack = desk.pack
    process = pack.process(detail.process)
    status = process.find_status(pack.statuses, detail.status)
    names = {t.action: t.name for t in process.transitions}
    offers = []
    for action in names:
        verdict = check_transition(pack, snap, action, actor, now, pending_input=True)
        target = process.status_name(pack.statuses[verdict.to_status]) if verdict.allowed else ""
        needs = input_needed(process, action)
        offers.append(
            ActionOffer(action, names[action], verdict.allowed, verdict.reasons, target, needs)
        )
    edit = can_edit(pack, snap, now)
    bars: tuple[StageBar, ...] = ()
    reason = ""
    if process.sla_plans and detail.category:
        changes = [StatusChange(e.at, e.status, e.stage) for e in history if e.at <= now]
        limit = row.resolution_limit_minutes
        report = pack.sla_engine.evaluate(
            changes,
            detail.category,
            detail.priority,
            now,
            dt.timedelta(minutes=limit) if limit is not None else None,
        )
        reason = report.reason
        bars = tuple(_bar(st) for st in report.stages)
    return TicketView(
        detail=detail,
        process_name=process.name,
        status_name=process.status_name(status),
        stage_name=pack.stages.name(detail.stage) if detail.stage else "",
        actions=tuple(offers),
        keep_status=process.keep_status,
        editable=edit.allowed,
        edit_reasons=edit.reasons,
        sla=bars,
        sla_reason=reason,
    )


def _minutes(value: dt.timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds() // 60)


def _bar(st: StageSla) -> StageBar:
    return StageBar(
        stage=st.stage,
        name=st.name,
        state=st.state,
        limit_minutes=_minutes(st.limit),
        used_minutes=_minutes(st.used) or 0,
        paused_minutes=_minutes(st.paused_time) or 0,
        due_at=st.due_at,
        percent=st.percent,
        current=st.status is not None,
        reason=st.reason,
    )
