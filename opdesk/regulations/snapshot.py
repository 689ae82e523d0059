"""The plain, frozen picture of a ticket that the rule engine judges.

The engine never sees ORM rows: the same snapshot is built on a workstation, on the server during
a push, by the CLI from a JSON file and by tests, so the same verdict comes out everywhere.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from opdesk.errors import EngineError


@dataclass(frozen=True)
class ClientSnap:
    name: str = ""
    category: str = "обычный"  # «VIP», «Важный» or «обычный»
    mobile: str = ""  # mobile number for SMS notification; empty means none on file
    group: str = ""  # client group, e.g. «Мегафон» (electronic confirmation), «Сбербанк»
    city: str = ""


@dataclass(frozen=True)
class CommentSnap:
    kind: str = "note"  # note | call_result | callback_attempt | client_reply
    text: str = ""
    at: dt.datetime | None = None
    author: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConfirmationSnap:
    kind: str = "verbal"  # verbal | electronic
    by: str = ""
    at: dt.datetime | None = None


@dataclass(frozen=True)
class SparePartSnap:
    name: str = ""
    quantity: int = 0


@dataclass(frozen=True)
class ClosureSnap:
    """The closure report (C-04) and the ОПП operator's checks (C-09, C-10)."""

    cause: str = ""
    actions: str = ""
    performers: tuple[str, ...] = ()
    completed_at: dt.datetime | None = None
    time_spent_minutes: int | None = None
    spare_parts_used: bool = False
    spare_parts: tuple[SparePartSnap, ...] = ()
    comment: str = ""
    responsible_actions_checked: bool = False
    escalation_done: bool = False


@dataclass(frozen=True)
class OutgoingSnap:
    """An outgoing request to another department (U-06)."""

    department: str = ""
    sent_at: dt.datetime | None = None
    answered_at: dt.datetime | None = None


@dataclass(frozen=True)
class StatusEvent:
    """One entry of the status history: the source for SLA pauses and for C-03."""

    at: dt.datetime
    status: str
    stage: str
    by: str = ""
    department: str = ""


@dataclass(frozen=True)
class TicketSnapshot:
    number: str = ""
    process: str = ""  # the ticket's process ([processes.*]): what its statuses mean
    created_at: dt.datetime | None = None
    channel: str = ""
    status: str = ""  # a status of the ticket's process (id or the document's name)
    stage: str = ""  # a support level (004) or the stage its status means; "" for none
    theme: str = ""
    type: str = ""
    subtheme: str = ""
    product: str = ""
    category: str = ""  # B-05 category, selects the SLA plan with the priority
    priority: str = "Обычный"
    owner: str = ""
    department: str = ""
    client: ClientSnap = field(default_factory=ClientSnap)
    paid: bool = False
    arm_processed_by: str = ""  # C-05: who processed the paid request through the АРМ
    arm_processed_at: dt.datetime | None = None
    scheme_permanent: bool = False  # C-02
    scheme_recorded_by: str = ""  # department that recorded the permanent scheme
    needs_closing: bool = False  # C-06
    notify_client: bool = True  # P-09 «Не уведомлять» clears it
    client_dissatisfied: bool = False  # C-07: strong dissatisfaction or a claim
    client_allows_closing: bool = False  # P-09 «Решить» pressed by the client
    resolved_by_department: str = ""  # C-03: department of whoever set «Выполнена»
    outcome: str = ""  # U-03: how the ticket ended, e.g. "repair_request"
    closing_delay: str = ""  # C-11 case: monitoring | unreachable | objects
    templates_sent: tuple[str, ...] = ()
    resolution_limit_minutes: int | None = None  # B-06: set by the performer for new features
    closure: ClosureSnap = field(default_factory=ClosureSnap)
    confirmations: tuple[ConfirmationSnap, ...] = ()
    comments: tuple[CommentSnap, ...] = ()
    history: tuple[StatusEvent, ...] = ()
    outgoing: tuple[OutgoingSnap, ...] = ()
    closed_at: dt.datetime | None = None
    closed_via: str = ""  # close | auto_close | client_close | cancel


@dataclass(frozen=True)
class Actor:
    """Who asks for an action: login, role and department."""

    login: str = ""
    role: str = "operator"  # operator | lead | trainer | admin | client | system
    department: str = ""


# -- building snapshots from plain data (JSON files, tests) ----------------------------------


def from_dict(cls: type[Any], data: Mapping[str, Any], path: str = "ticket") -> Any:
    """Build a snapshot dataclass from JSON-like data, naming the field of any bad value."""
    if not isinstance(data, Mapping):
        raise EngineError(f"{path}: ожидается объект", f"{path}: expected an object")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in names:
            raise EngineError(
                f"{path}.{key}: неизвестное поле; допустимы: {', '.join(sorted(names))}",
                f"{path}.{key}: unknown field",
            )
        kwargs[key] = _convert(hints[key], value, f"{path}.{key}")
    return cls(**kwargs)


def _convert(hint: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None:
            return None
        return _convert(args[0], value, path)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise EngineError(f"{path}: ожидается список", f"{path}: expected a list")
        item = typing.get_args(hint)[0]
        return tuple(_convert(item, v, f"{path}[{i}]") for i, v in enumerate(value))
    if dataclasses.is_dataclass(hint):
        return from_dict(typing.cast(type[Any], hint), value, path)
    if hint is dt.datetime:
        if isinstance(value, dt.datetime):
            moment = value
        else:
            try:
                moment = dt.datetime.fromisoformat(str(value))
            except ValueError as exc:
                raise EngineError(
                    f"{path}: неверный момент времени {value!r}", f"{path}: bad moment {value!r}"
                ) from exc
        if moment.tzinfo is None:
            raise EngineError(
                f"{path}: у момента {value!r} нет часового пояса",
                f"{path}: moment {value!r} has no time zone offset",
            )
        return moment
    if hint is bool and not isinstance(value, bool):
        raise EngineError(f"{path}: ожидается true/false", f"{path}: expected true/false")
    if hint is int and (not isinstance(value, int) or isinstance(value, bool)):
        raise EngineError(f"{path}: ожидается целое число", f"{path}: expected an integer")
    if hint is str and not isinstance(value, str):
        raise EngineError(f"{path}: ожидается строка", f"{path}: expected a string")
    return value


def ticket_from_dict(data: Mapping[str, Any]) -> TicketSnapshot:
    snap: TicketSnapshot = from_dict(TicketSnapshot, data)
    return snap


def to_dict(obj: Any) -> Any:
    """The JSON-ready form of a snapshot (moments as ISO strings)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, tuple | list):
        return [to_dict(v) for v in obj]
    if isinstance(obj, dt.datetime | dt.date):
        return obj.isoformat()
    return obj
