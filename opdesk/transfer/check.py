"""Validating imported tickets with the pack and the rule engine, before anything is written.

Why a separate pass: an import is all-or-nothing, and a person fixing a file wants *every*
problem at once (line number, field, reason in Russian and English), not the first one after
half the file went in. Each record is turned into a `Checked` value whose fields are already
canonical (status id, pack priority, aware datetimes), so the writer does no second guessing.
A closed ticket must pass the closing checklist (C-01…C-11) exactly as the close command would.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from opdesk.errors import EngineError
from opdesk.regulations.checklist import evaluate_checklist
from opdesk.regulations.pack import Pack
from opdesk.regulations.snapshot import (
    ClosureSnap,
    CommentSnap,
    OutgoingSnap,
    StatusEvent,
    TicketSnapshot,
)
from opdesk.transfer.fields import (
    Bad,
    _bool,
    _category,
    _client,
    _closure,
    _comments,
    _confirmations,
    _history,
    _int_or_none,
    _outgoing,
    _process,
    _req,
    _stage,
    _status,
    _text,
    _uuid,
    moment,
)

TEXT_FIELDS = (
    "channel",
    "contact_phone",
    "subject",
    "theme",
    "type",
    "subtheme",
    "product",
    "owner",
    "department",
    "arm_processed_by",
    "scheme_recorded_by",
    "resolved_by_department",
    "outcome",
    "closing_delay",
    "closed_via",
)
BOOL_FIELDS = (
    "paid",
    "scheme_permanent",
    "needs_closing",
    "notify_client",
    "client_dissatisfied",
    "client_allows_closing",
)
BOOL_DEFAULTS = {"notify_client": True}
MOMENT_FIELDS = ("created_at", "updated_at", "arm_processed_at", "closed_at")
NESTED_FIELDS = ("client", "comments", "closure", "confirmations", "history", "outgoing")
# Every top-level key a record may carry (what the export writes); anything else is a typo
# whose value would otherwise be lost without a word.
KNOWN_FIELDS = frozenset(
    {
        "uuid",
        "number",
        "process",
        "status",
        "stage",
        "category",
        "priority",
        "resolution_limit_minutes",
        *MOMENT_FIELDS,
        *TEXT_FIELDS,
        *BOOL_FIELDS,
        *NESTED_FIELDS,
    }
)


@dataclass(frozen=True)
class Problem:
    """One reason a row is refused, with its line in the file."""

    line: int
    field: str
    message_ru: str
    message_en: str

    def __str__(self) -> str:
        return (
            f"строка {self.line}: {self.field}: {self.message_ru} / "
            f"line {self.line}: {self.field}: {self.message_en}"
        )


@dataclass
class Checked:
    """A valid record in canonical form, ready to be written."""

    line: int
    record: dict[str, Any]
    ticket_uuid: uuid.UUID
    fields: dict[str, Any]
    snapshot: TicketSnapshot
    history: tuple[StatusEvent, ...]
    outgoing: list[dict[str, Any]] = field(default_factory=list)


def check_record(pack: Pack, line: int, rec: Any) -> tuple[Checked | None, list[Problem]]:
    """Every problem of one record (an empty list means it may be imported)."""
    problems: list[Problem] = []
    if not isinstance(rec, Mapping):
        return None, [Problem(line, "—", "ожидается объект JSON", "expected a JSON object")]

    def guard(name: str, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except Bad as exc:
            problems.append(Problem(line, exc.field, exc.ru, exc.en))
        except EngineError as exc:
            problems.append(Problem(line, name, exc.message_ru, exc.message_en))
        return None

    unknown = sorted(str(k) for k in rec if k not in KNOWN_FIELDS)
    if unknown:
        problems.append(
            Problem(
                line,
                ", ".join(unknown),
                "неизвестные поля (опечатка в имени? значение было бы потеряно)",
                "unknown fields (a typo in the name? the value would be lost)",
            )
        )
    out: dict[str, Any] = {}
    number = rec.get("number")
    if not isinstance(number, str) or not number.strip():
        problems.append(Problem(line, "number", "номер обязателен", "the number is required"))
    else:
        number = number.strip()  # " СЗ-500100 " is the same ticket as "СЗ-500100"
    out["number"] = number
    tid = guard("uuid", _uuid, rec.get("uuid"))
    for name in MOMENT_FIELDS:
        out[name] = guard(name, moment, name, rec.get(name), name == "created_at")
    for name in TEXT_FIELDS:
        out[name] = guard(name, _text, name, rec.get(name, ""))
    for name in BOOL_FIELDS:
        out[name] = guard(name, _bool, name, rec.get(name, BOOL_DEFAULTS.get(name, False)))
    flow = guard("process", _process, pack, rec.get("process"), rec.get("channel"))
    out["process"] = flow.id if flow else None
    status = guard("status", _status, pack, flow, rec.get("status")) if flow else None
    out["status"] = status.id if status else None
    out["stage"] = guard("stage", _stage, pack, flow, status, rec.get("stage")) if status else None
    out["category"] = (
        guard("category", _category, pack, flow, rec.get("category")) if flow else None
    )
    out["priority"] = guard("priority", lambda: pack.sla.canonical_priority(_req(rec, "priority")))
    out["resolution_limit_minutes"] = guard(
        "resolution_limit_minutes",
        _int_or_none,
        "resolution_limit_minutes",
        rec.get("resolution_limit_minutes"),
    )
    if out["department"] and pack.departments.find(out["department"]) is None:
        problems.append(
            Problem(
                line,
                "department",
                f"нет отдела «{out['department']}» в пакете",
                f"no department {out['department']!r} in the pack",
            )
        )
    client = guard("client", _client, rec.get("client") or {})
    comments = guard("comments", _comments, rec.get("comments") or [])
    closure = guard("closure", _closure, rec.get("closure"))
    confirmations = guard("confirmations", _confirmations, rec.get("confirmations") or [])
    history = guard("history", _history, pack, flow, rec.get("history") or []) if flow else None
    outgoing = guard("outgoing", _outgoing, pack, rec.get("outgoing") or [])
    if problems:
        return None, problems
    if not history:
        history = (StatusEvent(out["created_at"], out["status"], out["stage"]),)
    elif history[-1].status != out["status"]:
        problems.append(
            Problem(
                line,
                "history",
                "последнее событие истории не совпадает со статусом тикета",
                "the last history entry differs from the ticket's status",
            )
        )
    assert flow is not None
    problems.extend(_closed_at_problems(line, flow.is_terminal(out["status"]), out))
    if flow.sla_plans and out["category"] is not None and out["priority"] is not None:
        limit = out["resolution_limit_minutes"]
        guard(
            "resolution_limit_minutes",
            pack.sla_engine.limits_for,
            out["category"],
            out["priority"],
            dt.timedelta(minutes=limit) if limit is not None else None,
        )
    snap = TicketSnapshot(
        number=number or "",
        process=flow.id,
        created_at=out["created_at"],
        channel=out["channel"],
        status=out["status"],
        stage=out["stage"],
        theme=out["theme"],
        type=out["type"],
        subtheme=out["subtheme"],
        product=out["product"],
        category=out["category"],
        priority=out["priority"],
        owner=out["owner"],
        department=out["department"],
        client=client,
        paid=out["paid"],
        arm_processed_by=out["arm_processed_by"],
        arm_processed_at=out["arm_processed_at"],
        scheme_permanent=out["scheme_permanent"],
        scheme_recorded_by=out["scheme_recorded_by"],
        needs_closing=out["needs_closing"],
        notify_client=out["notify_client"],
        client_dissatisfied=out["client_dissatisfied"],
        client_allows_closing=out["client_allows_closing"],
        resolved_by_department=out["resolved_by_department"],
        outcome=out["outcome"],
        closing_delay=out["closing_delay"],
        templates_sent=tuple(c["template_id"] for c in comments if c["template_id"]),
        resolution_limit_minutes=out["resolution_limit_minutes"],
        closure=closure or ClosureSnap(),
        confirmations=confirmations,
        comments=tuple(
            CommentSnap(c["kind"], c["text"], c["at"], c["author"], c["tags"]) for c in comments
        ),
        history=history,
        outgoing=tuple(
            OutgoingSnap(o["department"], o["sent_at"], o["answered_at"]) for o in outgoing
        ),
        closed_at=out["closed_at"],
        closed_via=out["closed_via"],
    )
    if flow.closing_schemes and flow.is_terminal(out["status"]):  # 000: closed by the checklist
        result = evaluate_checklist(pack.closing, snap, pack.lists)
        for reason in result.reasons:
            problems.append(
                Problem(
                    line,
                    f"closing checklist {reason.rule}",
                    f"закрытый тикет не проходит чек-лист закрытия: {reason.detail}",
                    f"a closed ticket fails the closing checklist: {reason.detail_en}",
                )
            )
    if problems:
        return None, problems
    out["comments"] = comments
    return Checked(line, dict(rec), tid or uuid.uuid4(), out, snap, history, outgoing), []


def _closed_at_problems(line: int, terminal: bool, out: Mapping[str, Any]) -> list[Problem]:
    """A closed ticket needs the moment it was closed, and not before it was created."""
    if not terminal:
        return []
    closed, created = out["closed_at"], out["created_at"]
    if closed is None:
        return [
            Problem(
                line,
                "closed_at",
                f"тикет в конечном статусе «{out['status']}» без даты закрытия",
                f"a ticket in the terminal status {out['status']!r} has no closed_at",
            )
        ]
    if created is not None and closed < created:
        return [
            Problem(
                line,
                "closed_at",
                f"дата закрытия {closed.isoformat()} раньше даты создания {created.isoformat()}",
                f"closed_at {closed.isoformat()} is before created_at {created.isoformat()}",
            )
        ]
    return []
