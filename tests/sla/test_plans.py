"""B-05: category × priority selects the SLA plan; B-06: the plans' limits in working time."""

from __future__ import annotations

import pytest

from opdesk.errors import EngineError
from opdesk.sla import SlaSpec, plan_for

LEADERS = "План руководителей"
DOCS = "Стандартный документооборот"
URGENT = "Срочная техподдержка"
INCIDENT = "Ликвидация аварий"
SUPPORT = "Стандартная техподдержка"

# The B-05 table of REGULATIONS.md / document 004, verbatim.
B05 = [
    ("Запрос на новый функционал", "Техподдержка по проекту", DOCS, SUPPORT, SUPPORT),
    (
        "Запрос на обслуживание по неактивной услуге",
        "Запросы от несопровождаемых клиентов",
        DOCS,
        SUPPORT,
        URGENT,
    ),
    ("Вопросы к руководству", "Общие вопросы", LEADERS, DOCS, SUPPORT),
    ("Вопрос / консультация по проекту", "Техподдержка по проекту", SUPPORT, URGENT, URGENT),
    ("Проблемы с хостингом", "Техподдержка по проекту", SUPPORT, URGENT, INCIDENT),
    ("Изменение/расширение услуги", "Документооборот", DOCS, SUPPORT, URGENT),
    ("Запрос документов по проекту", "Документооборот", DOCS, SUPPORT, URGENT),
    ("Запрос бухгалтерских документов", "Документооборот", DOCS, SUPPORT, SUPPORT),
    (
        "Запрос на настройку компонентов или модулей",
        "Техподдержка по проекту",
        SUPPORT,
        URGENT,
        URGENT,
    ),
    ("Ошибка поведения или интерфейса", "Техподдержка по проекту", SUPPORT, URGENT, INCIDENT),
]

# The B-06 table in working minutes (a day = 8 working hours).
D = 480
B06 = {
    LEADERS: (2 * D, 5 * D, 10 * D, 20 * D),
    DOCS: (240, 3 * D, 10 * D, 20 * D),
    URGENT: (30, 60, 2 * D, 20 * D),
    INCIDENT: (15, 60, D, 3 * D),
    SUPPORT: (60, 240, 5 * D, 60 * D),
}


@pytest.mark.parametrize("row", B05, ids=[r[0] for r in B05])
def test_b05_every_cell_of_the_table(sla: SlaSpec, row: tuple[str, ...]) -> None:
    category, kind, *plans = row
    assert list(sla.categories) == [r[0] for r in B05]
    for priority, plan_name in zip(sla.priorities, plans, strict=True):
        choice = sla.plan_for(category, priority)
        assert choice.plan.name == plan_name
        assert choice.category.type == kind
        assert choice.reason.startswith("B-05")
        assert f"«{category}»" in choice.reason and f"«{plan_name}»" in choice.reason
        assert f"«{priority}»" in choice.reason
        assert "B-05" in choice.reason_en


def test_b06_plan_limits_match_the_table(sla: SlaSpec) -> None:
    assert {p.name for p in sla.plans.values()} == set(B06)
    for plan in sla.plans.values():
        minutes = tuple(plan.limits[s].seconds(D * 60) // 60 for s in sla.stages)
        assert minutes == B06[plan.name], plan.name


def test_b05_sredniy_is_an_alias_of_obychny(sla: SlaSpec) -> None:
    choice = plan_for(sla, "Проблемы с хостингом", "Средний")
    assert choice.priority == "Обычный"
    assert choice.plan.name == SUPPORT
    assert "«Средний» = «Обычный»" in choice.reason and choice.reason.startswith("B-05")


def test_b05_missing_priority_takes_the_default(sla: SlaSpec) -> None:
    choice = sla.plan_for("Вопросы к руководству")
    assert choice.priority == "Обычный" and choice.plan.name == LEADERS
    assert "по умолчанию" in choice.reason and "B-05" in choice.reason


def test_b05_unknown_category_lists_the_valid_ones(sla: SlaSpec) -> None:
    with pytest.raises(EngineError) as e:
        sla.plan_for("Жалоба на погоду", "Срочный")
    assert e.value.message_ru.startswith("B-05")
    assert "«Жалоба на погоду»" in e.value.message_ru
    assert "Проблемы с хостингом" in e.value.message_ru
    assert "unknown category" in e.value.message_en


def test_b05_unknown_priority_lists_the_valid_ones(sla: SlaSpec) -> None:
    with pytest.raises(EngineError) as e:
        sla.plan_for("Проблемы с хостингом", "Высокий")
    assert "B-05" in e.value.message_ru
    assert "Обычный, Срочный, Критичный, Средний" in e.value.message_ru
