"""The ticket card's reads: exact contents from a desk built by the command layer, the same
answers on PostgreSQL, and every statement going by an index."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from opdesk import services
from opdesk.clock import FixedClock
from opdesk.models import Client, Comment, Department, Event, OutgoingRequest, Person, TicketLink
from opdesk.regulations.pack import load_default_pack
from opdesk.services.desk import Desk
from opdesk.store import search
from opdesk.store.database import Database, open_local
from opdesk.store.reading import (
    ClientInfo,
    ClientTicket,
    DepartmentInfo,
    LinkedTicket,
    OutgoingInfo,
    PersonInfo,
    TicketDetail,
    departments,
    people,
    ticket_detail,
    ticket_id_by_number,
)
from tests.regulations.tickets import msk
from tests.services.conftest import ENGINEER, OPERATOR
from tests.store.dialects import DIALECTS, new_ticket, open_db

START = msk(2026, 11, 16, 10, 0)  # Monday 10:00 Moscow = 07:00 UTC
UTC = dt.UTC
BANK = ClientInfo("ПАО Банк", "VIP", "+79160000000", "+7 495 111-22-33", "Москва", "Сбербанк")
PHONE = "+7 916 555-44-33"


@dataclass
class Scene:
    db: Database
    ids: dict[str, int]
    people: dict[str, uuid.UUID]

    def detail(self, name: str, **kw: Any) -> TicketDetail:
        with self.db.engine.connect() as c:
            found = ticket_detail(c, self.ids[name], **kw)
        assert found is not None
        return found


def _create(desk: Desk, clock: FixedClock, **kw: Any) -> int:
    clock.advance(dt.timedelta(minutes=1))
    kw.setdefault("category", "Проблемы с хостингом")
    result = services.create_ticket(desk, OPERATOR, process="csn", subject="Нет связи", **kw)
    assert result.ok and result.created_id is not None, result.message()
    return result.created_id


@pytest.fixture
def scene(tmp_path: Path) -> Iterator[Scene]:
    """A bank with three other tickets (and a namesake client with one), the worked ticket,
    client-less tickets with equal and nearly equal phones, and links in both directions."""
    db = open_local(tmp_path / "x.sqlite3")
    clock = FixedClock(START)
    desk = Desk(db, load_default_pack(), clock)
    services.ensure_departments(desk)
    staff = {
        login: services.add_person(desk, login, name, role, dep)
        for login, name, role, dep in (
            ("ivanova", "Иванова И.И.", "operator", "opp"),
            ("sidorov", "Сидоров А.А.", "operator", "to"),
            ("smirnova", "Смирнова Е.В.", "lead", "opp"),
        )
    }
    with db.transaction() as s:
        s.add(Person(id=(admin := uuid.uuid4()), login="admin", name="Админ", role="admin"))
    staff["admin"] = admin
    bank = services.add_client(
        desk, BANK.name, category=BANK.category, mobile=BANK.mobile, phone=BANK.phone,
        city=BANK.city, group_name=BANK.group,
    )  # fmt: skip
    namesake = services.add_client(desk, BANK.name)  # same name, another client
    ids = {
        "old1": _create(desk, clock, client_id=bank),
        "old2": _create(desk, clock, client_id=bank),
        "namesake": _create(desk, clock, client_id=namesake),
        "main": _create(desk, clock, client_id=bank),
        "new": _create(desk, clock, client_id=bank),
        "p1": _create(desk, clock, contact_phone=PHONE),
        "p2": _create(desk, clock, contact_phone=PHONE),
        "p_other_form": _create(desk, clock, contact_phone="8 916 555-44-33"),
        "p_other": _create(desk, clock, contact_phone="+7 916 555-44-34"),
        "short1": _create(desk, clock, contact_phone="Доб. 12"),
        "short2": _create(desk, clock, contact_phone="Доб. 12"),
        "short_other": _create(desk, clock, contact_phone="доб. 12"),
    }
    main = ids["main"]
    clock.set(START + dt.timedelta(minutes=30))
    assert services.take(desk, ENGINEER, main).ok
    clock.advance(dt.timedelta(minutes=5))
    assert services.add_comment(desk, ENGINEER, main, "note", "Проверяем канал").ok
    clock.advance(dt.timedelta(minutes=5))
    assert services.send_outgoing(desk, ENGINEER, main, "tech").ok
    clock.advance(dt.timedelta(hours=2))
    assert services.record_answer(desk, ENGINEER, main, "Канал восстановлен").ok
    with db.transaction() as s:
        uuids = {name: desk.ticket(s, i).uuid for name, i in ids.items()}
        s.add(TicketLink(ticket_id=uuids["main"], linked_id=uuids["old1"], kind="related"))
        s.add(TicketLink(ticket_id=uuids["new"], linked_id=uuids["main"], kind="second_request"))
    yield Scene(db, ids, staff)
    db.close()


def at(minutes: int) -> dt.datetime:
    return (START + dt.timedelta(minutes=minutes)).astimezone(UTC)


def test_people_are_ordered_by_role_then_name_with_department_codes(scene: Scene) -> None:
    with scene.db.engine.connect() as c:
        got = people(c)
    p = scene.people
    assert got == [
        PersonInfo(p["admin"], "admin", "Админ", "admin", ""),
        PersonInfo(p["smirnova"], "smirnova", "Смирнова Е.В.", "lead", "opp"),
        PersonInfo(p["ivanova"], "ivanova", "Иванова И.И.", "operator", "opp"),
        PersonInfo(p["sidorov"], "sidorov", "Сидоров А.А.", "operator", "to"),
    ]


def test_departments_are_the_packs_with_their_database_ids(scene: Scene) -> None:
    """The queue's department filter needs the row ids (TicketQuery.department is one)."""
    with scene.db.engine.connect() as c:
        got = departments(c)
        ids = dict(c.execute(text("SELECT code, id FROM departments")).all())
    assert [d.name for d in got] == sorted(d.name for d in got)
    assert {d.code for d in got} == {d.id for d in load_default_pack().departments}
    assert all(isinstance(d, DepartmentInfo) and ids[d.code] in (d.id, d.id.hex) for d in got)


def test_ticket_fields_owner_and_client(scene: Scene) -> None:
    d = scene.detail("main")
    assert (d.id, d.number, d.process, d.channel) == (4, "СЗ-100004", "csn", "phone")
    assert (d.created_at, d.updated_at) == (at(4), at(160))
    assert (d.status, d.stage, d.is_open, d.closed_at, d.closed_via) == (
        "in_progress", "classification", True, None, "",
    )  # fmt: skip
    assert (d.subject, d.category, d.priority) == ("Нет связи", "Проблемы с хостингом", "Обычный")
    assert (d.owner_login, d.owner_name, d.department_code, d.department_name) == (
        "sidorov", "Сидоров А.А.", "", "",
    )  # fmt: skip
    assert (d.client, d.client_name, d.client_category, d.contact_phone) == (
        BANK, "ПАО Банк", "VIP", BANK.phone,
    )  # fmt: skip
    assert (d.notify_client, d.paid, d.outcome, d.sla_plan) == (
        True, False, "", "Стандартная техподдержка",
    )  # fmt: skip
    assert d.sla_due_at is not None and d.sla_due_at.tzinfo is not None
    assert scene.detail("p1").client is None


def test_timeline_merges_history_and_comments_oldest_first(scene: Scene) -> None:
    got = [
        (e.at, e.source, e.kind, e.actor, e.status, e.field, e.old, e.new, e.text, e.reached)
        for e in scene.detail("main").timeline
    ]
    answer = "Ответ смежного отдела: Канал восстановлен"
    assert got[:3] == [
        (at(4), "event", "created", "ivanova", "new", "", "", "СЗ-100004", "", None),
        (at(30), "event", "status", "sidorov", "in_progress", "take", "new", "in_progress", "",
         None),
        # a command writes its history event with the comment; the event comes first
        (at(35), "event", "comment", "sidorov", "in_progress", "note", "", "Проверяем канал", "",
         None),
    ]  # fmt: skip
    assert got[3] == (at(35), "comment", "note", "sidorov", "", "", "", "", "Проверяем канал", None)
    assert got[4][:7] == (at(40), "event", "outgoing", "sidorov", "in_progress", "tech", "")
    assert got[5][:3] == (at(40), "comment", "note") and "Технический отдел" in got[5][8]
    assert got[6:] == [
        (at(160), "event", "outgoing_answer", "sidorov", "in_progress", "", "",
         "Канал восстановлен", "", None),
        (at(160), "comment", "note", "sidorov", "", "", "", "", answer, None),
    ]  # fmt: skip


def test_outgoing_request_with_its_24_hour_reminder_and_answer(scene: Scene) -> None:
    (request,) = scene.detail("main").outgoing
    assert request == OutgoingInfo(
        "Технический отдел", at(40), at(40) + dt.timedelta(hours=24), at(160),
        "Канал восстановлен", request.note,
    )  # fmt: skip
    assert "СЗ-100004" in request.note


def test_links_in_both_directions(scene: Scene) -> None:
    ids = scene.ids
    assert scene.detail("main").links == (
        LinkedTicket(ids["old1"], "СЗ-100001", "related", "new", "Нет связи"),
        LinkedTicket(ids["new"], "СЗ-100005", "second_request", "new", "Нет связи"),
    )
    assert [t.id for t in scene.detail("old1").links] == [ids["main"]]
    assert scene.detail("p1").links == ()


def test_client_tickets_are_the_clients_others_newest_first_and_limited(scene: Scene) -> None:
    ids = scene.ids
    got = scene.detail("main").client_tickets
    assert got == tuple(
        ClientTicket(ids[name], f"СЗ-{100000 + ids[name]}", at(ids[name]), "new", "Нет связи", True)
        for name in ("new", "old2", "old1")
    )  # not the ticket itself, not the namesake client's
    assert [t.id for t in scene.detail("main", client_limit=2).client_tickets] == [
        ids["new"], ids["old2"],
    ]  # fmt: skip
    assert scene.detail("main", client_limit=0).client_tickets == ()
    assert scene.detail("namesake").client_tickets == ()


def test_client_less_tickets_match_by_the_identical_phone_only(scene: Scene) -> None:
    ids = scene.ids
    assert [t.id for t in scene.detail("p1").client_tickets] == [ids["p2"]]
    assert [t.id for t in scene.detail("p2").client_tickets] == [ids["p1"]]
    assert scene.detail("p_other_form").client_tickets == ()  # same digits, another number
    assert [t.id for t in scene.detail("short1").client_tickets] == [ids["short2"]]
    assert scene.detail("short_other").client_tickets == ()  # same tokens, another text


def test_unknown_ids_and_numbers(scene: Scene) -> None:
    with scene.db.engine.connect() as c:
        assert ticket_detail(c, 999_999) is None
        assert ticket_id_by_number(c, "СЗ-100004") == scene.ids["main"]
        assert ticket_id_by_number(c, " СЗ-100004\n") == scene.ids["main"]
        assert ticket_id_by_number(c, "СЗ-0999999") is None


def test_every_statement_goes_by_an_index(scene: Scene) -> None:
    statements: list[tuple[str, Any]] = []

    def grab(*args: Any) -> None:
        statements.append((args[2], args[3]))

    event.listen(scene.db.engine, "before_cursor_execute", grab)
    try:
        for name in ("main", "p1"):
            scene.detail(name)
    finally:
        event.remove(scene.db.engine, "before_cursor_execute", grab)
    with scene.db.engine.connect() as c:
        raw = c.connection.driver_connection
        assert raw is not None
        plans = [
            [str(r[3]) for r in raw.execute("EXPLAIN QUERY PLAN " + sql, params)]
            for sql, params in statements
        ]
    assert len(plans) == 12
    scans = [line for plan in plans for line in plan if line.startswith("SCAN")]
    # the one scan: the phone's token looked up in the full-text index, then tickets by rowid
    assert [s.split(" INDEX")[0] for s in scans] == ["SCAN ticket_fts VIRTUAL TABLE"], plans
    assert plans[-1][0] == "SEARCH tickets USING INTEGER PRIMARY KEY (rowid=?)"


# --- the same answers on PostgreSQL -----------------------------------------------------------


@pytest.fixture(params=DIALECTS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    database = open_db(request, tmp_path)
    yield database
    database.close()


def _rows(db: Database) -> tuple[dt.datetime, dt.datetime]:
    """Rows written directly, since the command layer also writes SQLite's search index: a
    ticket with history events and a comment at one moment, its client's other tickets, phones
    and links. Parents are flushed first: the models declare foreign keys, no relationships."""
    t0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    at = t0 + dt.timedelta(hours=1)
    with db.transaction() as s:
        dep = Department(id=uuid.uuid4(), code="tech", name="Технический отдел")
        bank = Client(id=uuid.uuid4(), name="Банк", category="VIP", phone="+7 495 000-00-01")
        s.add_all([dep, bank])
        s.flush()
        s.add_all(
            Person(login=login, name=name, role=role, department_id=dep_id)
            for login, name, role, dep_id in (
                ("b", "Яков", "operator", None), ("a", "Анна", "operator", dep.id),
                ("z", "Зоя", "lead", None),
            )
        )  # fmt: skip
        made = {}
        for k, (key, client, phone) in enumerate(
            [("old", bank, ""), ("main", bank, ""), ("new", bank, ""), ("other", None, ""),
             ("p1", None, PHONE), ("p2", None, PHONE), ("p3", None, "8 916 555-44-33")]
        ):  # fmt: skip
            made[key] = new_ticket(
                id=k + 1, number=f"N-{k + 1}", created_at=t0 + dt.timedelta(hours=k),
                client_id=client.id if client else None, uuid=uuid.uuid4(),
                client_name=client.name if client else "",
                contact_phone=phone or (client.phone if client else ""),
            )  # fmt: skip
        s.add_all(made.values())
        s.flush()
        main = made["main"].uuid
        first, second = sorted([uuid.uuid4(), uuid.uuid4()])
        s.add_all(
            [  # at one moment: events in id order, then the comment
                Event(id=second, ticket_id=main, at=at, actor="a", kind="status", status="work"),
                Comment(ticket_id=main, at=at, author="a", kind="callback_attempt",
                        text="Не дозвонились", reached=False),
                Event(id=first, ticket_id=main, at=at, actor="a", kind="created", status="new"),
                OutgoingRequest(ticket_id=main, department_id=dep.id, sent_at=at,
                                reminder_at=at + dt.timedelta(hours=24)),
                TicketLink(ticket_id=main, linked_id=made["other"].uuid, kind="related"),
                TicketLink(ticket_id=made["old"].uuid, linked_id=main, kind="outgoing"),
            ]
        )  # fmt: skip
        s.flush()
        if db.engine.dialect.name == "sqlite":
            search.rebuild_all(s.connection())
    return t0, at


def test_the_same_answers_on_both_dialects(db: Database) -> None:
    t0, at = _rows(db)
    with db.engine.connect() as c:
        assert [(p.login, p.role, p.department) for p in people(c)] == [
            ("z", "lead", ""), ("a", "operator", "tech"), ("b", "operator", ""),
        ]  # fmt: skip
        d = ticket_detail(c, 2, client_limit=5)
        assert d is not None and d.number == "N-2" and d.client is not None
        assert (d.client.name, d.created_at) == ("Банк", at)
        assert [(e.source, e.kind, e.reached) for e in d.timeline] == [
            ("event", "created", None), ("event", "status", None),
            ("comment", "callback_attempt", False),
        ]  # fmt: skip
        assert d.outgoing == (
            OutgoingInfo("Технический отдел", at, at + dt.timedelta(hours=24), None, "", ""),
        )
        assert [(t.id, t.kind) for t in d.links] == [(1, "outgoing"), (4, "related")]
        assert [(t.id, t.created_at) for t in d.client_tickets] == [
            (3, t0 + dt.timedelta(hours=2)), (1, t0),
        ]  # fmt: skip
        p1 = ticket_detail(c, 5)
        assert p1 is not None and [t.id for t in p1.client_tickets] == [6]
        assert ticket_detail(c, 99) is None
        assert ticket_id_by_number(c, "N-3") == 3
