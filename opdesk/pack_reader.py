"""Typed access to a parsed TOML table that reports problems by key path.

Every section parser of a pack reads through a `Reader`, so a wrong type or a missing key is
reported as `file: statuses.new.clock: ...` rather than as a KeyError somewhere in the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from opdesk.errors import PackError

_MISSING: Any = object()

_TYPE_RU = {
    "str": "строка",
    "int": "целое число",
    "bool": "логическое значение",
    "table": "таблица",
    "list": "список",
    "date": "дата",
    "number": "число",
}


class Reader:
    """A view on one TOML table, remembering the file and the key path that leads to it."""

    def __init__(self, file: Path | str, data: Mapping[str, Any], path: str = "") -> None:
        self.file = Path(file)
        self.data = data
        self.path = path

    # -- location ---------------------------------------------------------------------------
    def key(self, name: str | int) -> str:
        """The full key path of `name` inside this table."""
        if isinstance(name, int):
            return f"{self.path}[{name}]"
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str | int | None, problem_ru: str, problem_en: str) -> PackError:
        key = self.path if name is None else self.key(name)
        return PackError(self.file, key, problem_ru, problem_en)

    # -- presence ---------------------------------------------------------------------------
    def has(self, name: str) -> bool:
        return name in self.data

    def names(self) -> list[str]:
        return list(self.data.keys())

    def raw(self, name: str, default: Any = _MISSING) -> Any:
        if name not in self.data:
            if default is _MISSING:
                raise self.error(name, "обязательный ключ отсутствует", "required key is missing")
            return default
        return self.data[name]

    def only(self, *allowed: str) -> None:
        """Refuse unknown keys: a typo in a pack must not silently disable a rule."""
        for name in self.data:
            if name not in allowed:
                raise self.error(
                    name,
                    f"неизвестный ключ; допустимы: {', '.join(allowed)}",
                    f"unknown key; allowed: {', '.join(allowed)}",
                )

    # -- typed getters ----------------------------------------------------------------------
    def _typed(self, name: str, kind: str, ok: bool, value: Any) -> Any:
        if not ok:
            raise self.error(
                name,
                f"ожидается {_TYPE_RU[kind]}, получено {type(value).__name__}",
                f"expected {kind}, got {type(value).__name__}",
            )
        return value

    def text(self, name: str, default: Any = _MISSING, *, nonempty: bool = True) -> Any:
        value = self.raw(name, default)
        if value is default and default is not _MISSING:
            return value
        self._typed(name, "str", isinstance(value, str), value)
        if nonempty and not value.strip():
            raise self.error(name, "пустая строка", "empty string")
        return value

    def integer(self, name: str, default: Any = _MISSING, *, minimum: int | None = None) -> Any:
        value = self.raw(name, default)
        if value is default and default is not _MISSING:
            return value
        ok = isinstance(value, int) and not isinstance(value, bool)
        self._typed(name, "int", ok, value)
        if minimum is not None and value < minimum:
            raise self.error(name, f"должно быть не меньше {minimum}", f"must be >= {minimum}")
        return value

    def number(self, name: str, default: Any = _MISSING) -> Any:
        value = self.raw(name, default)
        if value is default and default is not _MISSING:
            return value
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return self._typed(name, "number", ok, value)

    def flag(self, name: str, default: Any = _MISSING) -> Any:
        value = self.raw(name, default)
        if value is default and default is not _MISSING:
            return value
        return self._typed(name, "bool", isinstance(value, bool), value)

    def day(self, name: str, default: Any = _MISSING) -> Any:
        value = self.raw(name, default)
        if value is default and default is not _MISSING:
            return value
        ok = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
        return self._typed(name, "date", ok, value)

    def text_list(self, name: str, default: Any = _MISSING) -> Any:
        value = self.raw(name, default)
        if value is default and default is not _MISSING:
            return value
        self._typed(name, "list", isinstance(value, list), value)
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise PackError(
                    self.file,
                    f"{self.key(name)}[{i}]",
                    "ожидается непустая строка",
                    "expected a non-empty string",
                )
        return list(value)

    def table(self, name: str, default: Any = _MISSING) -> Reader:
        value = self.raw(name, default)
        if value is default and default is not _MISSING:
            return Reader(self.file, value if isinstance(value, Mapping) else {}, self.key(name))
        self._typed(name, "table", isinstance(value, Mapping), value)
        return Reader(self.file, value, self.key(name))

    def tables(self, name: str, default: Any = _MISSING) -> list[Reader]:
        """An array of tables (`[[name]]`), each wrapped in its own Reader."""
        value = self.raw(name, default)
        if value is default and default is not _MISSING:
            return []
        self._typed(name, "list", isinstance(value, list), value)
        out = []
        for i, item in enumerate(value):
            sub = f"{self.key(name)}[{i}]"
            if not isinstance(item, Mapping):
                raise PackError(self.file, sub, "ожидается таблица", "expected a table")
            out.append(Reader(self.file, item, sub))
        return out

    def items(self) -> Iterator[tuple[str, Reader]]:
        """Sub-tables of this table, in file order (`[section.<name>]`)."""
        for name, value in self.data.items():
            if not isinstance(value, Mapping):
                raise self.error(name, "ожидается таблица", "expected a table")
            yield name, Reader(self.file, value, self.key(name))
