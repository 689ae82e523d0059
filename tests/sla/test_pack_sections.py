"""Malformed [calendar] / [sla] sections are PackErrors naming the key path (B-05, B-06)."""

from __future__ import annotations

import pytest

from opdesk.errors import PackError
from opdesk.sla import parse_calendar, parse_sla
from tests.sla.helpers import PACK, default_sla, pack_data, section

CALENDAR = """
[calendar]
timezone = "Europe/Moscow"
country = "RU"
years = [2026, 2027]
working_day_minutes = 480
[calendar.hours]
mon = ["09:00-13:00", "14:00-18:00"]
tue = ["09:00-18:00"]
wed = ["09:00-18:00"]
thu = ["09:00-18:00"]
fri = ["09:00-18:00"]
sat = []
sun = []
"""


def _calendar_error(old: str, new: str) -> PackError:
    text = CALENDAR.replace(old, new, 1)
    assert text != CALENDAR
    with pytest.raises(PackError) as e:
        parse_calendar(section(text, "calendar"))
    return e.value


def test_b06_calendar_section_parses() -> None:
    spec = parse_calendar(section(CALENDAR, "calendar"))
    assert spec.hours[0] == ((540, 780), (840, 1080))
    assert spec.pre_holiday_shortening_minutes == 0  # optional, defaults to no shortening
    assert (spec.first_year, spec.last_year) == (2026, 2027)


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ('"09:00-13:00", "14:00-18:00"', '"25:00-26:00"', "calendar.hours.mon[0]", "вне суток"),
        (
            '"09:00-13:00", "14:00-18:00"',
            '"09:00-13:00", "12:00-18:00"',
            "calendar.hours.mon[1]",
            "пересекаться",
        ),
        ('tue = ["09:00-18:00"]', 'tue = ["18:00-09:00"]', "calendar.hours.tue[0]", "раньше"),
        ('tue = ["09:00-18:00"]', 'tue = ["9-18"]', "calendar.hours.tue[0]", "09:00-13:00"),
        ("sun = []", "sun = []\nsunday = []", "calendar.hours.sunday", "неизвестный ключ"),
        ('"Europe/Moscow"', '"Europe/Atlantis"', "calendar.timezone", "часовой пояс"),
        ('"RU"', '"XX"', "calendar.country", "holidays"),
        ("[2026, 2027]", "[2027, 2026]", "calendar.years", "диапазон"),
        ("[2026, 2027]", "2026", "calendar.years", "пара годов"),
        (
            "working_day_minutes = 480",
            "working_day_minutes = 0",
            "calendar.working_day_minutes",
            "не меньше",
        ),
        (
            "working_day_minutes = 480",
            "working_day_minutes = 480\ncolour = 1",
            "calendar.colour",
            "неизвестный ключ",
        ),
    ],
)
def test_b06_bad_calendar_is_a_pack_error_with_key_path(
    old: str, new: str, key: str, words: str
) -> None:
    err = _calendar_error(old, new)
    assert err.key == key
    assert words in err.problem_ru
    assert err.problem_en
    assert f"test.toml: {key}" in str(err)


SLA = """
[sla]
priorities = ["Обычный", "Срочный"]
priority_aliases = { "Средний" = "Обычный" }
stages = ["reaction", "resolution"]
lifecycle_stages = { classification = "reaction", resolution = "resolution" }
[sla.plans.fast]
name = "Быстрый"
reaction = "15m"
resolution = "1d"
[sla.plans.slow]
name = "Медленный"
reaction = "4h"
resolution = "10d"
[sla.categories."Авария"]
type = "Техподдержка"
plans = { "Обычный" = "slow", "Срочный" = "fast" }
"""


def _sla_error(old: str, new: str) -> PackError:
    text = SLA.replace(old, new, 1)
    assert text != SLA
    with pytest.raises(PackError) as e:
        parse_sla(section(text, "sla"))
    return e.value


def test_b05_minimal_sla_section_parses() -> None:
    spec = parse_sla(section(SLA, "sla"))
    choice = spec.plan_for("Авария", "Средний")
    assert choice.plan.key == "slow"
    assert choice.reason.startswith("B-05")
    assert spec.default_priority == "Обычный"


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        (', "Срочный" = "fast" }', " }", "sla.categories.Авария.plans.Срочный", "отсутствует"),
        (
            '"Срочный" = "fast"',
            '"Срочный" = "fastest"',
            "sla.categories.Авария.plans.Срочный",
            "«fastest» нет в списке",
        ),
        (
            '"Срочный" = "fast" }',
            '"Срочный" = "fast", "Низкий" = "slow" }',
            "sla.categories.Авария.plans.Низкий",
            "неизвестный ключ",
        ),
        ('reaction = "15m"', 'reaction = "15 minutes"', "sla.plans.fast.reaction", "15m"),
        ('reaction = "15m"\n', "", "sla.plans.fast.reaction", "отсутствует"),
        (
            '"Средний" = "Обычный"',
            '"Средний" = "Средний"',
            "sla.priority_aliases.Средний",
            "нет в списке",
        ),
        (
            'resolution = "resolution" }',
            'resolution = "solution" }',
            "sla.lifecycle_stages.resolution",
            "нет в списке",
        ),
        (
            'type = "Техподдержка"',
            'type = "Техподдержка"\ncolor = "red"',
            "sla.categories.Авария.color",
            "неизвестный ключ",
        ),
        ("[sla]", "[sla]\nextra = 1", "sla.extra", "неизвестный ключ"),
        (
            'stages = ["reaction", "resolution"]',
            'stages = ["reaction", "resolution", "wait"]',
            "sla.plans.fast.wait",
            "отсутствует",
        ),
    ],
)
def test_b05_bad_sla_is_a_pack_error_with_key_path(
    old: str, new: str, key: str, words: str
) -> None:
    err = _sla_error(old, new)
    assert err.key == key
    assert words in err.problem_ru
    assert f"test.toml: {key}" in str(err)


def test_b06_default_pack_sections_load() -> None:
    data = pack_data()
    spec = default_sla()
    assert set(data) >= {"calendar", "sla"}
    assert len(spec.categories) == 10
    assert spec.priorities == ("Обычный", "Срочный", "Критичный")
    assert spec.uncontrolled_stages == frozenset({"wait"})
    assert spec.lifecycle_stages["vendor"] == "wait"
    assert PACK.name == "default.toml"
