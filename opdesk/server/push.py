"""Applying a workstation's batch of ops: all of it and the client's new `last_op` in ONE
PostgreSQL transaction, each op in a savepoint of its own.

Why one transaction with `last_op`: a batch whose answer was lost is sent again; its ops are
then at or below `last_op` and answered "duplicate" without running, so nothing is applied
twice — and since the ops and `last_op` commit together, there is no moment where one is
written without the other (a server killed mid-batch leaves neither). Why a savepoint per op:
an op the regulation, the roles or the database refuses must leave nothing, while the others
of the batch stand; it still counts as answered (the workstation undoes it locally), so
`last_op` passes it.

Who acts is the token's person: an op whose `args.actor` names anyone else is refused, and the
role is checked (`roles.refusal`) before the op runs through `opdesk.services.ops.apply_op` —
the same commands as on the workstation, at the server's time, on the server's state.

Concurrency: a command reads a ticket, judges it and writes it back, which under READ
COMMITTED would let two batches judge the same old state (two owners after two takes). So the
op's ticket row is locked `FOR UPDATE` before the op runs, till the batch commits: two
workstations taking one ticket are judged one after the other, and the second is told it is
taken. A deadlock between batches locking tickets in different orders rolls the whole batch
back and runs it again. (New tickets' numbers come from PostgreSQL's sequence, see
`registration._next_id`: concurrent creates need no lock here.)
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, event, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from opdesk.clock import Clock
from opdesk.errors import EngineError
from opdesk.models import OutboxEntry, Ticket
from opdesk.regulations.pack import Pack
from opdesk.server import conflicts, roles
from opdesk.server.accounts import Principal
from opdesk.server.api_errors import ApiError
from opdesk.server.api_models import (
    OpResult,
    PushOp,
    PushRequest,
    PushResponse,
    ReasonOut,
    TicketOut,
)
from opdesk.server.auth_http import Gate
from opdesk.server.push_checks import check_names, check_order, client_last_op
from opdesk.server.tables import sync_clients
from opdesk.services.desk import Desk
from opdesk.services.ops import OPS, apply_op, remember_ticket
from opdesk.services.results import CommandResult
from opdesk.services.writes import keep_no_outbox
from opdesk.store.database import Database

log = logging.getLogger("opdesk.server.push")

CREATING = frozenset(name for name, spec in OPS.items() if spec.creates)
RETRYABLE = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected
ATTEMPTS = 3
NOTIFY_CHANNEL = "opdesk_changes"


# Built once: every op runs it (see _lock_ticket).
_TICKET_LOCKED = select(Ticket).where(Ticket.uuid == bindparam("key")).with_for_update()


class _Retry(Exception):
    """The batch lost a deadlock: roll everything back and run it again."""


class _Undo(Exception):
    """The command refused: roll its op's savepoint back."""


@dataclass
class _InBatch(Database):
    """The batch's open transaction lent to the commands. A command's "transaction" ends with
    a flush (so a constraint fails inside the command, as a commit would fail on the
    workstation) but commits nothing: the op's savepoint (`_run`) keeps or drops it all."""

    session: Session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        yield self.session
        self.session.flush()


@dataclass(frozen=True)
class Pusher:
    """What every batch needs: the database, the regulation pack, the server's clock and the
    token checks."""

    engine: Engine
    sessions: sessionmaker[Session]
    pack: Pack
    clock: Clock
    gate: Gate

    def push(self, token: str, request: PushRequest) -> PushResponse:
        """Apply the batch of the token's person, if they may push here (else the refusal).

        The token is checked inside the batch's transaction, on its connection: one pool
        checkout and one transaction a push instead of two (each costs round trips — the
        pool's ping, BEGIN, the ROLLBACK on return — and a push of one op is mostly these)."""
        for _attempt in range(ATTEMPTS):
            try:
                return self._push_once(token, request)
            except _Retry:
                continue
        raise ApiError(
            503,
            "busy",
            "сервер занят (взаимная блокировка с другими пакетами); повторите отправку",
            "the server is busy (deadlocked with other batches); send the batch again",
            {"Retry-After": "1"},
        )

    def _push_once(self, token: str, request: PushRequest) -> PushResponse:
        with self.sessions.begin() as session:
            # the client row is checked below, locked (client_last_op): not twice
            principal, training = self.gate.allow(
                token, "push", session.connection(), check_client=False
            )
            check_names(request.ops)
            keep_no_outbox(session)
            event.listen(session, "before_flush", no_outbox)  # any other outbox row
            last = client_last_op(session, principal, training, request.client_id)
            check_order(request.ops, last)
            results = []
            answered = conflicts.kept_answers(
                session, request.client_id, [op.op for op in request.ops if op.op <= last]
            )
            for op in request.ops:
                if op.op <= last:
                    kept = answered.get(op.op)  # refused or conflicted: answered so again
                    results.append(
                        kept or OpResult(op=op.op, status="duplicate", **_tickets(session, op))
                    )
                else:
                    result = self._apply(session, principal, training, op)
                    conflicts.keep_answer(session, request.client_id, result, self.clock.now())
                    results.append(result)
            new_last = max(last, request.ops[-1].op) if request.ops else last
            session.execute(
                update(sync_clients)
                .where(sync_clients.c.client_id == request.client_id)
                .values(last_op=new_last, seen_at=self.clock.now())
            )
            if any(result.status in ("applied", "conflicted") for result in results):
                # delivered on commit only: listeners wake for committed changes
                session.execute(text("SELECT pg_notify(:c, 'push')"), {"c": NOTIFY_CHANNEL})
        return PushResponse(results=results, last_op=new_last)

    def _apply(
        self, session: Session, principal: Principal, training: bool, op: PushOp
    ) -> OpResult:
        actor = op.args.get("actor")
        if actor != principal.login:
            shown = repr(actor)[:70]
            return _refused(
                op,
                "actor_mismatch",
                f"args.actor: операция от имени {shown}, а вошёл «{principal.login}»; на "
                "сервере действует только владелец токена; ничего не записано",
                f"args.actor: the op acts as {shown} but '{principal.login}' is logged in; on "
                "the server only the token's person acts; nothing was written",
            )
        refusal = roles.refusal(principal.role, op.name, training_server=training)
        if refusal is not None:
            return _refused(op, refusal.code, refusal.message_ru, refusal.message_en)
        desk = Desk(_InBatch(self.engine, self.sessions, session), self.pack, self.clock)
        kept: list[conflicts.Kept] = []
        try:
            result, kept = _run(session, desk, op)
        except EngineError as exc:  # OpError: a malformed op; nothing of it was written
            return _refused(op, "bad_op", exc.message_ru, exc.message_en)
        except DBAPIError as exc:
            state = getattr(exc.orig, "sqlstate", None) or ""
            if state in RETRYABLE:
                raise _Retry from exc
            return _database_refused(op, exc, state)
        except Exception:  # a bug must not stall the workstation's queue: refuse, log, go on
            log.exception("op %s (%s) failed unexpectedly; refused", op.op, op.name)
            return _refused(
                op,
                "internal",
                "внутренняя ошибка сервера при выполнении операции; ничего не записано",
                "internal server error while running the op; nothing was written",
            )
        reasons = [
            _reason(r.rule, r.text, r.detail, r.text_en, r.detail_en) for r in result.reasons
        ]
        now = self.clock.now()
        if not result.ok:
            conflicts.record_refused(session, op.args, principal.login, op.name, reasons, now)
            return OpResult(op=op.op, status="refused", reasons=reasons)
        if kept:
            ticket = uuid.UUID(op.args["ticket"])  # settle found the ticket by it
            conflicts.record_kept(session, ticket, principal.login, op.name, kept, now)
            reasons += [k.reason() for k in kept]
            return OpResult(op=op.op, status="conflicted", reasons=reasons)
        return OpResult(op=op.op, status="applied", reasons=reasons, **_tickets(session, op))


def _run(session: Session, desk: Desk, op: PushOp) -> tuple[CommandResult, list[conflicts.Kept]]:
    """Run the op in a savepoint kept only if the command was carried out: a refusal
    (answered, not raised, by `Desk.run`) and any exception leave nothing of the op. Long
    texts are settled first, under the ticket's lock (conflicts.settle)."""
    result: CommandResult | None = None
    kept: list[conflicts.Kept] = []
    try:
        with session.begin_nested():
            ticket = _lock_ticket(session, op.args.get("ticket"))
            args, kept = conflicts.settle(session, ticket, op.name, op.args)
            result = apply_op(desk, op.name, args)
            if not result.ok:
                raise _Undo
    except _Undo:
        pass
    assert result is not None
    return result, kept


def _lock_ticket(session: Session, ticket: Any) -> Ticket | None:
    """Lock the op's ticket row till the batch commits (see the module docstring).

    The whole row is loaded, not only its id, and handed to the op's resolution
    (`ops.remember_ticket`): `apply_op` takes the ticket's id from it and the command the
    ticket itself, instead of asking the database twice more (a push is mostly round trips)."""
    if not isinstance(ticket, str):
        return None
    try:
        key = uuid.UUID(ticket)
    except ValueError:
        return None  # apply_op names the bad argument
    row = session.scalars(_TICKET_LOCKED, {"key": key}).first()
    if row is not None:
        remember_ticket(session, row)
    return row


def _tickets(session: Session, op: PushOp) -> dict[str, Any]:
    """The server's numbers of the tickets a creating op made (none if it made none)."""
    if op.name not in CREATING:
        return {}
    wanted = op.args.get("tickets") if op.name == "register_call" else [op.args.get("ticket")]
    keys = []
    for value in wanted if isinstance(wanted, list) else []:
        try:
            keys.append(uuid.UUID(value))
        except (TypeError, ValueError, AttributeError):
            continue
    if not keys:
        return {}
    rows = session.execute(select(Ticket.uuid, Ticket.number).where(Ticket.uuid.in_(keys)))
    found = {key: number for key, number in rows}
    made = [TicketOut(uuid=key, number=found[key]) for key in keys if key in found]
    return {"ticket": made[0] if made else None, "tickets": made}


def _reason(rule: str, text_ru: str, detail_ru: str, text_en: str, detail_en: str) -> ReasonOut:
    return ReasonOut(
        rule=rule,
        message_ru=f"{text_ru} — {detail_ru}" if detail_ru else text_ru,
        message_en=f"{text_en} — {detail_en}" if detail_en else text_en,
    )


def _refused(op: PushOp, rule: str, ru: str, en: str) -> OpResult:
    return OpResult(op=op.op, status="refused", reasons=[ReasonOut(rule=rule, message_ru=ru,
                                                                   message_en=en)])  # fmt: skip


def _database_refused(op: PushOp, exc: DBAPIError, state: str) -> OpResult:
    """The database refused one op (a value too long for its column, a constraint): that op
    is refused with PostgreSQL's own words — which name the rule, never the values."""
    diag = getattr(exc.orig, "diag", None)
    primary = (getattr(diag, "message_primary", None) or type(exc.orig).__name__)[:200]
    log.warning("op %s (%s) refused by the database: %s %s", op.op, op.name, state, primary)
    return _refused(
        op,
        "database",
        f"база данных отклонила операцию ({state}: {primary}); ничего из неё не записано",
        f"the database refused the op ({state}: {primary}); nothing of it was written",
    )


def no_outbox(session: Session, _context: Any, _instances: Any) -> None:
    """The server keeps no outbox: the ops it re-runs are the workstations', already answered
    through `last_op`, and its own changes (the worker's) reach workstations by pull. A push's
    commands record no op (`keep_no_outbox`); this drops any outbox row written all the same."""
    for obj in list(session.new):
        if isinstance(obj, OutboxEntry):
            session.expunge(obj)
