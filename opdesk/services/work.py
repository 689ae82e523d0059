"""Commands about the work on a ticket besides its status: comments and calls (S-08, U-07),
outgoing requests to other departments (U-06, U-09), the closure report (C-04), client
confirmations (C-07, C-08) and field changes that move the SLA (B-05)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from opdesk.models import (
    ClosurePerformer,
    ClosureReport,
    Comment,
    Confirmation,
    OutgoingRequest,
    SparePartLine,
)
from opdesk.models.closure import CONFIRMATION_KINDS
from opdesk.regulations.comments import check_comment
from opdesk.regulations.lifecycle import can_edit
from opdesk.regulations.snapshot import Actor
from opdesk.regulations.template_choice import outgoing_request_plan
from opdesk.services.desk import Desk
from opdesk.services.results import CommandResult, Refused
from opdesk.services.snapshots import snapshot
from opdesk.services.writes import record_event, record_outbox, reindex

EDITABLE_FIELDS = {
    "category", "priority", "subject", "theme", "type", "subtheme", "product", "paid",
    "scheme_permanent", "scheme_recorded_by", "needs_closing", "notify_client",
    "client_dissatisfied", "client_allows_closing", "outcome", "closing_delay",
    "arm_processed_by", "arm_processed_at", "resolution_limit_minutes",
}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class SparePart:
    name: str
    quantity: int


def _editable(desk: Desk, s: Session, ticket_id: int, now: dt.datetime) -> Any:
    """The ticket, if it may still be edited (S-09: closed ones only within 5 minutes)."""
    ticket = desk._ticket(s, ticket_id)
    verdict = can_edit(desk.pack, snapshot(s, ticket), now)
    if not verdict.allowed:
        raise Refused(verdict.reasons)
    return ticket


def add_comment(
    desk: Desk,
    actor: Actor,
    ticket_id: int,
    kind: str,
    text: str,
    *,
    reached: bool | None = None,
    tags: Sequence[str] = (),
    template_id: str = "",
) -> CommandResult:
    """A note, a call result (U-07), a call-back attempt reached or not (S-08), a reply."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        ticket = _editable(desk, s, ticket_id, now)
        check = check_comment(desk.pack.classification.comments, kind, text, reached)
        if not check.allowed:
            raise Refused(check.reasons)
        comment = Comment(
            ticket_id=ticket.uuid,
            at=now,
            author=actor.login,
            kind=kind,
            text=check.text,
            tags=",".join(tags),
            template_id=template_id,
            reached=reached,
        )
        s.add(comment)
        ticket.updated_at = now
        record_event(s, ticket, actor, now, "comment", field=kind, new=check.text[:200])
        s.flush()
        record_outbox(
            s,
            "add_comment",
            now,
            "comments",
            comment.id,
            "insert",
            {
                "ticket_id": ticket.uuid,
                "kind": kind,
                "text": check.text,
                "at": now,
                "author": actor.login,
                "template_id": template_id,
            },
        )
        reindex(s, ticket)
        return CommandResult("add_comment", True, check.reasons, (ticket.id,))

    return desk.run("add_comment", body)


def send_outgoing(desk: Desk, actor: Actor, ticket_id: int, department: str) -> CommandResult:
    """U-06: an outgoing request, a 24-hour reminder and cross-link comments on both sides."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        ticket = _editable(desk, s, ticket_id, now)
        plan = outgoing_request_plan(desk.pack.templates, ticket.number, department, now)
        dep = desk._department(s, plan.department.id)
        request = OutgoingRequest(
            ticket_id=ticket.uuid,
            department_id=dep.id,
            sent_at=now,
            reminder_at=plan.reminder_at,
            note=plan.request_comment,
        )
        s.add(request)
        s.add(
            Comment(
                ticket_id=ticket.uuid,
                at=now,
                author=actor.login,
                kind="note",
                text=plan.ticket_comment,
                tags="outgoing",
            )
        )
        ticket.updated_at = now
        record_event(s, ticket, actor, now, "outgoing", field=dep.code, new=plan.reminder_at)
        s.flush()
        record_outbox(
            s,
            "send_outgoing",
            now,
            "outgoing_requests",
            request.id,
            "insert",
            {
                "ticket_id": ticket.uuid,
                "department": dep.code,
                "sent_at": now,
                "reminder_at": plan.reminder_at,
            },
        )
        reindex(s, ticket)
        return CommandResult("send_outgoing", True, plan.reasons, (ticket.id,))

    return desk.run("send_outgoing", body)


def record_answer(desk: Desk, actor: Actor, ticket_id: int, answer: str) -> CommandResult:
    """The other department answered: the oldest open outgoing request is marked answered."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        ticket = _editable(desk, s, ticket_id, now)
        request = s.scalars(
            select(OutgoingRequest)
            .where(OutgoingRequest.ticket_id == ticket.uuid, OutgoingRequest.answered_at.is_(None))
            .order_by(OutgoingRequest.sent_at)
        ).first()
        if request is None:
            raise desk.field_problem(
                "U-06",
                "исходящий запрос",
                "нет запроса без ответа",
                "no unanswered outgoing request",
            )
        request.answered_at, request.answer = now, answer
        s.add(
            Comment(
                ticket_id=ticket.uuid,
                at=now,
                author=actor.login,
                kind="note",
                text=f"Ответ смежного отдела: {answer}",
                tags="outgoing_answer",
            )
        )
        ticket.updated_at = now
        record_event(s, ticket, actor, now, "outgoing_answer", new=answer[:200])
        record_outbox(
            s,
            "record_answer",
            now,
            "outgoing_requests",
            request.id,
            "update",
            {"answered_at": now, "answer": answer},
        )
        reindex(s, ticket)
        return CommandResult("record_answer", True, (), (ticket.id,))

    return desk.run("record_answer", body)


def fill_closure(
    desk: Desk,
    actor: Actor,
    ticket_id: int,
    *,
    cause: str = "",
    actions: str = "",
    performers: Sequence[str] = (),
    completed_at: dt.datetime | None = None,
    time_spent_minutes: int | None = None,
    spare_parts: Sequence[SparePart] = (),
    spare_parts_used: bool | None = None,
    comment: str = "",
    responsible_actions_checked: bool = False,
    escalation_done: bool = False,
) -> CommandResult:
    """The closure report (C-04) and the ОПП operator's checks (C-09, C-10)."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        ticket = _editable(desk, s, ticket_id, now)
        for i, part in enumerate(spare_parts):
            if not part.name.strip():
                raise desk.field_problem("C-04", f"ЗИП[{i + 1}].наименование", "пусто", "empty")
            if part.quantity <= 0:
                raise desk.field_problem(
                    "C-04",
                    f"ЗИП[{i + 1}].количество",
                    f"должно быть больше нуля, указано {part.quantity}",
                    f"must be above zero, got {part.quantity}",
                )
        if time_spent_minutes is not None and time_spent_minutes < 0:
            raise desk.field_problem("C-04", "затраченное время", "отрицательное", "negative")
        report = s.get(ClosureReport, ticket.uuid) or ClosureReport(ticket_id=ticket.uuid)
        report.cause, report.actions, report.comment = cause, actions, comment
        report.completed_at, report.time_spent_minutes = completed_at, time_spent_minutes
        report.spare_parts_used = (
            bool(spare_parts) if spare_parts_used is None else spare_parts_used
        )
        report.responsible_actions_checked = responsible_actions_checked
        report.escalation_done = escalation_done
        report.updated_at = now
        s.add(report)
        s.execute(delete(ClosurePerformer).where(ClosurePerformer.ticket_id == ticket.uuid))
        s.execute(delete(SparePartLine).where(SparePartLine.ticket_id == ticket.uuid))
        for name in performers:
            s.add(ClosurePerformer(ticket_id=ticket.uuid, name=name))
        for part in spare_parts:
            s.add(SparePartLine(ticket_id=ticket.uuid, name=part.name, quantity=part.quantity))
        ticket.updated_at = now
        record_event(s, ticket, actor, now, "closure", new=cause[:200])
        record_outbox(
            s,
            "fill_closure",
            now,
            "closure_reports",
            ticket.uuid,
            "update",
            {
                "cause": cause,
                "actions": actions,
                "performers": list(performers),
                "completed_at": completed_at,
                "time_spent_minutes": time_spent_minutes,
                "spare_parts": [dataclasses.asdict(p) for p in spare_parts],
                "comment": comment,
            },
        )
        return CommandResult("fill_closure", True, (), (ticket.id,))

    return desk.run("fill_closure", body)


def record_confirmation(desk: Desk, actor: Actor, ticket_id: int, kind: str) -> CommandResult:
    """The client confirmed restored service: verbally (C-07) or electronically (C-08)."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        ticket = _editable(desk, s, ticket_id, now)
        if kind not in CONFIRMATION_KINDS:
            raise desk.field_problem(
                "C-07", "вид подтверждения", f"«{kind}»; допустимы: verbal, electronic", f"{kind!r}"
            )
        confirmation = Confirmation(ticket_id=ticket.uuid, kind=kind, by=actor.login, at=now)
        s.add(confirmation)
        ticket.updated_at = now
        record_event(s, ticket, actor, now, "confirmation", new=kind)
        s.flush()
        record_outbox(
            s,
            "record_confirmation",
            now,
            "confirmations",
            confirmation.id,
            "insert",
            {"ticket_id": ticket.uuid, "kind": kind, "by": actor.login, "at": now},
        )
        return CommandResult("record_confirmation", True, (), (ticket.id,))

    return desk.run("record_confirmation", body)


def set_fields(desk: Desk, actor: Actor, ticket_id: int, **changes: Any) -> CommandResult:
    """Change ticket fields; category or priority recompute the SLA from history (B-05)."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        ticket = _editable(desk, s, ticket_id, now)
        for name, value in changes.items():
            if name not in EDITABLE_FIELDS:
                raise desk.field_problem(
                    "B-02", name, "поле нельзя менять этой командой", "not editable by this command"
                )
            if name == "category":
                value = desk._category(value)
            if name == "priority":
                value, ticket.priority_rank = desk._priority(value)
            old = getattr(ticket, name)
            if old != value:
                setattr(ticket, name, value)
                record_event(s, ticket, actor, now, "field", field=name, old=old, new=value)
        desk._after_change(s, ticket, now)
        record_outbox(
            s,
            "set_fields",
            now,
            "tickets",
            ticket.uuid,
            "update",
            {**{k: getattr(ticket, k) for k in changes}, "updated_at": now},
        )
        reindex(s, ticket)
        return CommandResult("set_fields", True, (), (ticket.id,))

    return desk.run("set_fields", body)


def transfer(desk: Desk, actor: Actor, ticket_id: int, department: str) -> CommandResult:
    """Hand the ticket over to a department (C-01: to «ОПП» before closing)."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        ticket = _editable(desk, s, ticket_id, now)
        dep = desk._department(s, department)
        old = ticket.department_id
        ticket.department_id = dep.id
        ticket.updated_at = now
        record_event(s, ticket, actor, now, "transfer", field="department", old=old, new=dep.code)
        record_outbox(
            s, "transfer", now, "tickets", ticket.uuid, "update",
            {"department_id": dep.id, "updated_at": now},
        )  # fmt: skip
        return CommandResult("transfer", True, (), (ticket.id,))

    return desk.run("transfer", body)
