"""The closure report (C-04), the ОПП operator's checks (C-09, C-10) and the client's
confirmation of restored service (C-07, C-08): what the closing checklist is judged on."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.orm import Session

from opdesk.models import ClosurePerformer, ClosureReport, Confirmation, SparePartLine
from opdesk.models.closure import CONFIRMATION_KINDS
from opdesk.regulations.snapshot import Actor
from opdesk.services.conflicts import CLOSURE_TEXTS
from opdesk.services.desk import Desk
from opdesk.services.results import CommandResult
from opdesk.services.writes import new_id, record_event, record_op


@dataclasses.dataclass(frozen=True)
class SparePart:
    name: str
    quantity: int


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
        ticket = desk.editable(s, ticket_id, now)
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
        base = {name: getattr(report, name) or "" for name in CLOSURE_TEXTS}
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
            s.add(ClosurePerformer(id=new_id(s), ticket_id=ticket.uuid, name=name))
        for part in spare_parts:
            s.add(
                SparePartLine(
                    id=new_id(s), ticket_id=ticket.uuid, name=part.name, quantity=part.quantity
                )
            )
        ticket.updated_at = now
        record_event(s, ticket, actor, now, "closure", new=cause[:200])
        report_args = {
            "cause": cause,
            "actions": actions,
            "performers": list(performers),
            "completed_at": completed_at,
            "time_spent_minutes": time_spent_minutes,
            "spare_parts": list(spare_parts),
            "spare_parts_used": spare_parts_used,
            "comment": comment,
            "responsible_actions_checked": responsible_actions_checked,
            "escalation_done": escalation_done,
        }
        op_args = {"actor": actor.login, "ticket": ticket.uuid, **report_args, "base": base}
        record_op(s, now, "fill_closure", ticket.uuid, op_args)
        return CommandResult("fill_closure", True, (), (ticket.id,))

    return desk.run("fill_closure", body)


def record_confirmation(desk: Desk, actor: Actor, ticket_id: int, kind: str) -> CommandResult:
    """The client confirmed restored service: verbally (C-07) or electronically (C-08)."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        ticket = desk.editable(s, ticket_id, now)
        if kind not in CONFIRMATION_KINDS:
            raise desk.field_problem(
                "C-07", "вид подтверждения", f"«{kind}»; допустимы: verbal, electronic", f"{kind!r}"
            )
        confirmation = Confirmation(
            id=new_id(s), ticket_id=ticket.uuid, kind=kind, by=actor.login, at=now
        )
        s.add(confirmation)
        ticket.updated_at = now
        record_event(s, ticket, actor, now, "confirmation", new=kind)
        op_args = {"actor": actor.login, "ticket": ticket.uuid, "kind": kind}
        record_op(s, now, "record_confirmation", ticket.uuid, op_args)
        return CommandResult("record_confirmation", True, (), (ticket.id,))

    return desk.run("record_confirmation", body)
