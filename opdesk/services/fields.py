"""Field changes (B-05: category or priority move the SLA) and handing a ticket over to a
department (C-01: to «ОПП» before closing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from opdesk.models import Department
from opdesk.regulations.snapshot import Actor
from opdesk.services.conflicts import TICKET_TEXTS, base_of
from opdesk.services.desk import Desk
from opdesk.services.op_args import OpError, decode, encode
from opdesk.services.results import CommandResult
from opdesk.services.writes import record_event, record_op, reindex

# The fields `set_fields` may change and the type of each: the op carrying them is read back
# with exactly these types (ops.SetFieldsArgs), locally and on the server.
EDITABLE_FIELDS: dict[str, Any] = {
    "category": str, "priority": str, "subject": str, "theme": str, "type": str,
    "subtheme": str, "product": str, "paid": bool, "scheme_permanent": bool,
    "scheme_recorded_by": str, "needs_closing": bool, "notify_client": bool,
    "client_dissatisfied": bool, "client_allows_closing": bool, "outcome": str,
    "closing_delay": str, "arm_processed_by": str, "arm_processed_at": dt.datetime | None,
    "resolution_limit_minutes": int | None,
}  # fmt: skip


def set_fields(desk: Desk, actor: Actor, ticket_id: int, **changes: Any) -> CommandResult:
    """Change ticket fields; category or priority recompute the SLA from history (B-05)."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        ticket = desk.editable(s, ticket_id, now)
        base = base_of({n: getattr(ticket, n) or "" for n in TICKET_TEXTS}, changes)
        for name, value in changes.items():
            if name not in EDITABLE_FIELDS:
                raise desk.field_problem(
                    "B-02", name, "поле нельзя менять этой командой", "not editable by this command"
                )
            try:
                decode(EDITABLE_FIELDS[name], encode(value), name)
            except (OpError, TypeError) as exc:
                ru, en = (exc.message_ru, exc.message_en) if isinstance(exc, OpError) else ("", "")
                raise desk.field_problem(
                    "B-02", name, f"значение не того типа ({ru})", f"wrong type of value ({en})"
                ) from exc
            if name == "category":
                value = desk.category(value)
            if name == "priority":
                value, ticket.priority_rank = desk.priority(value)
            old = getattr(ticket, name)
            if old != value:
                setattr(ticket, name, value)
                record_event(s, ticket, actor, now, "field", field=name, old=old, new=value)
        desk.after_change(s, ticket, now)
        op_args = {"actor": actor.login, "ticket": ticket.uuid, "fields": changes, "base": base}
        record_op(s, now, "set_fields", ticket.uuid, op_args)
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
        op_args = {"actor": actor.login, "ticket": ticket.uuid, "department": dep.code}
        record_op(s, now, "hand_over", ticket.uuid, op_args)
        return CommandResult("hand_over", True, (), (ticket.id,))

    return desk.run("hand_over", body)
