"""The `[calendar]` section of a regulation pack: the desk's working calendar as data (B-06).

B-06 measures every SLA limit in working time "8/5". What counts as working time differs by
desk (time zone, lunch break, regional holidays, one-off short days), so all of it is read from
the pack here and only turned into precomputed intervals by `WorkingCalendar`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from opdesk.pack_reader import Reader

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_RU = (
    "понедельник",
    "вторник",
    "среда",
    "четверг",
    "пятница",
    "суббота",
    "воскресенье",
)

# Minutes since local midnight, [start, end).
Span = tuple[int, int]

_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_MAX_YEARS = 100


@dataclass(frozen=True, slots=True)
class RegionalHoliday:
    """A non-working day the country calendar does not know (e.g. a republic's own holiday)."""

    date: dt.date
    name: str
    shortens_eve: bool = True


@dataclass(frozen=True, slots=True)
class DayOverride:
    """A day whose hours are set explicitly; it wins over weekdays, holidays and shortening."""

    date: dt.date
    hours: tuple[Span, ...]
    name: str


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    """Everything needed to build the working calendar; plain data, cheap to compare."""

    timezone: str
    country: str | None
    first_year: int
    last_year: int
    pre_holiday_shortening_minutes: int
    working_day_minutes: int
    hours: tuple[tuple[Span, ...], ...]  # index 0 = Monday
    transferred_workday_hours: int  # weekday index whose hours a working Saturday gets
    regional_holidays: tuple[RegionalHoliday, ...] = ()
    overrides: tuple[DayOverride, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def parse_spans(r: Reader, name: str) -> tuple[Span, ...]:
    """Read a list like ["09:00-13:00", "14:00-18:00"]: sorted, non-overlapping, within a day."""
    texts = r.text_list(name)
    spans: list[Span] = []
    for i, text in enumerate(texts):
        key = f"{name}[{i}]"
        m = _RANGE.match(text.strip())
        if m is None:
            raise r.error(
                key,
                f"«{text}»: ожидается интервал вида «09:00-13:00»",
                f"{text!r}: expected a range like '09:00-13:00'",
            )
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if h1 > 23 or m1 > 59 or m2 > 59 or end > 24 * 60:
            raise r.error(
                key,
                f"«{text}»: время вне суток (00:00–24:00)",
                f"{text!r}: time outside the day (00:00-24:00)",
            )
        if start >= end:
            raise r.error(
                key,
                f"«{text}»: начало должно быть раньше конца",
                f"{text!r}: the start must be before the end",
            )
        if spans and start < spans[-1][1]:
            raise r.error(
                key,
                f"«{text}»: интервалы должны идти по порядку и не пересекаться",
                f"{text!r}: ranges must be in order and must not overlap",
            )
        spans.append((start, end))
    return tuple(spans)


def _parse_years(r: Reader) -> tuple[int, int]:
    value = r.raw("years")
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    )
    if not ok:
        raise r.error(
            "years",
            "ожидается пара годов [первый, последний], например [2020, 2040]",
            "expected a pair of years [first, last], e.g. [2020, 2040]",
        )
    first, last = value
    if not 1900 <= first <= last <= 2200 or last - first >= _MAX_YEARS:
        raise r.error(
            "years",
            f"недопустимый диапазон {first}–{last} (не больше {_MAX_YEARS} лет, 1900–2200)",
            f"invalid range {first}-{last} (at most {_MAX_YEARS} years, 1900-2200)",
        )
    return first, last


def parse_calendar(r: Reader) -> CalendarSpec:
    """Validate the `[calendar]` table; every problem is a PackError naming its key path."""
    r.only(
        "timezone",
        "country",
        "years",
        "pre_holiday_shortening_minutes",
        "working_day_minutes",
        "hours",
        "transferred_workday_hours",
        "regional_holidays",
        "overrides",
    )
    timezone = r.text("timezone")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise r.error(
            "timezone",
            f"неизвестный часовой пояс «{timezone}»",
            f"unknown time zone {timezone!r}",
        ) from exc
    country = r.text("country", "") or None
    if country is not None and country not in holidays.list_supported_countries():
        raise r.error(
            "country",
            f"страна «{country}» не поддерживается пакетом holidays",
            f"country {country!r} is not supported by the holidays package",
        )
    first, last = _parse_years(r)
    shortening = r.integer("pre_holiday_shortening_minutes", 0, minimum=0)
    day_minutes = r.integer("working_day_minutes", minimum=1)

    hr = r.table("hours")
    hr.only(*WEEKDAYS)
    hours = tuple(parse_spans(hr, day) for day in WEEKDAYS)
    if not any(hours):
        raise r.error("hours", "нет ни одного рабочего часа", "no working hours at all")
    moved = r.text("transferred_workday_hours", "mon")
    if moved not in WEEKDAYS or not hours[WEEKDAYS.index(moved)]:
        raise r.error(
            "transferred_workday_hours",
            "ожидается день недели с рабочими часами (mon…sun)",
            "expected a weekday that has working hours (mon..sun)",
        )

    regional = []
    for t in r.tables("regional_holidays", []):
        t.only("date", "name", "shortens_eve")
        regional.append(
            RegionalHoliday(t.day("date"), t.text("name"), t.flag("shortens_eve", True))
        )
    overrides = []
    seen: set[dt.date] = set()
    for t in r.tables("overrides", []):
        t.only("date", "hours", "name")
        day = t.day("date")
        if day in seen:
            raise t.error("date", f"день {day} уже переопределён", f"day {day} is overridden twice")
        seen.add(day)
        overrides.append(DayOverride(day, parse_spans(t, "hours"), t.text("name")))
    return CalendarSpec(
        timezone=timezone,
        country=country,
        first_year=first,
        last_year=last,
        pre_holiday_shortening_minutes=shortening,
        working_day_minutes=day_minutes,
        hours=hours,
        transferred_workday_hours=WEEKDAYS.index(moved),
        regional_holidays=tuple(regional),
        overrides=tuple(overrides),
    )
