"""Closing checklist, document 000 (C-01…C-11): every item reported with rule and reason."""

from __future__ import annotations

import dataclasses

import pytest

from opdesk.regulations.checklist import evaluate_checklist
from opdesk.regulations.lifecycle import check_transition
from opdesk.regulations.pack import Pack, load_default_pack
from opdesk.regulations.snapshot import (
    CommentSnap,
    ConfirmationSnap,
    SparePartSnap,
    TicketSnapshot,
)
from tests.regulations.tickets import OPERATOR, msk, ready_to_close, with_client, with_closure

NOW = msk(2026, 11, 19, 11, 0)


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_default_pack()


def missing(pack: Pack, ticket: TicketSnapshot) -> dict[str, set[str]]:
    result = evaluate_checklist(pack.closing, ticket, pack.lists)
    out: dict[str, set[str]] = {}
    for item in result.missing:
        out.setdefault(item.rule, set()).add(item.id)
    return out


def close(pack: Pack, ticket: TicketSnapshot):
    return check_transition(pack, ticket, "close", OPERATOR, NOW)


def test_complete_ticket_closes_and_reports_every_item(pack: Pack) -> None:
    ticket = ready_to_close()
    result = evaluate_checklist(pack.closing, ticket, pack.lists)
    assert result.complete, result.reasons
    assert result.scheme == "standard"
    assert {i.rule for i in result.items} >= {f"C-{n:02d}" for n in range(1, 12)}
    assert all(i.source.startswith("Регламент по закрытию заявок") for i in result.items)
    verdict = close(pack, ticket)
    assert verdict.allowed and verdict.to_status == "closed" and verdict.to_stage == "closed"


def test_c01_not_handed_to_opp_refuses_close(pack: Pack) -> None:
    ticket = ready_to_close(department="ТО")
    assert missing(pack, ticket) == {"C-01": {"handed_to_opp"}}
    verdict = close(pack, ticket)
    assert not verdict.allowed
    assert verdict.rule_ids == ("C-01",)
    assert "ОПП" in verdict.reasons[0].detail


def test_c02_temporary_scheme_or_not_recorded_by_oe(pack: Pack) -> None:
    assert missing(pack, ready_to_close(scheme_permanent=False)) == {"C-02": {"permanent_scheme"}}
    assert missing(pack, ready_to_close(scheme_recorded_by="ОПП")) == {"C-02": {"permanent_scheme"}}


def test_c03_resolved_status_set_by_someone_not_responsible(pack: Pack) -> None:
    ticket = ready_to_close(resolved_by_department="ОПП")
    assert missing(pack, ticket) == {"C-03": {"resolved_by_responsible"}}
    assert close(pack, ticket).rule_ids == ("C-03",)


def test_c04_closure_data_each_field(pack: Pack) -> None:
    cases = {
        "cause": {"cause": ""},
        "actions": {"actions": "  "},
        "performers": {"performers": ()},
        "completed_at": {"completed_at": None},
    }
    for item, change in cases.items():
        ticket = with_closure(ready_to_close(), **change)
        assert missing(pack, ticket) == {"C-04": {item}}, item


def test_c04_spare_parts_only_when_used(pack: Pack) -> None:
    not_used = ready_to_close()
    result = evaluate_checklist(pack.closing, not_used, pack.lists)
    spare = next(i for i in result.items if i.id == "spare_parts")
    assert not spare.applies and not spare.missing
    used_no_lines = with_closure(ready_to_close(), spare_parts_used=True)
    assert missing(pack, used_no_lines) == {"C-04": {"spare_parts"}}
    zero_qty = with_closure(
        ready_to_close(), spare_parts_used=True, spare_parts=(SparePartSnap("SFP-модуль", 0),)
    )
    assert missing(pack, zero_qty) == {"C-04": {"spare_parts"}}
    good = with_closure(
        ready_to_close(), spare_parts_used=True, spare_parts=(SparePartSnap("SFP-модуль", 2),)
    )
    assert missing(pack, good) == {}


def test_c05_paid_request_in_act_city_needs_arm(pack: Pack) -> None:
    paid_in_act_city = with_client(ready_to_close(paid=True), city="Москва")
    assert missing(pack, paid_in_act_city) == {"C-05": {"arm"}}
    processed = dataclasses.replace(
        paid_in_act_city, arm_processed_by="kuznetsova", arm_processed_at=msk(2026, 11, 18, 16)
    )
    assert missing(pack, processed) == {}
    # A paid request in a city without paid-service acts does not need the АРМ.
    elsewhere = with_client(ready_to_close(paid=True), city="Тверь")
    assert missing(pack, elsewhere) == {}


def test_c06_request_must_say_it_needs_closing(pack: Pack) -> None:
    ticket = ready_to_close(needs_closing=False)
    assert missing(pack, ticket) == {"C-06": {"needs_closing"}}


@pytest.mark.parametrize(
    "change",
    [
        {"client_category": "VIP"},
        {"client_category": "Важный"},
        {"mobile": ""},
        {"comment": "Клиент просит подтвердить восстановление по телефону"},
        {"tag": "phone_confirmation"},
        {"dissatisfied": True},
    ],
)
def test_c07_verbal_confirmation_conditions(pack: Pack, change: dict[str, object]) -> None:
    ticket = ready_to_close()
    if "client_category" in change:
        ticket = with_client(ticket, category=change["client_category"])
    if "mobile" in change:
        ticket = with_client(ticket, mobile="")
    if "comment" in change:
        ticket = dataclasses.replace(ticket, comments=(CommentSnap(text=str(change["comment"])),))
    if "tag" in change:
        ticket = dataclasses.replace(ticket, comments=(CommentSnap(tags=("phone_confirmation",)),))
    if "dissatisfied" in change:
        ticket = dataclasses.replace(ticket, client_dissatisfied=True)
    got = missing(pack, ticket)
    assert "verbal_confirmation" in got.get("C-07", set()), got
    verdict = close(pack, ticket)
    assert not verdict.allowed and "C-07" in verdict.rule_ids
    confirmed = dataclasses.replace(
        ticket, confirmations=(ConfirmationSnap("verbal", "ivanova", msk(2026, 11, 19, 10)),)
    )
    assert "C-07" not in missing(pack, confirmed)


def test_c07_not_required_for_ordinary_client_with_mobile(pack: Pack) -> None:
    result = evaluate_checklist(pack.closing, ready_to_close(), pack.lists)
    verbal = next(i for i in result.items if i.id == "verbal_confirmation")
    assert not verbal.applies


def test_c08_electronic_groups_confirm_electronically_instead(pack: Pack) -> None:
    ticket = with_client(ready_to_close(), category="VIP", group="Мегафон", mobile="")
    got = missing(pack, ticket)
    assert "C-07" not in got  # verbal confirmation is replaced ...
    assert got["C-08"] == {"electronic_confirmation"}  # ... by the electronic one
    verbal_only = dataclasses.replace(ticket, confirmations=(ConfirmationSnap("verbal"),))
    assert "C-08" in missing(pack, verbal_only)
    electronic = dataclasses.replace(ticket, confirmations=(ConfirmationSnap("electronic"),))
    assert "C-08" not in missing(pack, electronic)


def test_c08_sberbank_individual_scheme_must_be_filled(pack: Pack) -> None:
    ticket = with_client(ready_to_close(), group="Сбербанк")
    ticket = dataclasses.replace(ticket, confirmations=(ConfirmationSnap("electronic"),))
    result = evaluate_checklist(pack.closing, ticket, pack.lists)
    assert result.scheme == "sberbank"
    assert not result.complete
    assert [r.rule for r in result.reasons] == ["C-08"]
    assert "не заполнена" in result.reasons[0].detail
    verdict = close(pack, ticket)
    assert not verdict.allowed and verdict.rule_ids == ("C-08",)


def test_c09_vip_needs_closing_escalation(pack: Pack) -> None:
    vip = with_client(ready_to_close(), category="VIP")
    vip = dataclasses.replace(vip, confirmations=(ConfirmationSnap("verbal"),))
    assert missing(pack, vip) == {"C-09": {"vip_escalation"}}
    escalated = with_closure(vip, escalation_done=True)
    assert missing(pack, escalated) == {}
    important = with_client(vip, category="Важный")
    assert "C-09" not in missing(pack, important)


def test_c10_opp_operator_checked_responsible_actions(pack: Pack) -> None:
    ticket = with_closure(ready_to_close(), responsible_actions_checked=False)
    assert missing(pack, ticket) == {"C-10": {"actions_checked"}}


def test_c11_delayed_closure_needs_comment_and_template(pack: Pack) -> None:
    monitoring = ready_to_close(closing_delay="monitoring")
    assert missing(pack, monitoring) == {"C-11": {"delay_comment", "delay_template_monitoring"}}
    done = with_closure(
        dataclasses.replace(monitoring, templates_sent=("closing_monitoring",)),
        comment="Клиент просил не закрывать для мониторинга; работы выполнены",
    )
    assert missing(pack, done) == {}
    # Case 2: client unreachable for 3 days — a comment only, no template.
    unreachable = ready_to_close(closing_delay="unreachable")
    assert missing(pack, unreachable) == {"C-11": {"delay_comment"}}
    objects = ready_to_close(closing_delay="objects")
    assert "delay_template_objects" in missing(pack, objects)["C-11"]


def test_every_missing_item_is_reported_at_once(pack: Pack) -> None:
    ticket = with_closure(ready_to_close(department="ТО", needs_closing=False), cause="")
    verdict = close(pack, ticket)
    assert not verdict.allowed
    assert set(verdict.rule_ids) == {"C-01", "C-04", "C-06"}
    assert all(r.source for r in verdict.reasons)
