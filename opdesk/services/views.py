"""What the operator's window shows of one ticket, in one read: its details, the actions the
engine allows now (and why the others are refused), and its SLA per stage.

Why here and not in the window: the verdicts are the engine's, judged on the same snapshot a
command would judge, so a button is enabled exactly when its command would be carried out.
Everything returned is a plain frozen value that may cross to the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from opdesk.models import Ticket, TicketConflict
from opdesk.regulations.lifecycle import can_edit, check_transition, input_needed
from opdesk.regulations.rules import Reason
from opdesk.regulations.snapshot import Actor
from opdesk.services.conflicts import current_texts
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
class ConflictLine:
    """A sync conflict recorded on the ticket (models.conflict), as the card lists it."""

    id: uuid.UUID
    at: dt.datetime
    person: str  # login of the op's author
    op_name: str
    kind: str  # text | refused
    field: str
    server_value: str  # text: what the server kept
    local_value: str  # text: the op's text, offered for the merge
    current: str  # text: the field's text now (the merge's base)
    reasons: tuple[tuple[str, str, str], ...]  # refused: (rule, ru, en)
    resolved_at: dt.datetime | None
    resolved_by: str

    @property
    def open(self) -> bool:
        return self.kind == "text" and self.resolved_at is None


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
    conflicts: tuple[ConflictLine, ...] = ()  # oldest first


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
        conflicts = _conflicts(s, row)
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
        conflicts=conflicts,
    )


def _conflicts(s: Session, ticket: Ticket) -> tuple[ConflictLine, ...]:
    rows = s.scalars(
        select(TicketConflict)
        .where(TicketConflict.ticket_id == ticket.uuid)
        .order_by(TicketConflict.at, TicketConflict.id)
    ).all()
    if not rows:
        return ()
    texts = current_texts(s, ticket)
    out = []
    for r in rows:
        try:
            said = json.loads(r.reasons)
            reasons = tuple((str(x["rule"]), str(x["ru"]), str(x["en"])) for x in said)
        except (ValueError, TypeError, KeyError):
            reasons = ()
        out.append(ConflictLine(
            r.id, r.at, r.person, r.op_name, r.kind, r.field, r.server_value, r.local_value,
            texts.get(r.field, ""), reasons, r.resolved_at, r.resolved_by,
        ))  # fmt: skip
    return tuple(out)


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
