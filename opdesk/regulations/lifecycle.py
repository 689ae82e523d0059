"""The lifecycle engine: which actions a ticket allows now, and why others are refused.

Covers B-02 (stages and who may move where), P-01…P-09, U-01, U-02, U-05, S-09. A refused
action is never a bare `False`: the verdict names every rule that stands in the way, with its
Russian text, its source and a detail about this ticket.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opdesk.errors import EngineError
from opdesk.regulations.checklist import evaluate_checklist
from opdesk.regulations.rules import Reason, reason_for
from opdesk.regulations.snapshot import Actor, StatusEvent, TicketSnapshot
from opdesk.regulations.statuses import Guard, Status, Transition, find_status

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


def transitions_for(pack: Pack, action: str) -> tuple[Transition, ...]:
    found = tuple(t for t in pack.transitions if t.action == action)
    if not found:
        known = ", ".join(sorted({t.action for t in pack.transitions}))
        raise EngineError(
            f"Неизвестное действие «{action}». Допустимы: {known}",
            f"Unknown action {action!r}. Known: {known}",
        )
    return found


def check_transition(
    pack: Pack,
    ticket: TicketSnapshot,
    action: str,
    actor: Actor,
    now: dt.datetime,
    args: Mapping[str, Any] | None = None,
) -> TransitionVerdict:
    """Judge one action. Every failing guard is reported (the first per rule ID)."""
    args = dict(args or {})
    candidates = transitions_for(pack, action)
    status = find_status(pack.statuses, ticket.status)
    matching = [t for t in candidates if _source_matches(t, status, ticket.stage)]
    if not matching:
        return TransitionVerdict(action, False, _not_from_here(pack, candidates, status, ticket))
    transition = matching[0]
    reasons: list[Reason] = []
    cited: set[str] = set()
    ctx = {"ticket": ticket, "actor": actor, "args": args}
    for guard in transition.guards:
        if guard.rule.id in cited and guard.require is not None:
            continue
        failed = _run_guard(pack, guard, ticket, ctx, now)
        if failed:
            reasons.extend(failed)
            cited.add(guard.rule.id)
    if reasons:
        return TransitionVerdict(action, False, tuple(reasons))
    to_status = status.id if transition.to == "*" else transition.to
    to_stage = _target_stage(pack, transition, pack.statuses[to_status], ticket.stage)
    effects, suppressed = _effects(pack, transition.effects, ticket)
    why = tuple(reason_for(rule) for rule in transition.rules)
    return TransitionVerdict(action, True, why, to_status, to_stage, effects, suppressed)


def available_actions(
    pack: Pack, ticket: TicketSnapshot, actor: Actor, now: dt.datetime
) -> list[TransitionVerdict]:
    """Every action of the pack with its verdict for this ticket (for buttons and `explain`)."""
    actions = dict.fromkeys(t.action for t in pack.transitions)
    return [check_transition(pack, ticket, a, actor, now) for a in actions]


def _source_matches(t: Transition, status: Status, stage: str) -> bool:
    return status.id in t.sources and (not t.from_stages or stage in t.from_stages)


def _not_from_here(
    pack: Pack, candidates: tuple[Transition, ...], status: Status, ticket: TicketSnapshot
) -> tuple[Reason, ...]:
    t = candidates[0]
    allowed_from = ", ".join(f"«{pack.statuses[s].name}»" for s in t.sources)
    stage_part = ""
    if t.from_stages:
        stages = ", ".join(pack.stages.name(s) for s in t.from_stages)
        stage_part = f"; на стадиях: {stages}"
    detail = (
        f"«{t.name}» недоступно из статуса «{status.name}» "
        f"(стадия: {pack.stages.name(ticket.stage)}). Допустимо из: {allowed_from}{stage_part}."
    )
    detail_en = f"{t.name_en} is not available from status {status.name_en} ({ticket.stage})."
    return tuple(reason_for(rule, detail, detail_en) for rule in t.rules)


def _target_stage(pack: Pack, t: Transition, target: Status, stage: str) -> str:
    if target.stage != "*":
        return target.stage
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
    return _CHECKS[guard.check](pack, guard, ticket, now)


def _check_closing(
    pack: Pack, guard: Guard, ticket: TicketSnapshot, now: dt.datetime
) -> list[Reason]:
    return list(evaluate_checklist(pack.closing, ticket, pack.lists).reasons)


def _check_closing_responsible(
    pack: Pack, guard: Guard, ticket: TicketSnapshot, now: dt.datetime
) -> list[Reason]:
    result = evaluate_checklist(pack.closing, ticket, pack.lists, parts=("responsible",))
    return list(result.reasons)


def _check_outcome(
    pack: Pack, guard: Guard, ticket: TicketSnapshot, now: dt.datetime
) -> list[Reason]:
    from opdesk.regulations.classify import outcome_check

    return list(outcome_check(pack.classification, ticket).reasons)


def resolved_at(history: Sequence[StatusEvent]) -> dt.datetime | None:
    """When the ticket last entered the resolved stage (from its status history)."""
    return max((e.at for e in history if e.stage == "resolved"), default=None)


def auto_close_due(pack: Pack, history: Sequence[StatusEvent]) -> dt.datetime | None:
    """B-03 / P-07: when a resolved ticket with no client reaction closes by itself."""
    since = resolved_at(history)
    if since is None:
        return None
    return pack.calendar.add_working_days(since, pack.parameters.auto_close_working_days)


def _check_auto_close(
    pack: Pack, guard: Guard, ticket: TicketSnapshot, now: dt.datetime
) -> list[Reason]:
    since = resolved_at(ticket.history)
    due = auto_close_due(pack, ticket.history)
    days = pack.parameters.auto_close_working_days
    if since is None or due is None:
        return [reason_for(guard.rule, "В истории нет момента решения.", "No resolution moment.")]
    replies = [c.at for c in ticket.comments if c.kind == "client_reply" and c.at and c.at > since]
    if replies:
        return [
            reason_for(
                guard.rule,
                detail=(
                    f"Клиент ответил {_local(pack, min(r for r in replies if r))}: "
                    "автозакрытие не выполняется."
                ),
                detail_en="The client replied after resolution: no automatic close.",
            )
        ]
    if now < due:
        return [
            reason_for(
                guard.rule,
                detail=(
                    f"Решено {_local(pack, since)}; автозакрытие через {days} раб. дн. — "
                    f"не раньше {_local(pack, due)}."
                ),
                detail_en=f"Resolved {since.isoformat()}; auto-close not before {due.isoformat()}.",
            )
        ]
    return []


def _check_reopen_window(
    pack: Pack, guard: Guard, ticket: TicketSnapshot, now: dt.datetime
) -> list[Reason]:
    if find_status(pack.statuses, ticket.status).id != "closed":
        return []
    return _window_reasons(pack, guard, ticket, now, pack.parameters.closed_reopen_window_minutes)


def _window_reasons(
    pack: Pack, guard: Guard | None, ticket: TicketSnapshot, now: dt.datetime, minutes: int
) -> list[Reason]:
    rule = guard.rule if guard else pack.rules["S-09"]
    if ticket.closed_at is None:
        return [reason_for(rule, "Не указан момент закрытия.", "The closing moment is unknown.")]
    until = ticket.closed_at + dt.timedelta(minutes=minutes)
    if now <= until:
        return []
    return [
        reason_for(
            rule,
            detail=(
                f"Закрыта {_local(pack, ticket.closed_at)}; возобновить или изменить можно было "
                f"до {_local(pack, until)} ({minutes} мин). Создайте новое обращение."
            ),
            detail_en=f"Closed {ticket.closed_at.isoformat()}; the {minutes}-minute window ended.",
        )
    ]


def can_edit(pack: Pack, ticket: TicketSnapshot, now: dt.datetime) -> TransitionVerdict:
    """S-09: a closed ticket may be edited only within the edit window after closing."""
    status = find_status(pack.statuses, ticket.status)
    if not status.terminal:
        return TransitionVerdict("edit", True, ())
    if not status.reopenable:
        detail = f"Статус «{status.name}» окончательный: изменения не допускаются."
        rule = status.rules[0]
        return TransitionVerdict("edit", False, (reason_for(rule, detail, "Final status."),))
    minutes = pack.parameters.closed_edit_window_minutes
    reasons = _window_reasons(pack, None, ticket, now, minutes)
    return TransitionVerdict("edit", not reasons, tuple(reasons))


def keep_status_choice(pack: Pack, ticket: TicketSnapshot) -> TransitionVerdict:
    """U-05 «Не изменять»: a message goes out and the status stays as it is."""
    status = find_status(pack.statuses, ticket.status)
    why = reason_for(
        pack.keep_status.rule,
        detail=f"Статус остаётся «{status.name}».",
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


def _local(pack: Pack, moment: dt.datetime) -> str:
    return moment.astimezone(pack.calendar.tz).strftime("%d.%m.%Y %H:%M")


_CHECKS = {
    "outcome": _check_outcome,
    "closing_checklist": _check_closing,
    "closing_checklist_responsible": _check_closing_responsible,
    "auto_close_due": _check_auto_close,
    "closed_reopen_window": _check_reopen_window,
}
