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

from opdesk.models.closure import CONFIRMATION_KINDS
from opdesk.regulations.checklist import evaluate_checklist
from opdesk.regulations.errors import EngineError
from opdesk.regulations.pack import Pack
from opdesk.regulations.snapshot import (
    ClientSnap,
    ClosureSnap,
    CommentSnap,
    ConfirmationSnap,
    OutgoingSnap,
    SparePartSnap,
    StatusEvent,
    TicketSnapshot,
)
from opdesk.regulations.statuses import find_status

CLIENT_CATEGORIES = ("VIP", "Важный", "обычный")
COMMENT_KINDS = ("note", "call_result", "callback_attempt", "client_reply", "reply")
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


class Bad(Exception):
    def __init__(self, field: str, ru: str, en: str) -> None:
        self.field, self.ru, self.en = field, ru, en
        super().__init__(f"{field}: {ru} / {en}")


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

    out: dict[str, Any] = {}
    number = rec.get("number")
    if not isinstance(number, str) or not number.strip():
        problems.append(Problem(line, "number", "номер обязателен", "the number is required"))
    out["number"] = number
    tid = guard("uuid", _uuid, rec.get("uuid"))
    for name in MOMENT_FIELDS:
        out[name] = guard(name, moment, name, rec.get(name), name == "created_at")
    for name in TEXT_FIELDS:
        out[name] = guard(name, _text, name, rec.get(name, ""))
    for name in BOOL_FIELDS:
        out[name] = guard(name, _bool, name, rec.get(name, BOOL_DEFAULTS.get(name, False)))
    status = guard("status", _status, pack, rec.get("status"))
    out["status"] = status.id if status else None
    out["stage"] = guard("stage", _stage, pack, status, rec.get("stage")) if status else None
    out["category"] = guard("category", _category, pack, rec.get("category"))
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
    history = guard("history", _history, pack, rec.get("history") or [])
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
    if out["category"] is not None and out["priority"] is not None:
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
    if out["status"] == "closed":
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


# -- field readers (raise Bad naming the field) -----------------------------------------------


def _req(rec: Mapping[str, Any], name: str) -> Any:
    value = rec.get(name)
    if value is None or value == "":
        raise Bad(name, "поле обязательно", "the field is required")
    return value


def moment(name: str, value: Any, required: bool = False) -> dt.datetime | None:
    if value is None or value == "":
        if required:
            raise Bad(name, "поле обязательно", "the field is required")
        return None
    if not isinstance(value, str):
        raise Bad(name, "ожидается момент ISO 8601", "expected an ISO 8601 moment")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Bad(name, f"«{value}» — не момент ISO 8601", f"{value!r} is not ISO 8601") from None
    if parsed.tzinfo is None:
        raise Bad(name, "у момента нет часового пояса", "the moment has no time zone")
    return parsed.astimezone(dt.UTC)


def _uuid(value: Any) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Bad("uuid", f"«{value}» — не UUID", f"{value!r} is not a UUID") from None


def _text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Bad(name, "ожидается строка", "expected a string")
    return value


def _bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise Bad(name, "ожидается true/false", "expected true/false")


def _int_or_none(name: str, value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Bad(name, "ожидается целое число", "expected an integer")
    return value


def _status(pack: Pack, value: Any) -> Any:
    if value is None or value == "":
        raise Bad("status", "поле обязательно", "the field is required")
    return find_status(pack.statuses, str(value))


def _stage(pack: Pack, status: Any, value: Any) -> str:
    if status.stage != "*":
        if value not in (None, "", status.stage):
            raise Bad(
                "stage",
                f"статус «{status.name}» означает стадию «{status.stage}»",
                f"status {status.id!r} means stage {status.stage!r}",
            )
        return str(status.stage)
    if value in (None, ""):
        return "processing"
    if value not in pack.stages.order:
        listed = ", ".join(pack.stages.order)
        raise Bad(
            "stage",
            f"неизвестная стадия «{value}»; допустимы: {listed}",
            f"unknown stage {value!r}; valid: {listed}",
        )
    return str(value)


def _category(pack: Pack, value: Any) -> str:
    if value is None or value == "":
        raise Bad("category", "поле обязательно", "the field is required")
    pack.sla.plan_for(str(value))  # EngineError names B-05 and the valid categories
    return str(value)


def _client(value: Any) -> ClientSnap:
    if not isinstance(value, Mapping):
        raise Bad("client", "ожидается объект", "expected an object")
    category = value.get("category") or "обычный"
    if category not in CLIENT_CATEGORIES:
        raise Bad(
            "client.category",
            f"«{category}»: допустимы {', '.join(CLIENT_CATEGORIES)}",
            f"{category!r}: valid are {', '.join(CLIENT_CATEGORIES)}",
        )
    texts = {k: _text(f"client.{k}", value.get(k, "")) for k in ("name", "mobile", "group", "city")}
    _text("client.phone", value.get("phone", ""))
    return ClientSnap(category=category, **texts)


def _list(name: str, value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise Bad(name, "ожидается список объектов", "expected a list of objects")
    return value


def _comments(value: Any) -> list[dict[str, Any]]:
    out = []
    for i, c in enumerate(_list("comments", value)):
        where = f"comments[{i}]"
        kind = c.get("kind", "note")
        if kind not in COMMENT_KINDS:
            raise Bad(
                f"{where}.kind",
                f"неизвестный вид комментария «{kind}»",
                f"unknown comment kind {kind!r}",
            )
        tags = c.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise Bad(f"{where}.tags", "ожидается список строк", "expected a list of strings")
        reached = c.get("reached")
        if reached is not None and not isinstance(reached, bool):
            raise Bad(f"{where}.reached", "ожидается true/false/null", "expected true/false/null")
        out.append(
            {
                "at": moment(f"{where}.at", c.get("at"), True),
                "kind": kind,
                "author": _text(f"{where}.author", c.get("author", "")),
                "text": _text(f"{where}.text", c.get("text", "")),
                "tags": tuple(tags),
                "template_id": _text(f"{where}.template_id", c.get("template_id", "")),
                "reached": reached,
            }
        )
    return out


def _closure(value: Any) -> ClosureSnap | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise Bad("closure", "ожидается объект", "expected an object")
    performers = value.get("performers") or []
    if not isinstance(performers, list) or not all(isinstance(p, str) for p in performers):
        raise Bad("closure.performers", "ожидается список имён", "expected a list of names")
    parts = []
    for i, p in enumerate(_list("closure.spare_parts", value.get("spare_parts") or [])):
        qty = p.get("quantity")
        if isinstance(qty, bool) or not isinstance(qty, int):
            raise Bad(
                f"closure.spare_parts[{i}].quantity", "ожидается целое число", "expected an integer"
            )
        if qty <= 0:
            raise Bad(
                f"closure.spare_parts[{i}].quantity",
                f"количество ЗИП должно быть больше нуля (указано {qty}) — C-04",
                f"a spare-part quantity must be above zero (got {qty}) — C-04",
            )
        name = _text(f"closure.spare_parts[{i}].name", p.get("name", ""))
        if not name.strip():
            raise Bad(
                f"closure.spare_parts[{i}].name",
                "нет наименования ЗИП",
                "the spare part has no name",
            )
        parts.append(SparePartSnap(name, qty))
    spent = value.get("time_spent_minutes")
    return ClosureSnap(
        cause=_text("closure.cause", value.get("cause", "")),
        actions=_text("closure.actions", value.get("actions", "")),
        performers=tuple(performers),
        completed_at=moment("closure.completed_at", value.get("completed_at")),
        time_spent_minutes=_int_or_none("closure.time_spent_minutes", spent),
        spare_parts_used=_bool("closure.spare_parts_used", value.get("spare_parts_used", False)),
        spare_parts=tuple(parts),
        comment=_text("closure.comment", value.get("comment", "")),
        responsible_actions_checked=_bool(
            "closure.responsible_actions_checked", value.get("responsible_actions_checked", False)
        ),
        escalation_done=_bool("closure.escalation_done", value.get("escalation_done", False)),
    )


def _confirmations(value: Any) -> tuple[ConfirmationSnap, ...]:
    out = []
    for i, c in enumerate(_list("confirmations", value)):
        kind = c.get("kind")
        if kind not in CONFIRMATION_KINDS:
            raise Bad(
                f"confirmations[{i}].kind",
                f"«{kind}»: допустимы verbal, electronic",
                f"{kind!r}: valid are verbal, electronic",
            )
        at = moment(f"confirmations[{i}].at", c.get("at"), True)
        out.append(ConfirmationSnap(kind, _text(f"confirmations[{i}].by", c.get("by", "")), at))
    return tuple(out)


def _history(pack: Pack, value: Any) -> tuple[StatusEvent, ...]:
    out: list[StatusEvent] = []
    for i, h in enumerate(_list("history", value)):
        where = f"history[{i}]"
        at = moment(f"{where}.at", h.get("at"), True)
        assert at is not None
        try:
            status = find_status(pack.statuses, str(h.get("status", "")))
        except EngineError as exc:
            raise Bad(f"{where}.status", exc.message_ru, exc.message_en) from None
        stage = _stage(pack, status, h.get("stage"))
        if out and at < out[-1].at:
            raise Bad(
                f"{where}.at",
                "история не упорядочена по времени",
                "the history is not in time order",
            )
        out.append(
            StatusEvent(
                at,
                status.id,
                stage,
                _text(f"{where}.by", h.get("by", "")),
                _text(f"{where}.department", h.get("department", "")),
            )
        )
    return tuple(out)


def _outgoing(pack: Pack, value: Any) -> list[dict[str, Any]]:
    out = []
    for i, o in enumerate(_list("outgoing", value)):
        where = f"outgoing[{i}]"
        name = _text(f"{where}.department", o.get("department", ""))
        if pack.departments.find(name) is None:
            raise Bad(
                f"{where}.department",
                f"нет отдела «{name}» в пакете",
                f"no department {name!r} in the pack",
            )
        out.append(
            {
                "department": name,
                "sent_at": moment(f"{where}.sent_at", o.get("sent_at"), True),
                "reminder_at": moment(f"{where}.reminder_at", o.get("reminder_at"), True),
                "answered_at": moment(f"{where}.answered_at", o.get("answered_at")),
                "answer": _text(f"{where}.answer", o.get("answer", "")),
                "note": _text(f"{where}.note", o.get("note", "")),
            }
        )
    return out
