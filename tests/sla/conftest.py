"""SLA fixtures: the default pack's calendar, plans and engine (built once, see helpers)."""

from __future__ import annotations

import pytest

from opdesk.sla import SlaEngine, SlaSpec, WorkingCalendar
from tests.sla.helpers import default_calendar, default_engine, default_sla


@pytest.fixture
def cal() -> WorkingCalendar:
    return default_calendar()


@pytest.fixture
def sla() -> SlaSpec:
    return default_sla()


@pytest.fixture
def engine() -> SlaEngine:
    return default_engine()
