"""The outbox as the sync sees it: pending ops, numbered, and their acknowledgement.

Why ops are numbered when they are pushed (`last_op` + their rank among the pending ops)
rather than by their `seq`: the server wants an unbroken run after its `last_op` (a gap is a
409), and `seq` has gaps — rows of an import are row diffs, not ops, and are never pushed —
and can even restart: `outbox.seq` is SQLite's plain rowid, which reuses numbers once the
rows above them are deleted. Ranks are stable as long as nothing before an op leaves the
outbox, and only an acknowledgement removes ops, oldest first, together with `last_op`: a
batch sent again after a lost answer gets the very same numbers, and the server answers the
ops it already has "duplicate".

The acknowledgement is one local transaction: `last_op`, the answered ops' deletion, the
undo of the refused ones (undo.py) and the refresh they ask for. A workstation killed before
it commits sends the batch again and is answered "duplicate"; one killed after it has
nothing left to do but the refresh, which is written down with it.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from opdesk.models import OutboxEntry, Person
from opdesk.services.ops import OPS
from opdesk.services.writes import OP_KIND
from opdesk.sync import state, undo
from opdesk.sync.contract import OpAnswer, OutgoingOp, PushAnswer, SyncError
from opdesk.sync.state import Refresh

MAX_BATCH = 500  # the server's limit per push


@dataclass(frozen=True)
class PendingOp:
    """An op waiting for the server's answer; `number` is the one it is pushed with."""

    seq: int
    number: int
    name: str
    args: dict[str, Any]
    at: dt.datetime
    seed: uuid.UUID | None
    tickets: frozenset[uuid.UUID]  # every ticket it names
    created: frozenset[uuid.UUID]  # the tickets it makes (create_ticket, register_call)

    def outgoing(self) -> OutgoingOp:
        return OutgoingOp(self.number, self.name, self.args, self.at)


def _uuids(values: Any) -> set[uuid.UUID]:
    out = set()
    for value in values if isinstance(values, list) else [values]:
        try:
            out.add(uuid.UUID(str(value)))
        except ValueError:
            continue
    return out


def _read(entry: OutboxEntry, number: int, args: dict[str, Any]) -> PendingOp:
    named = _uuids(entry.row_id) | _uuids(args.get("ticket")) | _uuids(args.get("tickets") or [])
    spec = OPS.get(entry.command)
    created = (_uuids(args.get("ticket")) | _uuids(args.get("tickets") or [])
               if spec is not None and spec.creates else set())  # fmt: skip
    seeds = _uuids(args.get("id_seed"))
    return PendingOp(entry.seq, number, entry.command, args, entry.at,
                     next(iter(seeds), None), frozenset(named), frozenset(created))  # fmt: skip


def _ops(s: Session) -> Any:
    return s.scalars(select(OutboxEntry).where(OutboxEntry.op == OP_KIND).order_by(OutboxEntry.seq))


def pending(
    s: Session, last_op: int, limit: int | None = None, *, actor: str | None = None
) -> list[PendingOp]:
    """The ops not answered yet, oldest first, numbered from `last_op + 1`. A row whose
    payload is not a JSON object cannot be pushed; it is left out (and counted by
    `unsyncable`) rather than holding up every op after it. With `actor`, the run stops at
    the first op of anyone else (its author must push it: `waiting_of_others`) — ops keep
    their order, so the ops after it wait too."""
    out: list[PendingOp] = []
    for entry in _ops(s):
        try:
            args = json.loads(entry.payload)
        except ValueError:
            continue
        if not isinstance(args, dict):
            continue
        if actor is not None and args.get("actor") != actor:
            break
        out.append(_read(entry, last_op + len(out) + 1, args))
        if limit is not None and len(out) >= limit:
            break
    return out


def unsyncable(s: Session) -> int:
    """Outbox rows that are not ops (an import's row diffs) or cannot be read: they never
    reach the server, so their tickets stay on this workstation only."""
    total = s.scalar(select(func.count()).select_from(OutboxEntry)) or 0
    return int(total) - len(pending(s, 0))


def pending_on(s: Session, tickets: Collection[uuid.UUID]) -> list[PendingOp]:
    """The pending ops recorded on any of `tickets` (the op's own ticket, `row_id`), oldest
    first; `number` is meaningless here. Reads only those rows: a pull asks for every batch."""
    if not tickets:
        return []
    names = [str(t) for t in tickets]
    found: list[PendingOp] = []
    for start in range(0, len(names), 500):
        rows = s.scalars(select(OutboxEntry).where(
            OutboxEntry.op == OP_KIND, OutboxEntry.row_id.in_(names[start : start + 500])
        ))  # fmt: skip
        for entry in rows:
            try:
                args = json.loads(entry.payload)
            except ValueError:
                continue
            if isinstance(args, dict):
                found.append(_read(entry, 0, args))
    return sorted(found, key=lambda op: op.seq)


def waiting_of_others(s: Session, login: str) -> dict[str, int]:
    """Per acting person other than `login`, their ops still waiting on this workstation.

    Why it matters at a login: the server runs an op only as its token's person, so ops of a
    colleague who worked here (offline, then left) would be refused under someone else's
    login and undone — their work lost. They go first, under their own login."""
    waiting: dict[str, int] = {}
    for op in pending(s, 0):
        actor = op.args.get("actor")
        if isinstance(actor, str) and actor != login:
            waiting[actor] = waiting.get(actor, 0) + 1
    return waiting


def others_waiting_error(s: Session, login: str) -> SyncError | None:
    """The refusal of `login`'s login while colleagues' ops wait here (None: nothing waits)."""
    waiting = waiting_of_others(s, login)
    if not waiting:
        return None
    rows = s.execute(select(Person.login, Person.name).where(Person.login.in_(waiting)))
    names = {who: name for who, name in rows}
    shown = ", ".join(f"{names.get(who) or who} ({n})" for who, n in sorted(waiting.items()))
    return SyncError(
        "others_waiting",
        f"на этом рабочем месте ждут отправки операции другого сотрудника: {shown}; сервер "
        "примет их только от него самого — пусть он войдёт и синхронизирует их, потом "
        "входите вы; ничего не изменено",
        f"ops of another person wait to be sent from this workstation: {shown}; the server "
        "takes them only from that person — let them log in and sync first, then log in; "
        "nothing was changed",
    )


@dataclass(frozen=True)
class Acknowledged:
    answered: list[tuple[PendingOp, OpAnswer]]
    refresh: Refresh | None
    changed: frozenset[uuid.UUID]  # tickets the undo changed


def acknowledge(s: Session, sent: Sequence[PendingOp], answer: PushAnswer) -> Acknowledged:
    """Record the server's answer to `sent` in `s` (see the module docstring)."""
    last = answer.last_op
    if sent and last != sent[-1].number:  # more would mean ops we never sent were answered
        raise SyncError(
            "bad_response",
            f"сервер подтвердил операции до {last}, а отправлены {sent[0].number}–"
            f"{sent[-1].number}",
            f"the server acknowledged ops up to {last}, but {sent[0].number}-"
            f"{sent[-1].number} were sent",
        )
    state.set_last_op(s, last)  # first: the write lock, before anything is read
    by_number = {result.op: result for result in answer.results}
    answered = [(op, by_number.get(op.number) or OpAnswer(op.number, "duplicate")) for op in sent]
    s.execute(delete(OutboxEntry).where(OutboxEntry.seq.in_([op.seq for op, _ in answered])))
    wanted: Refresh | None = None
    changed: set[uuid.UUID] = set()
    for op, result in answered:
        kept = op.tickets - op.created
        if result.status == "refused":
            changed |= undo.drop_made(s, [op.seed] if op.seed else [])
            undo.drop_tickets(s, op.created)
            changed |= op.created
            refresh = undo.refresh_for(s, op.name, kept)
        elif result.status == "conflicted":
            # applied with the server's long text kept over this op's: bring the server's
            # texts back (the op's own is on the ticket's card, as a conflict to merge)
            refresh = undo.refresh_for(s, op.name, kept)
        elif result.status == "duplicate":
            # answered before, the answer lost: its rows come with the pull if it was
            # applied; if it was refused then, its undo is lost too (the check finds it)
            refresh = undo.refresh_for(s, op.name, kept, whole=False)
        else:
            continue
        if refresh is not None:
            wanted = refresh if wanted is None else wanted.merged(refresh)
    if wanted is not None:
        wanted = state.request_refresh(s, wanted)
    return Acknowledged(answered, wanted, frozenset(changed))
