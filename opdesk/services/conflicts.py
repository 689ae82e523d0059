"""Long texts and their conflicts: what an op saw before it changed a text, and the merge.

DESIGN.md's per-field policy for the shared desk: "long texts keep the server value and offer
the local one for a manual merge". To know that the server's value is not simply the one the
operator edited, the op carries `base` — each long text it changes, as it was on the
workstation before the change. The server compares (opdesk/server/conflicts.py): a server
value other than the base and other than the op's means someone else changed the text
meanwhile, so the server keeps its own, records a `TicketConflict` and answers "conflicted".
Why a base per text and not the row's version: the ticket's row changes with every status or
SLA stamp, which would make every edit of a subject made offline a conflict.

`resolve_conflict` is the merge: the operator's chosen text written to the field (with its own
`base`, so a merge racing another edit is itself judged the same way) and the conflict marked
resolved — one command, one op, like every other change.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from opdesk.errors import EngineError
from opdesk.models import ClosureReport, Ticket, TicketConflict
from opdesk.regulations.snapshot import Actor
from opdesk.services.desk import Desk
from opdesk.services.results import CommandResult
from opdesk.services.writes import record_event, record_op, reindex

TICKET_TEXTS = ("subject",)  # long texts on the ticket's own row
CLOSURE_TEXTS = ("cause", "actions", "comment")  # long texts of the closure report (C-04)
LONG_TEXTS = TICKET_TEXTS + CLOSURE_TEXTS


def current_texts(s: Session, ticket: Ticket) -> dict[str, str]:
    """Every long text of `ticket` as this database has it now ("" where no report yet)."""
    report = s.get(ClosureReport, ticket.uuid)
    texts = {name: str(getattr(ticket, name) or "") for name in TICKET_TEXTS}
    for name in CLOSURE_TEXTS:
        texts[name] = str(getattr(report, name) or "") if report is not None else ""
    return texts


def base_of(before: Mapping[str, str], changed: Mapping[str, Any]) -> dict[str, str]:
    """The `base` argument of an op: the long texts among `changed` as they were `before`."""
    return {name: before.get(name, "") for name in LONG_TEXTS if name in changed}


def resolve_conflict(
    desk: Desk,
    actor: Actor,
    ticket_id: int,
    conflict: uuid.UUID,
    value: str,
    base: dict[str, str],
) -> CommandResult:
    """Merge a text conflict: `value` becomes the field's text and the conflict is resolved.

    Why anyone who may edit the ticket may merge, not only the op's author: the author may be
    off shift while the text matters now; the history names who merged."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        ticket = desk.editable(s, ticket_id, now)
        row = s.get(TicketConflict, conflict)
        if row is None or row.ticket_id != ticket.uuid or row.kind != "text":
            raise EngineError(
                f"на заявке {ticket.number} нет такого конфликта текста",
                f"ticket {ticket.number} has no such text conflict",
            )
        if row.resolved_at is not None:
            raise EngineError(
                f"конфликт уже разрешён ({row.resolved_by})",
                f"the conflict is already resolved ({row.resolved_by})",
            )
        field = row.field
        old = current_texts(s, ticket).get(field)
        if old is None:
            raise EngineError(f"поле «{field}» не текст", f"field {field!r} is not a long text")
        if field in TICKET_TEXTS:
            setattr(ticket, field, value)
            reindex(s, ticket)
        else:
            report = s.get(ClosureReport, ticket.uuid) or ClosureReport(
                ticket_id=ticket.uuid, updated_at=now
            )
            setattr(report, field, value)
            report.updated_at = now
            s.add(report)
        row.resolved_at, row.resolved_by = now, actor.login
        ticket.updated_at = now
        if old != value:
            record_event(s, ticket, actor, now, "field", field=field, old=old, new=value)
        op_args = {
            "actor": actor.login,
            "ticket": ticket.uuid,
            "conflict": conflict,
            "value": value,
            "base": base,
        }
        record_op(s, now, "resolve_conflict", ticket.uuid, op_args)
        return CommandResult("resolve_conflict", True, (), (ticket.id,))

    return desk.run("resolve_conflict", body)
