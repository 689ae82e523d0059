"""The syncable commands as named ops: what the outbox holds and what the server re-runs.

An op is a plain JSON object `{"name": "take", "args": {...}}` — a command of this package with
its arguments (Replicache-style named mutations), never a row diff, so the sync server runs it
through these same functions on its own current state and the regulation is judged where the
truth is. In the arguments a ticket is its uuid (the local integer id never leaves the
workstation), a person their login, a department its pack code; `actor` is the acting person
(the server compares it with its token's person) and `id_seed` the seed the ids of the op's new
rows derive from (`writes.new_id`), so a re-run makes the same rows with the same ids.

`record_op` (in `writes`, which the commands import) writes one op per command in the command's
transaction; `apply_op` reads an untrusted op strictly (`op_args`), resolves uuids and logins
in the given database and runs the command. Each op's arguments are declared below as a
dataclass: the declaration is the push endpoint's contract, checked on both sides.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opdesk.models import Department, OutboxEntry, Person, Ticket
from opdesk.regulations.snapshot import Actor
from opdesk.services.closing import ClosureDraft, close_with_report, save_closing
from opdesk.services.closure import SparePart, fill_closure, record_confirmation
from opdesk.services.conflicts import resolve_conflict
from opdesk.services.conversation import add_comment, record_answer, send_outgoing
from opdesk.services.desk import Desk
from opdesk.services.fields import EDITABLE_FIELDS, hand_over, set_fields
from opdesk.services.intake_call import CallDraft, judge_call, register_call
from opdesk.services.op_args import OpError, decode
from opdesk.services.registration import create_ticket
from opdesk.services.replies import send_reply
from opdesk.services.results import CommandResult
from opdesk.services.transitions import (
    cancel,
    change_process,
    close,
    escalate,
    reopen,
    take,
    transition,
)
from opdesk.services.writes import OP_KIND, record_op

__all__ = [
    "OPS",
    "OpError",
    "OpSpec",
    "apply_op",
    "as_op",
    "decode_args",
    "record_op",
    "remember_ticket",
]

# -- the arguments of each op ---------------------------------------------------------------


@dataclass(frozen=True)
class Base:
    actor: str  # login of the acting person
    id_seed: uuid.UUID  # the ids of the op's new rows derive from it


@dataclass(frozen=True)
class OnTicket(Base):
    ticket: uuid.UUID  # an existing ticket


@dataclass(frozen=True)
class EscalateArgs(OnTicket):
    reason: str
    comment: str


@dataclass(frozen=True)
class TransitionArgs(OnTicket):
    action: str  # any action of the ticket's process
    input: dict[str, str | bool | None]  # the operator's input its guards read (`args.*`)


@dataclass(frozen=True)
class ChangeProcessArgs(OnTicket):
    process: str


@dataclass(frozen=True)
class SetFieldsArgs(OnTicket):
    fields: dict[str, str | bool | int | None]
    base: dict[str, str]  # the long texts changed, as they were before (services.conflicts)

    def __post_init__(self) -> None:
        """Each field read with its own type (fields.EDITABLE_FIELDS): a moment is a string
        here until its field says so."""
        typed = {}
        for name, value in self.fields.items():
            hint = EDITABLE_FIELDS.get(name)
            if hint is None:
                known = ", ".join(EDITABLE_FIELDS)
                raise OpError(
                    f"args.fields.{name}: поле нельзя менять; допустимы: {known}",
                    f"args.fields.{name}: not an editable field; expected one of: {known}",
                )
            typed[name] = decode(hint, value, f"args.fields.{name}")
        object.__setattr__(self, "fields", typed)


@dataclass(frozen=True)
class DepartmentArgs(OnTicket):
    department: str  # pack code


@dataclass(frozen=True)
class CommentArgs(OnTicket):
    kind: str
    text: str
    reached: bool | None
    tags: tuple[str, ...]
    template_id: str


@dataclass(frozen=True)
class AnswerArgs(OnTicket):
    answer: str


@dataclass(frozen=True)
class FillClosureArgs(OnTicket):
    cause: str
    actions: str
    performers: tuple[str, ...]
    completed_at: dt.datetime | None
    time_spent_minutes: int | None
    spare_parts: tuple[SparePart, ...]
    spare_parts_used: bool | None
    comment: str
    responsible_actions_checked: bool
    escalation_done: bool
    base: dict[str, str]  # the report's texts as they were before (services.conflicts)


@dataclass(frozen=True)
class ConfirmationArgs(OnTicket):
    kind: str


@dataclass(frozen=True)
class ClosingArgs(OnTicket):
    draft: ClosureDraft
    base: dict[str, str]  # the report's texts as saved before (services.conflicts)


@dataclass(frozen=True)
class ResolveConflictArgs(OnTicket):
    conflict: uuid.UUID  # a TicketConflict of kind "text" on the ticket
    value: str  # the merged text
    base: dict[str, str]  # {field: the server's value the merge started from}


@dataclass(frozen=True)
class ReplyArgs(OnTicket):
    template_id: str
    text: str


@dataclass(frozen=True)
class CreateTicketArgs(Base):
    ticket: uuid.UUID  # the new ticket's uuid: must not exist yet
    category: str
    priority: str | None
    process: str | None
    subject: str
    client_id: uuid.UUID | None
    contact_phone: str
    channel: str
    theme: str
    type: str
    subtheme: str
    product: str
    department: str  # pack code, or ""


@dataclass(frozen=True)
class RegisterCallArgs(Base):
    tickets: tuple[uuid.UUID, ...]  # the new tickets' uuids, one per planned request, in order
    draft: CallDraft


# -- the registry ----------------------------------------------------------------------------

Runner = Callable[[Desk, Actor, Any, int], CommandResult]


@dataclass(frozen=True)
class OpSpec:
    """An op's arguments and how to run it: (desk, actor, arguments, the ticket's local id —
    0 for the ops that create tickets)."""

    args: type[Any]
    run: Runner
    creates: bool = False


_RESOLVED = {"actor", "id_seed", "ticket", "base"}  # base: read by the server (conflicts)


def _rest(args: Any) -> dict[str, Any]:
    """The arguments passed on as they are (all but the actor, seed and ticket)."""
    return {
        f.name: getattr(args, f.name) for f in dataclasses.fields(args) if f.name not in _RESOLVED
    }


def _call(command: Callable[..., CommandResult]) -> Runner:
    return lambda desk, actor, args, tid: command(desk, actor, tid, **_rest(args))


def _create(desk: Desk, actor: Actor, args: CreateTicketArgs, _tid: int) -> CommandResult:
    return create_ticket(desk, actor, ticket_uuid=args.ticket, **_rest(args))


def _register_call(desk: Desk, actor: Actor, args: RegisterCallArgs, _tid: int) -> CommandResult:
    return register_call(desk, actor, args.draft, ticket_uuids=args.tickets)


OPS: dict[str, OpSpec] = {
    "take": OpSpec(OnTicket, _call(take)),
    "escalate": OpSpec(EscalateArgs, _call(escalate)),
    "close": OpSpec(OnTicket, _call(close)),
    "reopen": OpSpec(OnTicket, _call(reopen)),
    "cancel": OpSpec(OnTicket, _call(cancel)),
    "transition": OpSpec(
        TransitionArgs, lambda desk, actor, a, tid: transition(desk, actor, tid, a.action, a.input)
    ),
    "change_process": OpSpec(ChangeProcessArgs, _call(change_process)),
    "set_fields": OpSpec(
        SetFieldsArgs, lambda desk, actor, a, tid: set_fields(desk, actor, tid, **a.fields)
    ),
    "hand_over": OpSpec(DepartmentArgs, _call(hand_over)),
    "add_comment": OpSpec(CommentArgs, _call(add_comment)),
    "send_outgoing": OpSpec(DepartmentArgs, _call(send_outgoing)),
    "record_answer": OpSpec(AnswerArgs, _call(record_answer)),
    "fill_closure": OpSpec(FillClosureArgs, _call(fill_closure)),
    "record_confirmation": OpSpec(ConfirmationArgs, _call(record_confirmation)),
    "save_closing": OpSpec(ClosingArgs, _call(save_closing)),
    "close_with_report": OpSpec(ClosingArgs, _call(close_with_report)),
    "send_reply": OpSpec(ReplyArgs, _call(send_reply)),
    "resolve_conflict": OpSpec(
        ResolveConflictArgs,
        lambda desk, actor, a, tid: resolve_conflict(desk, actor, tid, a.conflict, a.value, a.base),
    ),
    "create_ticket": OpSpec(CreateTicketArgs, _create, creates=True),
    "register_call": OpSpec(RegisterCallArgs, _register_call, creates=True),
}


# -- reading and running ops -------------------------------------------------------------------


def decode_args(name: object, args: object) -> Any:
    """The op's arguments read strictly as its declared dataclass, or an `OpError`."""
    return decode(_spec(name).args, args, "args")


def apply_op(desk: Desk, name: str, args: Any) -> CommandResult:
    """Run op `name` with JSON `args` on `desk`'s database: the command's own result (carried
    out, or refused with rule reasons and nothing written).

    A malformed op — unknown name, arguments missing, extra or of the wrong type, a ticket,
    person or seed this database cannot take — raises `OpError` (a bilingual `EngineError`)
    before anything is written. The moment is `desk.clock`'s: the caller decides whether an op
    is re-run at its own time or at the moment it was made (the outbox row's `at`)."""
    spec = _spec(name)
    parsed = decode(spec.args, args, "args")
    with desk.db.transaction() as s:
        actor = _actor(desk, s, parsed.actor)
        ticket_id = _new_tickets(s, parsed) if spec.creates else _ticket_id(s, parsed.ticket)
    if isinstance(parsed, RegisterCallArgs):
        _check_call(desk, parsed)
    try:
        return spec.run(desk.seeded(parsed.id_seed), actor, parsed, ticket_id)
    except IntegrityError as exc:
        raise OpError(
            "строки операции уже есть в базе (повтор операции или её id_seed?); ничего не записано",
            "the op's rows already exist (a repeated op or id_seed?); nothing was written",
        ) from exc


def as_op(entry: OutboxEntry) -> dict[str, Any]:
    """An outbox row as the op it records: `{"name": …, "args": …}`."""
    if entry.op != OP_KIND:
        raise ValueError(f"outbox row {entry.seq} is a row diff ({entry.op}), not an op")
    return {"name": entry.command, "args": json.loads(entry.payload)}


def _spec(name: object) -> OpSpec:
    spec = OPS.get(name) if isinstance(name, str) else None
    if spec is None:
        known = ", ".join(OPS)
        shown = repr(name) if len(repr(name)) <= 60 else repr(name)[:57] + "..."
        raise OpError(
            f"неизвестная операция {shown}; известны: {known}",
            f"unknown op {shown}; known: {known}",
        )
    return spec


@dataclass
class _Resolved:
    """Logins and ticket uuids already resolved in this session (`Session.info[_RESOLVED_KEY]`).

    Why: the server runs a whole push batch in one session — dozens of ops by one person,
    mostly on a few tickets — and each op looked up its actor and its ticket again (two of
    the nine statements of a comment). Both answers hold for the session's life: no op
    changes a person, and a ticket's uuid keeps its id (a ticket is only remembered once
    found, so a create rolled back to its savepoint leaves nothing here)."""

    actors: dict[str, Actor] = dataclasses.field(default_factory=dict)
    tickets: dict[uuid.UUID, int] = dataclasses.field(default_factory=dict)
    rows: dict[uuid.UUID, Ticket] = dataclasses.field(default_factory=dict)  # remember_ticket


_RESOLVED_KEY = "opdesk.ops_resolved"


def _resolved(s: Session) -> _Resolved:
    found = s.info.get(_RESOLVED_KEY)
    if not isinstance(found, _Resolved):
        found = s.info[_RESOLVED_KEY] = _Resolved()
    return found


def remember_ticket(s: Session, ticket: Ticket) -> None:
    """Tell the ops run next in session `s` a ticket the caller has read already (the server
    locks each op's ticket before running it): they take its id from here, and the command
    the row itself from the session (`Desk.ticket`) — the row is held here for that, since
    the session keeps only weak references to the rows it loaded."""
    known = _resolved(s)
    known.tickets[ticket.uuid] = ticket.id
    known.rows[ticket.uuid] = ticket


def _actor(desk: Desk, s: Session, login: str) -> Actor:
    """The acting person as the engine knows them, from this database's people (the role is
    the database's, never the op's): login, role, the department's name."""
    known_actors = _resolved(s).actors
    if login not in known_actors:
        known_actors[login] = _read_actor(desk, s, login)
    return known_actors[login]


def _read_actor(desk: Desk, s: Session, login: str) -> Actor:
    person = s.scalars(select(Person).where(Person.login == login)).first()
    if person is None:
        raise OpError(
            f"args.actor: неизвестный сотрудник «{login[:64]}»",
            f"args.actor: unknown person {login[:64]!r}",
        )
    row = s.get(Department, person.department_id) if person.department_id else None
    known = desk.pack.departments.find(row.code) if row is not None else None
    department = known.name if known is not None else (row.name if row is not None else "")
    return Actor(person.login, person.role, department)


def _ticket_id(s: Session, ticket: uuid.UUID) -> int:
    known_tickets = _resolved(s).tickets
    found = known_tickets.get(ticket)
    if found is None:
        found = s.scalar(select(Ticket.id).where(Ticket.uuid == ticket))
    if found is None:
        raise OpError(f"args.ticket: нет заявки {ticket}", f"args.ticket: no ticket {ticket}")
    known_tickets[ticket] = found
    return found


def _new_tickets(s: Session, args: CreateTicketArgs | RegisterCallArgs) -> int:
    """Refuse an op creating a ticket whose uuid is already taken (or given twice)."""
    wanted = (args.ticket,) if isinstance(args, CreateTicketArgs) else args.tickets
    if len(set(wanted)) != len(wanted):
        raise OpError("args.tickets: uuid повторяется", "args.tickets: a uuid is repeated")
    taken = s.scalars(select(Ticket.uuid).where(Ticket.uuid.in_(wanted))).first()
    if taken is not None:
        raise OpError(f"заявка {taken} уже есть", f"ticket {taken} already exists")
    return 0


def _check_call(desk: Desk, args: RegisterCallArgs) -> None:
    """As many uuids as the engine plans requests for the draft (a refused draft is left to
    the command, which answers with its rules)."""
    plan = judge_call(desk.pack, args.draft).plan
    if plan is not None and plan.requests and len(plan.requests) != len(args.tickets):
        raise OpError(
            f"args.tickets: звонок даёт {len(plan.requests)} заявок(и), указано "
            f"{len(args.tickets)} uuid",
            f"args.tickets: the call makes {len(plan.requests)} requests, "
            f"{len(args.tickets)} uuids given",
        )
