"""Registering a contact as a ticket (S-01, B-01): the one way a ticket comes into being."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from opdesk.errors import EngineError
from opdesk.models import Client, Ticket, uuid7
from opdesk.regulations.intake import intake
from opdesk.regulations.snapshot import Actor
from opdesk.services.desk import Desk, ticket_number
from opdesk.services.results import CommandResult
from opdesk.services.writes import record_event, record_op, reindex


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
    ticket_uuid: uuid.UUID | None = None,
) -> CommandResult:
    """Register a contact as a ticket of its process — the one named, else the channel's own
    (a call → 001's service request, the portal → 003's request) — in the process's first
    status (S-01, B-01), priority by default (U-04). A B-05 category is required where the
    process's SLA plans apply (004): it selects the plan.

    `ticket_uuid` is the new ticket's identity, made here unless given: the op carries it, so
    the server's re-run creates the very ticket later ops refer to."""
    new_uuid = ticket_uuid or uuid7()

    def body(s: Session, now: dt.datetime) -> CommandResult:
        code = desk.pack.departments.get(department).id if department else ""
        result = register(
            desk, s, now, actor, category=category, priority=priority, process=process,
            subject=subject, client_id=client_id, contact_phone=contact_phone, channel=channel,
            theme=theme, type=type, subtheme=subtheme, product=product, department=code,
            ticket_uuid=new_uuid,
        )  # fmt: skip
        op_args = {
            "actor": actor.login, "ticket": new_uuid, "category": category, "priority": priority,
            "process": process, "subject": subject, "client_id": client_id,
            "contact_phone": contact_phone, "channel": channel, "theme": theme, "type": type,
            "subtheme": subtheme, "product": product, "department": code,
        }  # fmt: skip
        record_op(s, now, "create_ticket", new_uuid, op_args)
        return result

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
    ticket_uuid: uuid.UUID | None = None,
) -> CommandResult:
    """`create_ticket`'s work inside the caller's transaction: a command that registers several
    tickets at once (a call's request and its linked second one, S-02) writes them all or none.
    Raises `Refused` (rolling the caller's transaction back) rather than answering a refusal.
    Records no op: the caller's command does."""
    if ticket_uuid is not None and s.scalar(select(Ticket.id).where(Ticket.uuid == ticket_uuid)):
        raise EngineError(f"заявка {ticket_uuid} уже есть", f"ticket {ticket_uuid} already exists")
    flow = desk.pack.process_for(channel, process)
    cat = desk.category(category) if category or flow.sla_plans else ""
    prio, rank = desk.priority(priority)
    start = intake(desk.pack, flow, now, prio)
    client = s.get(Client, client_id) if client_id else None
    if client_id and client is None:
        raise desk.field_problem("S-01", "клиент", "нет такого клиента", "no such client")
    next_id = _next_id(s)
    ticket = Ticket(
        id=next_id,
        uuid=ticket_uuid or uuid7(),
        number=ticket_number(next_id, provisional=desk.provisional_numbers),
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
    reindex(s, ticket)
    return CommandResult(
        "create_ticket", True, start.reasons, (ticket.id,), start.effects, ticket.id
    )


def _next_id(s: Session) -> int:
    """The new ticket's integer id, from which its number is made.

    SQLite has one writer, so the largest id plus one is free. The server's PostgreSQL runs
    pushes from several workstations at once: two transactions would read the same largest id
    and one would fail on the key, so there the table's own sequence draws (never twice)."""
    if s.get_bind().dialect.name == "postgresql":
        return int(
            s.execute(text("SELECT nextval(pg_get_serial_sequence('tickets', 'id'))")).scalar_one()
        )
    return (s.scalar(select(func.max(Ticket.id))) or 0) + 1
