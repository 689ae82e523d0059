"""Day-by-day classification of the working calendar (B-06), with the reason for each day.

The Russian production calendar has more than weekends and holidays: days off moved from a
holiday that fell on a weekend, working Saturdays given in exchange, and a working day shortened
by an hour before a public holiday (Labour Code art. 95). Each day is classified once, keeps the
reason in words, and is then only looked up, so an SLA explanation can say *why* a deadline
skipped a day.

Shortening: an ordinary working day is shortened when the next calendar day is a public holiday
(a day before a moved day off is not). A working Saturday of the production calendar is shortened
when nothing but days off separate it from a public holiday (so 2021-02-20, 2022-03-05,
2024-11-02, 2024-12-28, 2025-11-01 and 2027-02-20 are 7-hour days, as in the official calendars).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import holidays

from opdesk.sla.calendar_spec import WEEKDAY_RU, CalendarSpec, Span

RULE = "B-06"

# Kinds of day; strings so that they read well in explanations and logs.
WORKDAY = "workday"
WEEKEND = "weekend"
HOLIDAY = "holiday"
DAY_OFF = "day_off"
WORKING_SATURDAY = "working_saturday"
SHORTENED = "shortened"
OVERRIDE = "override"


@dataclass(frozen=True, slots=True)
class DayInfo:
    """One calendar day: its working spans (local minutes), its kind and why."""

    date: dt.date
    kind: str
    spans: tuple[Span, ...]
    note_ru: str
    note_en: str

    @property
    def is_working(self) -> bool:
        return bool(self.spans)


def fmt_spans(spans: tuple[Span, ...]) -> str:
    """09:00–13:00, 14:00–18:00 (for notes)."""
    return ", ".join(f"{_hhmm(s)}–{_hhmm(e)}" for s, e in spans) or "—"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def shorten(spans: tuple[Span, ...], minutes: int) -> tuple[Span, ...]:
    """Cut `minutes` of working time from the end of the day (a pre-holiday day)."""
    out = list(spans)
    left = minutes
    while left > 0 and out:
        start, end = out[-1]
        if end - start > left:
            out[-1] = (start, end - left)
            left = 0
        else:
            left -= end - start
            out.pop()
    return tuple(out)


def _label_pattern(label: object) -> re.Pattern[str] | None:
    """A regex recognising names like «Выходной (перенесено с 20.02.2027)»."""
    if not isinstance(label, str) or "%s" not in label:
        return None
    head, _, tail = label.partition("%s")
    return re.compile(f"^{re.escape(head)}.*{re.escape(tail)}$")


@dataclass(frozen=True, slots=True)
class _Sources:
    off: dict[dt.date, str]  # every non-working day of the production calendar
    public: dict[dt.date, str]  # public holidays proper: their eve is shortened
    transferred: frozenset[dt.date]  # weekend days made working


def _sources(spec: CalendarSpec) -> _Sources:
    off: dict[dt.date, str] = {}
    public: dict[dt.date, str] = {}
    transferred: frozenset[dt.date] = frozenset()
    if spec.country:
        years = range(spec.first_year, spec.last_year + 1)
        full = holidays.country_holidays(spec.country, years=years, language="ru")
        strict = holidays.country_holidays(spec.country, years=years, language="ru", observed=False)
        moved = _label_pattern(getattr(full, "substituted_label", None))
        off.update((d, str(name)) for d, name in full.items())
        for d, name in strict.items():
            parts = [p for p in str(name).split("; ") if moved is None or not moved.match(p)]
            if parts:
                public[d] = "; ".join(parts)
        transferred = frozenset(getattr(full, "weekend_workdays", ()))
    for rh in spec.regional_holidays:
        off[rh.date] = f"{off[rh.date]}; {rh.name}" if rh.date in off else rh.name
        if rh.shortens_eve:
            public[rh.date] = f"{public[rh.date]}; {rh.name}" if rh.date in public else rh.name
    return _Sources(off, public, transferred)


def classify_days(spec: CalendarSpec) -> list[DayInfo]:
    """Every day from 1 January of the first year to 31 December of the last, in order."""
    src = _sources(spec)
    overrides = {o.date: o for o in spec.overrides}
    moved_from = spec.transferred_workday_hours
    cut = spec.pre_holiday_shortening_minutes
    day = dt.date(spec.first_year, 1, 1)
    last = dt.date(spec.last_year, 12, 31)
    one = dt.timedelta(days=1)
    out: list[DayInfo] = []
    while day <= last:
        wd = day.weekday()
        if day in overrides:
            o = overrides[day]
            out.append(_override(day, o.hours, o.name))
        elif day in src.transferred:
            spans = spec.hours[moved_from]
            ru = (
                f"{RULE}: рабочий день «{WEEKDAY_RU[wd]}» по производственному календарю "
                f"(перенос выходного), часы как в день «{WEEKDAY_RU[moved_from]}»"
            )
            en = f"{RULE}: working {day:%A} by the production calendar (moved day off)"
            eve = _holiday_after_days_off(day, spec, src)
            out.append(_maybe_short(day, WORKING_SATURDAY, spans, ru, en, eve, cut))
        elif day in src.off:
            name = src.off[day]
            if day in src.public:
                ru = f"{RULE}: нерабочий праздничный день «{name}»"
                en = f"{RULE}: public holiday ({name})"
                out.append(DayInfo(day, HOLIDAY, (), ru, en))
            else:
                ru = f"{RULE}: выходной по производственному календарю «{name}»"
                en = f"{RULE}: day off by the production calendar ({name})"
                out.append(DayInfo(day, DAY_OFF, (), ru, en))
        elif not spec.hours[wd]:
            ru = f"{RULE}: выходной день ({WEEKDAY_RU[wd]})"
            out.append(DayInfo(day, WEEKEND, (), ru, f"{RULE}: weekend ({day:%A})"))
        else:
            ru = f"{RULE}: рабочий день ({WEEKDAY_RU[wd]})"
            en = f"{RULE}: working day ({day:%A})"
            eve = src.public.get(day + one)
            out.append(_maybe_short(day, WORKDAY, spec.hours[wd], ru, en, eve, cut))
        day += one
    return out


def _holiday_after_days_off(day: dt.date, spec: CalendarSpec, src: _Sources) -> str | None:
    """The public holiday reached from `day` across days off only, if any (working Saturdays)."""
    overrides = {o.date: o for o in spec.overrides}
    nxt = day
    for _ in range(31):
        nxt += dt.timedelta(days=1)
        if nxt in src.public:
            return src.public[nxt]
        if nxt in overrides:
            if overrides[nxt].hours:
                return None
            continue
        if nxt in src.transferred or (nxt not in src.off and spec.hours[nxt.weekday()]):
            return None
    return None


def _override(day: dt.date, spans: tuple[Span, ...], name: str) -> DayInfo:
    if spans:
        ru = f"{RULE}: особый режим «{name}»: {fmt_spans(spans)}"
        en = f"{RULE}: special hours ({name}): {fmt_spans(spans)}"
    else:
        ru = f"{RULE}: нерабочий день, особый режим «{name}»"
        en = f"{RULE}: non-working day, special schedule ({name})"
    return DayInfo(day, OVERRIDE, spans, ru, en)


def _maybe_short(
    day: dt.date,
    kind: str,
    spans: tuple[Span, ...],
    ru: str,
    en: str,
    eve_of: str | None,
    cut: int,
) -> DayInfo:
    """Shorten a working day that precedes the public holiday `eve_of` (if any)."""
    if eve_of is None or cut <= 0:
        return DayInfo(day, kind, spans, f"{ru}: {fmt_spans(spans)}", f"{en}: {fmt_spans(spans)}")
    short = shorten(spans, cut)
    ru = (
        f"{ru}; предпраздничный день перед «{eve_of}», сокращён на {cut} мин "
        f"(ТК РФ, ст. 95): {fmt_spans(short)}"
    )
    en = f"{en}; eve of a public holiday ({eve_of}), {cut} min shorter: {fmt_spans(short)}"
    return DayInfo(day, SHORTENED, short, ru, en)
