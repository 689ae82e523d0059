"""The JSON form of an op's arguments, and its strict reading.

Why strict: the sync server re-runs a workstation's op through these same commands on its own
state, so the arguments are untrusted input. Each is read against the type the op declares
(plain dataclasses, see `opdesk.services.ops`) with no coercion — "1" is not 1, 1 is not true,
a moment needs its time zone, an id is a canonical UUID string — and no key may be missing or
extra. Every problem is a bilingual `OpError` naming the argument (`args.draft.spare_parts[0]
.quantity`), never a KeyError or a traceback. Sizes are bounded, so a payload cannot make the
server build huge lists, and integers fit the 32-bit columns of PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
import uuid
from collections.abc import Mapping
from typing import Any

from opdesk.errors import EngineError

MAX_TEXT = 4_000_000  # characters of one string argument (a megabyte log pasted in a comment)
MAX_ITEMS = 200  # items of one list or object argument (performers, questions, fields)
INT_RANGE = (-(2**31), 2**31 - 1)  # the Integer columns on PostgreSQL
MAX_MOMENT = 40  # characters of an ISO 8601 moment with its offset


class OpError(EngineError):
    """An op that cannot be run at all: unknown name, a missing, extra or mistyped argument,
    a ticket or person this database does not know. Nothing is written."""


def encode(value: Any) -> Any:
    """The JSON-ready form of an argument: ids and moments as strings, dataclasses as objects,
    tuples as lists. Anything else is a programming error (TypeError)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise TypeError(f"a moment without a time zone: {value!r}")
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    raise TypeError(f"{type(value).__name__} is not an op argument")


def decode(hint: Any, value: Any, path: str) -> Any:
    """`value` (parsed JSON) read as `hint`, or an `OpError` naming `path`."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _union(typing.get_args(hint), value, path)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return tuple(decode(item, v, f"{path}[{i}]") for i, v in enumerate(_list(value, path)))
    if origin is dict:
        key_hint, item = typing.get_args(hint)
        if key_hint is not str:
            raise TypeError(f"{hint}: op objects have string keys")
        return {k: decode(item, v, f"{path}.{k}") for k, v in _object(value, path).items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass(hint, value, path)
    reader = _SCALARS.get(hint)
    if reader is None:
        raise TypeError(f"{hint!r} is not an op argument type")
    return reader(value, path)


def decode_fields(cls: type[Any], value: Any, path: str) -> dict[str, Any]:
    """The fields of dataclass `cls` read from an object: all of them, nothing else."""
    data = _object(value, path)
    hints = _hints(cls)
    extra = sorted(set(data) - set(hints))
    if extra:
        known = ", ".join(hints)
        raise OpError(
            f"{path}: лишние аргументы {', '.join(extra)}; допустимы: {known}",
            f"{path}: unexpected arguments {', '.join(extra)}; expected: {known}",
        )
    missing = [name for name in hints if name not in data]
    if missing:
        raise OpError(
            f"{path}: не хватает аргументов {', '.join(missing)}",
            f"{path}: missing arguments {', '.join(missing)}",
        )
    return {name: decode(hint, data[name], f"{path}.{name}") for name, hint in hints.items()}


def bad(path: str, ru: str, en: str, value: Any) -> OpError:
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return OpError(f"{path}: {ru}, получено {shown}", f"{path}: {en}, got {shown}")


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    """The dataclass's fields and their types, in declaration order (read once per class)."""
    found = _HINTS.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls)
        found = _HINTS[cls] = {f.name: hints[f.name] for f in dataclasses.fields(cls)}
    return found


def _dataclass(cls: type[Any], value: Any, path: str) -> Any:
    return cls(**decode_fields(cls, value, path))


def _union(options: tuple[Any, ...], value: Any, path: str) -> Any:
    if value is None and type(None) in options:
        return None
    problems = []
    for option in options:
        if option is type(None):
            continue
        try:
            return decode(option, value, path)
        except OpError as exc:
            problems.append((option, exc))
    # the alternative of the value's own JSON kind says best what is wrong with it
    same_kind = [exc for option, exc in problems if _json_kind(option) is type(value)]
    if len(problems) == 1 or len(same_kind) == 1:
        raise (same_kind or [problems[0][1]])[0]
    names = " | ".join(_NAMES.get(o, ("?", "?"))[0] for o in options)
    names_en = " | ".join(_NAMES.get(o, ("?", "?"))[1] for o in options)
    raise bad(path, f"ожидается {names}", f"expected {names_en}", value)


def _json_kind(hint: Any) -> type:
    """The JSON value's Python type a hint is read from (a UUID and a moment from a string)."""
    origin = typing.get_origin(hint)
    if origin is tuple:
        return list
    if origin is dict or (isinstance(hint, type) and dataclasses.is_dataclass(hint)):
        return dict
    return str if hint in (uuid.UUID, dt.datetime) else typing.cast(type, hint)


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise bad(path, "ожидается список", "expected a list", value)
    if len(value) > MAX_ITEMS:
        raise OpError(
            f"{path}: больше {MAX_ITEMS} элементов", f"{path}: more than {MAX_ITEMS} items"
        )
    return list(value)


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad(path, "ожидается объект", "expected an object", value)
    if len(value) > MAX_ITEMS:
        raise OpError(f"{path}: больше {MAX_ITEMS} ключей", f"{path}: more than {MAX_ITEMS} keys")
    for key in value:
        if not isinstance(key, str):
            raise bad(path, "ключ объекта не строка", "an object key is not a string", key)
    return value


def _str(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise bad(path, "ожидается строка", "expected a string", value)
    if len(value) > MAX_TEXT:
        raise OpError(
            f"{path}: строка длиннее {MAX_TEXT} символов",
            f"{path}: string longer than {MAX_TEXT} characters",
        )
    return value


def _bool(value: Any, path: str) -> bool:
    if type(value) is not bool:
        raise bad(path, "ожидается true или false", "expected true or false", value)
    return value


def _int(value: Any, path: str) -> int:
    if type(value) is not int:
        raise bad(path, "ожидается целое число", "expected an integer", value)
    low, high = INT_RANGE
    if not low <= value <= high:
        raise bad(path, "число вне допустимого диапазона", "integer out of range", value)
    return value


def _uuid(value: Any, path: str) -> uuid.UUID:
    expected = ("ожидается UUID вида 0190…-…", "expected a canonical UUID string")
    if not isinstance(value, str) or len(value) != 36:
        raise bad(path, *expected, value)
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise bad(path, *expected, value) from None
    if str(parsed) != value:
        raise bad(path, *expected, value)
    return parsed


def _moment(value: Any, path: str) -> dt.datetime:
    expected = ("ожидается момент ISO 8601 с часовым поясом", "expected an ISO 8601 moment")
    if not isinstance(value, str) or len(value) > MAX_MOMENT:
        raise bad(path, *expected, value)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise bad(path, *expected, value) from None
    if moment.tzinfo is None:
        raise bad(path, "у момента нет часового пояса", "the moment has no time zone", value)
    return moment


_SCALARS: dict[Any, Any] = {
    str: _str,
    bool: _bool,
    int: _int,
    uuid.UUID: _uuid,
    dt.datetime: _moment,
}
_NAMES: dict[Any, tuple[str, str]] = {
    str: ("строка", "string"),
    bool: ("true/false", "true/false"),
    int: ("целое", "integer"),
    uuid.UUID: ("UUID", "UUID"),
    dt.datetime: ("момент", "moment"),
    type(None): ("null", "null"),
}
