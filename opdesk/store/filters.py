"""`TicketQuery`: what the filter panel asks for, as a plain immutable value.

Why a value and not a live query object: it crosses from the GUI thread to the database thread,
is stored as a saved filter (JSON) and is a cache key for the compiled SQL, so it must be
hashable, comparable and free of database state. Values are normalised on construction (lists
become sorted tuples) so that two equal filters are equal values.

Field values that the regulation pack defines (statuses, stages, priorities, categories) are
checked against the pack with `check`; everything else is checked on construction. A bad value
is refused with a `QueryError` naming the field, never silently matched against nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any
from uuid import UUID

from opdesk.errors import EngineError
from opdesk.models.directory import CLIENT_CATEGORIES
from opdesk.regulations.pack import Pack, load_default_pack

SORTABLE = (
    "created_at",
    "updated_at",
    "number",
    "priority_rank",
    "sla_due_at",
    "client_name",
    "status",
    "category",
)
SLA_STATES = ("breached", "at_risk", "paused", "ok")

OWNER_WORDS = ("mine", "unassigned")
JSON_VERSION = 1


class QueryError(EngineError, ValueError):
    """A filter value OpDesk does not know; `field` names the filter field."""

    def __init__(self, field: str, value: object, known: Iterable[str] = ()) -> None:
        self.field = field
        self.value = value
        choices = ", ".join(known)
        hint_ru = f" (допустимо: {choices})" if choices else ""
        hint_en = f" (allowed: {choices})" if choices else ""
        super().__init__(
            f"фильтр: недопустимое значение поля «{field}»: {value!r}{hint_ru}",
            f"filter: invalid value of field '{field}': {value!r}{hint_en}",
        )


@lru_cache(maxsize=1)
def default_pack() -> Pack:
    """The built-in regulation pack, read once (filters are checked on every query)."""
    return load_default_pack()


def _tuple(field: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise QueryError(field, value)
    items = list(value)
    if not all(isinstance(v, str) for v in items):
        raise QueryError(field, value)
    return tuple(sorted(set(items)))


def _only(field: str, values: tuple[str, ...], known: Iterable[str]) -> None:
    allowed = list(known)
    for v in values:
        if v not in allowed:
            raise QueryError(field, v, allowed)


def _moment(field: str, value: object) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise QueryError(field, value) from None
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise QueryError(field, value)
    return value


def _uuid(field: str, value: object) -> UUID | None:
    if value is None or isinstance(value, UUID):
        return value
    if isinstance(value, str):
        try:
            return UUID(value)
        except ValueError:
            raise QueryError(field, value) from None
    raise QueryError(field, value)


@dataclass(frozen=True)
class TicketQuery:
    """One queue filter and sort. Empty tuples mean "any"; values within a field are OR-ed,
    fields are AND-ed. `owner` is a person's UUID, "mine" (the person running the desk,
    given at query time, so a saved "Мои" works for everyone) or "unassigned"."""

    processes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    owner: UUID | str | None = None
    department: UUID | None = None
    client_categories: tuple[str, ...] = ()
    sla: tuple[str, ...] = ()
    created_from: dt.datetime | None = None  # inclusive
    created_to: dt.datetime | None = None  # exclusive
    closed_from: dt.datetime | None = None  # closed at or after (e.g. «Закрыты сегодня»)
    outgoing_overdue: bool = False  # U-09: an outgoing request unanswered past its reminder
    text: str = ""
    open_only: bool = False
    sort: str = "created_at"
    descending: bool = True

    def __post_init__(self) -> None:
        put = object.__setattr__
        for name in (
            "processes", "statuses", "stages", "priorities", "categories", "client_categories",
        ):  # fmt: skip
            put(self, name, _tuple(name, getattr(self, name)))
        put(self, "sla", _tuple("sla", self.sla))
        _only("sla", self.sla, SLA_STATES)
        _only("client_categories", self.client_categories, CLIENT_CATEGORIES)
        if self.owner not in OWNER_WORDS:
            put(self, "owner", _uuid("owner", self.owner))
        put(self, "department", _uuid("department", self.department))
        put(self, "created_from", _moment("created_from", self.created_from))
        put(self, "created_to", _moment("created_to", self.created_to))
        put(self, "closed_from", _moment("closed_from", self.closed_from))
        if self.created_from and self.created_to and self.created_from > self.created_to:
            raise QueryError("created_to", self.created_to)
        if not isinstance(self.text, str):
            raise QueryError("text", self.text)
        for flag in ("open_only", "descending", "outgoing_overdue"):
            if not isinstance(getattr(self, flag), bool):
                raise QueryError(flag, getattr(self, flag))
        _only("sort", (self.sort,) if isinstance(self.sort, str) else (repr(self.sort),), SORTABLE)

    def check(self, pack: Pack | None = None) -> TicketQuery:
        """Refuse processes, statuses, stages, priorities and categories the pack does not
        define."""
        pack = pack or default_pack()
        _only("processes", self.processes, pack.processes)
        _only("statuses", self.statuses, pack.statuses)
        _only("stages", self.stages, pack.stages.names)
        _only("priorities", self.priorities, pack.sla.priorities)
        _only("categories", self.categories, pack.sla.categories)
        return self

    def to_json(self) -> str:
        """The saved-filter form: stable key order, UUIDs and moments as text."""
        out: dict[str, Any] = {"v": JSON_VERSION}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, UUID | dt.datetime):
                value = str(value) if isinstance(value, UUID) else value.isoformat()
            out[f.name] = value
        return json.dumps(out, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TicketQuery:
        """Read a saved filter; unknown keys and bad values are refused by name."""
        try:
            data = json.loads(text)
        except ValueError:
            raise QueryError("json", text[:80]) from None
        if not isinstance(data, Mapping):
            raise QueryError("json", text[:80])
        return cls.from_mapping(data)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> TicketQuery:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k != "v"}
        version = data.get("v", JSON_VERSION)
        if version != JSON_VERSION:
            raise QueryError("v", version, [str(JSON_VERSION)])
        for key in values:
            if key not in known:
                raise QueryError(key, values[key], sorted(known))
        return cls(**values)
