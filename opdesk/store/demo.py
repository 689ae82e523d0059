"""`opdesk demo`: a realistic Russian desk in a fresh local database, fast enough for 10⁶ tickets.

Why raw sqlite3 and not the ORM or the command layer: a million tickets with their history,
comments and closures are ~10 million rows; the ORM would take an hour. The generator instead
replays the same lifecycle the pack allows (demo_gen), computes the SLA columns with the
engine's epoch core (sla_fast, checked against the command layer's `apply_sla` in tests), and
worker processes stage the rows that one writer copies in (demo_load).

Why the speed settings are safe: they are used only on a file this run created (or an empty
one it replaced) — synchronous=OFF and no journal for the load, secondary indexes dropped and
rebuilt from the exact SQL the migrations stored — and WAL is restored at the end. A crash
leaves no half-written desk behind: the partial file is removed. An existing database with any
data is never touched unless `force` is given.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from opdesk.progress import Progress
from opdesk.regulations.pack import Pack, load_default_pack
from opdesk.store import demo_data as D
from opdesk.store.database import check_sqlite_file, open_local
from opdesk.store.demo_gen import DAY, Reference, uid
from opdesk.store.demo_load import CHUNK, CHUNK_TABLES, load

SPAN_DAYS = 730


class DemoError(Exception):
    """The demo cannot be generated here; the message is for the person, in both languages."""

    def __init__(self, message_ru: str, message_en: str) -> None:
        self.message_ru, self.message_en = message_ru, message_en
        super().__init__(f"{message_ru} / {message_en}")


@dataclass(frozen=True)
class DemoSummary:
    path: Path
    tickets: int
    clients: int
    people: int
    rows: dict[str, int]
    seconds: float


def generate(
    path: Path,
    tickets: int,
    seed: int = 1,
    *,
    now: dt.datetime,
    force: bool = False,
    progress: TextIO | None = None,
    workers: int | None = None,
) -> DemoSummary:
    """Generate the demo desk into `path` (created fresh); refuses a database holding data."""
    if tickets < 1:
        raise DemoError("число тикетов должно быть не меньше 1", "--tickets must be at least 1")
    _prepare_target(path, force)
    pack = load_default_pack()
    moment = now
    try:
        summary = _generate(path, pack, tickets, seed, moment, progress, workers)
    except BaseException:
        _remove(path)
        raise
    return summary


def _prepare_target(path: Path, force: bool) -> None:
    if path.exists() and path.stat().st_size > 0:
        check_sqlite_file(path)  # a foreign or corrupt file is refused and never removed
        filled = _filled_tables(path)
        if filled and not force:
            raise DemoError(
                f"база {path} уже содержит данные ({', '.join(filled)}); демо-данные не "
                "записаны. Укажите --force, чтобы заменить её, или другой файл --db",
                f"database {path} already holds data ({', '.join(filled)}); nothing was "
                "written. Pass --force to replace it, or another file with --db",
            )
    _remove(path)
    path.parent.mkdir(parents=True, exist_ok=True)


def _filled_tables(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not r[0].startswith(("sqlite_", "ticket_fts")) and r[0] != "alembic_version"
        ]
        return [n for n in names if conn.execute(f'SELECT 1 FROM "{n}" LIMIT 1').fetchone()]
    finally:
        conn.close()


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# -- reference data ------------------------------------------------------------------------


def build_reference(pack: Pack, tickets: int, seed: int, now: dt.datetime) -> Reference:
    rng = random.Random(seed)
    now_s = int(now.timestamp())
    span = SPAN_DAYS * DAY - 2 * 3600
    slot = max(span // tickets, 2)
    start = now_s - 3600 - slot * tickets
    ms = start * 1000
    seq = iter(range(1, 4096))
    dept_ids = {d.name: uid(ms, next(seq), rng) for d in pack.departments}
    outgoing = [(dept_ids[d.name], d.name, d.accusative) for d in pack.departments if d.outgoing]
    people = _people(rng)
    ids = {login: uid(ms + 1, i, rng) for i, (login, *_r) in enumerate(people, 1)}
    opp = [(ids[p[0]], p[0]) for p in people if p[3] == "ОПП" and p[2] == "operator"]
    responsible = [(ids[p[0]], p[0], p[3], p[4]) for p in people if p[3] in ("ОЭ", "ТО")]
    person_rows = [(ids[p[0]], p[0], p[1], p[2], dept_ids[p[3]]) for p in people]
    clients = _clients(rng, max(50, tickets // 20), ms + 2)
    themes = [
        (th.name, ttype, sub, product)
        for th in pack.classification.themes
        for ttype, subs in th.subthemes
        for sub in subs
        for product in (th.products if th.product_required else ("",))
    ]
    comment_kinds = {c.kind: c for c in pack.classification.comments}
    callback = comment_kinds["callback_attempt"]
    templates = {t.id: t.text for t in pack.templates.items}
    lists = pack.lists
    return Reference(
        seed=seed,
        tickets=tickets,
        start=start,
        slot=slot,
        now=now_s,
        dept_ids=dept_ids,
        outgoing=outgoing,
        opp=opp,
        responsible=responsible,
        clients=clients,
        categories=tuple(pack.sla.categories),
        priorities=pack.sla.priorities,
        themes=themes,
        paid_cities=frozenset(lists["paid_act_cities"]),
        electronic=frozenset(lists["electronic_confirmation_groups"]),
        verbal_categories=frozenset(lists["verbal_confirmation_categories"]),
        by_performer=frozenset(
            c.name for c in pack.sla.categories.values() if c.resolution_set_by_performer
        ),
        reached=callback.reached,
        not_reached=callback.not_reached,
        departments=[(dept_ids[d.name], d.id, d.name) for d in pack.departments],
        people=person_rows,
        templates=templates,
    )


def _people(rng: random.Random) -> list[tuple[str, str, str, str, str]]:
    """~50 people: (login, full name, role, department, «Фамилия И.О.»)."""
    plan = [("operator", "ОПП")] * 26 + [("lead", "ОПП")] * 2 + [("operator", "ОЭ")] * 10
    plan += [("operator", "ТО")] * 10 + [("trainer", "ОПП"), ("admin", "ОПП")]
    out: list[tuple[str, str, str, str, str]] = []
    logins: set[str] = set()
    for role, dept in plan:
        woman = rng.random() < 0.55
        surname = rng.choice(D.SURNAMES_M)
        name = rng.choice(D.NAMES_F if woman else D.NAMES_M)
        root = rng.choice(D.PATRONYMIC_ROOTS)
        patronymic = root + ("на" if woman else "ич")
        surname = D.feminine(surname) if woman else surname
        login = base = D.login_of(surname, name)
        n = 1
        while login in logins:
            n += 1
            login = f"{base}{n}"
        logins.add(login)
        short = f"{surname} {name[0]}.{patronymic[0]}."
        out.append((login, f"{surname} {name} {patronymic}", role, dept, short))
    return out


# (category, group, has mobile, city) of the first clients, so even a tiny demo covers the
# cases the closing checklist distinguishes (C-05, C-07, C-08, C-09).
FIXED_CLIENTS = (
    ("VIP", "", True, "Москва"),
    ("Важный", "", True, "Санкт-Петербург"),
    ("обычный", "", False, "Белгород"),
    ("обычный", "Мегафон", True, "Москва"),
    ("VIP", "Вымпелком", True, "Казань"),
    ("Важный", "Энфорта", False, "Самара"),
    ("обычный", "Сбербанк", True, "Москва"),
    ("VIP", "", False, "Белгород"),
)


def _clients(rng: random.Random, count: int, ms: int) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for i in range(count):
        if i < len(FIXED_CLIENTS):
            category, group, has_mobile, city = FIXED_CLIENTS[i]
        else:
            r = rng.random()
            category = "VIP" if r < 0.05 else ("Важный" if r < 0.2 else "обычный")
            g = rng.random()
            group = rng.choice(D.CORPORATE_GROUPS) if g < 0.12 else ""
            group = rng.choice(D.OTHER_GROUPS) if 0.12 <= g < 0.2 else group
            has_mobile = rng.random() < 0.8
            city = rng.choices(D.CITIES, D.CITY_WEIGHTS)[0]
        if group or rng.random() < 0.6:
            form = rng.choice(D.COMPANY_FORMS)
            word = rng.choice(D.COMPANY_WORDS)
            name = f"{group} — филиал {city}" if group else f"{form} «{word}»"
            if form == "ИП" and not group:
                name = f"ИП {rng.choice(D.SURNAMES_M)} {rng.choice(D.NAMES_M)[0]}."
        else:
            woman = rng.random() < 0.5
            surname = rng.choice(D.SURNAMES_M)
            first = rng.choice(D.NAMES_F if woman else D.NAMES_M)
            root = rng.choice(D.PATRONYMIC_ROOTS) + ("на" if woman else "ич")
            name = f"{D.feminine(surname) if woman else surname} {first} {root}"
        mobile = f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-" + (
            f"{rng.randint(10, 99)}"
        )
        landline = f"+7 (4{rng.randint(10, 99)}) {rng.randint(100, 999)}-{rng.randint(10, 99)}-"
        landline += f"{rng.randint(10, 99)}"
        out.append(
            (
                uid(ms, i % 4096, rng),
                name,
                category,
                mobile if has_mobile else "",
                group,
                city,
                mobile if has_mobile and rng.random() < 0.5 else landline,
            )
        )
    return out


def _in_load_order(sql: str) -> bool:
    """Indexes led by `ticket_id` (or the creation moment) receive their keys in ascending
    order during the load (ticket uuids grow with creation time), so keeping them costs an
    append; sorting millions of child rows afterwards would cost more."""
    columns = sql[sql.index("(") + 1 :].lstrip()
    return columns.startswith(("ticket_id", "created_at"))


def _generate(
    path: Path,
    pack: Pack,
    tickets: int,
    seed: int,
    now: dt.datetime,
    stream: TextIO | None,
    workers: int | None,
) -> DemoSummary:
    started = time.monotonic()
    open_local(path).close()  # the schema, exactly as the migrations make it
    ref = build_reference(pack, tickets, seed, now)
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if tickets >= 4 * CHUNK else 0
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "foreign_keys=OFF",
            "locking_mode=EXCLUSIVE",
            "temp_store=MEMORY",
            "cache_size=-131072",
            "threads=2",
        ):
            conn.execute(f"PRAGMA {pragma}")
        indexes = [
            (name, sql)
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND tbl_name IN (" + ", ".join("?" * len(CHUNK_TABLES)) + ")",
                CHUNK_TABLES,
            )
            if not _in_load_order(sql)
        ]
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        staging = Path(tempfile.mkdtemp(prefix=".opdesk-demo-", dir=path.parent))
        try:
            counts = load(conn, ref, workers, stream, staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        bar = Progress(stream, len(indexes), "Индексы / indexes")
        for i, (_name, sql) in enumerate(indexes, 1):
            conn.execute(sql)
            bar.update(i)
        bar.finish()
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
    finally:
        conn.close()
    return DemoSummary(
        path, tickets, len(ref.clients), len(ref.people), counts, time.monotonic() - started
    )
