"""B-06 working calendar 8/5 on real Russian production-calendar dates; B-03/P-07 auto-close."""

from __future__ import annotations

import datetime as dt

import pytest

from opdesk.errors import EngineError
from opdesk.sla import WorkingCalendar, auto_close_at, parse_calendar
from tests.sla.helpers import MSK, msk, section

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def test_b06_working_saturday_2027_02_20(cal: WorkingCalendar) -> None:
    day = dt.date(2027, 2, 20)
    assert day.weekday() == 5
    assert cal.is_working_day(day)
    note = cal.day_note(day)
    assert "B-06" in note and "суббота" in note and "перенос" in note
    # Takes Monday's hours, one hour shorter: it stands in for Monday 22.02, the eve of 23.02.
    assert cal.day_intervals(day) == ((dt.time(9), dt.time(13)), (dt.time(14), dt.time(17)))
    assert "сокращён" in note


def test_b06_moved_day_off_and_holiday_2027_02_22_23(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(dt.date(2027, 2, 22))
    assert "перенесено с 20.02.2027" in cal.day_note(dt.date(2027, 2, 22))
    assert not cal.is_working_day(dt.date(2027, 2, 23))
    note = cal.day_note(dt.date(2027, 2, 23))
    assert note.startswith("B-06") and "праздничный" in note and "Защитника" in note.title()
    assert cal.day_intervals(dt.date(2027, 2, 23)) == ()
    assert cal.next_working_day(dt.date(2027, 2, 20)) == dt.date(2027, 2, 24)
    assert cal.next_working_day(dt.date(2027, 2, 19)) == dt.date(2027, 2, 20)


def test_b06_moved_day_off_2026_12_31_does_not_shorten_its_eve(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(dt.date(2026, 12, 31))
    assert "Выходной (перенесено" in cal.day_note(dt.date(2026, 12, 31))
    # 30.12 precedes a moved day off, not a public holiday: a full day (Labour Code art. 95).
    assert cal.day_intervals(dt.date(2026, 12, 30))[-1] == (dt.time(14), dt.time(18))
    assert "сокращён" not in cal.day_note(dt.date(2026, 12, 30))


def test_b06_shortened_day_before_unity_day_2026_11_03(cal: WorkingCalendar) -> None:
    day = dt.date(2026, 11, 3)
    assert cal.day_intervals(day) == ((dt.time(9), dt.time(13)), (dt.time(14), dt.time(17)))
    note = cal.day_note(day)
    assert "B-06" in note and "День народного единства" in note and "60 мин" in note
    assert not cal.is_working_day(dt.date(2026, 11, 4))
    # 16:30 + 1 h: 30 minutes left on the short day, then Thursday 05.11 from 09:00.
    assert cal.add_working(msk(2026, 11, 3, 16, 30), H) == msk(2026, 11, 5, 9, 30)
    assert cal.working_time_between(msk(2026, 11, 3), msk(2026, 11, 4)) == 7 * H


def test_b06_friday_1730_plus_one_hour_is_monday_0930(cal: WorkingCalendar) -> None:
    due = cal.add_working(msk(2026, 11, 20, 17, 30), H)
    assert due == msk(2026, 11, 23, 9, 30)
    assert due.tzinfo is dt.UTC


def test_b06_lunch_break_is_not_working_time(cal: WorkingCalendar) -> None:
    assert cal.add_working(msk(2026, 11, 18, 12, 30), H) == msk(2026, 11, 18, 14, 30)
    assert not cal.is_working_moment(msk(2026, 11, 18, 13, 30))
    assert cal.is_working_moment(msk(2026, 11, 18, 9))
    assert not cal.is_working_moment(msk(2026, 11, 18, 18))
    assert cal.working_time_between(msk(2026, 11, 18, 8), msk(2026, 11, 18, 20)) == 8 * H


def test_b06_deadline_lands_at_end_of_interval_not_in_the_night(cal: WorkingCalendar) -> None:
    # Exactly the rest of the day: due at 18:00 Friday, not at 09:00 Monday.
    assert cal.add_working(msk(2026, 11, 20, 17), H) == msk(2026, 11, 20, 18)
    assert cal.add_working(msk(2026, 11, 20, 12), H) == msk(2026, 11, 20, 13)
    # Starting in non-working time counts from the next working start.
    assert cal.add_working(msk(2026, 11, 21, 3), 30 * M) == msk(2026, 11, 23, 9, 30)
    assert cal.add_working(msk(2026, 11, 21, 3), dt.timedelta(0)) == msk(2026, 11, 21, 3)


def test_b06_one_day_is_eight_working_hours(cal: WorkingCalendar) -> None:
    assert cal.day_seconds == 8 * 3600
    # Over the New Year holidays: 30.12.2026 (Wed) 10:00 + 8 h → 11.01.2027 (Mon) 10:00.
    assert cal.add_working(msk(2026, 12, 30, 10), 8 * H) == msk(2027, 1, 11, 10)


def test_b06_working_time_between_is_zero_backwards(cal: WorkingCalendar) -> None:
    a, b = msk(2026, 11, 18, 10), msk(2026, 11, 17, 10)
    assert cal.working_time_between(a, b) == dt.timedelta(0)


def test_b06_outside_range_is_a_clear_engine_error(cal: WorkingCalendar) -> None:
    with pytest.raises(EngineError) as e:
        cal.add_working(msk(2045, 1, 10, 10), H)
    assert "B-06" in e.value.message_ru and "2020–2040" in e.value.message_ru
    with pytest.raises(EngineError):
        cal.is_working_day(dt.date(2019, 5, 5))


def test_b03_auto_close_after_two_working_days(cal: WorkingCalendar) -> None:
    # Resolved Friday 19.02.2027 15:00; Saturday 20.02 works, 22–23.02 are off → Wed 24.02.
    decision = auto_close_at(cal, msk(2027, 2, 19, 15), 2)
    assert decision.at == msk(2027, 2, 24, 15)
    assert decision.reason.startswith("B-03") and "24.02.2027 15:00" in decision.reason


def test_p07_auto_close_after_three_working_days(cal: WorkingCalendar) -> None:
    decision = auto_close_at(cal, msk(2026, 11, 20, 17, 30), 3, rule="P-07")
    assert decision.at == msk(2026, 11, 25, 17, 30)
    assert decision.reason.startswith("P-07") and "3 раб. дн." in decision.reason
    assert "P-07" in decision.reason_en


def test_p07_auto_close_counts_from_a_weekend_resolution(cal: WorkingCalendar) -> None:
    decision = auto_close_at(cal, msk(2026, 11, 21, 11), 3, rule="P-07")
    assert decision.at == msk(2026, 11, 25, 11)
    assert cal.add_working_days(msk(2026, 11, 21, 11), 0) == msk(2026, 11, 21, 11)


CUSTOM = """
[calendar]
timezone = "Asia/Yekaterinburg"
country = "RU"
years = [2027, 2027]
pre_holiday_shortening_minutes = 60
working_day_minutes = 480
[calendar.hours]
mon = ["08:00-12:00", "13:00-17:00"]
tue = ["08:00-12:00", "13:00-17:00"]
wed = ["08:00-12:00", "13:00-17:00"]
thu = ["08:00-12:00", "13:00-17:00"]
fri = ["08:00-12:00", "13:00-16:00"]
sat = []
sun = []
[[calendar.regional_holidays]]
date = 2027-08-30
name = "День Республики"
[[calendar.overrides]]
date = 2027-12-30
hours = ["08:00-12:00"]
name = "Корпоратив"
[[calendar.overrides]]
date = 2027-03-01
hours = []
name = "Санитарный день"
"""


def test_b06_regional_holiday_and_overrides_are_data() -> None:
    cal = WorkingCalendar(parse_calendar(section(CUSTOM, "calendar")))
    assert str(cal.tz) == "Asia/Yekaterinburg"
    assert not cal.is_working_day(dt.date(2027, 8, 30))
    assert "День Республики" in cal.day_note(dt.date(2027, 8, 30))
    # Friday 27.08 is not the eve (Saturday is); Friday hours stay 08–16 as configured.
    assert cal.day_intervals(dt.date(2027, 8, 27))[-1][1] == dt.time(16)
    assert cal.day_intervals(dt.date(2027, 12, 30)) == ((dt.time(8), dt.time(12)),)
    assert "Корпоратив" in cal.day_note(dt.date(2027, 12, 30))
    assert not cal.is_working_day(dt.date(2027, 3, 1))
    assert "B-06" in cal.day_note(dt.date(2027, 3, 1))
    ekb = cal.tz
    start = dt.datetime(2027, 2, 26, 15, 30, tzinfo=ekb)  # Friday, ends 16:00
    assert cal.add_working(start, H) == dt.datetime(2027, 3, 2, 8, 30, tzinfo=ekb)
    assert cal.add_working(start, H).astimezone(MSK).hour == 6
