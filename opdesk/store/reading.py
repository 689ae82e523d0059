"""What the operator's window reads about people and one ticket, on a worker thread.

Why frozen dataclasses: the results cross to the GUI thread, where ORM objects must not go
(they lazy-load and expire). Unlike the queue's rows (`rows.py`: NamedTuples, thousands built a
second), a card is built once per click, so readable dataclasses cost nothing.

Why SQLAlchemy Core and not a raw cursor: a card is six small statements by key, prebuilt
once; SQLAlchemy adds some 40 µs to each, and its column types convert UUIDs, moments and
booleans alike on SQLite and PostgreSQL. Every statement goes by an index; they run in the
caller's transaction, so on SQLite's WAL they read one consistent snapshot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Integer, Uuid, bindparam, column, select, text, union_all

from opdesk.models import Client, Comment, Department, Event, OutgoingRequest, Person, Ticket
from opdesk.models import TicketLink as Link
from opdesk.store.search import normalize, phone_forms

T = Ticket


@dataclass(frozen=True)
class PersonInfo:
    id: UUID
    login: str
    name: str
    role: str
    department: str  # department code, "" if none


@dataclass(frozen=True)
class ClientInfo:
    name: str
    category: str
    mobile: str
    phone: str
    city: str
    group: str


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    source: str  # "event" | "comment"
    kind: str  # the event's kind (created, status, comment, outgoing …) or the comment's
    actor: str  # login of the event's actor or the comment's author
    status: str  # events: status id after the event; "" for comments
    field: str
    old: str
    new: str
    text: str  # comments: the text; "" for events
    reached: bool | None  # call-back attempts: whether the client was reached
    stage: str = ""  # events: the stage after the event (a level change keeps the status)


@dataclass(frozen=True)
class OutgoingInfo:
    department: str  # department name
    sent_at: dt.datetime
    reminder_at: dt.datetime
    answered_at: dt.datetime | None
    answer: str
    note: str


@dataclass(frozen=True)
class LinkedTicket:
    id: int
    number: str
    kind: str  # related | second_request | outgoing
    status: str
    subject: str


@dataclass(frozen=True)
class ClientTicket:
    id: int
    number: str
    created_at: dt.datetime
    status: str
    subject: str
    is_open: bool


@dataclass(frozen=True)
class TicketDetail:
    id: int
    uuid: UUID
    number: str
    process: str
    channel: str
    created_at: dt.datetime
    updated_at: dt.datetime
    status: str
    stage: str
    is_open: bool
    subject: str
    theme: str
    type: str
    subtheme: str
    product: str
    category: str
    priority: str
    owner_login: str
    owner_name: str
    department_code: str
    department_name: str
    client_name: str
    client_category: str
    contact_phone: str
    client: ClientInfo | None
    notify_client: bool
    paid: bool
    outcome: str
    sla_plan: str
    sla_stage: str
    sla_due_at: dt.datetime | None
    sla_risk_at: dt.datetime | None
    sla_paused: bool
    sla_breached: bool
    reaction_due_at: dt.datetime | None
    processing_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    auto_close_at: dt.datetime | None
    closed_at: dt.datetime | None
    closed_via: str
    timeline: tuple[TimelineEntry, ...]  # oldest first; at one moment events before comments
    outgoing: tuple[OutgoingInfo, ...]  # by sent_at
    links: tuple[LinkedTicket, ...]  # in either direction, by linked ticket id
    client_tickets: tuple[ClientTicket, ...]  # U-02: the client's other tickets, newest first


# Statements are built once: building a 46-column select with its joins costs 0.6 ms a call,
# executing the prebuilt one with new parameters 0.04 ms (SQLAlchemy caches its compiled form).
_KEY = bindparam("key", type_=Uuid())  # the ticket's uuid, which its child rows refer to
_PEOPLE = select(Person.id, Person.login, Person.name, Person.role, Department.code).outerjoin(
    Department, Department.id == Person.department_id
)
_DEPARTMENTS = select(Department.id, Department.code, Department.name)
_BY_NUMBER = select(T.id).where(T.number == bindparam("number"))
_SCALARS = (
    T.id, T.uuid, T.number, T.process, T.channel, T.created_at, T.updated_at, T.status,
    T.stage, T.is_open, T.subject, T.theme, T.type, T.subtheme, T.product, T.category,
    T.priority, T.client_name, T.client_category, T.contact_phone, T.notify_client, T.paid,
    T.outcome, T.sla_plan, T.sla_stage, T.sla_due_at, T.sla_risk_at, T.sla_paused,
    T.sla_breached, T.reaction_due_at, T.processing_due_at, T.resolution_due_at,
    T.auto_close_at, T.closed_at, T.closed_via,
)  # fmt: skip
_NAMES = tuple(c.key for c in _SCALARS)
_JOINED = (
    T.client_id, Person.login, Person.name, Department.code, Department.name,
    Client.name, Client.category, Client.mobile, Client.phone, Client.city, Client.group_name,
)  # fmt: skip
_TICKET = (
    select(*_SCALARS, *_JOINED)
    .outerjoin(Person, Person.id == T.owner_id)
    .outerjoin(Department, Department.id == T.department_id)
    .outerjoin(Client, Client.id == T.client_id)
    .where(T.id == bindparam("ticket_id"))
)
_EVENTS = select(
    Event.id, Event.at, Event.kind, Event.actor, Event.status, Event.field, Event.old_value,
    Event.new_value, Event.stage,
).where(Event.ticket_id == _KEY)  # fmt: skip
_COMMENTS = select(
    Comment.id, Comment.at, Comment.kind, Comment.author, Comment.text, Comment.reached
).where(Comment.ticket_id == _KEY)
_O = OutgoingRequest
_OUTGOING = (
    select(Department.name, _O.sent_at, _O.reminder_at, _O.answered_at, _O.answer, _O.note)
    .join(Department, Department.id == _O.department_id)
    .where(_O.ticket_id == _KEY)
    .order_by(_O.sent_at, _O.id)
)
_OTHER = union_all(
    select(Link.linked_id.label("other"), Link.kind).where(Link.ticket_id == _KEY),
    select(Link.ticket_id.label("other"), Link.kind).where(Link.linked_id == _KEY),
).subquery()
_LINKS = select(T.id, T.number, _OTHER.c.kind, T.status, T.subject).join(
    _OTHER, _OTHER.c.other == T.uuid
)
_OTHERS = (
    select(T.id, T.number, T.created_at, T.status, T.subject, T.is_open)
    .where(T.id != bindparam("ticket_id"))
    .order_by(T.created_at.desc(), T.id.desc())
    .limit(bindparam("limit"))
)
_OF_CLIENT = _OTHERS.where(
    T.client_name.in_(bindparam("names", expanding=True)), T.client_id == bindparam("client")
)
_BY_PHONE = _OTHERS.where(T.contact_phone == bindparam("phone"))
_FTS = text("SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH :phone_match")
_BY_PHONE_FTS = _BY_PHONE.where(T.id.in_(_FTS.columns(column("rowid", Integer))))


def people(conn: Connection) -> list[PersonInfo]:
    """Everyone on the desk with their department code, ordered by role, then name — sorted
    here: PostgreSQL's locale collation orders Cyrillic unlike SQLite, code points alike."""
    found = [PersonInfo(r[0], r[1], r[2], r[3], r[4] or "") for r in conn.execute(_PEOPLE)]
    found.sort(key=lambda p: (p.role, p.name, p.login))
    return found


@dataclass(frozen=True)
class DepartmentInfo:
    id: UUID
    code: str  # the pack's department id
    name: str


def departments(conn: Connection) -> list[DepartmentInfo]:
    """The desk's departments (the queue filter offers them), by name."""
    found = [DepartmentInfo(r[0], r[1], r[2]) for r in conn.execute(_DEPARTMENTS)]
    found.sort(key=lambda d: (d.name, d.code))
    return found


def ticket_id_by_number(conn: Connection, number: str) -> int | None:
    """The local id of the ticket numbered `number` (unique index), surrounding blanks ignored
    since numbers are pasted from mail and chats; None if there is none."""
    found = conn.execute(_BY_NUMBER, {"number": number.strip()}).scalar()
    return None if found is None else int(found)


def ticket_detail(
    conn: Connection, ticket_id: int, *, client_limit: int = 20
) -> TicketDetail | None:
    """Everything the ticket card shows, or None if there is no ticket `ticket_id`: about 1 ms
    on a million-ticket demo desk, plus the client's other tickets (see `_client_tickets`)."""
    found = conn.execute(_TICKET, {"ticket_id": ticket_id}).first()
    if found is None:
        return None
    row: tuple[Any, ...] = tuple(found)
    n = len(_SCALARS)
    fields: dict[str, Any] = dict(zip(_NAMES, row[:n], strict=True))
    client_id, login, owner, dep_code, dep_name = row[n : n + 5]
    client = ClientInfo(*row[n + 5 :]) if row[n + 5] is not None else None
    key = {"key": fields["uuid"]}
    names = {fields["client_name"], client.name if client else ""}
    return TicketDetail(
        **fields,
        owner_login=login or "",
        owner_name=owner or "",
        department_code=dep_code or "",
        department_name=dep_name or "",
        client=client,
        timeline=_timeline(conn, key),
        outgoing=tuple(OutgoingInfo(*r) for r in conn.execute(_OUTGOING, key)),
        links=_links(conn, key),
        client_tickets=_client_tickets(
            conn, ticket_id, client_id, names, fields["contact_phone"], client_limit
        ),
    )


def _timeline(conn: Connection, key: dict[str, UUID]) -> tuple[TimelineEntry, ...]:
    """History events and comments (ix_events_ticket_at, ix_comments_ticket_at), merged here by
    one stable key: the moment, then the history event before the comment a command wrote with
    it, then the time-ordered uuid7 id (write order within one moment)."""
    keyed: list[tuple[dt.datetime, int, UUID, TimelineEntry]] = [
        (at, 0, i, TimelineEntry(at, "event", kind, actor, status, field, old, new, "", None, st))
        for i, at, kind, actor, status, field, old, new, st in conn.execute(_EVENTS, key)
    ]
    keyed += [
        (at, 1, i, TimelineEntry(at, "comment", kind, author, "", "", "", "", body, reached))
        for i, at, kind, author, body, reached in conn.execute(_COMMENTS, key)
    ]
    keyed.sort(key=lambda k: k[:3])
    return tuple(k[3] for k in keyed)


def _links(conn: Connection, key: dict[str, UUID]) -> tuple[LinkedTicket, ...]:
    """Links from and to the ticket (ix_links_ticket, ix_links_linked), the other ticket by
    its unique uuid, ordered by its id. A link recorded in both directions is shown once."""
    found = {(r[0], r[2]): LinkedTicket(*r) for r in conn.execute(_LINKS, key)}
    return tuple(found[k] for k in sorted(found))


def _client_tickets(
    conn: Connection,
    ticket_id: int,
    client_id: UUID | None,
    names: set[str],
    phone: str,
    limit: int,
) -> tuple[ClientTicket, ...]:
    """U-02: the same client's other tickets, newest first, at most `limit`.

    There is no index on `tickets.client_id` (nor on `contact_phone`), so the client's tickets
    are found through `ix_tickets_client_name`: every ticket copies its client's name when it
    is made (the queue sorts by it), and `client_id` then keeps exactly the client's own. Both
    the ticket's copy and the client's current name are probed, in case the client was renamed.
    A ticket without a client matches the identical phone; on SQLite the phone column of the
    full-text index finds the candidates, on PostgreSQL (no such index) it is a scan."""
    params: dict[str, Any] = {"ticket_id": ticket_id, "limit": limit}
    if limit <= 0 or (client_id is None and not phone):
        return ()
    if client_id is not None:
        stmt, params["names"], params["client"] = _OF_CLIENT, sorted(names), client_id
    else:
        stmt, params["phone"] = _BY_PHONE, phone
        match = _phone_match(phone) if conn.dialect.name == "sqlite" else None
        if match is not None:
            stmt, params["phone_match"] = _BY_PHONE_FTS, match
    return tuple(ClientTicket(*r) for r in conn.execute(stmt, params))


def _phone_match(phone: str) -> str | None:
    """An FTS5 query every ticket with this exact phone matches (`search.fts_row` indexes the
    phone and its digit forms): the all-digits form, one rare token, or for a phone too short
    for digit forms its own tokens as a phrase; None for a text without tokens (then a scan)."""
    forms = phone_forms(phone)
    if forms:
        return f'phone : "{forms[0]}"'
    if any(ch.isalnum() for ch in phone):
        return 'phone : "' + normalize(phone).replace('"', '""') + '"'
    return None
