"""Properties of working-time arithmetic (B-06) and pauses (P-02), checked with Hypothesis."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from opdesk.sla import StatusChange
from tests.sla.helpers import default_calendar, default_engine

SECOND = dt.timedelta(seconds=1)
LO = int(dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp())
HI = int(dt.datetime(2027, 12, 31, tzinfo=dt.UTC).timestamp())

moments = st.integers(LO, HI).map(lambda t: dt.datetime.fromtimestamp(t, dt.UTC))
minute_moments = st.integers(LO // 60, HI // 60).map(
    lambda m: dt.datetime.fromtimestamp(m * 60, dt.UTC)
)
amounts = st.integers(0, 40 * 8 * 60).map(lambda m: dt.timedelta(minutes=m))
positive = st.integers(1, 40 * 8 * 60).map(lambda m: dt.timedelta(minutes=m))


@settings(max_examples=300, deadline=None)
@given(moments, amounts, amounts)
def test_b06_adding_working_time_is_monotonic_in_the_amount(
    a: dt.datetime, d1: dt.timedelta, d2: dt.timedelta
) -> None:
    cal = default_calendar()
    lo, hi = sorted((d1, d2))
    assert cal.add_working(a, lo) <= cal.add_working(a, hi)


@settings(max_examples=300, deadline=None)
@given(moments, moments, amounts)
def test_b06_adding_working_time_is_monotonic_in_the_start(
    a1: dt.datetime, a2: dt.datetime, d: dt.timedelta
) -> None:
    cal = default_calendar()
    lo, hi = sorted((a1, a2))
    assert cal.add_working(lo, d) <= cal.add_working(hi, d)


@settings(max_examples=300, deadline=None)
@given(moments, positive)
def test_b06_a_deadline_never_lands_in_non_working_time(a: dt.datetime, d: dt.timedelta) -> None:
    cal = default_calendar()
    due = cal.add_working(a, d)
    # start < due <= end of a working interval  ⇔  the second before `due` is working time.
    assert cal.is_working_moment(due - SECOND)
    assert due > a


@settings(max_examples=300, deadline=None)
@given(moments, amounts)
def test_b06_working_time_between_inverts_add_working(a: dt.datetime, d: dt.timedelta) -> None:
    cal = default_calendar()
    assert cal.working_time_between(a, cal.add_working(a, d)) == d


@settings(max_examples=200, deadline=None)
@given(
    minute_moments,
    st.integers(0, 8 * 60 - 1),
    st.integers(1, 5 * 24 * 60),
    st.integers(0, 3 * 24 * 60),
)
def test_p02_a_pause_of_w_working_minutes_moves_the_deadline_by_exactly_w(
    start: dt.datetime, before_pause: int, pause_len: int, after_pause: int
) -> None:
    """Processing limit 4 h (Стандартная техподдержка): pause before the budget runs out."""
    cal = default_calendar()
    engine = default_engine()
    limit = dt.timedelta(hours=4)
    pause_at = cal.add_working(start, dt.timedelta(minutes=before_pause % 240))
    resume_at = pause_at + dt.timedelta(minutes=pause_len)
    now = resume_at + dt.timedelta(minutes=after_pause)
    history = [
        StatusChange(start, "В работе", "processing"),
        StatusChange(pause_at, "Ожидает ответа клиента", "processing"),
        StatusChange(resume_at, "В работе", "processing"),
    ]
    report = engine.evaluate(history, "Вопрос / консультация по проекту", "Обычный", now)
    stage = report.stage("processing")
    w = cal.working_time_between(pause_at, resume_at)
    assert stage.paused_time == w
    assert stage.due_at == cal.add_working(cal.add_working(start, limit), w)
    assert stage.state in ("running", "breached")
    assert (stage.state == "breached") == (now > stage.due_at)
