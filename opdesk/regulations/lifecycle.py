"""The lifecycle engine: which actions a ticket allows now, and why others are refused.

Every ticket follows its own process (one per source document), so the verdict is asked of
the ticket's process: its transitions, its terminal statuses, its auto-close and reopen rules.
A refused action is never a bare `False`: the verdict names every rule that stands in the
way, with its Russian text, its source and a detail about this ticket — and an action that
the ticket's process does not have is refused citing that process's own rule (P-08 for a
portal request that may not be reopened, C-10 for an outage ticket that never closes itself).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opdesk.errors import EngineError
from opdesk.regulations.lifecycle_checks import CHECKS
from opdesk.regulations.processes import Process
from opdesk.regulations.rules import Reason, reason_for
from opdesk.regulations.snapshot import Actor, TicketSnapshot
from opdesk.regulations.statuses import Guard, Status, Transition

if TYPE_CHECKING:
    from opdesk.regulations.pack import Pack


@dataclass(frozen=True)
class TransitionVerdict:
    """The answer to "may `actor` do `action` on this ticket now?"."""

    action: str
    allowed: bool
    reasons: tuple[Reason, ...]
    to_status: str = ""
    to_stage: str = ""
    effects: tuple[str, ...] = ()
    suppressed: tuple[Reason, ...] = field(default=())  # effects turned off, and why

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.rule for r in self.reasons)


def process_of(pack: Pack, ticket: TicketSnapshot) -> Process:
    """The ticket's process; a ticket without one cannot be judged."""
    if not ticket.process:
        known = ", ".join(pack.processes)
        raise EngineError(
            f"У заявки не указан процесс. Допустимы: {known}",
            f"The ticket has no process. Known: {known}",
        )
    return pack.process(ticket.process)


def ticket_status(pack: Pack, ticket: TicketSnapshot) -> Status:
    """The ticket's status, looked up among its process's statuses (and their names)."""
    return process_of(pack, ticket).find_status(pack.statuses, ticket.status)


def check_transition(
    pack: Pack,
    ticket: TicketSnapshot,
    action: str,
    actor: Actor,
    now: dt.datetime,
    args: Mapping[str, Any] | None = None,
    *,
    pending_input: bool = False,
) -> TransitionVerdict:
    """Judge one action. Every failing guard is reported (the first per rule ID).

    With `pending_input`, guards on the operator's input (`args.*`: an escalation reason, the
    history reviewed) are left out: "may this be offered, once the operator has answered?"."""
    args = dict(args or {})
    process = process_of(pack, ticket)
    status = process.find_status(pack.statuses, ticket.status)
    candidates = tuple(t for t in process.transitions if t.action == action)
    if not candidates:
        return TransitionVerdict(action, False, _not_in_process(pack, process, action))
    matching = [t for t in candidates if _source_matches(t, status, ticket.stage)]
    if not matching:
        refusal = _not_from_here(pack, process, candidates, status, ticket)
        return TransitionVerdict(action, False, refusal)
    transition = matching[0]
    reasons: list[Reason] = []
    cited: set[str] = set()
    ctx = {"ticket": ticket, "actor": actor, "args": args}
    for guard in transition.guards:
        if guard.rule.id in cited and guard.require is not None:
            continue
        if pending_input and guard.require is not None and _reads_args(guard):
            continue
        failed = _run_guard(pack, guard, ticket, ctx, now)
        if failed:
            reasons.extend(failed)
            cited.add(guard.rule.id)
    if reasons:
        return TransitionVerdict(action, False, tuple(reasons))
    to_status = status.id if transition.to == "*" else transition.to
    to_stage = _target_stage(pack, process, transition, pack.statuses[to_status], ticket.stage)
    effects, suppressed = _effects(pack, transition.effects, ticket)
    why = tuple(reason_for(rule) for rule in transition.rules)
    return TransitionVerdict(action, True, why, to_status, to_stage, effects, suppressed)


def available_actions(
    pack: Pack, ticket: TicketSnapshot, actor: Actor, now: dt.datetime
) -> list[TransitionVerdict]:
    """Every action of the ticket's process with its verdict (for buttons and `explain`)."""
    actions = dict.fromkeys(t.action for t in process_of(pack, ticket).transitions)
    return [check_transition(pack, ticket, a, actor, now) for a in actions]


def input_needed(process: Process, action: str) -> tuple[str, ...]:
    """The operator's input (`args` fields) the action's guards read, e.g. ("comment",
    "reason") for the portal's Escalate (P-04)."""
    names = {
        f.split(".", 1)[1]
        for t in process.transitions
        if t.action == action
        for g in t.guards
        if g.require is not None
        for f in g.require.fields()
        if f.startswith("args.")
    }
    return tuple(sorted(names))


def _reads_args(guard: Guard) -> bool:
    return guard.require is not None and any(f.startswith("args.") for f in guard.require.fields())


def _source_matches(t: Transition, status: Status, stage: str) -> bool:
    return status.id in t.sources and (not t.from_stages or stage in t.from_stages)


def _not_in_process(pack: Pack, process: Process, action: str) -> tuple[Reason, ...]:
    """An action the ticket's process does not have: refused with the process's own rule."""
    if action == "reopen" and process.reopen.never:
        r = process.reopen
        return (reason_for(r.rule, r.message, r.message_en),)
    if action == "auto_close" and process.no_auto_close is not None:
        n = process.no_auto_close
        return (reason_for(n.rule, n.message, n.message_en),)
    names = {t.action: t for t in pack.transitions}
    if action not in names:
        known = ", ".join(sorted(names))
        raise EngineError(
            f"Неизвестное действие «{action}». Допустимы: {known}",
            f"Unknown action {action!r}. Known: {known}",
        )
    own = ", ".join(dict.fromkeys(f"«{t.name}»" for t in process.transitions))
    detail = (
        f"«{names[action].name}» не входит в процесс «{process.name}» "
        f"({process.source.title}). Доступно: {own}."
    )
    en = f"{names[action].name_en} is not part of process {process.name_en}."
    return (reason_for(process.rule, detail, en),)


def _not_from_here(
    pack: Pack,
    process: Process,
    candidates: tuple[Transition, ...],
    status: Status,
    ticket: TicketSnapshot,
) -> tuple[Reason, ...]:
    t = candidates[0]
    sources = dict.fromkeys(s for c in candidates for s in c.sources)
    allowed_from = ", ".join(f"«{process.status_name(pack.statuses[s])}»" for s in sources)
    stage_part = ""
    if t.from_stages:
        stages = ", ".join(pack.stages.name(s) for s in t.from_stages)
        stage_part = f"; на стадиях: {stages}"
    where = f" (стадия: {pack.stages.name(ticket.stage)})" if ticket.stage else ""
    detail = (
        f"«{t.name}» недоступно из статуса «{process.status_name(status)}»{where}. "
        f"Допустимо из: {allowed_from}{stage_part}."
    )
    detail_en = f"{t.name_en} is not available from status {status.name_en} ({ticket.stage})."
    return tuple(reason_for(rule, detail, detail_en) for rule in t.rules)


def _target_stage(pack: Pack, process: Process, t: Transition, target: Status, stage: str) -> str:
    if target.stage != "*":
        return process.stage_of(target, pack.stages, stage)
    if not process.levels:
        return ""
    if t.stage == "next":
        order = pack.stages.order
        if stage in order and order.index(stage) + 1 < len(order):
            return order[order.index(stage) + 1]
        return stage
    return t.stage or stage


def _run_guard(
    pack: Pack, guard: Guard, ticket: TicketSnapshot, ctx: Mapping[str, Any], now: dt.datetime
) -> list[Reason]:
    if guard.require is not None:
        if guard.require.holds(ctx, pack.lists):
            return []
        return [reason_for(guard.rule, guard.message, guard.message_en)]
    return CHECKS[guard.check](pack, guard, ticket, now)


def can_edit(pack: Pack, ticket: TicketSnapshot, now: dt.datetime) -> TransitionVerdict:
    """A ticket in a terminal status of its process may be edited only within the process's
    window after closing (S-09: 5 minutes); with no window, only after reopening."""
    from opdesk.regulations.lifecycle_checks import window_reasons

    process = process_of(pack, ticket)
    status = process.find_status(pack.statuses, ticket.status)
    if not process.is_terminal(status.id):
        return TransitionVerdict("edit", True, ())
    window = process.edit_after_close
    if window.minutes == 0:
        name = process.status_name(status)
        how = (
            "возобновите её" if status.id in process.reopen.sources else "создайте новое обращение"
        )
        detail = f"Статус «{name}» окончательный: чтобы что-то изменить, {how}."
        return TransitionVerdict("edit", False, (reason_for(window.rule, detail, "Final status."),))
    reasons = window_reasons(pack, window.rule, ticket, now, window.minutes)
    return TransitionVerdict("edit", not reasons, tuple(reasons))


def keep_status_choice(pack: Pack, ticket: TicketSnapshot) -> TransitionVerdict:
    """U-05 «Не изменять»: a message goes out and the status stays as it is."""
    process = process_of(pack, ticket)
    status = process.find_status(pack.statuses, ticket.status)
    if not process.keep_status:
        return TransitionVerdict("keep_status", False, _not_in_process(pack, process, "reply"))
    why = reason_for(
        pack.keep_status.rule,
        detail=f"Статус остаётся «{process.status_name(status)}».",
        detail_en=f"Status stays {status.name_en}.",
    )
    return TransitionVerdict("keep_status", True, (why,), status.id, ticket.stage)


def _effects(
    pack: Pack, names: tuple[str, ...], ticket: TicketSnapshot
) -> tuple[tuple[str, ...], tuple[Reason, ...]]:
    kept: list[str] = []
    suppressed: list[Reason] = []
    for name in names:
        spec = pack.effects[name]
        if spec.suppressed_when is not None and spec.suppressed_when.holds(
            {"ticket": ticket}, pack.lists
        ):
            if spec.rule is not None:
                suppressed.append(reason_for(spec.rule, detail=f"не выполняется: {spec.name}"))
            continue
        kept.append(name)
    return tuple(kept), tuple(suppressed)
