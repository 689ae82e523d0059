"""The server's side of the per-field conflict policy, and the answers kept for retries.

Long texts (services.conflicts.LONG_TEXTS): an op carries `base`, each long text it changes
as the workstation had it before. Before the op runs, `settle` compares with the server's
text, for each text the op brings:
- the op did not edit it (its value is its base): the server's text stays — the op only
  carried it along (a closure report is saved whole), and must not undo someone else's edit;
- the op edited it and the server still has the base: the op's text is written (no conflict);
- the op edited it and the server's text is neither the base nor the op's: someone else
  edited it meanwhile. The server keeps its text, the op runs with it, and the op's text is
  kept in a `TicketConflict` for a manual merge; the op is answered "conflicted".
Why not last-writer-wins: an operator's paragraph of cause and actions overwritten without a
word by a colleague's offline edit is exactly the silent loss DESIGN.md forbids.

Refusals: an op on a ticket that the rule engine refuses on the server's state (a take lost to
a colleague, a status that moved on) is recorded on the ticket as a `refused` conflict too, so
the card says what happened to it on every workstation, not only in the status bar of the one
that sent it.

Answers for retries (`op_answers`): a refused or conflicted answer is stored with the client's
op number, so a batch sent again after its answer was lost is answered as the first time, not
"duplicate" — the workstation still undoes a refused op and tells the operator why.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from opdesk.models import Ticket, TicketConflict
from opdesk.server.api_models import OpResult, ReasonOut
from opdesk.server.tables import op_answers
from opdesk.services.conflicts import CLOSURE_TEXTS, TICKET_TEXTS, current_texts

# Where each op that writes long texts carries them in its arguments.
TOP_LEVEL = {"fill_closure": CLOSURE_TEXTS}
IN_DRAFT = {"save_closing": CLOSURE_TEXTS, "close_with_report": CLOSURE_TEXTS}
TEXT_OPS = frozenset({"set_fields", "resolve_conflict", *TOP_LEVEL, *IN_DRAFT})
FIELD_NAMES = {  # as the card names them
    "subject": ("Тема", "Subject"),
    "cause": ("Причина", "Cause"),
    "actions": ("Выполненные действия", "Actions taken"),
    "comment": ("Комментарий закрытия", "Closing comment"),
}
KEPT_STATUSES = ("refused", "conflicted")


@dataclass(frozen=True)
class Kept:
    """A long text the server kept over the op's."""

    field: str
    server: str
    local: str

    def reason(self) -> ReasonOut:
        ru, en = FIELD_NAMES.get(self.field, (self.field, self.field))
        return ReasonOut(
            rule="text_conflict",
            message_ru=f"«{ru}»: текст уже изменили на сервере; оставлен серверный, ваш "
            "сохранён в карточке заявки для объединения",
            message_en=f"{en}: the text was changed on the server meanwhile; the server's is "
            "kept, yours is saved on the ticket's card to merge",
        )


def settle(session: Session, ticket: Ticket | None, name: str, args: Any) -> tuple[Any, list[Kept]]:
    """The op's arguments with the server's long texts where the policy keeps them (see the
    module docstring), and the texts kept over the op's edit. `ticket`: the op's ticket as
    push locked it (None: the op names none this desk has). Arguments of the wrong shape are
    returned as they are: `apply_op` refuses them with their path."""
    if name not in TEXT_OPS or not isinstance(args, dict):
        return args, []
    base = args.get("base")
    if not isinstance(base, dict) or ticket is None:
        return args, []
    brought = _texts(session, name, args)
    if not brought:
        return args, []
    current = current_texts(session, ticket)
    replaced: dict[str, str] = {}
    kept: list[Kept] = []
    for field, value in brought.items():
        seen = base.get(field)
        if not isinstance(seen, str) or field not in current:
            continue  # no base: the workstation did not say what it saw; the op's text stands
        server = current[field]
        if value == seen:
            if server != value:
                replaced[field] = server
        elif server not in (seen, value):
            replaced[field] = server
            kept.append(Kept(field, server, value))
    return (_with(name, args, replaced) if replaced else args), kept


def record_kept(
    session: Session, ticket: uuid.UUID, person: str, op_name: str, kept: Iterable[Kept],
    now: dt.datetime,
) -> None:  # fmt: skip
    for k in kept:
        session.add(TicketConflict(
            ticket_id=ticket, at=now, person=person, op_name=op_name, kind="text",
            field=k.field, server_value=k.server, local_value=k.local, reasons="[]",
            resolved_at=None, resolved_by="",
        ))  # fmt: skip


def record_refused(
    session: Session, args: Any, person: str, op_name: str, reasons: Sequence[ReasonOut],
    now: dt.datetime,
) -> None:  # fmt: skip
    """A refused op on an existing ticket, on that ticket (resolved at once: nothing to
    merge). An op naming no ticket of this desk (a refused create) has no card to show it."""
    ticket = _ticket(session, args.get("ticket") if isinstance(args, dict) else None)
    if ticket is None:
        return
    said = [{"rule": r.rule, "ru": r.message_ru, "en": r.message_en} for r in reasons]
    session.add(TicketConflict(
        ticket_id=ticket.uuid, at=now, person=person, op_name=op_name, kind="refused",
        field="", server_value="", local_value="", reasons=json.dumps(said, ensure_ascii=False),
        resolved_at=now, resolved_by="",
    ))  # fmt: skip


def keep_answer(session: Session, client_id: uuid.UUID, result: OpResult, now: dt.datetime) -> None:
    """Store a refused or conflicted answer for a retried batch (module docstring)."""
    if result.status not in KEPT_STATUSES:
        return
    reasons = [r.model_dump() for r in result.reasons]
    session.execute(insert(op_answers).values(
        client_id=client_id, op=result.op, status=result.status,
        reasons=json.dumps(reasons, ensure_ascii=False), at=now,
    ))  # fmt: skip


def kept_answers(session: Session, client_id: uuid.UUID, ops: Sequence[int]) -> dict[int, OpResult]:
    """The stored answers among `ops` (a retried batch's numbers at or below `last_op`)."""
    if not ops:
        return {}
    rows = session.execute(
        select(op_answers.c.op, op_answers.c.status, op_answers.c.reasons).where(
            op_answers.c.client_id == client_id, op_answers.c.op.in_(list(ops))
        )
    )
    out = {}
    for op, status, reasons in rows:
        said = [ReasonOut.model_validate(r) for r in json.loads(reasons)]
        out[int(op)] = OpResult(op=int(op), status=status, reasons=said)
    return out


# -- the texts an op brings ---------------------------------------------------------------------


def _ticket(session: Session, value: Any) -> Ticket | None:
    if not isinstance(value, str):
        return None
    try:
        key = uuid.UUID(value)
    except ValueError:
        return None
    return session.scalars(select(Ticket).where(Ticket.uuid == key)).first()


def _conflict_field(session: Session, args: dict[str, Any]) -> str | None:
    try:
        row = session.get(TicketConflict, uuid.UUID(str(args.get("conflict"))))
    except ValueError:
        return None
    return row.field if row is not None and row.kind == "text" else None


def _texts(session: Session, name: str, args: dict[str, Any]) -> dict[str, str]:
    """{field: the op's text} for the long texts the op brings (strings only)."""
    fields: tuple[str, ...]
    if name == "set_fields":
        holder, fields = args.get("fields"), TICKET_TEXTS
    elif name == "resolve_conflict":
        field = _conflict_field(session, args)
        value = args.get("value")
        return {field: value} if field is not None and isinstance(value, str) else {}
    elif name in TOP_LEVEL:
        holder, fields = args, TOP_LEVEL[name]
    else:
        holder, fields = args.get("draft"), IN_DRAFT[name]
    if not isinstance(holder, dict):
        return {}
    return {f: holder[f] for f in fields if isinstance(holder.get(f), str)}


def _with(name: str, args: dict[str, Any], replaced: dict[str, str]) -> dict[str, Any]:
    out = copy.deepcopy(args)
    if name == "set_fields":
        out["fields"].update(replaced)
    elif name == "resolve_conflict":
        out["value"] = next(iter(replaced.values()))
    elif name in TOP_LEVEL:
        out.update(replaced)
    else:
        out["draft"].update(replaced)
    return out
