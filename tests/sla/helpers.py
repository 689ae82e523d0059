"""SLA test helpers: the default pack's calendar and plans, built once per session."""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from opdesk.pack_reader import Reader
from opdesk.sla import SlaEngine, SlaSpec, WorkingCalendar, parse_calendar, parse_sla

PACK = Path(__file__).resolve().parents[2] / "resources" / "regulations" / "default.toml"
MSK = ZoneInfo("Europe/Moscow")

# Status → clock, as the pack's statuses section says (P-02: waiting for the client pauses).
CLOCKS = {
    "Новая": "runs",
    "В работе": "runs",
    "Эскалировано": "runs",
    "На удержании": "runs",
    "Ожидает ответа клиента": "paused",
    "Отложено": "runs",
    "Выполнена": "stopped",
    "Возобновлена": "stopped",
    "Закрыта": "stopped",
}


def msk(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=MSK)


@functools.cache
def pack_data() -> dict[str, Any]:
    with PACK.open("rb") as f:
        return tomllib.load(f)


@functools.cache
def default_calendar() -> WorkingCalendar:
    return WorkingCalendar(parse_calendar(Reader(PACK, pack_data()["calendar"], "calendar")))


@functools.cache
def default_sla() -> SlaSpec:
    return parse_sla(Reader(PACK, pack_data()["sla"], "sla"))


@functools.cache
def default_engine() -> SlaEngine:
    return SlaEngine(default_sla(), default_calendar(), CLOCKS)


def section(text: str, name: str) -> Reader:
    """Parse a TOML snippet and wrap the named section as the pack loader would."""
    return Reader("test.toml", tomllib.loads(text)[name], name)
