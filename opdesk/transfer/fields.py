"""Reading one field of an imported record: each reader returns the canonical value or raises
`Bad` naming the field, so the checker can report every problem of a row with its line."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from opdesk.errors import EngineError
from opdesk.models.closure import CONFIRMATION_KINDS
from opdesk.models.directory import CLIENT_CATEGORIES
from opdesk.models.work import COMMENT_KINDS
from opdesk.regulations.pack import Pack
from opdesk.regulations.processes import Process
from opdesk.regulations.snapshot import (
    ClientSnap,
    ClosureSnap,
    ConfirmationSnap,
    SparePartSnap,
    StatusEvent,
)


class Bad(Exception):
    def __init__(self, field: str, ru: str, en: str) -> None:
        self.field, self.ru, self.en = field, ru, en
        super().__init__(f"{field}: {ru} / {en}")


# The keys each nested object may carry (what the export writes); any other is a typo whose
# value would be lost without a word, as at the top level (check.KNOWN_FIELDS).
NESTED_KEYS = {
    "client": frozenset({"name", "category", "mobile", "group", "city", "phone"}),
    "comments": frozenset({"at", "author", "kind", "text", "tags", "template_id", "reached"}),
    "closure": frozenset(
        {
            "cause", "actions", "performers", "completed_at", "time_spent_minutes",
            "spare_parts_used", "spare_parts", "comment", "responsible_actions_checked",
            "escalation_done",
        }
    ),
    "spare_parts": frozenset({"name", "quantity"}),
    "confirmations": frozenset({"kind", "by", "at"}),
    "history": frozenset({"at", "status", "stage", "by", "department"}),
    "outgoing": frozenset(
        {"department", "sent_at", "reminder_at", "answered_at", "answer", "note"}
    ),
}  # fmt: skip


def _known(where: str, kind: str, value: Mapping[str, Any]) -> None:
    unknown = sorted(str(k) for k in value if k not in NESTED_KEYS[kind])
    if unknown:
        names = ", ".join(unknown)
        raise Bad(
            where,
            f"неизвестные поля: {names} (опечатка в имени? значение было бы потеряно)",
            f"unknown fields: {names} (a typo in the name? the value would be lost)",
        )


# -- field readers -----------------------------------------------


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


def _process(pack: Pack, value: Any, channel: Any) -> Process:
    """The ticket's process: named in the file, else its channel's (a file from another help
    desk knows no processes); neither is a problem of the line."""
    if value not in (None, ""):
        return pack.process(str(value))
    return pack.process_for(str(channel or ""))


def _status(pack: Pack, flow: Process, value: Any) -> Any:
    if value is None or value == "":
        raise Bad("status", "поле обязательно", "the field is required")
    return flow.find_status(pack.statuses, str(value))


def _stage(pack: Pack, flow: Process, status: Any, value: Any) -> str:
    if status.stage != "*" or not flow.levels:
        expected = flow.stage_of(status, pack.stages)
        if value not in (None, "", expected):
            shown = f"«{expected}»" if expected else "пустую (в процессе нет уровней)"
            raise Bad(
                "stage",
                f"статус «{flow.status_name(status)}» в процессе «{flow.id}» означает стадию "
                f"{shown}",
                f"status {status.id!r} of process {flow.id!r} means stage {expected!r}",
            )
        return expected
    if value in (None, ""):
        levels = ", ".join(pack.stages.order)
        raise Bad(
            "stage",
            f"укажите уровень поддержки (процесс «{flow.id}» ведёт тикеты по уровням: {levels})",
            f"give the support level (process {flow.id!r} has levels: {levels})",
        )
    if value not in pack.stages.order:
        listed = ", ".join(pack.stages.order)
        raise Bad(
            "stage",
            f"неизвестная стадия «{value}»; допустимы: {listed}",
            f"unknown stage {value!r}; valid: {listed}",
        )
    return str(value)


def _category(pack: Pack, flow: Process, value: Any) -> str:
    if value is None or value == "":
        if not flow.sla_plans:
            return ""
        raise Bad("category", "поле обязательно (B-05)", "the field is required (B-05)")
    pack.sla.plan_for(str(value))  # EngineError names B-05 and the valid categories
    return str(value)


def _client(value: Any) -> ClientSnap:
    if not isinstance(value, Mapping):
        raise Bad("client", "ожидается объект", "expected an object")
    _known("client", "client", value)
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
        _known(where, "comments", c)
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
    _known("closure", "closure", value)
    performers = value.get("performers") or []
    if not isinstance(performers, list) or not all(isinstance(p, str) for p in performers):
        raise Bad("closure.performers", "ожидается список имён", "expected a list of names")
    parts = []
    for i, p in enumerate(_list("closure.spare_parts", value.get("spare_parts") or [])):
        _known(f"closure.spare_parts[{i}]", "spare_parts", p)
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
        _known(f"confirmations[{i}]", "confirmations", c)
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


def _history(pack: Pack, flow: Process, value: Any) -> tuple[StatusEvent, ...]:
    out: list[StatusEvent] = []
    for i, h in enumerate(_list("history", value)):
        where = f"history[{i}]"
        _known(where, "history", h)
        at = moment(f"{where}.at", h.get("at"), True)
        assert at is not None
        try:
            status = flow.find_status(pack.statuses, str(h.get("status", "")))
        except EngineError as exc:
            raise Bad(f"{where}.status", exc.message_ru, exc.message_en) from None
        try:
            stage = _stage(pack, flow, status, h.get("stage"))
        except Bad as exc:
            raise Bad(f"{where}.stage", exc.ru, exc.en) from None
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
        _known(where, "outgoing", o)
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
