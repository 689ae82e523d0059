"""Registering a contact as a ticket (S-01, B-01): the one way a ticket comes into being."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opdesk.models import Client, Ticket
from opdesk.regulations.intake import intake
from opdesk.regulations.snapshot import Actor
from opdesk.services.desk import Desk, ticket_number
from opdesk.services.results import CommandResult
from opdesk.services.writes import record_event, record_outbox, reindex

CREATE_FIELDS = (
    "number", "process", "created_at", "channel", "client_name", "contact_phone", "subject",
    "theme", "type", "subtheme", "product", "category", "priority", "status", "stage",
)  # fmt: skip


def create_ticket(
    desk: Desk,
    actor: Actor,
    *,
    category: str = "",
    priority: str | None = None,
    process: str | None = None,
    subject: str = "",
    client_id: uuid.UUID | None = None,
    contact_phone: str = "",
    channel: str = "phone",
    theme: str = "",
    type: str = "",
    subtheme: str = "",
    product: str = "",
    department: str = "",
) -> CommandResult:
    """Register a contact as a ticket of its process — the one named, else the channel's own
    (a call → 001's service request, the portal → 003's request) — in the process's first
    status (S-01, B-01), priority by default (U-04). A B-05 category is required where the
    process's SLA plans apply (004): it selects the plan."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        return register(
            desk, s, now, actor, category=category, priority=priority, process=process,
            subject=subject, client_id=client_id, contact_phone=contact_phone, channel=channel,
            theme=theme, type=type, subtheme=subtheme, product=product, department=department,
        )  # fmt: skip

    return desk.run("create_ticket", body)


def register(
    desk: Desk,
    s: Session,
    now: dt.datetime,
    actor: Actor,
    *,
    category: str = "",
    priority: str | None = None,
    process: str | None = None,
    subject: str = "",
    client_id: uuid.UUID | None = None,
    contact_phone: str = "",
    channel: str = "phone",
    theme: str = "",
    type: str = "",
    subtheme: str = "",
    product: str = "",
    department: str = "",
) -> CommandResult:
    """`create_ticket`'s work inside the caller's transaction: a command that registers several
    tickets at once (a call's request and its linked second one, S-02) writes them all or none.
    Raises `Refused` (rolling the caller's transaction back) rather than answering a refusal."""
    flow = desk.pack.process_for(channel, process)
    cat = desk.category(category) if category or flow.sla_plans else ""
    prio, rank = desk.priority(priority)
    start = intake(desk.pack, flow, now, prio)
    client = s.get(Client, client_id) if client_id else None
    if client_id and client is None:
        raise desk.field_problem("S-01", "клиент", "нет такого клиента", "no such client")
    next_id = (s.scalar(select(func.max(Ticket.id))) or 0) + 1
    ticket = Ticket(
        id=next_id,
        number=ticket_number(next_id),
        process=flow.id,
        created_at=now,
        updated_at=now,
        channel=channel,
        client_id=client.id if client else None,
        client_name=client.name if client else "",
        client_category=client.category if client else "обычный",
        contact_phone=contact_phone or (client.phone if client else ""),
        subject=subject,
        theme=theme,
        type=type,
        subtheme=subtheme,
        product=product,
        category=cat,
        priority=prio,
        priority_rank=rank,
        status=start.status,
        stage=start.stage,
        is_open=True,
        department_id=desk.department(s, department).id if department else None,
    )
    if "set_owner" in start.effects:  # 001: the operator on the call composes the request
        ticket.owner_id = desk.person(s, actor.login).id
    s.add(ticket)
    s.flush()
    record_event(s, ticket, actor, now, "created", new=ticket.number)
    desk.after_change(s, ticket, now)
    payload = {name: getattr(ticket, name) for name in CREATE_FIELDS}
    record_outbox(s, "create_ticket", now, "tickets", ticket.uuid, "insert", payload)
    reindex(s, ticket)
    return CommandResult(
        "create_ticket", True, start.reasons, (ticket.id,), start.effects, ticket.id
    )
