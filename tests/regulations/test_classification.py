"""Classification of service requests (S-01…S-08, U-03, U-07) on the shipped [classification]."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest

from opdesk.errors import EngineError, PackError
from opdesk.pack_reader import Reader
from opdesk.regulations.classification import Classification, outcome_check
from opdesk.regulations.classification_reader import parse_classification
from opdesk.regulations.classify import resulting_type, validate
from opdesk.regulations.comments import check_comment
from opdesk.regulations.context import PackContext
from opdesk.regulations.questions import Contact, Question
from opdesk.regulations.request_plan import plan_requests
from opdesk.regulations.rules import Rule, Source
from opdesk.regulations.snapshot import TicketSnapshot

PACK = Path(__file__).resolve().parents[2] / "resources" / "regulations" / "default.toml"
S = Source("S", "Общие правила создания сервисных запросов", "001.txt")
U = Source("U", "Работа с тикетом клиента", "002.txt")
RULES = {
    rid: Rule(rid, f"текст {rid}", f"text {rid}", S if rid[0] == "S" else U)
    for rid in ("S-01", "S-02", "S-03", "S-04", "S-05", "S-06", "S-07", "S-08", "U-03", "U-07")
}


def shipped() -> dict[str, Any]:
    with PACK.open("rb") as f:
        section: dict[str, Any] = tomllib.load(f)["classification"]
    return section


def parse(data: dict[str, Any]) -> Classification:
    return parse_classification(Reader("pack.toml", data, "classification"), PackContext(RULES))


@pytest.fixture(scope="module")
def c() -> Classification:
    return parse(shipped())


def ids(reasons: Any) -> list[str]:
    return [r.rule for r in reasons]


# -- S-04: Theme → Type → Subtheme, product --------------------------------------------------


def test_s04_valid_classification(c: Classification) -> None:
    v = validate(c, "Баланс и платежи", "Консультация", "Состояние баланса")
    assert v.allowed
    assert ids(v.reasons) == ["S-04"]


def test_s04_product_required_for_services_tariffs_marketing(c: Classification) -> None:
    for theme, type_, sub in (
        ("Услуги", "Заявка", "Подключение услуги"),
        ("Тарифные планы", "Заявка", "Смена тарифного плана"),
        ("Маркетинг.акции/CRM-кампании", "Консультация", "Условия акции"),
    ):
        v = validate(c, theme, type_, sub)
        assert not v.allowed
        assert "S-04" in ids(v.reasons)
        assert "обязателен продукт" in v.reasons[0].detail
    assert validate(c, "Услуги", "Заявка", "Подключение услуги", "Goodok").allowed


def test_s04_unknown_values_named_in_order(c: Classification) -> None:
    v = validate(c, "Погода", "Заявка", "Подключение услуги")
    assert not v.allowed and "«Погода»" in v.reasons[0].detail
    assert len(v.reasons) == 1  # the type is not judged under an unknown theme
    v = validate(c, "Баланс и платежи", "Просьба", "x")
    assert "неизвестный тип «Просьба»" in v.reasons[0].detail
    v = validate(c, "Баланс и платежи", "Заявка", "Заявка на ремонт")
    assert "подтемы «Заявка на ремонт» нет" in v.reasons[0].detail
    v = validate(c, "Услуги", "Заявка", "Подключение услуги", "Телепорт")
    assert "неизвестный продукт «Телепорт»" in v.reasons[0].detail


# -- S-05 / S-06: type priority and type rules ------------------------------------------------


def test_s06_highest_priority_type_wins(c: Classification) -> None:
    qs = [
        Question("Связь и интернет", "Консультация", "Настройки интернета"),
        Question("Связь и интернет", "Жалоба", "Нет связи"),
        Question("Связь и интернет", "Заявка", "Настройка оборудования"),
    ]
    d = resulting_type(c, qs)
    assert (d.type, d.subtheme, d.main) == ("Жалоба", "Нет связи", 1)
    assert "S-06" in ids(d.reasons) and "S-05" in ids(d.reasons)


def test_s06_several_consultations_take_the_main_subtheme(c: Classification) -> None:
    qs = [
        Question("Баланс и платежи", "Консультация", "Состояние баланса"),
        Question("Баланс и платежи", "Консультация", "Способы оплаты", main=True),
    ]
    d = resulting_type(c, qs)
    assert (d.type, d.subtheme) == ("Консультация", "Способы оплаты")
    assert "основной подтемой «Способы оплаты»" in d.reasons[0].detail
    first = resulting_type(c, [qs[0], Question("Баланс и платежи", "Консультация", "x")])
    assert first.subtheme == "Состояние баланса"


def test_s06_refuses_questions_of_different_themes(c: Classification) -> None:
    with pytest.raises(EngineError, match="одной темы"):
        resulting_type(c, [Question("Услуги", "Заявка"), Question("Баланс и платежи", "Заявка")])


def test_s05_geocoded_request_is_a_complaint(c: Classification) -> None:
    d = resulting_type(c, [Question("Связь и интернет", "Заявка", geocoded=True)])
    assert d.type == "Жалоба"
    assert "S-05" in ids(d.reasons) and "геокодировать" in d.reasons[0].detail


def test_s05_asr_reconnect_is_a_request_unless_geocoded(c: Classification) -> None:
    d = resulting_type(c, [Question("Услуги", "Жалоба", asr_reconnect=True)])
    assert d.type == "Заявка" and "S-05" in ids(d.reasons)
    d = resulting_type(c, [Question("Услуги", "Заявка", asr_reconnect=True, geocoded=True)])
    assert d.type == "Жалоба"


def test_s05_unjustified_complaint_is_not_registered(c: Classification) -> None:
    qs = [
        Question("Связь и интернет", "Жалоба", "Нет связи", justified=False),
        Question("Связь и интернет", "Консультация", "Настройки интернета"),
    ]
    d = resulting_type(c, qs)
    assert d.type == "Консультация" and d.not_registered == (0,)
    assert "не регистрируется" in d.reasons[0].detail and d.reasons[0].rule == "S-05"


# -- S-01 / S-02 / S-03 / S-07: plan of requests for a contact -------------------------------


def test_s01_s02_one_contact_one_request_despite_questions_and_transfers(c: Classification) -> None:
    contact = Contact(
        (
            Question("Баланс и платежи", "Консультация", "Состояние баланса"),
            Question("Связь и интернет", "Жалоба", "Нет связи"),
        ),
        calling_number="+79001112233",
        transfers=2,
    )
    plan = plan_requests(c, contact)
    assert len(plan.requests) == 1
    req = plan.requests[0]
    assert (req.kind, req.theme, req.type, req.subtheme) == (
        "main",
        "Связь и интернет",
        "Жалоба",
        "Нет связи",
    )
    assert {"S-01", "S-02", "S-03", "S-06"} <= set(ids(req.reasons))
    assert "переводов: 2 → один СЗ" in req.reasons[1].detail


def test_s02_each_content_number_gets_its_own_request_other_themes_dropped(
    c: Classification,
) -> None:
    contact = Contact(
        (
            Question("Контент-номера", "Заявка", "Отключение подписки", content_number="5522"),
            Question(
                "Контент-номера",
                "Консультация",
                "Информация о контент-номере",
                content_number="7781",
            ),
            Question("Баланс и платежи", "Консультация", "Состояние баланса"),
        )
    )
    plan = plan_requests(c, contact)
    assert [r.kind for r in plan.requests] == ["content_number", "content_number"]
    assert [r.questions for r in plan.requests] == [(0,), (1,)]
    assert plan.not_registered == (2,)
    assert "S-02" in ids(plan.reasons) and "не фиксируются: №3" in plan.reasons[0].detail


def test_s02_content_numbers_plus_compensation_add_a_linked_request(c: Classification) -> None:
    contact = Contact(
        (
            Question(
                "Контент-номера",
                "Жалоба",
                "Несанкционированная подписка",
                content_number="5522",
                compensation="корректировка",
            ),
        )
    )
    plan = plan_requests(c, contact)
    assert [r.kind for r in plan.requests] == ["content_number", "correction"]
    second = plan.requests[1]
    assert (second.theme, second.type, second.subtheme, second.link_to) == (
        "Корректировка/компенсация",
        "Заявка",
        "Проведение корректировки",
        0,
    )
    assert ids(second.reasons) == ["S-02"]


def test_s02_compensation_needs_a_second_request_of_type_zayavka(c: Classification) -> None:
    contact = Contact(
        (Question("Связь и интернет", "Жалоба", "Нет связи", compensation="компенсация"),)
    )
    plan = plan_requests(c, contact)
    assert [(r.kind, r.type, r.link_to) for r in plan.requests] == [
        ("main", "Жалоба", None),
        ("compensation", "Заявка", 0),
    ]
    assert "связан с СЗ №1" in plan.requests[1].reasons[0].detail


def test_s02_mass_incident_with_claim_is_its_own_request(c: Classification) -> None:
    contact = Contact(
        (
            Question(
                "Связь и интернет", "Жалоба", "Нет связи", mass_incident="МИ-77", claim_needed=True
            ),
            Question("Баланс и платежи", "Консультация", "Состояние баланса"),
        )
    )
    plan = plan_requests(c, contact)
    assert [(r.kind, r.questions) for r in plan.requests] == [
        ("main", (1,)),
        ("mass_incident_claim", (0,)),
    ]
    assert "МИ" in plan.requests[1].reasons[0].detail and plan.requests[1].reasons[0].rule == "S-02"


def test_s03_registered_on_the_number_of_the_highest_priority_question(
    c: Classification,
) -> None:
    contact = Contact(
        (
            Question("Баланс и платежи", "Консультация", "Состояние баланса", number="+7901"),
            Question("Баланс и платежи", "Жалоба", "Платёж не зачислен", number="+7902"),
            Question("Баланс и платежи", "Жалоба", "Некорректные списания", number="+7903"),
        ),
        calling_number="+7900",
    )
    req = plan_requests(c, contact).requests[0]
    assert req.number == "+7902"  # a complaint beats a consultation; equal → the first
    why = next(r for r in req.reasons if r.rule == "S-03")
    assert "СЗ на номере +7902" in why.detail


def test_s03_the_number_asked_about_not_the_calling_one(c: Classification) -> None:
    contact = Contact((Question("Баланс и платежи", "Консультация", number="+7905"),), "+7900")
    req = plan_requests(c, contact).requests[0]
    assert req.number == "+7905" and "S-03" in ids(req.reasons)


def test_s07_theme_follows_the_question_not_the_asr_action(c: Classification) -> None:
    contact = Contact(
        (
            Question(
                "Связь и интернет", "Заявка", "Настройка оборудования", asr_action_theme="Услуги"
            ),
        )
    )
    plan = plan_requests(c, contact)
    assert plan.requests[0].theme == "Связь и интернет"
    assert "S-07" in ids(plan.reasons)
    assert "«Услуги» не учитывается" in plan.reasons[0].detail


def test_s01_empty_contact_and_unknown_theme_are_bad_requests(c: Classification) -> None:
    with pytest.raises(EngineError):
        plan_requests(c, Contact(()))
    with pytest.raises(EngineError, match="вопрос №1: неизвестная тема «Погода»"):
        plan_requests(c, Contact((Question("Погода", "Заявка"),)))


# -- U-03: classification follows the outcome ------------------------------------------------


def test_u03_repair_outcome_requires_zayavka_na_remont(c: Classification) -> None:
    wrong = TicketSnapshot(
        theme="Связь и интернет",
        type="Консультация",
        subtheme="Настройки интернета",
        outcome="repair_request",
    )
    v = outcome_check(c, wrong)
    assert not v.allowed and ids(v.reasons) == ["U-03"]
    assert "«Заявка | Заявка на ремонт»" in v.reasons[0].detail
    right = TicketSnapshot(
        theme="Обслуживание и ремонт",
        type="Заявка",
        subtheme="Заявка на ремонт",
        outcome="repair_request",
    )
    assert outcome_check(c, right).allowed and not outcome_check(c, right).reasons
    assert outcome_check(c, TicketSnapshot()).allowed


# -- S-08 / U-07: required comments ----------------------------------------------------------


def test_s08_callback_attempt_is_logged_reached_or_not(c: Classification) -> None:
    not_reached = check_comment(c.comments, "callback_attempt", "звонил в 14:05", reached=False)
    assert not_reached.allowed and ids(not_reached.reasons) == ["S-08"]
    assert not_reached.text.startswith("Попытка перезвонить клиенту: дозвон не состоялся")
    reached = check_comment(c.comments, "callback_attempt", "договорились", reached=True)
    assert "дозвон состоялся" in reached.text
    empty = check_comment(c.comments, "callback_attempt", "  ", reached=True)
    assert not empty.allowed and ids(empty.reasons) == ["S-08"]
    unknown = check_comment(c.comments, "callback_attempt", "звонил")
    assert not unknown.allowed and "состоялся ли дозвон" in unknown.reasons[0].detail


def test_u07_call_result_needs_text(c: Classification) -> None:
    v = check_comment(c.comments, "call_result", "")
    assert not v.allowed and ids(v.reasons) == ["U-07"]
    assert check_comment(c.comments, "call_result", "клиент подтвердил MAC").allowed
    assert check_comment(c.comments, "note", "").allowed
    with pytest.raises(EngineError, match="неизвестный вид комментария"):
        check_comment(c.comments, "sms", "x")


# -- malformed sections ----------------------------------------------------------------------


def test_u03_unknown_theme_in_outcome_rule_names_key_path() -> None:
    data = copy.deepcopy(shipped())
    data["outcomes"]["repair_request"]["theme"] = "Ремонт техники"
    with pytest.raises(PackError) as err:
        parse(data)
    assert err.value.key == "classification.outcomes.repair_request.theme"
    assert "неизвестная тема «Ремонт техники»" in err.value.problem_ru


def test_s02_bad_condition_field_names_key_path() -> None:
    data = copy.deepcopy(shipped())
    data["separate"][0]["when"] = {"field": "question.content_nomer", "eq": "1"}
    with pytest.raises(PackError) as err:
        parse(data)
    assert err.value.key == "classification.separate[0].when.field"
    assert "question.content_nomer" in err.value.problem_ru


def test_s04_malformed_tree_is_reported() -> None:
    data = copy.deepcopy(shipped())
    data["themes"]["services"]["subthemes"]["Просьба"] = ["x"]
    with pytest.raises(PackError) as err:
        parse(data)
    assert err.value.key == "classification.themes.services.subthemes.Просьба"
    data = copy.deepcopy(shipped())
    del data["themes"]["tariffs"]["products"]
    with pytest.raises(PackError) as err:
        parse(data)
    assert err.value.key == "classification.themes.tariffs.products"


def test_s05_type_rule_with_unknown_type_or_rule() -> None:
    data = copy.deepcopy(shipped())
    data["type_rules"][0]["type"] = "Претензия"
    with pytest.raises(PackError) as err:
        parse(data)
    assert err.value.key == "classification.type_rules[0].type"
    data = copy.deepcopy(shipped())
    data["second"][0]["rule"] = "S-42"
    with pytest.raises(PackError) as err:
        parse(data)
    assert err.value.key == "classification.second[0].rule"
