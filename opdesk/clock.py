"""Clocks: time is passed in, never read with `datetime.now()` deep inside logic.

The engine and the SLA code receive a moment or a `Clock`; this keeps SLA tests exact to the
minute and lets trainers run the regulations on a simulated clock.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol

UTC = dt.UTC


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current moment, timezone-aware."""
        ...


class SystemClock:
    """Wall-clock time, for production use."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to (tests, `--at MOMENT` on the CLI)."""

    def __init__(self, moment: dt.datetime) -> None:
        self._moment = _aware(moment)

    def now(self) -> dt.datetime:
        return self._moment

    def set(self, moment: dt.datetime) -> None:
        self._moment = _aware(moment)

    def advance(self, delta: dt.timedelta) -> None:
        self._moment += delta


class SimulatedClock:
    """A trainer's clock: starts at a chosen moment and runs `speed` times faster than real time."""

    def __init__(self, start: dt.datetime, speed: float = 1.0) -> None:
        self._start = _aware(start)
        self._speed = speed
        self._base = time.monotonic()

    def now(self) -> dt.datetime:
        elapsed = (time.monotonic() - self._base) * self._speed
        return self._start + dt.timedelta(seconds=elapsed)


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("a moment must carry its time zone")
    return moment


def parse_moment(text: str, default_tz: dt.tzinfo) -> dt.datetime:
    """Parse an ISO moment; a moment without an offset is read in the desk's time zone."""
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=default_tz)
    return moment
