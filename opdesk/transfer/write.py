"""Writing validated imported tickets: one transaction, parents first, then children, the
full-text rows and one outbox row per ticket.

Why explicit ids in file order: children that share a moment (two comments in the same second)
must come back in the order the file gave them, so a re-export is byte-identical; uuid7 with a
running counter keeps both the time order and the file order.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from opdesk.models import (
    Client,
    ClosurePerformer,
    ClosureReport,
    Comment,
    Confirmation,
    Department,
    Event,
    OutgoingRequest,
    Person,
    SparePartLine,
    Ticket,
)
from opdesk.models.base import uuid7
from opdesk.regulations.pack import Pack
from opdesk.services.sla_columns import apply_sla
from opdesk.services.writes import record_outbox
from opdesk.store import search
from opdesk.transfer.check import BOOL_FIELDS, TEXT_FIELDS, Checked

IMPORT_ACTOR = "import"
BATCH = 250  # tickets per flush: a progress report and a cancel check between batches
BASE_FIELDS = (
    "number", "process", "created_at", "category", "priority", "status", "stage",
    "resolution_limit_minutes", "arm_processed_at", "closed_at",
)  # fmt: skip


def write_all(
    session: Session,
    pack: Pack,
    items: list[Checked],
    now: dt.datetime,
    step: Callable[[int], None] | None = None,
) -> None:
    """Write `items` in batches of BATCH tickets, calling `step(tickets written)` before the
    first batch and after each one.

    Why batches: `step` is where progress is reported and a cancel is noticed (it raises, and
    the caller's transaction rolls back), so the flushes must come in pieces rather than as one
    flush of the whole file. Everything still goes in the caller's single transaction."""
    depts = {d.name: d for d in session.scalars(select(Department))}
    people = {p.login: p for p in session.scalars(select(Person))}
    clients: dict[tuple[str, ...], Client] = {}
    for c in session.scalars(select(Client)):
        clients.setdefault((c.name, c.category, c.mobile, c.group_name, c.city, c.phone), c)
    if step is not None:
        step(0)
    for start in range(0, len(items), BATCH):
        part = items[start : start + BATCH]
        _write_batch(session, pack, part, now, depts, people, clients)
        if step is not None:
            step(start + len(part))


def _write_batch(
    session: Session,
    pack: Pack,
    items: list[Checked],
    now: dt.datetime,
    depts: dict[str, Department],
    people: dict[str, Person],
    clients: dict[tuple[str, ...], Client],
) -> None:
    tickets: list[tuple[Ticket, Checked]] = []
    for item in items:
        f = item.fields
        client = item.record.get("client") or {}
        key = (
            item.snapshot.client.name,
            item.snapshot.client.category,
            item.snapshot.client.mobile,
            item.snapshot.client.group,
            item.snapshot.client.city,
            str(client.get("phone") or ""),
        )
        cl = clients.get(key)
        if cl is None and any(key[i] for i in (0, 2, 4, 5)):
            cl = Client(
                id=uuid7(),
                name=key[0],
                category=key[1],
                mobile=key[2],
                group_name=key[3],
                city=key[4],
                phone=key[5],
            )
            session.add(cl)
            clients[key] = cl
        ticket = Ticket(
            uuid=item.ticket_uuid,
            client_id=cl.id if cl else None,
            client_name=key[0],
            client_category=key[1],
            priority_rank=pack.sla.priorities.index(f["priority"]),
            is_open=not pack.process(f["process"]).is_terminal(f["status"]),
            owner_id=_person(session, people, f["owner"]) if f["owner"] else None,
            department_id=_dept(session, pack, depts, f["department"]),
            updated_at=f["updated_at"] or f["created_at"],
            version=0,
            **{
                k: f[k]
                for k in (*BASE_FIELDS, *TEXT_FIELDS, *BOOL_FIELDS)
                if k not in ("owner", "department")
            },
        )
        apply_sla(pack, ticket, item.history, now)
        session.add(ticket)
        tickets.append((ticket, item))
        for o in item.outgoing:
            _dept(session, pack, depts, o["department"])
    session.flush()  # parents first: the models declare foreign keys but no relationships
    for ticket, item in tickets:
        _children(session, pack, depts, ticket, item, now, IMPORT_ACTOR)
    session.flush()
    search.bulk_index(
        session.connection(),
        (
            (
                t.id,
                t.number,
                t.client_name,
                t.contact_phone,
                t.subject,
                [c["text"] for c in item.fields["comments"]],
            )
            for t, item in tickets
        ),
    )
    for t, item in tickets:
        record_outbox(session, "import", now, "tickets", t.uuid, "insert", item.record)
    session.flush()  # the batch's rows are in the database when its progress is reported


def _person(session: Session, people: dict[str, Person], login: str) -> uuid.UUID:
    person = people.get(login)
    if person is None:
        person = Person(id=uuid7(), login=login, name=login, role="operator")
        session.add(person)
        people[login] = person
    return person.id


def _dept(
    session: Session, pack: Pack, depts: dict[str, Department], name: str
) -> uuid.UUID | None:
    if not name:
        return None
    spec = pack.departments.find(name)
    assert spec is not None  # checked before writing
    dept = depts.get(spec.name)
    if dept is None:
        dept = Department(id=uuid7(), code=spec.id, name=spec.name)
        session.add(dept)
        depts[spec.name] = dept
    return dept.id


def _children(
    session: Session,
    pack: Pack,
    depts: dict[str, Department],
    t: Ticket,
    item: Checked,
    now: dt.datetime,
    actor: str,
) -> None:
    tid = t.uuid
    for i, h in enumerate(item.history):
        session.add(
            Event(
                id=uuid7(),
                ticket_id=tid,
                at=h.at,
                actor=h.by,
                kind="created" if i == 0 else "status",
                status=h.status,
                stage=h.stage,
                field="" if i == 0 else "status",
                old_value="" if i == 0 else item.history[i - 1].status,
                new_value="" if i == 0 else h.status,
                department=h.department,
            )
        )
    session.add(
        Event(
            id=uuid7(),
            ticket_id=tid,
            at=now,
            actor=actor,
            kind="imported",
            status=t.status,
            stage=t.stage,
            field="",
            old_value="",
            new_value="",
            department="",
        )
    )
    for c in item.fields["comments"]:
        session.add(
            Comment(
                id=uuid7(),
                ticket_id=tid,
                at=c["at"],
                author=c["author"],
                kind=c["kind"],
                text=c["text"],
                tags=",".join(c["tags"]),
                template_id=c["template_id"],
                reached=c["reached"],
            )
        )
    closure = item.record.get("closure")
    if closure is not None:
        snap = item.snapshot.closure
        session.add(
            ClosureReport(
                ticket_id=tid,
                cause=snap.cause,
                actions=snap.actions,
                completed_at=snap.completed_at,
                time_spent_minutes=snap.time_spent_minutes,
                spare_parts_used=snap.spare_parts_used,
                comment=snap.comment,
                responsible_actions_checked=snap.responsible_actions_checked,
                escalation_done=snap.escalation_done,
                updated_at=snap.completed_at or t.updated_at,
            )
        )
        for name in snap.performers:
            session.add(ClosurePerformer(id=uuid7(), ticket_id=tid, name=name))
        for part in snap.spare_parts:
            session.add(
                SparePartLine(id=uuid7(), ticket_id=tid, name=part.name, quantity=part.quantity)
            )
    for conf in item.snapshot.confirmations:
        session.add(Confirmation(id=uuid7(), ticket_id=tid, kind=conf.kind, by=conf.by, at=conf.at))
    for o in item.outgoing:
        dept_id = _dept(session, pack, depts, o["department"])
        assert dept_id is not None
        session.add(
            OutgoingRequest(
                id=uuid7(),
                ticket_id=tid,
                department_id=dept_id,
                sent_at=o["sent_at"],
                reminder_at=o["reminder_at"],
                answered_at=o["answered_at"],
                answer=o["answer"],
                note=o["note"],
            )
        )
