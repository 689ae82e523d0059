"""`POST /v1/push` against a real server process: ops run through the services on the
server's state, in one transaction with the client's last_op; the token's person acts.

Each test logs in its own workstations (fresh client ids), so their op numbers start at 1
whatever the other tests of the module did on the shared server."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from typing import Any

import pytest

from opdesk.models import uuid7
from opdesk.regulations.questions import Question
from tests.server.live import LiveServer
from tests.server.live import live_server as live_server  # the module's server process
from tests.server.wire import Station, applied, comment, create_ticket, error_of, station

PASSWORD = "operator-password-1"


@pytest.fixture(scope="module")
def people(live_server: LiveServer) -> LiveServer:
    for who, role in [("ivanova", "operator"), ("petrov", "operator"), ("smirnova", "lead")]:
        live_server.add_person(who, role, PASSWORD, name=who.title())
    return live_server


def new_ticket(ws: Station, subject: str = "Не работает почта") -> str:
    """A ticket on the server, made by a pushed `create_ticket` op; its uuid."""
    ticket = str(uuid7())
    [result] = ws.results([ws.op("create_ticket", **create_ticket(uuid.UUID(ticket),
                                                                 subject=subject))])  # fmt: skip
    applied(result)
    assert result["ticket"]["uuid"] == ticket
    return ticket


def ticket_row(live: LiveServer, ticket: str) -> dict[str, Any]:
    from sqlalchemy import text

    with live.engine.connect() as conn:
        row = conn.execute(
            text("SELECT t.number, p.login AS owner FROM tickets t "
                 "LEFT JOIN people p ON p.id = t.owner_id WHERE t.uuid = :u"),
            {"u": ticket},
        ).mappings().one()  # fmt: skip
        return dict(row)


def test_create_take_and_comment_are_applied_with_server_numbers(people: LiveServer) -> None:
    ws = station(people, "ivanova", PASSWORD)
    first, second = str(uuid7()), str(uuid7())
    results = ws.results([
        ws.op("create_ticket", **create_ticket(uuid.UUID(first))),
        ws.op("create_ticket", **create_ticket(uuid.UUID(second), subject="Второй")),
        ws.op("take", ticket=first),
        ws.op("add_comment", **comment(first, "Позвонила клиенту")),
    ])  # fmt: skip
    assert [r["status"] for r in results] == ["applied"] * 4, results
    assert [r["op"] for r in results] == [1, 2, 3, 4]
    numbers = [results[0]["ticket"]["number"], results[1]["ticket"]["number"]]
    assert all(n.startswith("СЗ-") for n in numbers) and numbers[0] != numbers[1]
    assert results[2]["ticket"] is None  # only ops that create tickets answer numbers
    row = ticket_row(people, first)
    assert row == {"number": numbers[0], "owner": "ivanova"}
    assert people.count("comments", "ticket_id = :t AND text = 'Позвонила клиенту'", t=first) == 1
    assert people.count("events", "ticket_id = :t AND kind = 'created'", t=first) == 1
    assert people.count("outbox") == 0  # the server keeps no outbox of the ops it re-ran


def test_a_lost_acknowledgement_applies_nothing_twice(people: LiveServer) -> None:
    ws = station(people, "ivanova", PASSWORD)
    ticket = new_ticket(ws)
    batch = [ws.op("take", ticket=ticket), ws.op("add_comment", **comment(ticket, "Раз"))]
    events = people.count("events", "ticket_id = :t", t=ticket)
    first = ws.push(batch)
    assert [r["status"] for r in first.json()["results"]] == ["applied", "applied"]
    after_first = people.count("events", "ticket_id = :t", t=ticket)
    assert after_first > events
    again = ws.push(batch)  # the answer was lost: the workstation sends the same batch
    assert again.status_code == 200, again.text
    assert [r["status"] for r in again.json()["results"]] == ["duplicate", "duplicate"]
    assert again.json()["last_op"] == first.json()["last_op"] == batch[-1]["op"]
    assert people.count("events", "ticket_id = :t", t=ticket) == after_first
    assert people.count("comments", "ticket_id = :t", t=ticket) == 1
    # a duplicate of a create still tells the server's number
    create = [ws.op("create_ticket", **create_ticket())]
    number = ws.results(create)[0]["ticket"]["number"]
    assert ws.results(create)[0] == {"op": create[0]["op"], "status": "duplicate", "reasons": [],
                                     "ticket": {"uuid": create[0]["args"]["ticket"],
                                                "number": number},
                                     "tickets": [{"uuid": create[0]["args"]["ticket"],
                                                  "number": number}]}  # fmt: skip


def test_an_op_naming_another_person_is_refused_and_writes_nothing(people: LiveServer) -> None:
    ws = station(people, "ivanova", PASSWORD)
    ticket = new_ticket(ws)
    forged = ws.op("take", ticket=ticket)
    forged["args"]["actor"] = "petrov"
    events = people.count("events")
    follow = ws.op("add_comment", **comment(ticket, "После отказа"))
    refused, after = ws.results([forged, follow])
    assert refused["status"] == "refused"
    assert refused["reasons"][0]["rule"] == "actor_mismatch"
    assert "petrov" in refused["reasons"][0]["message_en"]
    applied(after)  # the others of the batch stand
    assert ticket_row(people, ticket)["owner"] is None
    assert people.count("events") == events + 1  # the comment's event only
    # a refused op is answered: last_op passed it, the next batch starts after it
    assert ws.push([]).json() == {"results": [], "last_op": follow["op"]}


def test_an_operator_cannot_use_a_lead_action(people: LiveServer) -> None:
    ws = station(people, "ivanova", PASSWORD)
    ticket = new_ticket(ws)
    before = people.count("events")
    [result] = ws.results([ws.op("bulk_reassign", ticket=ticket, to="petrov")])
    assert result["status"] == "refused"
    assert result["reasons"][0]["rule"] == "forbidden", result
    assert people.count("events") == before


def test_an_op_gap_is_refused_whole(people: LiveServer) -> None:
    ws = station(people, "ivanova", PASSWORD)
    ticket = new_ticket(ws)  # op 1
    ws.next_op = 3  # op 2 never sent
    events, comments = people.count("events"), people.count("comments")
    error = error_of(ws.push([ws.op("add_comment", **comment(ticket, "Пропуск"))]), 409, "op_gap")
    assert "2" in error["message_en"]
    ws.next_op = 2
    not_consecutive = [ws.op("add_comment", **comment(ticket, "а")), ws.op("take", ticket=ticket)]
    not_consecutive[1]["op"] = 5
    error_of(ws.push(not_consecutive), 409, "op_gap")
    assert (people.count("events"), people.count("comments")) == (events, comments)
    assert ws.push([]).json()["last_op"] == 1


def test_a_database_error_refuses_that_op_only(people: LiveServer) -> None:
    ws = station(people, "ivanova", PASSWORD)
    ticket = new_ticket(ws)
    take = ws.op("take", ticket=ticket)
    too_long = ws.op("create_ticket", **create_ticket(contact_phone="7" * 500))
    results = ws.results([take, too_long, ws.op("add_comment", **comment(ticket, "Стоит"))])
    assert [r["status"] for r in results] == ["applied", "refused", "applied"], results
    assert results[1]["reasons"][0]["rule"] == "database"
    assert "7777" not in results[1]["reasons"][0]["message_en"]  # no values in the message
    assert people.count("tickets", "uuid = :u", u=too_long["args"]["ticket"]) == 0
    assert ticket_row(people, ticket)["owner"] == "ivanova"


def test_a_rule_refusal_is_answered_with_its_rule(people: LiveServer) -> None:
    first, second = station(people, "ivanova", PASSWORD), station(people, "petrov", PASSWORD)
    ticket = new_ticket(first)
    applied(first.results([first.op("take", ticket=ticket)])[0])
    [result] = second.results([second.op("take", ticket=ticket)])
    assert result["status"] == "refused" and result["reasons"], result
    assert all(r["rule"] and r["message_ru"] for r in result["reasons"])
    assert ticket_row(people, ticket)["owner"] == "ivanova"


def test_two_workstations_taking_one_ticket_at_once_get_one_owner(people: LiveServer) -> None:
    a, b = station(people, "ivanova", PASSWORD), station(people, "petrov", PASSWORD)
    ticket = new_ticket(a)
    answers: dict[str, str] = {}

    def take(ws: Station) -> None:
        answers[ws.login] = ws.results([ws.op("take", ticket=ticket)])[0]["status"]

    threads = [threading.Thread(target=take, args=(ws,)) for ws in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers.values()) == ["applied", "refused"], answers
    winner = next(login for login, status in answers.items() if status == "applied")
    assert ticket_row(people, ticket)["owner"] == winner
    assert people.count("events", "ticket_id = :t AND field = 'take'", t=ticket) == 1


def test_a_client_id_must_be_the_tokens(people: LiveServer) -> None:
    mine, theirs = station(people, "ivanova", PASSWORD), station(people, "petrov", PASSWORD)
    error_of(mine.push([], client_id=theirs.client_id), 403, "wrong_client")
    error_of(mine.push([], client_id=uuid.uuid4()), 403, "wrong_client")


def test_workstations_creating_tickets_at_once_get_distinct_numbers(people: LiveServer) -> None:
    """The services number a ticket max(id) + 1: batches that create tickets take turns."""
    stations = [station(people, who, PASSWORD) for who in ("ivanova", "petrov", "smirnova")]
    numbers: dict[str, list[str]] = {}

    def create(ws: Station) -> None:
        results = ws.results([ws.op("create_ticket", **create_ticket()) for _ in range(20)])
        numbers[ws.login] = [applied(r)["ticket"]["number"] for r in results]

    threads = [threading.Thread(target=create, args=(ws,)) for ws in stations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    made = [n for ws in stations for n in numbers[ws.login]]
    assert len(made) == len(set(made)) == 60


def test_a_retry_racing_its_original_applies_once(people: LiveServer) -> None:
    """The workstation gave up waiting and sent the batch again while the first one ran: the
    second waits for the first (the client's row is locked), then finds its ops answered."""
    ws = station(people, "ivanova", PASSWORD)
    ticket = new_ticket(ws)
    batch = [ws.op("add_comment", **comment(ticket, f"Гонка {i}")) for i in range(40)]
    answers: list[list[str]] = []

    def send() -> None:
        answers.append([r["status"] for r in ws.results(batch)])

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [["applied"] * 40, ["duplicate"] * 40]
    assert people.count("comments", "ticket_id = :t", t=ticket) == 40


def test_a_batch_may_repeat_answered_ops_before_new_ones(people: LiveServer) -> None:
    ws = station(people, "ivanova", PASSWORD)
    ticket = new_ticket(ws)  # op 1
    take = ws.op("take", ticket=ticket)
    applied(ws.results([take])[0])
    follow = ws.op("add_comment", **comment(ticket, "Дальше"))
    results = ws.results([take, follow])
    assert [r["status"] for r in results] == ["duplicate", "applied"]
    assert ws.push([]).json()["last_op"] == follow["op"]


def test_a_registered_call_answers_its_tickets_numbers(people: LiveServer) -> None:
    ws = station(people, "ivanova", PASSWORD)
    question = dataclasses.asdict(Question("Баланс и платежи", "Консультация", "Состояние баланса"))
    ticket = str(uuid7())
    draft = {"phone": "+7 916 123-45-67", "questions": [question], "client_id": None,
             "subject": "", "close_at_end": False}  # fmt: skip
    [result] = ws.results([ws.op("register_call", tickets=[ticket], draft=draft)])
    applied(result)
    assert result["ticket"]["uuid"] == ticket and result["tickets"] == [result["ticket"]]
    assert ticket_row(people, ticket)["number"] == result["ticket"]["number"]
