"""Working calendar, SLA plans, deadlines and pauses (pure Python, time injected)."""

from __future__ import annotations

from opdesk.sla.calendar import CalendarSpec, WorkingCalendar, parse_calendar
from opdesk.sla.calendar_days import DayInfo
from opdesk.sla.deadlines import SlaEngine, auto_close_at, compute_deadlines
from opdesk.sla.plans import PlanChoice, SlaPlan, SlaSpec, WorkDuration, parse_sla, plan_for
from opdesk.sla.report import AutoClose, SlaReport, StageSla, StatusChange

__all__ = [
    "AutoClose",
    "CalendarSpec",
    "DayInfo",
    "PlanChoice",
    "SlaEngine",
    "SlaPlan",
    "SlaReport",
    "SlaSpec",
    "StageSla",
    "StatusChange",
    "WorkDuration",
    "WorkingCalendar",
    "auto_close_at",
    "compute_deadlines",
    "parse_calendar",
    "parse_sla",
    "plan_for",
]
