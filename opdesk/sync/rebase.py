"""Pending ops kept on top of pulled rows: when a pull overwrites a ticket that still has
ops waiting for the server, those ops are run again on the server's version of the ticket.

Why re-run rather than keep the local row: the pulled row is the server's truth (another
workstation took the ticket, the worker flagged its SLA), the pending op is what this
operator did meanwhile; the operator must see both, as the server will make them — and
where the op no longer fits (the ticket was taken by someone else), see the server's state
until the server's answer explains the refusal.

How, in the pull's own transaction: the rows the pending ops made are removed first (by
their seeds' id ranges, except rows the batch itself just brought: those are the server's
copies of an op it already applied, its answer not yet here), then each op runs through
`apply_op` on a desk joined to this transaction, at the moment it was made, inside a
savepoint. The op's seed is opened as the op scope around it, so the command draws the same
ids as the first time and records no new outbox row (a command inside an open scope leaves
the op to its outer command). An op that is refused now, or whose rows the batch already
brought (the database refuses them twice), is rolled back to its savepoint: the ticket keeps
the server's state, and the op stays in the outbox for the server to answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opdesk.errors import EngineError
from opdesk.services.desk import Desk
from opdesk.services.ops import apply_op
from opdesk.services.writes import op_scope
from opdesk.sync import undo
from opdesk.sync.outbox import PendingOp


@dataclass(frozen=True)
class Rebased:
    kept: int  # pending ops applied again on top of the pulled rows
    dropped: int  # pending ops that no longer apply (the server will answer them)
    tickets: frozenset[uuid.UUID]


def reapply(
    s: Session, desk: Desk, ops: Sequence[PendingOp], keep: Collection[undo.Key]
) -> Rebased:
    """Run `ops` (oldest first) again on what `s` holds now; see the module docstring."""
    if not ops:
        return Rebased(0, 0, frozenset())
    touched = undo.drop_made(s, [op.seed for op in ops if op.seed is not None], keep)
    s.flush()
    s.expire_all()  # the ORM must read the pulled rows, not what it saw before
    kept = dropped = 0
    for op in ops:
        savepoint = s.begin_nested()
        try:
            with op_scope(s, op.seed):
                result = apply_op(desk.joined(s, op.at), op.name, op.args)
                if result.ok:
                    s.flush()  # inside the savepoint: a row already there is refused here
        except (EngineError, IntegrityError):  # malformed here, or its rows are already there
            savepoint.rollback()
            dropped += 1
            continue
        if result.ok:
            savepoint.commit()
            kept += 1
        else:
            savepoint.rollback()
            dropped += 1
        touched |= op.tickets
    s.expire_all()
    return Rebased(kept, dropped, frozenset(touched))
