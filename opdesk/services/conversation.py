"""Comments and calls (S-08, U-07) and requests to other departments (U-06, U-09): the
conversation around a ticket, each entry also written to the history and as an outbox op."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from opdesk.models import Comment, OutgoingRequest
from opdesk.regulations.comments import check_comment
from opdesk.regulations.snapshot import Actor
from opdesk.regulations.template_choice import outgoing_request_plan
from opdesk.services.desk import Desk
from opdesk.services.results import CommandResult, Refused
from opdesk.services.writes import new_id, record_event, record_op, reindex


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
        ticket = desk.editable(s, ticket_id, now)
        check = check_comment(desk.pack.classification.comments, kind, text, reached)
        if not check.allowed:
            raise Refused(check.reasons)
        comment = Comment(
            id=new_id(s),
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
        op_args = {"actor": actor.login, "ticket": ticket.uuid, "kind": kind, "text": text}
        extra = {"reached": reached, "tags": list(tags), "template_id": template_id}
        record_op(s, now, "add_comment", ticket.uuid, {**op_args, **extra})
        reindex(s, ticket)
        return CommandResult("add_comment", True, check.reasons, (ticket.id,))

    return desk.run("add_comment", body)


def send_outgoing(desk: Desk, actor: Actor, ticket_id: int, department: str) -> CommandResult:
    """U-06: an outgoing request, a 24-hour reminder and cross-link comments on both sides."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        ticket = desk.editable(s, ticket_id, now)
        plan = outgoing_request_plan(desk.pack.templates, ticket.number, department, now)
        dep = desk.department(s, plan.department.id)
        request = OutgoingRequest(
            id=new_id(s),
            ticket_id=ticket.uuid,
            department_id=dep.id,
            sent_at=now,
            reminder_at=plan.reminder_at,
            note=plan.request_comment,
        )
        s.add(request)
        s.add(
            Comment(
                id=new_id(s),
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
        op_args = {"actor": actor.login, "ticket": ticket.uuid, "department": dep.code}
        record_op(s, now, "send_outgoing", ticket.uuid, op_args)
        reindex(s, ticket)
        return CommandResult("send_outgoing", True, plan.reasons, (ticket.id,))

    return desk.run("send_outgoing", body)


def record_answer(desk: Desk, actor: Actor, ticket_id: int, answer: str) -> CommandResult:
    """The other department answered: the oldest open outgoing request is marked answered."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        ticket = desk.editable(s, ticket_id, now)
        request = s.scalars(
            select(OutgoingRequest)
            .where(OutgoingRequest.ticket_id == ticket.uuid, OutgoingRequest.answered_at.is_(None))
            .order_by(OutgoingRequest.sent_at, OutgoingRequest.id)  # ids: the same on a re-run
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
                id=new_id(s),
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
        op_args = {"actor": actor.login, "ticket": ticket.uuid, "answer": answer}
        record_op(s, now, "record_answer", ticket.uuid, op_args)
        reindex(s, ticket)
        return CommandResult("record_answer", True, (), (ticket.id,))

    return desk.run("record_answer", body)
