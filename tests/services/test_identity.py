"""Reference rows have the same id in every database, and a shared desk's workstation numbers
its new tickets provisionally (the server gives the final number).

Why it matters: tickets point at their department and owner by id, and rows pulled from the
server must point at the workstation's own «ОЭ» — and two offline workstations must never make
the same final number."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select, text

from opdesk import services
from opdesk.clock import FixedClock
from opdesk.models import Department, Person, Ticket
from opdesk.models.base import stable_id
from opdesk.regulations.pack import load_default_pack
from opdesk.services.desk import Desk
from opdesk.store.database import open_local, open_url
from tests.services.conftest import OPERATOR


def _ids(desk: Desk) -> tuple[dict[str, uuid.UUID], dict[str, uuid.UUID]]:
    with desk.db.transaction() as s:
        depts = {d.code: d.id for d in s.scalars(select(Department))}
        people = {p.login: p.id for p in s.scalars(select(Person))}
    return depts, people


def _fill(desk: Desk) -> None:
    services.ensure_departments(desk)
    services.add_person(desk, "ivanova", "Иванова И.И.", "operator", "opp")


def test_a_workstation_and_the_server_give_the_same_ids(
    tmp_path: Path, clock: FixedClock, pg_fresh_url: str
) -> None:
    pack = load_default_pack()
    local = Desk(open_local(tmp_path / "a.sqlite3"), pack, clock)
    server = Desk(open_url(pg_fresh_url), pack, clock)
    try:
        _fill(local)
        _fill(server)
        assert _ids(local) == _ids(server)
    finally:
        local.db.close()
        server.db.close()
    depts, people = _ids(local)
    assert depts["opp"] == stable_id("department", "opp")
    assert people["ivanova"] == stable_id("person", "ivanova")
    assert stable_id("department", "opp") != stable_id("person", "opp")  # kinds never clash


def test_a_department_made_on_first_use_gets_its_stable_id(desk: Desk) -> None:
    result = services.create_ticket(desk, OPERATOR, category="", subject="x", department="oe")
    assert result.ok
    with desk.db.transaction() as s:
        ticket = s.scalars(select(Ticket)).one()
        assert ticket.department_id == stable_id("department", "oe")


def test_numbers_are_final_on_a_lone_desk_and_provisional_on_a_shared_one(
    desk: Desk, clock: FixedClock
) -> None:
    assert services.create_ticket(desk, OPERATOR, subject="один").ok
    shared = Desk(desk.db, desk.pack, clock, provisional_numbers=True)
    assert services.create_ticket(shared, OPERATOR, subject="два").ok
    with desk.db.transaction() as s:
        numbers = list(s.scalars(select(Ticket.number).order_by(Ticket.id)))
    assert numbers == ["СЗ-100001", "СЗ-100002*"]


def test_the_server_draws_ticket_ids_from_its_sequence(
    pg_fresh_url: str, clock: FixedClock
) -> None:
    """Pushes from several workstations run at once on the server: the largest id plus one
    would be read twice; the sequence never gives a number twice, even past a rolled-back
    transaction."""
    desk = Desk(open_url(pg_fresh_url), load_default_pack(), clock)
    try:
        _fill(desk)
        assert services.create_ticket(desk, OPERATOR, subject="один").ok
        with desk.db.transaction() as s:  # a transaction that draws and rolls back
            s.execute(text("SELECT nextval(pg_get_serial_sequence('tickets', 'id'))"))
            s.rollback()
        assert services.create_ticket(desk, OPERATOR, subject="два").ok
        with desk.db.transaction() as s:
            numbers = list(s.scalars(select(Ticket.number).order_by(Ticket.id)))
    finally:
        desk.db.close()
    assert numbers == ["СЗ-100001", "СЗ-100003"]  # the drawn 2 is never given again
