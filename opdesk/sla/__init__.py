"""Working calendar, SLA plans, deadlines and pauses (pure Python, time injected)."""

from __future__ import annotations
