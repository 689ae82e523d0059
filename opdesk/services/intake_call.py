"""A new service request during a call (001, S-01…S-09): who is calling, what to register.

The operator types the phone first, so the client and their open and recent tickets are on
screen before anything is created (U-02 for calls: a related request may already exist). Then
the questions of the dialogue are classified Theme → Type → Subtheme → Product; the engine
(`regulations.request_plan`) decides how many requests that makes, their types (S-05, S-06)
and the second, linked «Заявка» a correction or compensation needs (S-02). `register_call`
writes exactly that plan, all requests and their links in one transaction, through the same
registration code as every other ticket; nothing here decides a rule of its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Connection,
    Integer,
    Select,
    bindparam,
    column,
    func,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from opdesk.errors import EngineError
from opdesk.models import Client, Ticket, TicketLink, uuid7
from opdesk.regulations.classification import Classification
from opdesk.regulations.classify import validate
from opdesk.regulations.pack import Pack
from opdesk.regulations.questions import Contact, Question
from opdesk.regulations.request_plan import PlannedRequest, RequestPlan, plan_requests
from opdesk.regulations.rules import Reason, Verdict, reason_for
from opdesk.regulations.snapshot import Actor
from opdesk.services.desk import Desk
from opdesk.services.registration import register
from opdesk.services.results import CommandResult, Refused
from opdesk.services.transitions import close
from opdesk.services.writes import new_id, record_event, record_op
from opdesk.store.reading import ClientInfo
from opdesk.store.search import phone_forms

CALL_CHANNEL = "phone"  # the pack gives a call its own process (001, «Сервисный запрос…»)
LINK_KIND = "second_request"  # TicketLink.kind of S-02's second request, towards the first
COMMAND = "register_call"

# -- who is calling -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CallTicket:
    """One of the caller's tickets, as the new-request dialog lists it."""

    id: int
    number: str
    created_at: dt.datetime
    status: str  # status id
    status_name: str  # the status as the ticket's own document names it
    is_open: bool
    subject: str
    classification: str  # «Тема | Тип | Подтема», "" where the ticket has none
    contact_phone: str


@dataclass(frozen=True)
class ClientMatch:
    """The client a phone belongs to, with their open tickets and their latest closed ones."""

    client_id: uuid.UUID
    client: ClientInfo
    open_tickets: tuple[CallTicket, ...]  # newest first
    recent_tickets: tuple[CallTicket, ...]  # closed, newest first


T = Ticket
# The phone column of the full-text index holds every ticket's phone in all the forms people
# type it (search.phone_forms), so one token finds it however the operator typed the number.
_FTS = text("SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH :phone_match").columns(
    column("rowid", Integer)
)
_NEWEST_FIRST = (T.created_at.desc(), T.id.desc())
_LISTED = (
    T.id, T.number, T.created_at, T.process, T.status, T.is_open, T.subject, T.theme, T.type,
    T.subtheme, T.contact_phone, Client.id, Client.name, Client.category, Client.mobile,
    Client.phone, Client.city, Client.group_name,
)  # fmt: skip


def _lookup(hits: Any) -> CompoundSelect[Any]:
    """One statement: the client of the newest ticket among `hits` (ticket ids), then that
    client's open tickets and latest closed ones, each walking ix_tickets_client (client_id,
    created_at, id) newest first and stopping at its limit."""
    who = (
        select(T.client_id)
        .where(T.id.in_(hits), T.client_id.is_not(None))
        .order_by(*_NEWEST_FIRST)
        .limit(1)
        .scalar_subquery()
    )

    def branch(is_open: bool, limit: str) -> Select[Any]:
        listed = (
            select(*_LISTED)
            .join(Client, Client.id == T.client_id)
            .where(T.client_id == who)
            # through the function, is_open filters the client's rows rather than being an
            # index to walk: ix_tickets_open_created would visit every open ticket of the desk
            .where(func.coalesce(T.is_open, False) == is_open)
            .order_by(*_NEWEST_FIRST)
            .limit(bindparam(limit, type_=Integer))
            .subquery()
        )
        return select(listed)

    return union_all(branch(True, "open_limit"), branch(False, "recent_limit"))


# SQLite's statement, built once (the tests read its query plan)
PHONE_LOOKUP = _lookup(_FTS)


def find_client_by_phone(
    desk: Desk, phone: str, *, open_limit: int = 20, recent_limit: int = 10
) -> ClientMatch | None:
    """The client calling from `phone`, typed in any form («+7 916 123-45-67», «89161234567»,
    «9161234567», the last seven digits), or None.

    The client is found through the phones of their tickets — the only phones the desk
    indexes — in one statement that walks indexes only: the full-text index's phone column,
    the tickets' primary key, then ix_tickets_client for that client's tickets. With several
    clients behind the digits (seven digits shared by two regions), the one who called last is
    taken; the dialog shows the client's name, so the operator can tell. A phone with fewer
    than five digits is no phone yet (the operator is still typing): None.
    """
    forms = phone_forms(phone)
    if not forms:
        return None
    with desk.db.engine.connect() as conn:
        rows = match_rows(conn, forms, open_limit, recent_limit)
    if not rows:
        return None
    first = rows[0]
    client = ClientInfo(*(str(value) for value in first[12:18]))
    listed = [_call_ticket(desk.pack, r) for r in rows]
    return ClientMatch(
        client_id=first[11],
        client=client,
        open_tickets=tuple(t for t in listed if t.is_open),
        recent_tickets=tuple(t for t in listed if not t.is_open),
    )


def match_rows(
    conn: Connection, forms: Sequence[str], open_limit: int = 20, recent_limit: int = 10
) -> list[tuple[Any, ...]]:
    """The lookup's rows (`_LISTED` columns), open tickets first, each part newest first."""
    params: dict[str, Any] = {"open_limit": open_limit, "recent_limit": recent_limit}
    if conn.dialect.name == "sqlite":
        # the typed number's own digits: the index holds that token for every way of typing it
        params["phone_match"] = f'phone : "{forms[0]}"'
        stmt = PHONE_LOOKUP
    else:  # the server's PostgreSQL has no phone index: a scan comparing the digits
        digits = func.regexp_replace(T.contact_phone, r"\D", "", "g")
        stmt = _lookup(select(T.id).where(digits.in_(list(forms))))
    rows = [tuple(r) for r in conn.execute(stmt, params)]
    rows.sort(key=lambda r: (bool(r[5]), r[2], r[0]), reverse=True)
    return rows


def _call_ticket(pack: Pack, r: tuple[Any, ...]) -> CallTicket:
    status, process = str(r[4]), str(r[3])
    name = status
    if process in pack.processes and status in pack.statuses:
        name = pack.processes[process].status_name(pack.statuses[status])
    return CallTicket(
        id=int(r[0]),
        number=str(r[1]),
        created_at=r[2],
        status=status,
        status_name=name,
        is_open=bool(r[5]),
        subject=str(r[6]),
        classification=" | ".join(str(p) for p in (r[7], r[8], r[9]) if p),
        contact_phone=str(r[10]),
    )


# -- the cascade Theme → Type → Subtheme → Product (S-04) --------------------------------------


@dataclass(frozen=True)
class ClassificationOptions:
    """What each level of the cascade offers once the levels above it are chosen (S-04)."""

    themes: tuple[str, ...]
    types: tuple[str, ...]  # the theme's types, highest priority first (S-05)
    subthemes: tuple[str, ...]  # of the theme and type
    products: tuple[str, ...]  # of the theme
    product_required: bool  # S-04: «Услуги», «Тарифные планы», «Маркетинг.акции/CRM-кампании»


def classification_options(pack: Pack, theme: str = "", type: str = "") -> ClassificationOptions:
    """The pack's classifier seen from the chosen theme and type; unknown ones offer nothing
    below them, since S-04 orders the choice Theme → Type → Subtheme."""
    c = pack.classification
    found = c.theme(theme) if theme else None
    names = tuple(t.name for t in c.themes)
    if found is None:
        return ClassificationOptions(names, (), (), (), False)
    types = tuple(t for t in c.types if found.subthemes_of(t))
    return ClassificationOptions(
        names, types, found.subthemes_of(type), found.products, found.product_required
    )


# -- judging and registering the call -----------------------------------------------------------


@dataclass(frozen=True)
class CallDraft:
    """What the operator composed during the dialogue (S-01): the calling number, the client
    found by it, and the questions asked, each classified as the operator understood it."""

    phone: str
    questions: tuple[Question, ...]
    client_id: uuid.UUID | None = None
    subject: str = ""
    close_at_end: bool = False  # S-09: «Закрыт по окончанию диалога» once registered


@dataclass(frozen=True)
class CallCheck:
    verdict: Verdict
    plan: RequestPlan | None  # None where the questions could not be planned at all


def judge_call(pack: Pack, draft: CallDraft) -> CallCheck:
    """The plan of requests for the draft and whether each of them may be registered.

    The plan comes from the engine (S-01…S-07); each planned request is then checked as it
    would be written (S-04: its theme, resolved type, subtheme and the product its theme
    requires). Allowed, the verdict lists the plan's reasons, so the operator sees why it is
    one request or two and why this type; refused, the reasons of every failing request."""
    c = pack.classification
    if not draft.questions:
        why = "нет ни одного вопроса: сначала выясните суть обращения"
        return CallCheck(Verdict(False, (reason_for(c.contact_rule, why, "no question"),)), None)
    contact = Contact(draft.questions, calling_number=draft.phone.strip())
    try:
        plan = plan_requests(c, contact)
    except EngineError as bad:
        return CallCheck(
            Verdict(False, (reason_for(c.order_rule, bad.message_ru, bad.message_en),)), None
        )
    if not plan.requests:
        return CallCheck(Verdict(False, plan.reasons), plan)
    problems: list[Reason] = []
    for n, req in enumerate(plan.requests, start=1):
        problems += _request_problems(c, n, req, len(plan.requests))
    if problems:
        return CallCheck(Verdict(False, tuple(problems)), plan)
    reasons = (*plan.reasons, *(r for req in plan.requests for r in req.reasons))
    return CallCheck(Verdict(True, tuple(dict.fromkeys(reasons))), plan)


def check_request(desk: Desk, draft: CallDraft) -> Verdict:
    """May the draft be registered as it stands, and why (or why not)."""
    return judge_call(desk.pack, draft).verdict


def _request_problems(c: Classification, n: int, req: PlannedRequest, total: int) -> list[Reason]:
    label, label_en = (f"СЗ №{n} «{req.theme}»: ", f"request {n}: ") if total > 1 else ("", "")
    out = []
    verdict = validate(c, req.theme, req.type, req.subtheme, req.product)
    if not verdict.allowed:
        out += [
            dataclasses.replace(r, detail=label + r.detail, detail_en=label_en + r.detail_en)
            for r in verdict.reasons
        ]
    if not req.number.strip():
        detail = label + "не указан номер, по которому регистрируется СЗ"
        out.append(reason_for(c.number_rule, detail, "no phone number for the request"))
    return out


def register_call(
    desk: Desk,
    actor: Actor,
    draft: CallDraft,
    *,
    ticket_uuids: Sequence[uuid.UUID] | None = None,
) -> CommandResult:
    """Register the call's requests as the engine planned them, in one transaction: each
    through the registration command's own code (`registration.register`), the second request
    of a correction or compensation (S-02: type «Заявка») linked to the one it belongs to.

    With `close_at_end` the requests are then closed «Закрыт по окончанию диалога» (S-09)
    through the lifecycle's one path (`transitions.close`), in the same transaction, each close
    in a savepoint: a close the engine refuses leaves that request open and says why, and the
    registration stands. The linked «Заявка» stays open: it is how the correction or
    compensation is carried out (online or by a request to ГОСЗ), so its work has not ended
    with the dialogue.

    One op records the whole call — the draft and the new tickets' uuids (`ticket_uuids`, one
    per planned request, made here unless given) — so the server's re-run plans, registers,
    links and closes exactly these tickets."""
    judged = judge_call(desk.pack, draft)
    if not judged.verdict.allowed or judged.plan is None:
        return CommandResult(COMMAND, False, judged.verdict.reasons)
    plan = judged.plan
    made_here = tuple(uuid7() for _ in plan.requests)
    uuids = made_here if ticket_uuids is None else tuple(ticket_uuids)
    if len(uuids) != len(plan.requests) or len(set(uuids)) != len(uuids):
        raise EngineError(
            f"звонок даёт {len(plan.requests)} заявок(и), указано {len(uuids)} разных uuid",
            f"the call makes {len(plan.requests)} requests, {len(set(uuids))} distinct uuids given",
        )

    def body(s: Session, now: dt.datetime) -> CommandResult:
        made: list[Ticket] = []
        effects: list[str] = []
        for req, ticket_uuid in zip(plan.requests, uuids, strict=True):
            first = made[req.link_to] if req.link_to is not None else None
            subject = _subject(draft, req, first)
            created = register(
                desk, s, now, actor, channel=CALL_CHANNEL, client_id=draft.client_id,
                contact_phone=req.number, subject=subject, theme=req.theme, type=req.type,
                subtheme=req.subtheme, product=req.product, ticket_uuid=ticket_uuid,
            )  # fmt: skip
            ticket = s.get(Ticket, created.created_id)
            assert ticket is not None
            effects += created.effects
            if first is not None:
                _link(s, actor, now, ticket, first)
            made.append(ticket)
        reasons = list(judged.verdict.reasons)
        if draft.close_at_end:
            inner = desk.joined(s, now)
            for ticket, req in zip(made, plan.requests, strict=True):
                if req.link_to is None:
                    reasons += [r for r in _close(s, inner, actor, ticket.id) if r not in reasons]
        op_args = {"actor": actor.login, "tickets": list(uuids), "draft": draft}
        record_op(s, now, COMMAND, uuids[0], op_args)
        ids = tuple(t.id for t in made)
        return CommandResult(
            COMMAND, True, tuple(reasons), ids, tuple(dict.fromkeys(effects)), ids[0]
        )

    return desk.run(COMMAND, body)


def _close(s: Session, inner: Desk, actor: Actor, ticket_id: int) -> tuple[Reason, ...]:
    """S-09's close of one request inside a savepoint: refused, it leaves no trace."""
    try:
        with s.begin_nested():
            closed = close(inner, actor, ticket_id)
            if not closed.ok:
                raise Refused(closed.reasons)
    except Refused as refused:
        return refused.reasons
    return closed.reasons


def _subject(draft: CallDraft, req: PlannedRequest, first: Ticket | None) -> str:
    if first is not None:  # S-02: the second request is there to carry out the first one's
        return f"{req.subtheme} по {first.number}"
    return draft.subject.strip() or " | ".join(p for p in (req.theme, req.subtheme) if p)


def _link(s: Session, actor: Actor, now: dt.datetime, second: Ticket, first: Ticket) -> None:
    """S-02: the second request points at the first; both tickets' cards show the link."""
    link = TicketLink(id=new_id(s), ticket_id=second.uuid, linked_id=first.uuid, kind=LINK_KIND)
    s.add(link)
    record_event(s, second, actor, now, "link", field=LINK_KIND, new=first.number)
    record_event(s, first, actor, now, "link", field=LINK_KIND, new=second.number)


# -- what was registered, and until when it may be edited (S-09) ------------------------------


@dataclass(frozen=True)
class RegisteredRequest:
    id: int
    number: str
    theme: str
    type: str
    subtheme: str
    product: str
    status_name: str
    is_open: bool
    closed_at: dt.datetime | None
    edit_until: dt.datetime | None  # S-09: a closed request may be edited until then
    linked_to: str  # number of the request this one is the second request of, or ""


def edit_until(pack: Pack, process: str, closed_at: dt.datetime | None) -> dt.datetime | None:
    """The end of the process's window for edits after closing (S-09: 5 minutes) — the same
    window `lifecycle.can_edit` judges by; None if open or the process allows none."""
    if closed_at is None:
        return None
    minutes = pack.process(process).edit_after_close.minutes
    return closed_at + dt.timedelta(minutes=minutes) if minutes else None


def registered_requests(desk: Desk, ticket_ids: Sequence[int]) -> tuple[RegisteredRequest, ...]:
    """The tickets `register_call` made, as they are now (closed or not), by primary key."""
    out = []
    with desk.db.transaction() as s:
        for tid in ticket_ids:
            t = s.get(Ticket, tid)
            if t is None:
                continue
            first = s.scalars(
                select(Ticket.number)
                .join(TicketLink, TicketLink.linked_id == Ticket.uuid)
                .where(TicketLink.ticket_id == t.uuid, TicketLink.kind == LINK_KIND)
            ).first()
            process = desk.pack.process(t.process)
            out.append(
                RegisteredRequest(
                    id=t.id,
                    number=t.number,
                    theme=t.theme,
                    type=t.type,
                    subtheme=t.subtheme,
                    product=t.product,
                    status_name=process.status_name(desk.pack.statuses[t.status]),
                    is_open=t.is_open,
                    closed_at=t.closed_at,
                    edit_until=edit_until(desk.pack, t.process, t.closed_at),
                    linked_to=first or "",
                )
            )
    return tuple(out)
