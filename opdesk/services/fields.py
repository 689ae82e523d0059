"""Field changes (B-05: category or priority move the SLA) and handing a ticket over to a
department (C-01: to «ОПП» before closing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from opdesk.models import Department
from opdesk.regulations.snapshot import Actor
from opdesk.services.desk import Desk
from opdesk.services.results import CommandResult
from opdesk.services.writes import record_event, record_outbox, reindex

EDITABLE_FIELDS = {
    "category", "priority", "subject", "theme", "type", "subtheme", "product", "paid",
    "scheme_permanent", "scheme_recorded_by", "needs_closing", "notify_client",
    "client_dissatisfied", "client_allows_closing", "outcome", "closing_delay",
    "arm_processed_by", "arm_processed_at", "resolution_limit_minutes",
}  # fmt: skip


def set_fields(desk: Desk, actor: Actor, ticket_id: int, **changes: Any) -> CommandResult:
    """Change ticket fields; category or priority recompute the SLA from history (B-05)."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        ticket = desk.editable(s, ticket_id, now)
        for name, value in changes.items():
            if name not in EDITABLE_FIELDS:
                raise desk.field_problem(
                    "B-02", name, "поле нельзя менять этой командой", "not editable by this command"
                )
            if name == "category":
                value = desk.category(value)
            if name == "priority":
                value, ticket.priority_rank = desk.priority(value)
            old = getattr(ticket, name)
            if old != value:
                setattr(ticket, name, value)
                record_event(s, ticket, actor, now, "field", field=name, old=old, new=value)
        desk.after_change(s, ticket, now)
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


def hand_over(desk: Desk, actor: Actor, ticket_id: int, department: str) -> CommandResult:
    """Hand the ticket over to a department (C-01: to «ОПП» before closing)."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        ticket = desk.editable(s, ticket_id, now)
        dep = desk.department(s, department)
        before = s.get(Department, ticket.department_id) if ticket.department_id else None
        ticket.department_id = dep.id
        ticket.updated_at = now
        old = before.code if before else ""  # codes on both sides: the history names them
        record_event(s, ticket, actor, now, "transfer", field="department", old=old, new=dep.code)
        record_outbox(
            s, "hand_over", now, "tickets", ticket.uuid, "update",
            {"department_id": dep.id, "updated_at": now},
        )  # fmt: skip
        return CommandResult("hand_over", True, (), (ticket.id,))

    return desk.run("hand_over", body)
