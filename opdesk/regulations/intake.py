"""Intake of a new ticket (B-01, S-01, U-04): initial status, queue, default priority, effects
— each from the ticket's process (a call's request starts «В работе» with its operator, a CSN
ticket «Новая» in the line-1 queue)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from opdesk.regulations.rules import Reason, reason_for

if TYPE_CHECKING:
    from opdesk.regulations.pack import Pack
    from opdesk.regulations.processes import Process


@dataclass(frozen=True)
class IntakeResult:
    process: str
    status: str
    stage: str
    queue: str
    priority: str
    created_at: dt.datetime
    effects: tuple[str, ...]
    reasons: tuple[Reason, ...]


def intake(
    pack: Pack, process: Process, created_at: dt.datetime, priority: str | None = None
) -> IntakeResult:
    """How a new contact enters the desk: at any hour (B-01), in its process's first status.

    The priority is the pack's default unless the operator chose one (U-04); a priority given
    by an alias («Средний») is stored under its canonical name.
    """
    entry = process.intake
    status = pack.statuses[entry.status]
    canonical = pack.sla.canonical_priority(priority)
    reasons = [
        reason_for(
            entry.rule,
            detail=f"очередь «{entry.queue}», статус «{process.status_name(status)}»",
            detail_en=f"queue {entry.queue_en}, status {status.name_en}",
        )
    ]
    if priority is None or priority != canonical:
        reasons.append(
            reason_for(
                entry.priority_rule,
                detail=f"приоритет «{canonical}»"
                + (f" (выбрано «{priority}»)" if priority else " по умолчанию"),
                detail_en=f"priority {canonical}",
            )
        )
    return IntakeResult(
        process=process.id,
        status=status.id,
        stage=process.stage_of(status, pack.stages),
        queue=entry.queue,
        priority=canonical,
        created_at=created_at,
        effects=entry.effects,
        reasons=tuple(reasons),
    )
