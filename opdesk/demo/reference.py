"""What every chunk of the demo desk shares: the reference data, the moment formatter, the
row lists and the id maker.

Chunks are made in worker processes; these values are made once in the parent (and inherited)
so that chunk `c` depends only on (seed, c) and the database is identical for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

Row = tuple[Any, ...]
DAY = 86400


@dataclass
class Reference:
    """Reference data every chunk needs (made once, inherited by worker processes)."""

    seed: int
    tickets: int
    start: int  # epoch seconds of the first ticket's slot
    slot: int  # seconds per ticket slot (creation moments strictly increase)
    now: int
    dept_ids: dict[str, str]  # department name → id hex
    dept_codes: dict[str, str]  # department name → code (the pack's id)
    outgoing: list[tuple[str, str, str]]  # (id hex, name, accusative)
    opp: list[tuple[str, str]]  # (person id hex, login) of ОПП operators
    responsible: list[tuple[str, str, str, str]]  # (id, login, department, "Фамилия И.О.")
    clients: list[tuple[str, ...]]  # id, name, category, mobile, group, city, phone
    categories: tuple[str, ...]
    priorities: tuple[str, ...]
    themes: list[tuple[str, str, str, str]]  # (theme, type, subtheme, product)
    paid_cities: frozenset[str]
    electronic: frozenset[str]
    verbal_categories: frozenset[str]
    by_performer: frozenset[str]  # categories whose resolution time the performer sets
    reached: str
    not_reached: str
    person_ids: dict[str, str]  # login → person id hex (owners)
    leads: list[str]  # logins of ОПП leads (they may close or reopen a CSN ticket for a client)
    escalation_reasons: tuple[str, ...]  # P-04: the reasons valid for an escalation
    unclosable_groups: frozenset[str]  # C-08: client groups whose closing scheme is still empty
    departments: list[tuple[str, str, str]] = field(default_factory=list)  # id, code, name
    people: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # id, login, ...
    templates: dict[str, str] = field(default_factory=dict)


class Clock:
    """Epoch seconds → the SQLite text SQLAlchemy writes, through small lookup tables."""

    def __init__(self, first_day: int, last_day: int) -> None:
        self.first = first_day
        base = dt.date(1970, 1, 1)
        self.days = [
            (base + dt.timedelta(days=d)).isoformat() + " " for d in range(first_day, last_day)
        ]
        self.hms = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000000" for s in range(DAY)]

    def text(self, t: int) -> str | None:
        if t < 0:
            return None
        i = t // DAY - self.first
        if 0 <= i < len(self.days):
            return self.days[i] + self.hms[t % DAY]
        moment = dt.datetime.fromtimestamp(t, dt.UTC).replace(tzinfo=None)
        return moment.isoformat(sep=" ", timespec="microseconds")


def uid(ms: int, seq: int, rng: random.Random) -> str:
    """A uuid7 hex: the ticket's creation ms, a per-ticket sequence, seeded randomness.

    Rows of one table are then produced in ascending id order, so primary-key B-trees grow at
    their right edge during the bulk load instead of splitting pages at random."""
    return f"{ms:012x}7{seq:03x}{0x8000000000000000 | rng.getrandbits(62):016x}"


class Tables:
    """Row lists of one chunk, per table."""

    NAMES = (
        "tickets", "events", "comments", "outgoing_requests", "closure_reports",
        "closure_performers", "spare_part_lines", "confirmations", "ticket_links", "fts",
    )  # fmt: skip

    def __init__(self) -> None:
        self.rows: dict[str, list[Row]] = {name: [] for name in self.NAMES}
