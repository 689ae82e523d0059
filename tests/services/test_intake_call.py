"""A new service request during a call (001): the caller found by any phone format, the
classification judged before anything is written (S-04…S-06), a compensation's second linked
«Заявка» (S-02) and closing at the end of the dialogue with its 5-minute edit window (S-09)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select

from opdesk import services
from opdesk.clock import FixedClock
from opdesk.models import Event, OutboxEntry, Ticket, TicketLink
from opdesk.regulations.questions import Question
from opdesk.services.desk import Desk
from opdesk.services.intake_call import (
    PHONE_LOOKUP,
    CallDraft,
    check_request,
    classification_options,
    find_client_by_phone,
    judge_call,
    match_rows,
    register_call,
    registered_requests,
)
from opdesk.store.search import phone_forms
from tests.services.conftest import OPERATOR

PHONE = "+7 916 123-45-67"


def counts(desk: Desk) -> tuple[int, int, int, int]:
    with desk.db.transaction() as s:
        return (
            s.scalar(select(func.count(Ticket.id))) or 0,
            s.scalar(select(func.count(Event.id))) or 0,
            s.scalar(select(func.count(OutboxEntry.seq))) or 0,
            s.scalar(select(func.count(TicketLink.id))) or 0,
        )


@pytest.fixture
def client(desk: Desk) -> uuid.UUID:
    """A client with one open and two closed earlier requests on PHONE, and a stranger."""
    cid = services.add_client(desk, "Орлова Анна Петровна", phone=PHONE, mobile=PHONE)
    other = services.add_client(desk, "Зуев Олег", phone="+7 495 700-00-01")
    for n in range(3):
        q = Question("Баланс и платежи", "Консультация", "Состояние баланса")
        result = register_call(desk, OPERATOR, CallDraft(PHONE, (q,), cid, f"Вопрос {n}"))
        assert result.ok, result.message()
        if n < 2:
            assert services.close(desk, OPERATOR, result.ticket_ids[0]).ok
    stranger = CallDraft("+7 495 700-00-01", (q,), other)
    assert register_call(desk, OPERATOR, stranger).ok
    return cid


def test_the_caller_is_found_by_any_phone_format(desk: Desk, client: uuid.UUID) -> None:
    for typed in (PHONE, "89161234567", "79161234567", "9161234567", "8 (916) 123 45 67",
                  "1234567"):  # fmt: skip
        match = find_client_by_phone(desk, typed)
        assert match is not None, typed
        assert match.client_id == client and match.client.name == "Орлова Анна Петровна"
        assert [t.subject for t in match.open_tickets] == ["Вопрос 2"]
        assert [t.subject for t in match.recent_tickets] == ["Вопрос 1", "Вопрос 0"]
        assert match.recent_tickets[0].status_name == "Закрыт по окончанию диалога"
        assert match.open_tickets[0].classification == (
            "Баланс и платежи | Консультация | Состояние баланса"
        )
    assert find_client_by_phone(desk, "+7 916 765-43-21") is None
    assert find_client_by_phone(desk, "916") is None  # still typing: no phone yet


def test_the_lookup_is_one_statement_on_indexes_only(desk: Desk, client: uuid.UUID) -> None:
    """No table scan: the FTS index finds the phone, ix_tickets_client the client's tickets."""
    with desk.db.engine.connect() as conn:
        compiled = PHONE_LOOKUP.compile(dialect=conn.dialect)
        params = compiled.construct_params(
            {"phone_match": f'phone : "{phone_forms(PHONE)[0]}"', "open_limit": 20,
             "recent_limit": 10}
        )  # fmt: skip
        positional = tuple(params[k] for k in compiled.positiontup or ())
        plan = [r[3] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", positional)]
        assert len(match_rows(conn, phone_forms("89161234567"))) == 3
    assert not [step for step in plan if step.startswith(("SCAN tickets", "SCAN clients"))]
    assert any("ix_tickets_client" in step for step in plan)


def test_the_cascade_offers_what_the_pack_has(desk: Desk) -> None:
    top = classification_options(desk.pack)
    assert "Услуги" in top.themes and top.types == ()
    services_ = classification_options(desk.pack, "Услуги", "Заявка")
    assert services_.types == ("Жалоба", "Заявка", "Консультация")  # S-05 order
    assert "Подключение услуги" in services_.subthemes and services_.product_required
    assert "Goodok" in services_.products
    assert not classification_options(desk.pack, "Баланс и платежи").product_required


def test_s04_product_missing_is_refused_and_nothing_written(desk: Desk) -> None:
    before = counts(desk)
    draft = CallDraft(PHONE, (Question("Услуги", "Заявка", "Подключение услуги"),))
    verdict = check_request(desk, draft)
    assert not verdict.allowed and verdict.rule_ids == ("S-04",)
    assert "обязателен продукт" in verdict.reasons[0].detail
    result = register_call(desk, OPERATOR, draft)
    assert not result.ok and result.rule_ids == ("S-04",)
    assert counts(desk) == before


def test_s04_product_present_creates_the_request(desk: Desk) -> None:
    q = Question("Услуги", "Заявка", "Подключение услуги", product="Goodok")
    result = register_call(desk, OPERATOR, CallDraft(PHONE, (q,), subject="Подключить Goodok"))
    assert result.ok, result.message()
    assert {"S-01", "S-02", "S-03"} <= set(result.rule_ids)
    (made,) = registered_requests(desk, result.ticket_ids)
    assert (made.theme, made.type, made.subtheme, made.product) == (
        "Услуги", "Заявка", "Подключение услуги", "Goodok"
    )  # fmt: skip
    assert made.is_open and made.status_name == "В работе" and made.edit_until is None
    with desk.db.transaction() as s:
        row = s.get(Ticket, made.id)
        assert row is not None
        assert (row.process, row.channel, row.contact_phone) == ("call_request", "phone", PHONE)
        assert row.subject == "Подключить Goodok" and row.owner_id is not None


def test_s05_s06_the_type_follows_the_regulation(desk: Desk) -> None:
    """A complaint solved by re-connecting in АСР is a «Заявка»; with a consultation of the
    same theme it is still one request, of the higher-priority type."""
    reconnect = Question("Связь и интернет", "Жалоба", "Настройка оборудования",
                         asr_reconnect=True)  # fmt: skip
    ask = Question("Связь и интернет", "Консультация", "Настройки интернета")
    judged = judge_call(desk.pack, CallDraft(PHONE, (ask, reconnect)))
    assert judged.verdict.allowed and judged.plan is not None
    (req,) = judged.plan.requests
    assert (req.type, req.subtheme) == ("Заявка", "Настройка оборудования")
    assert {"S-05", "S-06"} <= set(judged.verdict.rule_ids)
    geocoded = Question("Связь и интернет", "Заявка", "Нет связи", asr_reconnect=True,
                        geocoded=True)  # fmt: skip
    result = register_call(desk, OPERATOR, CallDraft(PHONE, (geocoded,)))
    assert result.ok, result.message()
    assert registered_requests(desk, result.ticket_ids)[0].type == "Жалоба"


def test_s05_an_unjustified_complaint_alone_registers_nothing(desk: Desk) -> None:
    before = counts(desk)
    q = Question("Связь и интернет", "Жалоба", "Нет связи", justified=False)
    result = register_call(desk, OPERATOR, CallDraft(PHONE, (q,)))
    assert not result.ok and "S-05" in result.rule_ids
    assert counts(desk) == before


def test_s02_a_compensation_creates_two_linked_requests(desk: Desk, client: uuid.UUID) -> None:
    before = counts(desk)
    q = Question("Связь и интернет", "Жалоба", "Нет связи", compensation="компенсация")
    result = register_call(desk, OPERATOR, CallDraft(PHONE, (q,), client))
    assert result.ok, result.message()
    assert len(result.ticket_ids) == 2 and result.created_id == result.ticket_ids[0]
    assert "S-02" in result.rule_ids
    first, second = registered_requests(desk, result.ticket_ids)
    assert (first.type, first.linked_to) == ("Жалоба", "")
    assert (second.theme, second.type, second.subtheme, second.linked_to) == (
        "Корректировка/компенсация", "Заявка", "Проведение компенсации", first.number
    )  # fmt: skip
    with desk.db.transaction() as s:
        link = s.scalars(select(TicketLink)).one()
        rows = {t.id: t for t in s.scalars(select(Ticket).where(Ticket.id.in_(result.ticket_ids)))}
        assert (link.ticket_id, link.linked_id, link.kind) == (
            rows[second.id].uuid, rows[first.id].uuid, "second_request"
        )  # fmt: skip
        assert rows[second.id].client_id == client == rows[first.id].client_id
        assert rows[second.id].subject == f"Проведение компенсации по {first.number}"
        ops = s.scalars(select(OutboxEntry.command).order_by(OutboxEntry.seq)).all()
    # the outbox holds named commands (step 8): the call is one op that the server re-runs to
    # make both requests and their link (it used to be a row per ticket and link)
    assert ops[-1:] == ["register_call"]
    tickets, _events, outbox, links = counts(desk)
    assert (tickets, outbox, links) == (before[0] + 2, before[2] + 1, before[3] + 1)
    # the linked request shows on the client's list the next time they call
    match = find_client_by_phone(desk, "89161234567")
    assert match is not None and second.number in [t.number for t in match.open_tickets]


def test_s02_a_refused_second_request_rolls_back_the_first(desk: Desk) -> None:
    """A compensation whose first request fails S-04 writes neither of the two."""
    before = counts(desk)
    q = Question("Услуги", "Жалоба", "Услуга не работает", compensation="корректировка")
    result = register_call(desk, OPERATOR, CallDraft(PHONE, (q,)))
    assert not result.ok and result.rule_ids == ("S-04",)
    assert counts(desk) == before


def test_s09_closed_at_the_end_of_the_dialogue_editable_for_5_minutes(
    desk: Desk, clock: FixedClock
) -> None:
    q = Question("Тарифные планы", "Заявка", "Смена тарифного плана", product="Семейный",
                 compensation="корректировка")  # fmt: skip
    result = register_call(desk, OPERATOR, CallDraft(PHONE, (q,), close_at_end=True))
    assert result.ok, result.message()
    assert "S-09" in result.rule_ids
    first, second = registered_requests(desk, result.ticket_ids)
    assert not first.is_open and first.status_name == "Закрыт по окончанию диалога"
    assert first.closed_at == clock.now()
    assert first.edit_until == clock.now() + dt.timedelta(minutes=5)
    # the linked «Заявка» carries the correction out: its work did not end with the dialogue
    assert second.is_open and second.edit_until is None and second.linked_to == first.number
    clock.advance(dt.timedelta(minutes=5))
    assert services.add_comment(desk, OPERATOR, first.id, "note", "уточнение").ok
    clock.advance(dt.timedelta(seconds=1))
    late = services.add_comment(desk, OPERATOR, first.id, "note", "ещё уточнение")
    assert not late.ok and late.rule_ids == ("S-09",)
