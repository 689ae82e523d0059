from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from opdesk import services
from opdesk.clock import FixedClock
from opdesk.regulations.pack import load_default_pack
from opdesk.regulations.snapshot import Actor
from opdesk.services.desk import Desk
from opdesk.store.database import open_local
from tests.regulations.tickets import msk

OPERATOR = Actor("ivanova", "operator", "ОПП")
ENGINEER = Actor("sidorov", "operator", "ТО")
LEAD = Actor("smirnova", "lead", "ОПП")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(msk(2026, 11, 16, 10, 0))  # Monday 10:00


@pytest.fixture
def desk(tmp_path: Path, clock: FixedClock) -> Iterator[Desk]:
    db = open_local(tmp_path / "desk.sqlite3")
    desk = Desk(db, load_default_pack(), clock)
    services.ensure_departments(desk)
    services.add_person(desk, "ivanova", "Иванова И.И.", "operator", "opp")
    services.add_person(desk, "sidorov", "Сидоров А.А.", "operator", "to")
    services.add_person(desk, "smirnova", "Смирнова Е.В.", "lead", "opp")
    yield desk
    db.close()
