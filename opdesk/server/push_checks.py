"""What a batch must pass before any of its ops runs — each failure refuses the whole batch
with nothing written: names no OpDesk knows (422), a workstation that is not the token's
person's or is on the other side of the training line (403), op numbers that do not follow
the client's `last_op` (409).

Why whole-batch refusals here and op refusals in push.py: these say the client and server
disagree about the protocol or the client's identity or place in its queue, where running
any op would be guessing; an op the regulation, the roles or the database refuses is an
answer the workstation can act on (undo it locally), so its batch goes on.
"""

from __future__ import annotations

import itertools
import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from opdesk.server import roles
from opdesk.server.accounts import Principal
from opdesk.server.api_errors import ApiError
from opdesk.server.api_models import PushOp
from opdesk.server.tables import sync_clients
from opdesk.services.ops import OPS


def check_names(ops: list[PushOp]) -> None:
    """Refuse a batch naming an op no OpDesk knows — neither a command of the services nor an
    action of the roles table: a client speaking another protocol. A known action that is not
    a command (a lead's `bulk_reassign`) is judged op by op, by the roles first."""
    known = set(OPS) | set(roles.PERMISSIONS)
    unknown = sorted({op.name for op in ops if op.name not in known})
    if unknown:
        shown = ", ".join(repr(name) for name in unknown[:5])
        raise ApiError(
            422,
            "unknown_op",
            f"неизвестные операции: {shown}; известны: {', '.join(OPS)}; ничего не записано",
            f"unknown ops: {shown}; known: {', '.join(OPS)}; nothing was written",
        )


_CLIENT_LOCKED = (  # built once: every push runs it
    select(sync_clients).where(sync_clients.c.client_id == bindparam("client")).with_for_update()
)


def client_last_op(
    session: Session, principal: Principal, training: bool, client_id: uuid.UUID
) -> int:
    """The client's last answered op, its row locked: one batch of a client at a time (a
    retry racing the original waits for it, then finds its ops answered). The workstation
    must be the one the token was issued to, registered to the token's person."""
    row = session.execute(_CLIENT_LOCKED, {"client": client_id}).first()
    if (
        row is None
        or row.person_id != principal.person_id
        or (principal.client_id is not None and principal.client_id != client_id)
    ):
        raise ApiError(
            403,
            "wrong_client",
            "рабочее место не принадлежит вошедшему (войдите с этого места заново); "
            "ничего не записано",
            "this workstation is not the logged-in person's (log in from it again); "
            "nothing was written",
        )
    if row.training != training:
        raise training_mismatch(training)
    return int(row.last_op)


def training_mismatch(server_training: bool) -> ApiError:
    if server_training:
        ru = "это учебный сервер, а рабочее место рабочее: синхронизация запрещена"
        en = "this is a training server and the workstation a production one: no sync"
    else:
        ru = "это рабочий сервер, а рабочее место учебное: синхронизация запрещена"
        en = "this is a production server and the workstation a training one: no sync"
    return ApiError(403, "training_mismatch", ru, en)


def check_order(ops: list[PushOp], last: int) -> list[PushOp]:
    """The ops not answered yet. The batch must be a run of consecutive numbers whose first
    new op is `last + 1`; else the workstation must send again from `last + 1` (an empty
    batch answers `last_op`)."""
    for before, after in itertools.pairwise(ops):
        if after.op != before.op + 1:
            raise _gap(
                f"номера операций идут не подряд ({before.op}, затем {after.op})",
                f"op numbers are not consecutive ({before.op}, then {after.op})",
                last,
            )
    fresh = [op for op in ops if op.op > last]
    if fresh and fresh[0].op != last + 1:
        raise _gap(
            f"ожидалась операция {last + 1}, пришла {fresh[0].op}",
            f"expected op {last + 1}, got {fresh[0].op}",
            last,
        )
    return fresh


def _gap(ru: str, en: str, last: int) -> ApiError:
    return ApiError(
        409,
        "op_gap",
        f"{ru}; последняя принятая сервером операция — {last}; ничего не записано",
        f"{en}; the server's last answered op is {last}; nothing was written",
    )
