"""Fallback data for bench/queue.py: a fast raw-sqlite3 bulk load of realistic ticket rows.

Used only when `opdesk.store.demo.generate` is not available. It fills the `tickets` table
(and `ticket_fts` through `opdesk.store.search.bulk_index`, the path the demo generator uses)
with a desk's shape: five years of intake, few open tickets (most recent), VIP/«Важный»
clients, 40 operators, paused and breached SLA stages. No history, comments table or closures:
the queue benchmark reads only the ticket columns and the search index.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from opdesk.store import search
from opdesk.store.database import open_local

OPEN = ("new", "in_progress", "analysis", "escalated", "on_hold", "waiting_client",
        "postponed", "resolved", "reopened")  # fmt: skip
PAUSED = {"on_hold", "waiting_client", "postponed"}
STAGE_OF = {"new": "classification", "resolved": "resolved", "reopened": "reopened"}
WORK_STAGES = ("classification", "processing", "resolution", "vendor")
PRIORITIES = (("Обычный", 0), ("Срочный", 1), ("Критичный", 2))
SURNAMES = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов",
            "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев",
            "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев", "Орлов")  # fmt: skip
NAMES = ("Александр", "Дмитрий", "Сергей", "Андрей", "Алексей", "Иван", "Пётр", "Ольга",
         "Анна", "Мария", "Елена", "Ирина")  # fmt: skip
COMPANIES = ("Ромашка", "Вектор", "Горизонт", "Меридиан", "Уралхим", "ТехноСервис", "Дельта",
             "Волга-Телеком", "Промресурс", "Инфосистемы", "СеверТранс", "Агроторг")  # fmt: skip
SUBJECTS = ("Не работает личный кабинет", "Ошибка при оплате счёта", "Нужны закрывающие документы",
            "Сайт недоступен", "Медленно открывается страница", "Запрос акта сверки",
            "Не приходят письма", "Настройка модуля обмена", "Ошибка 500 в корзине",
            "Продление хостинга", "Вопрос по договору", "Сбой выгрузки в 1С")  # fmt: skip
START = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
SPAN_S = 5 * 365 * 86400


def fmt(moment: dt.datetime | None) -> str | None:
    """A moment as SQLAlchemy stores it on SQLite (naive UTC text with microseconds)."""
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _rows(n: int, rng: random.Random, categories: list[str], owners: list[str],
          departments: list[str], now: dt.datetime) -> Iterator[tuple[Any, ...]]:  # fmt: skip
    step = SPAN_S / n
    recent = now - dt.timedelta(days=60)
    for i in range(1, n + 1):
        created = START + dt.timedelta(seconds=i * step + rng.random() * step)
        is_open = rng.random() < (0.6 if created > recent else 0.01)
        status = rng.choice(OPEN) if is_open else ("closed" if rng.random() < 0.95 else "cancelled")
        stage = STAGE_OF.get(status, rng.choice(WORK_STAGES)) if is_open else "closed"
        prio, rank = PRIORITIES[rng.choices((0, 1, 2), (70, 25, 5))[0]]
        x = rng.random()
        client_cat = "VIP" if x < 0.03 else ("Важный" if x < 0.15 else "обычный")
        if rng.random() < 0.5:
            client = f"{rng.choice(SURNAMES)} {rng.choice(NAMES)}"
        else:
            client = f"ООО «{rng.choice(COMPANIES)}-{rng.randrange(1, 500)}»"
        phone = f"+7 9{rng.randrange(10, 99)} {rng.randrange(100, 999)}-{rng.randrange(10, 99)}-" \
                f"{rng.randrange(10, 99)}"  # fmt: skip
        paused = is_open and status in PAUSED
        due = risk = None
        breached = rng.random() < 0.12
        if is_open and stage in WORK_STAGES:
            due = created + dt.timedelta(hours=rng.choice((2, 8, 24, 72)))
            if rng.random() < 0.5:  # a younger stage: the current one started later
                due = now + dt.timedelta(hours=rng.uniform(-30, 60))
            risk = due - dt.timedelta(hours=rng.uniform(0.5, 10))
        owner = rng.choice(owners) if (not is_open or rng.random() < 0.8) else None
        yield (
            i, uuid.UUID(int=rng.getrandbits(128)).hex, f"{created.year}-{i:07d}", fmt(created),
            fmt(created + dt.timedelta(hours=rng.uniform(0, 200))), "phone", client, client_cat,
            phone, rng.choice(SUBJECTS), "", "", "", "", rng.choice(categories), prio, rank,
            status, stage, int(is_open), owner, rng.choice(departments),
            0, "", 0, "", 0, 1, 0, 0, "", "", "", "", "std_support", stage if due else "",
            fmt(due), fmt(risk), int(paused), int(breached), 0, 0,
        )  # fmt: skip


INSERT = (
    "INSERT INTO tickets (id, uuid, number, created_at, updated_at, channel, client_name, "
    "client_category, contact_phone, subject, theme, type, subtheme, product, category, "
    "priority, priority_rank, status, stage, is_open, owner_id, department_id, paid, "
    "arm_processed_by, scheme_permanent, scheme_recorded_by, needs_closing, notify_client, "
    "client_dissatisfied, client_allows_closing, resolved_by_department, outcome, "
    "closing_delay, closed_via, sla_plan, sla_stage, sla_due_at, sla_risk_at, sla_paused, "
    "sla_breached, sla_paused_seconds, version) VALUES (" + ", ".join(["?"] * 42) + ")"
)


def generate(path: Path, tickets: int, seed: int = 1,
             progress: Callable[[int, int], None] | None = None,
             now: dt.datetime | None = None, analyze: bool = False) -> None:  # fmt: skip
    """Create (replace) `path` with `tickets` tickets; returns when the file is complete."""
    from opdesk.regulations.pack import load_default_pack

    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    open_local(path).close()  # schema and migrations exactly as the app makes them
    now = now or dt.datetime.now(dt.UTC)
    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    conn.execute("BEGIN")
    deps = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(8)]
    conn.executemany("INSERT INTO departments (id, code, name) VALUES (?, ?, ?)",
                     [(d, f"dep{i}", f"Отдел {i}") for i, d in enumerate(deps)])  # fmt: skip
    owners = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(40)]
    conn.executemany(
        "INSERT INTO people (id, login, name, role, department_id) VALUES (?, ?, ?, ?, ?)",
        [(o, f"op{i}", f"Оператор {i}", "operator", deps[i % 8]) for i, o in enumerate(owners)],
    )
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tickets' "
        "AND sql IS NOT NULL"
    ).fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    categories = list(load_default_pack().sla.categories)
    batch: list[tuple[Any, ...]] = []
    fts: list[search.BulkRow] = []
    done = 0
    with search.bulk_mode(conn):
        for row in _rows(tickets, rng, categories, owners, deps, now):
            batch.append(row)
            fts.append((row[0], row[2], row[6], row[8], row[9], ()))
            if len(batch) == 50_000:
                conn.executemany(INSERT, batch)
                search.bulk_index(conn, fts)
                done += len(batch)
                batch, fts = [], []
                if progress:
                    progress(done, tickets)
        conn.executemany(INSERT, batch)
        search.bulk_index(conn, fts)
    for _name, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    if analyze:
        conn.execute("ANALYZE")
    conn.close()
    if progress:
        progress(tickets, tickets)
