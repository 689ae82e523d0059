"""A few hundred tickets with known field values, for the query and search tests."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from sqlalchemy import insert

from opdesk.models import Comment, Department, Person, Ticket
from opdesk.store import search
from opdesk.store.database import Database, open_local

NOW = dt.datetime(2025, 3, 3, 12, 0, tzinfo=dt.UTC)
ME = uuid.UUID(int=1)
OTHER = uuid.UUID(int=2)
DEP = uuid.UUID(int=10)
STATUSES = ("new", "in_progress", "waiting_client", "closed")
CATEGORIES = ("Проблемы с хостингом", "Вопросы к руководству")
PROCESSES = ("csn", "portal", "helpdesk")
PRIORITIES = (("Обычный", 0), ("Срочный", 1), ("Критичный", 2))
CLIENT_CATS = ("VIP", "Важный", "обычный")
N = 300


def ticket(i: int) -> dict[str, object]:
    """Ticket i: every field is a simple function of i, so tests can compute expectations."""
    status = STATUSES[i % 4]
    prio, rank = PRIORITIES[i % 3]
    due = NOW + dt.timedelta(hours=(i % 7) - 3) if status != "closed" else None
    return dict(
        id=i, number=f"T-{i:05d}", process=PROCESSES[i % 3],
        created_at=NOW - dt.timedelta(hours=i // 2),
        updated_at=NOW - dt.timedelta(minutes=i), client_name=f"Клиент {i % 10}",
        client_category=CLIENT_CATS[i % 3], contact_phone=f"+7 916 000-{i:04d}"[:16],
        subject=f"Тема {i}", category=CATEGORIES[i % 2], priority=prio, priority_rank=rank,
        status=status, stage="closed" if status == "closed" else "processing",
        is_open=status != "closed", owner_id=(ME, OTHER, None)[i % 3],
        department_id=DEP if i % 5 == 0 else None, sla_due_at=due,
        sla_risk_at=due - dt.timedelta(hours=2) if due else None,
        sla_paused=status == "waiting_client", sla_breached=i % 11 == 0,
    )  # fmt: skip


def make_db(tmp_path: Path) -> Database:
    db = open_local(tmp_path / "db.sqlite3")
    with db.engine.begin() as c:
        c.execute(insert(Department), [dict(id=DEP, code="d1", name="Отдел 1")])
        c.execute(
            insert(Person),
            [dict(id=ME, login="me", name="Я"), dict(id=OTHER, login="o", name="Другой")],
        )
        c.execute(insert(Ticket), [ticket(i) for i in range(1, N + 1)])
        uuids = dict(c.exec_driver_sql("SELECT id, uuid FROM tickets").fetchall())
        c.execute(
            insert(Comment),
            [dict(ticket_id=uuid.UUID(hex=uuids[7]), at=NOW, author="me", kind="note",
                  text="Клиент Семёнов просит перезвонить")],
        )  # fmt: skip
        for i in range(1, N + 1):
            search.index_ticket(c, i)
    return db
