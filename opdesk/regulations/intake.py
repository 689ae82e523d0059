"""Intake of a new ticket (B-01, U-04): initial status, queue, default priority, effects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from opdesk.regulations.rules import Reason, reason_for

if TYPE_CHECKING:
    from opdesk.regulations.pack import Pack


@dataclass(frozen=True)
class IntakeResult:
    status: str
    stage: str
    queue: str
    priority: str
    created_at: dt.datetime
    effects: tuple[str, ...]
    reasons: tuple[Reason, ...]


def intake(pack: Pack, created_at: dt.datetime, priority: str | None = None) -> IntakeResult:
    """How a new contact enters the desk: at any hour (B-01), queued for line 1.

    The priority is the pack's default unless the operator chose one (U-04); a priority given
    by an alias («Средний») is stored under its canonical name.
    """
    status = pack.statuses[pack.intake.status]
    canonical = pack.sla.canonical_priority(priority)
    reasons = [
        reason_for(
            pack.intake.rule,
            detail=f"очередь «{pack.intake.queue}», статус «{status.name}»",
            detail_en=f"queue {pack.intake.queue_en}, status {status.name_en}",
        )
    ]
    if priority is None or priority != canonical:
        reasons.append(
            reason_for(
                pack.intake.priority_rule,
                detail=f"приоритет «{canonical}»"
                + (f" (выбрано «{priority}»)" if priority else " по умолчанию"),
                detail_en=f"priority {canonical}",
            )
        )
    return IntakeResult(
        status=status.id,
        stage=status.stage,
        queue=pack.intake.queue,
        priority=canonical,
        created_at=created_at,
        effects=pack.intake.effects,
        reasons=tuple(reasons),
    )
