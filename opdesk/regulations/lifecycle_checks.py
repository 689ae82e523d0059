"""Guards that are engine checks parameterised by pack data: the closing checklist (C-01…C-11),
the outcome classification (U-03), auto-close due (B-03, P-07) and the reopen window (S-09).

Each asks the ticket's process for its numbers — 004's «Решен» closes after 2 working days,
003's «Ожидает подтверждения» after 3 — so no count of days or minutes is written into code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from opdesk.regulations.checklist import evaluate_checklist
from opdesk.regulations.processes import Process
from opdesk.regulations.rules import Reason, Rule, reason_for
from opdesk.regulations.snapshot import StatusEvent, TicketSnapshot
from opdesk.regulations.statuses import Guard

if TYPE_CHECKING:
    from opdesk.regulations.pack import Pack

Check = Callable[["Pack", Guard, TicketSnapshot, dt.datetime], list[Reason]]


def entered_at(history: Sequence[StatusEvent], status: str) -> dt.datetime | None:
    """When the ticket last entered `status` (from its status history, oldest first)."""
    entered: dt.datetime | None = None
    previous = ""
    for event in sorted(history, key=lambda e: e.at):
        if event.status == status and previous != status:
            entered = event.at
        previous = event.status
    return entered


def auto_close_due(
    pack: Pack, process: Process, status: str, history: Sequence[StatusEvent]
) -> dt.datetime | None:
    """B-03 / P-07: when a ticket in `status` with no client reaction closes by itself."""
    rule = process.auto_close_for(status)
    since = entered_at(history, status) if rule else None
    if rule is None or since is None:
        return None
    return pack.calendar.add_working_days(since, rule.working_days)


def _process(pack: Pack, ticket: TicketSnapshot) -> Process:
    from opdesk.regulations.lifecycle import process_of

    return process_of(pack, ticket)


def _status_id(pack: Pack, process: Process, ticket: TicketSnapshot) -> str:
    return process.find_status(pack.statuses, ticket.status).id


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


def _check_auto_close(
    pack: Pack, guard: Guard, ticket: TicketSnapshot, now: dt.datetime
) -> list[Reason]:
    process = _process(pack, ticket)
    status = _status_id(pack, process, ticket)
    rule = process.auto_close_for(status)
    since = entered_at(ticket.history, status)
    due = auto_close_due(pack, process, status, ticket.history)
    if rule is None or since is None or due is None:
        return [reason_for(guard.rule, "В истории нет момента решения.", "No resolution moment.")]
    replies = [c.at for c in ticket.comments if c.kind == "client_reply" and c.at and c.at > since]
    if replies:
        return [
            reason_for(
                rule.rule,
                detail=f"Клиент ответил {_local(pack, min(replies))}: автозакрытие не выполняется.",
                detail_en="The client replied: no automatic close.",
            )
        ]
    if now < due:
        return [
            reason_for(
                rule.rule,
                detail=(
                    f"«{process.status_name(pack.statuses[status])}» с {_local(pack, since)}; "
                    f"автозакрытие через {rule.working_days} раб. дн. — не раньше "
                    f"{_local(pack, due)}."
                ),
                detail_en=f"Since {since.isoformat()}; auto-close not before {due.isoformat()}.",
            )
        ]
    return []


def _check_before_auto_close(
    pack: Pack, guard: Guard, ticket: TicketSnapshot, now: dt.datetime
) -> list[Reason]:
    """P-07: once the waiting time is over the request counts as closed, even if the
    scheduled close has not run yet — work does not resume on it."""
    process = _process(pack, ticket)
    status = _status_id(pack, process, ticket)
    due = auto_close_due(pack, process, status, ticket.history)
    if due is None or now < due:
        return []
    return [
        reason_for(
            guard.rule,
            detail=(
                f"Срок ответа клиента истёк {_local(pack, due)}: обращение считается закрытым; "
                "новые вопросы — в новом обращении."
            ),
            detail_en=f"The time to answer ended {due.isoformat()}: the request is closed.",
        )
    ]


def _check_reopen_window(
    pack: Pack, guard: Guard, ticket: TicketSnapshot, now: dt.datetime
) -> list[Reason]:
    process = _process(pack, ticket)
    minutes = process.reopen.window_minutes
    if minutes is None or not process.is_terminal(_status_id(pack, process, ticket)):
        return []
    return window_reasons(pack, guard.rule, ticket, now, minutes)


def window_reasons(
    pack: Pack, rule: Rule, ticket: TicketSnapshot, now: dt.datetime, minutes: int
) -> list[Reason]:
    """S-09: a closed ticket may be reopened or edited only `minutes` after closing."""
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


def _local(pack: Pack, moment: dt.datetime) -> str:
    return moment.astimezone(pack.calendar.tz).strftime("%d.%m.%Y %H:%M")


CHECKS: dict[str, Check] = {
    "outcome": _check_outcome,
    "closing_checklist": _check_closing,
    "closing_checklist_responsible": _check_closing_responsible,
    "auto_close_due": _check_auto_close,
    "before_auto_close": _check_before_auto_close,
    "reopen_window": _check_reopen_window,
}
