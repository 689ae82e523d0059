"""Lifecycle actions (take, escalate, resolve, close, reopen, cancel, …): the engine judges
the ticket's snapshot, and only an allowed action moves its status.

Every allowed action records one op (`lifecycle_op`): a take, close, reopen or cancel by its
own name, an escalation with its reason, any other action as `transition`. `change_status` and
`bulk_close` are ways of choosing actions, so they record the ops of the actions they ran."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from opdesk.errors import EngineError
from opdesk.regulations.lifecycle import check_transition
from opdesk.regulations.rules import reason_for
from opdesk.regulations.snapshot import Actor
from opdesk.services.desk import Desk
from opdesk.services.results import CommandResult, Refused
from opdesk.services.snapshots import snapshot
from opdesk.services.writes import record_event, record_op

# Actions recorded as ops of their own name when they carry no input (the rest: `transition`).
NAMED_ACTIONS = ("take", "close", "reopen", "cancel")
ESCALATION_INPUT = {"reason", "comment"}


def lifecycle_op(action: str, args: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """The op name and arguments (besides actor and ticket) an action is recorded as: one
    spelling per effect, whether it ran through `take` or `transition(…, "take")`, so the
    server tells a take (owner: first come on the server) from other moves at a glance."""
    given = dict(args or {})
    if action in NAMED_ACTIONS and not given:
        return action, {}
    texts = all(isinstance(value, str) for value in given.values())
    if action == "escalate" and set(given) == ESCALATION_INPUT and texts:
        return "escalate", {"reason": given["reason"], "comment": given["comment"]}
    return "transition", {"action": action, "input": given}


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
        flow = desk.pack.process(ticket.process)
        old_status, old_stage = ticket.status, ticket.stage
        target = desk.pack.statuses[verdict.to_status]
        ticket.status, ticket.stage = target.id, verdict.to_stage
        ticket.is_open = not flow.is_terminal(target.id)
        if "set_owner" in verdict.effects:
            ticket.owner_id = desk.person(s, actor.login).id
        if "record_resolver" in verdict.effects:  # C-03: who set «Выполнена»
            ticket.resolved_by_department = actor.department
        if flow.is_terminal(target.id):
            ticket.closed_at, ticket.closed_via = now, action
        elif flow.is_terminal(old_status):
            ticket.closed_at, ticket.closed_via = None, ""
        # a level change (004's escalation keeps «В работе») moves the SLA stage: a status event
        moved = (target.id, ticket.stage) != (old_status, old_stage)
        kind = "status" if moved else "action"
        record_event(s, ticket, actor, now, kind, field=action, old=old_status, new=target.id)
        if args and args.get("reason"):
            reason = f"{args.get('reason')}: {args.get('comment', '')}"
            record_event(s, ticket, actor, now, "reason", field=action, new=reason)
        desk.after_change(s, ticket, now)
        name, op_args = lifecycle_op(action, args)
        record_op(
            s, now, name, ticket.uuid, {"actor": actor.login, "ticket": ticket.uuid, **op_args}
        )
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
    """Move to a status by name (Russian or id): the action of the ticket's process leading
    there is looked up."""
    with desk.db.transaction() as s:
        flow = desk.pack.process(desk.ticket(s, ticket_id).process)
    target = flow.find_status(desk.pack.statuses, status)
    actions = [t.action for t in flow.transitions if t.to == target.id]
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


def change_process(desk: Desk, actor: Actor, ticket_id: int, process: str) -> CommandResult:
    """Move a ticket to another process, judged against the new one: its status must exist
    there (under the new document's rules), and a process with SLA plans needs a B-05
    category. Terminal-ness, stage and SLA columns are recomputed by the new process."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        ticket = desk.ticket(s, ticket_id)
        old = desk.pack.process(ticket.process) if ticket.process else None
        new = desk.pack.process(process)
        if ticket.status not in new.statuses:
            name = desk.pack.statuses[ticket.status].name
            known = ", ".join(new.status_name(desk.pack.statuses[x]) for x in new.statuses)
            detail = (
                f"в процессе «{new.name}» нет статуса «{name}»; сначала переведите заявку в "
                f"один из: {known}"
            )
            raise Refused((reason_for(new.rule, detail, "the status is not in that process"),))
        if new.sla_plans:
            desk.category(ticket.category)
        status = desk.pack.statuses[ticket.status]
        ticket.process = new.id
        stage = new.stage_of(status, desk.pack.stages, ticket.stage)
        if new.levels and status.stage == "*" and stage not in desk.pack.stages.order:
            stage = desk.pack.stages.order[0]  # into a process with levels: line 1 first
        ticket.stage = stage
        ticket.is_open = not new.is_terminal(status.id)
        old_id = old.id if old else ""
        record_event(s, ticket, actor, now, "process", field="process", old=old_id, new=new.id)
        desk.after_change(s, ticket, now)
        op_args = {"actor": actor.login, "ticket": ticket.uuid, "process": new.id}
        record_op(s, now, "change_process", ticket.uuid, op_args)
        return CommandResult("change_process", True, (reason_for(new.rule),), (ticket.id,))

    return desk.run("change_process", body)
