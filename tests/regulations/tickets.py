"""Ticket snapshots for engine tests: a ticket that satisfies every closing requirement, from
which each test removes exactly the thing it is about."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from opdesk.regulations.snapshot import (
    Actor,
    ClientSnap,
    ClosureSnap,
    StatusEvent,
    TicketSnapshot,
)

MSK = ZoneInfo("Europe/Moscow")


def msk(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=MSK)


OPERATOR = Actor(login="ivanova", role="operator", department="ОПП")
OTHER = Actor(login="petrov", role="operator", department="ОПП")
SYSTEM = Actor(login="system", role="system")
CLIENT = Actor(login="client", role="client")

CREATED = msk(2026, 11, 16, 10, 0)
RESOLVED = msk(2026, 11, 18, 15, 0)


def ready_to_close(**changes: Any) -> TicketSnapshot:
    """A resolved outage ticket (000) meeting every item of the standard closing scheme."""
    base = TicketSnapshot(
        number="СЗ-1001",
        process="outage",
        created_at=CREATED,
        status="resolved",
        stage="resolved",
        theme="Связь и интернет",
        type="Заявка",
        category="Проблемы с хостингом",
        priority="Обычный",
        owner="ivanova",
        department="ОПП",
        client=ClientSnap(name="ООО Ромашка", category="обычный", mobile="+79161234567"),
        scheme_permanent=True,
        scheme_recorded_by="ОЭ",
        needs_closing=True,
        resolved_by_department="ТО",
        closure=ClosureSnap(
            cause="Обрыв кабеля на участке УС-12",
            actions="Замена патч-корда, перезапуск порта",
            performers=("Сидоров А.А.",),
            completed_at=RESOLVED,
            time_spent_minutes=90,
            responsible_actions_checked=True,
        ),
        history=(
            StatusEvent(CREATED, "new", ""),
            StatusEvent(msk(2026, 11, 16, 10, 20), "in_progress", ""),
            StatusEvent(RESOLVED, "resolved", "resolved", "sidorov", "ТО"),
        ),
    )
    return dataclasses.replace(base, **changes)


def with_client(ticket: TicketSnapshot, **changes: Any) -> TicketSnapshot:
    return dataclasses.replace(ticket, client=dataclasses.replace(ticket.client, **changes))


def with_closure(ticket: TicketSnapshot, **changes: Any) -> TicketSnapshot:
    return dataclasses.replace(ticket, closure=dataclasses.replace(ticket.closure, **changes))
