"""Reading tickets out of the database as export records (plain JSON-ready dicts).

Why batches by id: an export of a million tickets must not hold them all in memory; tickets
are read 500 at a time and their children with one `IN` query per table. Children come back in
(moment, id) order, so a file exported, imported and exported again is identical.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, select
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
from opdesk.models.history import STATUS_EVENT_KINDS
from opdesk.progress import Cancel, Report, checkpoint
from opdesk.transfer.check import BOOL_FIELDS, TEXT_FIELDS

BATCH = 500
PLAIN = (
    "number",
    "process",
    "channel",
    "contact_phone",
    "subject",
    "theme",
    "type",
    "subtheme",
    "product",
    "category",
    "priority",
    "status",
    "stage",
    "arm_processed_by",
    "scheme_recorded_by",
    "resolved_by_department",
    "outcome",
    "closing_delay",
    "closed_via",
    "resolution_limit_minutes",
    *BOOL_FIELDS,
)
MOMENTS = ("created_at", "updated_at", "arm_processed_at", "closed_at")
assert set(PLAIN) | {"owner", "department"} >= set(TEXT_FIELDS)


def iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_records(
    conn: Connection,
    query: str | None,
    now: dt.datetime,
    report: Report | None = None,
    cancelled: Cancel | None = None,
) -> Iterator[dict[str, Any]]:
    """Every ticket (or those matching the TicketQuery JSON `query`), in queue or id order.

    `report(done, total)` and `cancelled()` are consulted before each batch (see
    opdesk.progress.checkpoint): a cancel stops the export within one batch of 500 tickets.

    Why `gc.freeze` before each batch: a batch's rows live long enough to reach the oldest
    generation, so the cyclic collector ran a full pass every ~0.3 s, walking the whole process
    (60 ms each in the desktop with a 20 000-ticket queue open, every thread waiting). Frozen,
    what already exists is not walked again; `gc.unfreeze` at the end hands it back."""
    if query:
        from opdesk.store import query as queries
        from opdesk.store.filters import TicketQuery

        ids: Sequence[int] = queries.ids(conn, TicketQuery.from_json(query).check(), now)
    else:
        ids = conn.scalars(select(Ticket.id).order_by(Ticket.id)).all()
    session = Session(bind=conn)
    try:
        for i in range(0, len(ids), BATCH):
            gc.freeze()
            checkpoint(i, len(ids), report, cancelled)
            yield from _batch(session, list(ids[i : i + BATCH]))
            session.expunge_all()
        checkpoint(len(ids), len(ids), report, cancelled)
    finally:
        session.close()
        gc.unfreeze()


def _by_ticket(conn: Session, stmt: Any) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = defaultdict(list)
    for row in conn.execute(stmt):
        out[row[0]].append(row)
    return out


def _batch(conn: Session, ids: list[int]) -> Iterator[dict[str, Any]]:
    t = Ticket.__table__.c
    rows = {r.id: r for r in conn.execute(select(Ticket.__table__).where(t.id.in_(ids)))}
    uuids = [r.uuid for r in rows.values()]
    clients = {
        c.id: c
        for c in conn.execute(
            select(Client.__table__).where(
                Client.__table__.c.id.in_({r.client_id for r in rows.values() if r.client_id})
            )
        )
    }
    people = {pid: login for pid, login in conn.execute(select(Person.id, Person.login))}
    depts = {did: name for did, name in conn.execute(select(Department.id, Department.name))}
    comments = _by_ticket(
        conn,
        select(Comment.ticket_id, Comment)
        .where(Comment.ticket_id.in_(uuids))
        .order_by(Comment.at, Comment.id),
    )
    events = _by_ticket(
        conn,
        select(Event.ticket_id, Event)
        .where(Event.ticket_id.in_(uuids), Event.kind.in_(STATUS_EVENT_KINDS))
        .order_by(Event.at, Event.id),
    )
    reports = {
        r.ticket_id: r
        for r in conn.execute(
            select(ClosureReport.__table__).where(ClosureReport.ticket_id.in_(uuids))
        )
    }
    performers = _by_ticket(
        conn,
        select(ClosurePerformer.ticket_id, ClosurePerformer.name)
        .where(ClosurePerformer.ticket_id.in_(uuids))
        .order_by(ClosurePerformer.id),
    )
    parts = _by_ticket(
        conn,
        select(SparePartLine.ticket_id, SparePartLine.name, SparePartLine.quantity)
        .where(SparePartLine.ticket_id.in_(uuids))
        .order_by(SparePartLine.id),
    )
    confirmations = _by_ticket(
        conn,
        select(Confirmation.ticket_id, Confirmation)
        .where(Confirmation.ticket_id.in_(uuids))
        .order_by(Confirmation.at, Confirmation.id),
    )
    outgoing = _by_ticket(
        conn,
        select(OutgoingRequest.ticket_id, OutgoingRequest)
        .where(OutgoingRequest.ticket_id.in_(uuids))
        .order_by(OutgoingRequest.sent_at, OutgoingRequest.id),
    )
    for tid in ids:
        r = rows.get(tid)
        if r is None:
            continue
        rec: dict[str, Any] = {"uuid": str(r.uuid)}
        for name in PLAIN:
            rec[name] = getattr(r, name)
        for name in MOMENTS:
            rec[name] = iso(getattr(r, name))
        rec["owner"] = people.get(r.owner_id, "") if r.owner_id else ""
        rec["department"] = depts.get(r.department_id, "") if r.department_id else ""
        c = clients.get(r.client_id)
        rec["client"] = {
            "name": c.name if c else r.client_name,
            "category": c.category if c else r.client_category,
            "mobile": c.mobile if c else "",
            "group": c.group_name if c else "",
            "city": c.city if c else "",
            "phone": c.phone if c else "",
        }
        rec["comments"] = [
            {
                "at": iso(m.at),
                "author": m.author,
                "kind": m.kind,
                "text": m.text,
                "tags": [x for x in m.tags.split(",") if x],
                "template_id": m.template_id,
                "reached": m.reached,
            }
            for _, m in comments.get(r.uuid, [])
        ]
        rep = reports.get(r.uuid)
        rec["closure"] = (
            None
            if rep is None
            else {
                "cause": rep.cause,
                "actions": rep.actions,
                "performers": [p[1] for p in performers.get(r.uuid, [])],
                "completed_at": iso(rep.completed_at),
                "time_spent_minutes": rep.time_spent_minutes,
                "spare_parts_used": rep.spare_parts_used,
                "spare_parts": [{"name": p[1], "quantity": p[2]} for p in parts.get(r.uuid, [])],
                "comment": rep.comment,
                "responsible_actions_checked": rep.responsible_actions_checked,
                "escalation_done": rep.escalation_done,
            }
        )
        rec["confirmations"] = [
            {"kind": m.kind, "by": m.by, "at": iso(m.at)} for _, m in confirmations.get(r.uuid, [])
        ]
        rec["history"] = [
            {
                "at": iso(e.at),
                "status": e.status,
                "stage": e.stage,
                "by": e.actor,
                "department": e.department,
            }
            for _, e in events.get(r.uuid, [])
        ]
        rec["outgoing"] = [
            {
                "department": depts.get(o.department_id, ""),
                "sent_at": iso(o.sent_at),
                "reminder_at": iso(o.reminder_at),
                "answered_at": iso(o.answered_at),
                "answer": o.answer,
                "note": o.note,
            }
            for _, o in outgoing.get(r.uuid, [])
        ]
        yield rec
