"""Departments as pack data (C-01 desk departments, U-08 departments named in replies)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from opdesk.errors import EngineError, PackError
from opdesk.pack_reader import Reader
from opdesk.regulations.context import PackContext
from opdesk.regulations.departments import Departments, parse_departments
from opdesk.regulations.rules import parse_rules, parse_sources

PACK = Path(__file__).resolve().parents[2] / "resources" / "regulations" / "default.toml"

RULES = """
[sources.C]
title = "Регламент по закрытию заявок"
file = "000.txt"
[sources.U]
title = "Работа с тикетом клиента"
file = "002.txt"
[rules.C-01]
text = "Заявка переведена на отдел «ОПП»"
text_en = "Handed over to ОПП"
[rules.C-02]
text = "Постоянная схема"
text_en = "Permanent scheme"
[rules.C-07]
text = "Устное подтверждение"
text_en = "Verbal confirmation"
[rules.C-10]
text = "Проверены действия ответственного"
text_en = "Actions checked"
[rules.U-08]
text = "Промежуточный ответ называет отдел"
text_en = "The interim reply names the department"
"""


def context() -> PackContext:
    data = tomllib.loads(RULES)
    sources = parse_sources(Reader("rules.toml", data["sources"], "sources"))
    return PackContext(parse_rules(Reader("rules.toml", data["rules"], "rules"), sources))


def shipped() -> dict[str, Any]:
    with PACK.open("rb") as f:
        section: dict[str, Any] = tomllib.load(f)["departments"]
    return section


def parse(data: dict[str, Any]) -> Departments:
    return parse_departments(Reader("pack.toml", data, "departments"), context())


def test_u08_every_listed_department_has_an_accusative_form() -> None:
    deps = parse(shipped())
    accusatives = {d.accusative for d in deps.outgoing_targets()}
    for wanted in (
        "технический отдел",
        "технического инженера",
        "разработчиков приложения",
        "руководство авторизованного сервисного центра",
        "руководство фирменного магазина",
        "сервисный департамент",
        "менеджера по продукту",
    ):
        assert wanted in accusatives
    assert all("U-08" in [r.id for r in d.rules] for d in deps.outgoing_targets())


def test_c01_desk_departments_do_not_take_outgoing_requests() -> None:
    deps = parse(shipped())
    assert {d.name for d in deps.desk_departments()} == {"ОПП", "ОЭ", "ТО"}
    assert "C-01" in [r.id for r in deps.get("ОПП").rules]
    with pytest.raises(EngineError, match="не принимает исходящие"):
        deps.outgoing_target("opp")


def test_lookup_by_id_or_name_and_unknown_department() -> None:
    deps = parse(shipped())
    assert deps.get("brand_store") is deps.get("руководство фирменного магазина")
    with pytest.raises(EngineError, match="неизвестный отдел «бухгалтерия»"):
        deps.get("бухгалтерия")


def test_malformed_department_names_key_path() -> None:
    data = shipped()
    data["tech"] = {**data["tech"], "outgoing": "yes"}
    with pytest.raises(PackError) as err:
        parse(data)
    assert err.value.key == "departments.tech.outgoing"


def test_unknown_rule_and_key_in_department() -> None:
    data = {"x": {"name": "X", "full_name": "X", "accusative": "x", "outgoing": True}}
    parse(data)
    with pytest.raises(PackError) as err:
        parse({"x": {**data["x"], "rules": ["U-99"]}})
    assert err.value.key == "departments.x.rules"
    with pytest.raises(PackError) as err:
        parse({"x": {**data["x"], "accusativ": "x"}})
    assert err.value.key == "departments.x.accusativ"
