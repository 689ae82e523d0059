"""Reply templates (U-08, U-09, C-11) and outgoing requests (U-06) on the shipped [templates]."""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pytest

from opdesk.errors import EngineError, PackError
from opdesk.pack_reader import Reader
from opdesk.regulations.context import PackContext
from opdesk.regulations.departments import Department, Departments
from opdesk.regulations.rules import Rule, Source
from opdesk.regulations.snapshot import OutgoingSnap
from opdesk.regulations.template_choice import (
    choose_template,
    fill,
    outgoing_request_plan,
    reply_text,
    template_by_id,
)
from opdesk.regulations.templates import Templates, parse_templates

PACK = Path(__file__).resolve().parents[2] / "resources" / "regulations" / "default.toml"
MSK = ZoneInfo("Europe/Moscow")
C = Source("C", "Регламент по закрытию заявок", "000.txt")
U = Source("U", "Работа с тикетом клиента", "002.txt")
RULES = {
    rid: Rule(rid, f"текст {rid}", f"text {rid}", C if rid[0] == "C" else U)
    for rid in ("C-11", "U-06", "U-08", "U-09")
}
DEPARTMENTS = Departments(
    (
        Department(
            "brand_store",
            "Руководство фирменного магазина",
            "Руководство фирменного магазина",
            "руководство фирменного магазина",
            True,
            False,
        ),
        Department("opp", "ОПП", "ОПП", "ОПП", False, True),
    )
)


class FakeCalendar:
    """Weekends off, 2026-11-04 (Unity Day) and 2027-02-22/23 off, 2027-02-20 a working Saturday."""

    tz = MSK
    OFF: ClassVar[dict[dt.date, str]] = {
        dt.date(2026, 11, 4): "День народного единства",
        dt.date(2027, 2, 22): "перенос",
        dt.date(2027, 2, 23): "День защитника Отечества",
    }
    ON: ClassVar[set[dt.date]] = {dt.date(2027, 2, 20)}

    def is_working_day(self, day: dt.date) -> bool:
        return day in self.ON or (day not in self.OFF and day.isoweekday() < 6)

    def next_working_day(self, day: dt.date) -> dt.date:
        day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def day_note(self, day: dt.date) -> str:
        if day in self.OFF:
            return self.OFF[day]
        return "выходной" if not self.is_working_day(day) else ""


CAL = FakeCalendar()


def msk(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=MSK)


def shipped() -> dict[str, Any]:
    with PACK.open("rb") as f:
        section: dict[str, Any] = tomllib.load(f)["templates"]
    return section


def parse(data: dict[str, Any]) -> Templates:
    return parse_templates(Reader("pack.toml", data, "templates"), PackContext(RULES), DEPARTMENTS)


@pytest.fixture(scope="module")
def t() -> Templates:
    return parse(shipped())


def interim(t: Templates, at: dt.datetime) -> tuple[str, str, list[str]]:
    choice = choose_template(t, CAL, "interim_reply", at)
    return choice.entry, choice.reasons[0].detail, [r.rule for r in choice.reasons]


# -- U-08: interim reply by time -------------------------------------------------------------


def test_u08_before_17_on_a_working_day(t: Templates) -> None:
    entry, detail, rules = interim(t, msk(2026, 11, 17, 16, 59))
    assert entry == "interim_before_evening" and rules == ["U-08"]
    assert "вторник 16:59" in detail and "до 17:00" in detail


def test_u08_after_17_before_a_working_day(t: Templates) -> None:
    entry, detail, rules = interim(t, msk(2026, 11, 17, 17, 0))
    assert entry == "interim_evening" and rules == ["U-08"]
    assert "следующий день рабочий" in detail


def test_u08_friday_evening_uses_the_weekend_template(t: Templates) -> None:
    entry, detail, rules = interim(t, msk(2026, 11, 20, 18, 30))
    assert entry == "interim_weekend" and rules == ["U-08"]
    assert detail.startswith("пятница 18:30, 20.11.2026 — вечер перед нерабочим днём")
    assert "первый рабочий день — понедельник 23.11.2026" in detail


def test_u08_friday_afternoon_is_still_before_17(t: Templates) -> None:
    assert interim(t, msk(2026, 11, 20, 11, 0))[0] == "interim_before_evening"


def test_u08_weekend_and_public_holiday(t: Templates) -> None:
    assert interim(t, msk(2026, 11, 21, 10, 0))[0] == "interim_weekend"
    entry, detail, _ = interim(t, msk(2026, 11, 4, 10, 0))
    assert entry == "interim_weekend" and "День народного единства" in detail
    assert "первый рабочий день — четверг 05.11.2026" in detail


def test_u08_evening_before_a_public_holiday_is_like_friday_evening(t: Templates) -> None:
    entry, detail, _ = interim(t, msk(2026, 11, 3, 17, 30))
    assert entry == "interim_weekend" and "вечер перед нерабочим днём" in detail


def test_u08_friday_evening_before_a_working_saturday_says_tomorrow(t: Templates) -> None:
    entry, _, _ = interim(t, msk(2027, 2, 19, 18, 0))
    assert entry == "interim_evening"
    assert interim(t, msk(2027, 2, 20, 10, 0))[0] == "interim_before_evening"
    assert interim(t, msk(2027, 2, 20, 18, 0))[0] == "interim_weekend"  # Sun, 22, 23 off


def test_u08_time_zone_of_the_moment_is_converted_to_the_desk(t: Templates) -> None:
    utc = dt.datetime(2026, 11, 17, 13, 30, tzinfo=dt.UTC)  # 16:30 in Moscow
    assert interim(t, utc)[0] == "interim_before_evening"
    with pytest.raises(EngineError, match="нет часового пояса"):
        interim(t, dt.datetime(2026, 11, 17, 13, 30))


def test_u08_reply_names_the_department_in_the_accusative(t: Templates) -> None:
    choice = choose_template(t, CAL, "interim_reply", msk(2026, 11, 20, 18, 30))
    assert choice.template is not None
    text = reply_text(t, choice.template, department="brand_store")
    assert text == (
        "Для того чтобы решить вопрос, мне надо подключить руководство фирменного магазина. "
        "Вернемся с ответом в первый рабочий день"
    )
    with pytest.raises(EngineError, match="не принимает исходящие"):
        reply_text(t, choice.template, department="opp")


# -- U-09: the other department has not answered ---------------------------------------------


def test_u09_no_answer_template_only_after_24_hours(t: Templates) -> None:
    out = OutgoingSnap(department="Сервисный департамент", sent_at=msk(2026, 11, 17, 10, 0))
    early = choose_template(t, CAL, "department_no_answer", msk(2026, 11, 18, 9, 0), outgoing=out)
    assert early.template is None and early.applies_at == msk(2026, 11, 18, 10, 0)
    assert [r.rule for r in early.reasons] == ["U-09"]
    assert "применяется с 18.11.2026 10:00" in early.reasons[0].detail
    due = choose_template(t, CAL, "department_no_answer", msk(2026, 11, 18, 10, 0), outgoing=out)
    assert due.template is not None and due.entry == "department_no_answer"
    assert [r.rule for r in due.reasons] == ["U-09"]
    assert fill(due.template, {}) == (
        "Вопрос в работе, но ответ от коллег еще не получили. Я уже напомнил про срочность "
        "вопроса, постараемся в течение дня решить"
    )


def test_u09_answered_request_needs_no_template(t: Templates) -> None:
    out = OutgoingSnap("x", msk(2026, 11, 17, 10, 0), answered_at=msk(2026, 11, 17, 15, 0))
    choice = choose_template(t, CAL, "department_no_answer", msk(2026, 11, 19), outgoing=out)
    assert choice.template is None and choice.applies_at is None
    assert "U-09" in choice.rule_ids and "получен" in choice.reasons[0].detail
    with pytest.raises(EngineError, match="U-09"):
        choose_template(t, CAL, "department_no_answer", msk(2026, 11, 19))


# -- C-11: closing delayed by the client -----------------------------------------------------


def test_c11_monitoring_uses_template_1_with_the_ticket_number(t: Templates) -> None:
    choice = choose_template(t, CAL, "delayed_closure", msk(2026, 11, 17, 12), case="monitoring")
    assert choice.entry == "closing_monitoring" and choice.rule_ids == ("C-11",)
    assert choice.template is not None
    text = reply_text(t, choice.template, ticket_number="СЗ-1001")
    assert text.startswith("Уважаемый клиент. Сообщаем Вам, что заявка №СЗ-1001 будет закрыта")
    assert text.endswith("просим позвонить нам и сообщить об этом, заявку мы возобновим.")


def test_c11_unreachable_for_3_days_means_comment_only(t: Templates) -> None:
    choice = choose_template(t, CAL, "delayed_closure", msk(2026, 11, 17, 12), case="unreachable")
    assert choice.template is None and choice.comment_only
    assert choice.entry == "closing_unreachable" and choice.rule_ids == ("C-11",)
    assert "шаблона нет, только комментарий" in choice.reasons[0].detail
    assert "недозвон в течение 3-х дней" in choice.comment
    with pytest.raises(EngineError, match="только комментарий"):
        fill(template_by_id(t, "closing_unreachable"), {})


def test_c11_client_objects_uses_template_3(t: Templates) -> None:
    choice = choose_template(t, CAL, "delayed_closure", msk(2026, 11, 21, 12), case="objects")
    assert choice.entry == "closing_objects" and choice.rule_ids == ("C-11",)
    assert choice.template is not None
    assert "В зоне ответственности К Телеком проблем нет." in fill(choice.template, {})


def test_c11_unknown_case_is_a_bad_request(t: Templates) -> None:
    with pytest.raises(EngineError, match="неизвестный случай C-11 «forgot»"):
        choose_template(t, CAL, "delayed_closure", msk(2026, 11, 17), case="forgot")


# -- U-06: outgoing request -------------------------------------------------------------------


def test_u06_outgoing_request_reminder_and_cross_links(t: Templates) -> None:
    plan = outgoing_request_plan(t, "СЗ-1001", "brand_store", msk(2026, 11, 20, 18, 30))
    assert plan.reminder_at == msk(2026, 11, 21, 18, 30)
    assert [r.rule for r in plan.reasons] == ["U-06"]
    assert "«Руководство фирменного магазина»" in plan.ticket_comment
    assert "21.11.2026 18:30" in plan.ticket_comment
    assert "№СЗ-1001" in plan.request_comment
    custom = outgoing_request_plan(t, "СЗ-1", "brand_store", msk(2026, 11, 20, 9), 48)
    assert custom.reminder_at == msk(2026, 11, 22, 9)
    with pytest.raises(EngineError, match="неизвестный отдел"):
        outgoing_request_plan(t, "СЗ-1", "legal", msk(2026, 11, 20, 9))


# -- fill() and bad requests -----------------------------------------------------------------


def test_u08_fill_refuses_missing_and_unknown_placeholders(t: Templates) -> None:
    tpl = template_by_id(t, "interim_evening")
    with pytest.raises(EngineError, match=r"не заполнен заполнитель \{department\}"):
        fill(tpl, {})
    with pytest.raises(EngineError, match=r"не заполнен заполнитель \{department\}"):
        fill(tpl, {"department": "  "})
    with pytest.raises(EngineError, match=r"неизвестный заполнитель \{client\}"):
        fill(tpl, {"department": "сервисный департамент", "client": "Иванов"})


def test_unknown_situation_or_template_is_a_bad_request(t: Templates) -> None:
    with pytest.raises(EngineError, match="неизвестная ситуация"):
        choose_template(t, CAL, "greeting", msk(2026, 11, 17))
    with pytest.raises(EngineError, match="неизвестный шаблон «nope»"):
        template_by_id(t, "nope")


# -- malformed [templates] -------------------------------------------------------------------


def test_u08_unknown_placeholder_in_a_template_names_key_path() -> None:
    data = copy.deepcopy(shipped())
    data["interim_evening"]["text"] = "мне надо подключить {department} к {client_name}"
    with pytest.raises(PackError) as err:
        parse(data)
    assert err.value.key == "templates.interim_evening.text"
    assert "{client_name}" in err.value.problem_ru


def test_u08_interim_template_must_name_the_department() -> None:
    data = copy.deepcopy(shipped())
    data["interim_weekend"]["text"] = "Вернемся с ответом в первый рабочий день"
    with pytest.raises(PackError) as err:
        parse(data)
    assert err.value.key == "templates.interim_weekend.text"


def test_u08_bad_condition_field_names_key_path() -> None:
    data = copy.deepcopy(shipped())
    data["interim_before_evening"]["when"] = {"field": "moment.holiday", "eq": True}
    with pytest.raises(PackError) as err:
        parse(data)
    assert err.value.key == "templates.interim_before_evening.when.field"
    assert "moment.holiday" in err.value.problem_ru


def test_malformed_settings_and_situation() -> None:
    data = copy.deepcopy(shipped())
    data["evening_from"] = "5pm"
    with pytest.raises(PackError) as err:
        parse(data)
    assert err.value.key == "templates.evening_from"
    data = copy.deepcopy(shipped())
    data["closing_objects"]["situation"] = "closing"
    with pytest.raises(PackError) as err:
        parse(data)
    assert err.value.key == "templates.closing_objects.situation"


# -- the real working calendar and the shipped pack ------------------------------------------


def test_u08_real_calendar_from_the_default_pack() -> None:
    from opdesk.regulations.pack import load_default_pack

    pack = load_default_pack()
    tz = pack.calendar.tz

    def entry(y: int, mo: int, d: int, h: int, mi: int) -> str:
        at = dt.datetime(y, mo, d, h, mi, tzinfo=tz)
        choice = choose_template(pack.templates, pack.calendar, "interim_reply", at)
        assert choice.rule_ids == ("U-08",)
        return choice.entry

    assert entry(2026, 11, 3, 18, 30) == "interim_weekend"  # eve of Unity Day (Nov 4)
    assert entry(2026, 11, 4, 12, 0) == "interim_weekend"
    assert entry(2026, 11, 5, 12, 0) == "interim_before_evening"
    assert entry(2027, 2, 19, 18, 30) == "interim_evening"  # Saturday 2027-02-20 is working
    assert entry(2027, 2, 20, 18, 30) == "interim_weekend"
