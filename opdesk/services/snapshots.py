"""Building the engine's `TicketSnapshot` from stored rows.

The engine judges snapshots, never ORM objects, so a command loads the ticket and its
children once, freezes them, and asks the engine; the same function serves the CLI and sync.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from opdesk.models import (
    Client,
    ClosurePerformer,
    ClosureReport,
    Comment,
    Confirmation,
    Department,
    Event,
    OutgoingRequest,
    Person,
    SparePartLine,
    Ticket,
)
from opdesk.models.history import STATUS_EVENT_KINDS
from opdesk.regulations.snapshot import (
    ClientSnap,
    ClosureSnap,
    CommentSnap,
    ConfirmationSnap,
    OutgoingSnap,
    SparePartSnap,
    StatusEvent,
    TicketSnapshot,
)


def status_history(session: Session, ticket: Ticket) -> tuple[StatusEvent, ...]:
    """The status events of a ticket, oldest first: what SLA pauses and C-03 are judged on."""
    events = session.scalars(
        select(Event)
        .where(Event.ticket_id == ticket.uuid, Event.kind.in_(STATUS_EVENT_KINDS))
        .order_by(Event.at, Event.id)
    ).all()
    return tuple(StatusEvent(e.at, e.status, e.stage, e.actor, e.department) for e in events)


def snapshot(session: Session, ticket: Ticket) -> TicketSnapshot:
    tid = ticket.uuid
    client = session.get(Client, ticket.client_id) if ticket.client_id else None
    owner = session.get(Person, ticket.owner_id) if ticket.owner_id else None
    department = session.get(Department, ticket.department_id) if ticket.department_id else None
    report = session.get(ClosureReport, tid)
    performers = session.scalars(
        select(ClosurePerformer.name).where(ClosurePerformer.ticket_id == tid)
    ).all()
    parts = session.execute(
        select(SparePartLine.name, SparePartLine.quantity).where(SparePartLine.ticket_id == tid)
    ).all()
    comments = session.scalars(
        select(Comment).where(Comment.ticket_id == tid).order_by(Comment.at, Comment.id)
    ).all()
    confirmations = session.scalars(
        select(Confirmation).where(Confirmation.ticket_id == tid).order_by(Confirmation.at)
    ).all()
    outgoing = session.execute(
        select(Department.name, OutgoingRequest.sent_at, OutgoingRequest.answered_at)
        .join(Department, Department.id == OutgoingRequest.department_id)
        .where(OutgoingRequest.ticket_id == tid)
        .order_by(OutgoingRequest.sent_at)
    ).all()
    closure = ClosureSnap()
    if report is not None:
        closure = ClosureSnap(
            cause=report.cause,
            actions=report.actions,
            performers=tuple(performers),
            completed_at=report.completed_at,
            time_spent_minutes=report.time_spent_minutes,
            spare_parts_used=report.spare_parts_used,
            spare_parts=tuple(SparePartSnap(n, q) for n, q in parts),
            comment=report.comment,
            responsible_actions_checked=report.responsible_actions_checked,
            escalation_done=report.escalation_done,
        )
    return TicketSnapshot(
        number=ticket.number,
        process=ticket.process,
        created_at=ticket.created_at,
        channel=ticket.channel,
        status=ticket.status,
        stage=ticket.stage,
        theme=ticket.theme,
        type=ticket.type,
        subtheme=ticket.subtheme,
        product=ticket.product,
        category=ticket.category,
        priority=ticket.priority,
        owner=owner.login if owner else "",
        department=department.name if department else "",
        client=ClientSnap(
            name=client.name,
            category=client.category,
            mobile=client.mobile,
            group=client.group_name,
            city=client.city,
        )
        if client
        else ClientSnap(),
        paid=ticket.paid,
        arm_processed_by=ticket.arm_processed_by,
        arm_processed_at=ticket.arm_processed_at,
        scheme_permanent=ticket.scheme_permanent,
        scheme_recorded_by=ticket.scheme_recorded_by,
        needs_closing=ticket.needs_closing,
        notify_client=ticket.notify_client,
        client_dissatisfied=ticket.client_dissatisfied,
        client_allows_closing=ticket.client_allows_closing,
        resolved_by_department=ticket.resolved_by_department,
        outcome=ticket.outcome,
        closing_delay=ticket.closing_delay,
        templates_sent=tuple(c.template_id for c in comments if c.template_id),
        resolution_limit_minutes=ticket.resolution_limit_minutes,
        closure=closure,
        confirmations=tuple(ConfirmationSnap(c.kind, c.by, c.at) for c in confirmations),
        comments=tuple(
            CommentSnap(c.kind, c.text, c.at, c.author, tuple(t for t in c.tags.split(",") if t))
            for c in comments
        ),
        history=status_history(session, ticket),
        outgoing=tuple(OutgoingSnap(d, s, a) for d, s, a in outgoing),
        closed_at=ticket.closed_at,
        closed_via=ticket.closed_via,
    )
