"""Lifecycle actions (take, escalate, resolve, close, reopen, cancel, …): the engine judges
the ticket's snapshot, and only an allowed action moves its status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from opdesk.errors import EngineError
from opdesk.regulations.lifecycle import check_transition
from opdesk.regulations.snapshot import Actor
from opdesk.regulations.statuses import find_status
from opdesk.services.desk import Desk
from opdesk.services.results import CommandResult, Refused
from opdesk.services.snapshots import snapshot
from opdesk.services.writes import record_event, record_outbox

STATUS_FIELDS = (
    "status", "stage", "is_open", "owner_id", "resolved_by_department", "closed_at",
    "closed_via", "updated_at",
)  # fmt: skip


def transition(
    desk: Desk,
    actor: Actor,
    ticket_id: int,
    action: str,
    args: Mapping[str, Any] | None = None,
) -> CommandResult:
    """Any lifecycle action of the pack, by its id."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        ticket = desk.ticket(s, ticket_id)
        verdict = check_transition(desk.pack, snapshot(s, ticket), action, actor, now, args)
        if not verdict.allowed:
            raise Refused(verdict.reasons)
        old_status = ticket.status
        target = desk.pack.statuses[verdict.to_status]
        ticket.status, ticket.stage = target.id, verdict.to_stage
        ticket.is_open = not target.terminal
        if "set_owner" in verdict.effects:
            ticket.owner_id = desk.person(s, actor.login).id
        if target.id == "resolved":
            ticket.resolved_by_department = actor.department
        if target.terminal:
            ticket.closed_at, ticket.closed_via = now, action
        elif old_status in ("closed", "cancelled"):
            ticket.closed_at, ticket.closed_via = None, ""
        kind = "status" if target.id != old_status else "action"
        record_event(s, ticket, actor, now, kind, field=action, old=old_status, new=target.id)
        if args and args.get("reason"):
            reason = f"{args.get('reason')}: {args.get('comment', '')}"
            record_event(s, ticket, actor, now, "reason", field=action, new=reason)
        desk.after_change(s, ticket, now)
        payload = {name: getattr(ticket, name) for name in STATUS_FIELDS}
        record_outbox(s, action, now, "tickets", ticket.uuid, "update", payload)
        return CommandResult(action, True, verdict.reasons, (ticket.id,), verdict.effects)

    return desk.run(action, body)


def take(desk: Desk, actor: Actor, ticket_id: int) -> CommandResult:
    return transition(desk, actor, ticket_id, "take")


def escalate(
    desk: Desk, actor: Actor, ticket_id: int, reason: str, comment: str = ""
) -> CommandResult:
    return transition(desk, actor, ticket_id, "escalate", {"reason": reason, "comment": comment})


def close(desk: Desk, actor: Actor, ticket_id: int) -> CommandResult:
    return transition(desk, actor, ticket_id, "close")


def reopen(desk: Desk, actor: Actor, ticket_id: int) -> CommandResult:
    return transition(desk, actor, ticket_id, "reopen")


def cancel(desk: Desk, actor: Actor, ticket_id: int) -> CommandResult:
    return transition(desk, actor, ticket_id, "cancel")


def change_status(
    desk: Desk, actor: Actor, ticket_id: int, status: str, args: Mapping[str, Any] | None = None
) -> CommandResult:
    """Move to a status by name (Russian or id): the action leading there is looked up."""
    target = find_status(desk.pack.statuses, status)
    actions = [t.action for t in desk.pack.transitions if t.to == target.id]
    if not actions:
        raise EngineError(f"в «{target.name}» не ведёт ни одно действие", "no action leads there")
    results = []
    for action in dict.fromkeys(actions):
        result = transition(desk, actor, ticket_id, action, args)
        if result.ok:
            return result
        results.append(result)
    return results[0]


def bulk_close(desk: Desk, actor: Actor, ticket_ids: Sequence[int]) -> list[CommandResult]:
    """Close many tickets: each one through the same guarded path as a single close."""
    return [close(desk, actor, tid) for tid in ticket_ids]
