"""The working calendar 8/5 (B-06): working time arithmetic, exact to the second.

Every working interval of the calendar's range is precomputed once as absolute UTC epoch seconds,
together with a prefix sum of working seconds. A moment then maps to its *working ordinal* (working
seconds since the start of the range) with one bisect, and adding working time is the inverse
lookup. This keeps deadline arithmetic O(log n) with no loops over days, which is what lets a
desk recompute SLA state for hundreds of thousands of tickets.
"""

from __future__ import annotations

import bisect
import datetime as dt
from zoneinfo import ZoneInfo

from opdesk.errors import EngineError
from opdesk.sla.calendar_days import RULE, DayInfo, classify_days
from opdesk.sla.calendar_spec import CalendarSpec, parse_calendar

__all__ = ["CalendarSpec", "WorkingCalendar", "parse_calendar"]

UTC = dt.UTC
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


def to_epoch(moment: dt.datetime) -> int:
    """Whole UTC epoch seconds of an aware moment (sub-second parts are dropped)."""
    if moment.tzinfo is None:
        raise ValueError("a moment must carry its time zone / момент должен содержать часовой пояс")
    return (moment - _EPOCH) // _SECOND


_SECOND = dt.timedelta(seconds=1)


def seconds_of(delta: dt.timedelta) -> int:
    """Whole seconds of a duration."""
    return delta // _SECOND


def from_epoch(seconds: int) -> dt.datetime:
    """An aware UTC moment from epoch seconds."""
    return _EPOCH + dt.timedelta(seconds=seconds)


class WorkingCalendar:
    """Working time of one desk over a fixed range of years, precomputed for fast lookups."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.tz: ZoneInfo = spec.tz
        self.day_seconds = spec.working_day_minutes * 60
        self._first = dt.date(spec.first_year, 1, 1)
        self._days: list[DayInfo] = classify_days(spec)
        starts: list[int] = []
        ends: list[int] = []
        cum: list[int] = [0]
        workdays: list[int] = []
        for info in self._days:
            if not info.spans:
                continue
            workdays.append(info.date.toordinal())
            for s, e in info.spans:
                a, b = self._local_epoch(info.date, s), self._local_epoch(info.date, e)
                if b <= a:  # a span swallowed by a DST jump
                    continue
                starts.append(a)
                ends.append(b)
                cum.append(cum[-1] + b - a)
        self.starts = starts
        self.ends = ends
        self.cum = cum
        self._workdays = workdays
        self.lo = self._local_epoch(self._first, 0)
        self.hi = self._local_epoch(dt.date(spec.last_year, 12, 31), 24 * 60)
        self.total = cum[-1]

    def _local_epoch(self, day: dt.date, minutes: int) -> int:
        local = dt.datetime.combine(day, dt.time(), tzinfo=self.tz)
        if minutes:
            local = dt.datetime.combine(
                day + dt.timedelta(days=minutes // 1440),
                dt.time((minutes % 1440) // 60, minutes % 60),
                tzinfo=self.tz,
            )
        return to_epoch(local)

    # -- errors ---------------------------------------------------------------------------
    def _outside(self, what: str) -> EngineError:
        first, last = self.spec.first_year, self.spec.last_year
        return EngineError(
            f"{RULE}: {what} вне диапазона рабочего календаря {first}–{last}; "
            "расширьте calendar.years в пакете регламентов",
            f"{RULE}: {what} is outside the working calendar range {first}-{last}; "
            "extend calendar.years in the regulation pack",
        )

    # -- days -----------------------------------------------------------------------------
    def day_info(self, day: dt.date) -> DayInfo:
        """The classification of a local calendar day, with its reason."""
        i = day.toordinal() - self._first.toordinal()
        if not 0 <= i < len(self._days):
            raise self._outside(f"дата {day.isoformat()}")
        return self._days[i]

    def is_working_day(self, day: dt.date) -> bool:
        return self.day_info(day).is_working

    def day_intervals(self, day: dt.date) -> tuple[tuple[dt.time, dt.time], ...]:
        """Working intervals of a day in local time (an interval ending at 24:00 ends 23:59:59)."""
        out = []
        for s, e in self.day_info(day).spans:
            end = dt.time(23, 59, 59) if e == 1440 else dt.time(e // 60, e % 60)
            out.append((dt.time(s // 60, s % 60), end))
        return tuple(out)

    def day_note(self, day: dt.date) -> str:
        """Why the day is working, off, shortened or a working Saturday (Russian, with rule ID)."""
        return self.day_info(day).note_ru

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        i = bisect.bisect_right(self._workdays, day.toordinal())
        if i >= len(self._workdays):
            raise self._outside(f"рабочий день после {day.isoformat()}")
        return dt.date.fromordinal(self._workdays[i])

    # -- epoch-second core (the fast path) ------------------------------------------------
    def ordinal(self, t: int) -> int:
        """Working seconds from the start of the range up to epoch second `t`."""
        if t < self.lo or t > self.hi:
            raise self._outside(f"момент {from_epoch(t).isoformat()}")
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        off = t - self.starts[i]
        length = self.ends[i] - self.starts[i]
        return self.cum[i] + (off if off < length else length)

    def at_ordinal(self, w: int) -> int:
        """The earliest epoch second at which the working ordinal reaches `w` (> 0)."""
        j = bisect.bisect_left(self.cum, w)
        if j >= len(self.cum):
            raise self._outside("срок")
        i = j - 1 if j > 0 else 0
        return self.starts[i] + (w - self.cum[i])

    # -- moments --------------------------------------------------------------------------
    def working_ordinal(self, moment: dt.datetime) -> int:
        return self.ordinal(to_epoch(moment))

    def is_working_moment(self, moment: dt.datetime) -> bool:
        t = to_epoch(moment)
        self.ordinal(t)  # range check
        i = bisect.bisect_right(self.starts, t) - 1
        return i >= 0 and t < self.ends[i]

    def add_working(self, moment: dt.datetime, delta: dt.timedelta) -> dt.datetime:
        """The earliest moment at which `delta` of working time has elapsed after `moment`.

        For a positive delta the result lies inside a working interval or at its end, never in
        non-working time, so a deadline reads "Monday 09:30", not "Saturday 00:00".
        """
        seconds = seconds_of(delta)
        if seconds < 0:
            raise ValueError("negative working time / отрицательное рабочее время")
        t = to_epoch(moment)
        w = self.ordinal(t)
        if seconds == 0:
            return from_epoch(t)
        return from_epoch(self.at_ordinal(w + seconds))

    def working_time_between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """Working time in [a, b); zero when b is not after a."""
        ta, tb = to_epoch(a), to_epoch(b)
        if tb <= ta:
            return dt.timedelta(0)
        return dt.timedelta(seconds=self.ordinal(tb) - self.ordinal(ta))

    def add_working_days(self, moment: dt.datetime, n: int) -> dt.datetime:
        """The same local time of day on the n-th working day after the moment's local date.

        Used for auto-close (B-03, P-07): "2 working days" counts whole working days, so a
        ticket resolved on Friday 17:30 closes on Tuesday 17:30.
        """
        if n < 0:
            raise ValueError("negative number of days / отрицательное число дней")
        local = moment.astimezone(self.tz)
        day = local.date()
        self.day_info(day)  # range check
        if n > 0:
            i = bisect.bisect_right(self._workdays, day.toordinal()) + n - 1
            if i >= len(self._workdays):
                raise self._outside(f"{n}-й рабочий день после {day.isoformat()}")
            day = dt.date.fromordinal(self._workdays[i])
        result = dt.datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=self.tz)
        return result.astimezone(UTC)
