"""Conditions as data: the small language in which a pack says *when* a rule applies.

A pack never holds code. Conditions are TOML tables such as
`{ field = "ticket.client.category", in = ["VIP", "Важный"] }` or
`{ any = [ ..., ... ] }`, parsed once and validated against the fields the engine can see, so
a misspelt field is reported with its key path when the pack loads, not when a ticket closes.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from opdesk.pack_reader import Reader

# A schema says which fields exist under each root: a dataclass type, or a set of plain keys.
Schema = Mapping[str, Any]

_COMPARISONS = ("eq", "ne", "in", "not_in", "in_list", "empty", "contains", "matches")
_ORDERS = ("gte", "lte", "gt", "lt")
_OPS = (*_COMPARISONS, *_ORDERS, "eq_field")


@dataclass(frozen=True)
class Condition:
    """Base of all conditions; `holds` evaluates it against a context of roots."""

    def holds(self, ctx: Mapping[str, Any], lists: Mapping[str, tuple[str, ...]]) -> bool:
        raise NotImplementedError

    def fields(self) -> frozenset[str]:
        """Every field path the condition reads (to know which need the operator's input)."""
        return frozenset()


@dataclass(frozen=True)
class Always(Condition):
    def holds(self, ctx: Mapping[str, Any], lists: Mapping[str, tuple[str, ...]]) -> bool:
        return True


@dataclass(frozen=True)
class AnyOf(Condition):
    parts: tuple[Condition, ...]

    def holds(self, ctx: Mapping[str, Any], lists: Mapping[str, tuple[str, ...]]) -> bool:
        return any(p.holds(ctx, lists) for p in self.parts)

    def fields(self) -> frozenset[str]:
        return frozenset().union(*(p.fields() for p in self.parts))


@dataclass(frozen=True)
class AllOf(Condition):
    parts: tuple[Condition, ...]

    def holds(self, ctx: Mapping[str, Any], lists: Mapping[str, tuple[str, ...]]) -> bool:
        return all(p.holds(ctx, lists) for p in self.parts)

    def fields(self) -> frozenset[str]:
        return frozenset().union(*(p.fields() for p in self.parts))


@dataclass(frozen=True)
class Not(Condition):
    part: Condition

    def holds(self, ctx: Mapping[str, Any], lists: Mapping[str, tuple[str, ...]]) -> bool:
        return not self.part.holds(ctx, lists)

    def fields(self) -> frozenset[str]:
        return self.part.fields()


@dataclass(frozen=True)
class FieldTest(Condition):
    """`field <op> value`. A field that reaches through a list yields every element; the test
    then holds when any element passes (`empty` holds when every element is empty)."""

    path: str
    op: str
    value: Any

    def fields(self) -> frozenset[str]:
        other = {str(self.value)} if self.op == "eq_field" else set()
        return frozenset({self.path, *other})

    def holds(self, ctx: Mapping[str, Any], lists: Mapping[str, tuple[str, ...]]) -> bool:
        got = resolve(ctx, self.path)
        if self.op == "eq_field":
            return _equal(got, resolve(ctx, str(self.value)))
        values = got if isinstance(got, list) else [got]
        if self.op == "empty":
            is_empty = all(_is_empty(v) for v in values)
            return is_empty if self.value else not is_empty
        if self.op == "contains":
            return any(_contains(v, self.value) for v in values)
        if self.op == "ne":
            return all(v != self.value for v in values)
        if self.op == "not_in":
            return all(v not in self.value for v in values)
        return any(self._one(v, lists) for v in values)

    def _one(self, v: Any, lists: Mapping[str, tuple[str, ...]]) -> bool:
        if self.op == "eq":
            return bool(v == self.value)
        if self.op == "in":
            return v in self.value
        if self.op == "in_list":
            return v in lists[self.value]
        if self.op == "matches":
            return isinstance(v, str) and re.search(self.value, v) is not None
        if v is None:
            return False
        if self.op == "gte":
            return bool(v >= self.value)
        if self.op == "lte":
            return bool(v <= self.value)
        if self.op == "gt":
            return bool(v > self.value)
        if self.op == "lt":
            return bool(v < self.value)
        raise AssertionError(self.op)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, list):
        return any(_equal(x, b) for x in a)
    return bool(a == b)


def _is_empty(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip()
    if isinstance(v, tuple | list | dict | set | frozenset):
        return len(v) == 0
    return False


def _contains(v: Any, item: Any) -> bool:
    if isinstance(v, tuple | list | set | frozenset):
        return item in v
    if isinstance(v, str):
        return isinstance(item, str) and item in v
    return bool(v == item)


def resolve(ctx: Mapping[str, Any], path: str) -> Any:
    """Follow a dotted path through dataclasses, mappings and tuples of dataclasses."""
    root, *rest = path.split(".")
    value: Any = ctx.get(root)
    for name in rest:
        value = _step(value, name)
    return value


def _step(value: Any, name: str) -> Any:
    if isinstance(value, list | tuple) and value and dataclasses.is_dataclass(value[0]):
        out: list[Any] = []
        for item in value:
            got = _step(item, name)
            out.extend(got if isinstance(got, list) else [got])
        return out
    if isinstance(value, list | tuple):
        return []
    if isinstance(value, Mapping):
        return value.get(name)
    if value is None:
        return None
    return getattr(value, name, None)


# -- parsing and validation ------------------------------------------------------------------


def parse_condition(
    r: Reader, name: str, schema: Schema, lists: Mapping[str, tuple[str, ...]]
) -> Condition:
    """Parse the condition stored under key `name` of table `r`, validating every field path."""
    raw = r.raw(name)
    return _parse(r, name, raw, schema, lists)


def _parse(
    r: Reader, name: str | int, raw: Any, schema: Schema, lists: Mapping[str, tuple[str, ...]]
) -> Condition:
    key = r.key(name)
    if not isinstance(raw, Mapping):
        raise r.error(name, "условие должно быть таблицей", "a condition must be a table")
    sub = Reader(r.file, raw, key)
    for combinator, cls in (("any", AnyOf), ("all", AllOf)):
        if combinator in raw:
            sub.only(combinator)
            items = raw[combinator]
            if not isinstance(items, list) or not items:
                raise sub.error(
                    combinator, "ожидается непустой список условий", "expected a non-empty list"
                )
            return cls(tuple(_parse(sub, i, x, schema, lists) for i, x in enumerate(items)))
    if "not" in raw:
        sub.only("not")
        return Not(_parse(sub, "not", raw["not"], schema, lists))
    path = sub.text("field")
    ops = [op for op in raw if op != "field"]
    if len(ops) != 1 or ops[0] not in _OPS:
        raise sub.error(
            None,
            f"условие должно содержать field и ровно одну операцию из: {', '.join(_OPS)}",
            f"a condition needs field and exactly one operation of: {', '.join(_OPS)}",
        )
    op = ops[0]
    check_path(sub, "field", path, schema)
    value = raw[op]
    if op == "eq_field":
        check_path(sub, op, str(value), schema)
    elif op in ("in", "not_in") and not isinstance(value, list):
        raise sub.error(op, "ожидается список значений", "expected a list of values")
    elif op == "in_list" and value not in lists:
        raise sub.error(
            op,
            f"нет списка «{value}» в разделе [lists]",
            f"no list named {value!r} in [lists]",
        )
    elif op == "empty" and not isinstance(value, bool):
        raise sub.error(op, "ожидается true или false", "expected true or false")
    elif op == "matches":
        try:
            re.compile(str(value))
        except re.error as exc:
            raise sub.error(
                op, f"неверное регулярное выражение: {exc}", f"bad regular expression: {exc}"
            ) from exc
    elif op in _ORDERS and (not isinstance(value, int | float) or isinstance(value, bool)):
        raise sub.error(op, "ожидается число", "expected a number")
    return FieldTest(path, op, value)


def check_path(r: Reader, name: str, path: str, schema: Schema) -> None:
    """Refuse a field path the engine cannot see, naming the bad segment."""
    root, *rest = path.split(".")
    if root not in schema:
        raise r.error(
            name,
            f"неизвестный корень поля «{root}»; допустимы: {', '.join(schema)}",
            f"unknown field root {root!r}; allowed: {', '.join(schema)}",
        )
    node: Any = schema[root]
    for i, seg in enumerate(rest):
        node = _child(node, seg)
        if node is None:
            where = ".".join([root, *rest[: i + 1]])
            raise r.error(name, f"нет поля «{where}»", f"no such field {where!r}")


def _child(node: Any, seg: str) -> Any:
    if isinstance(node, set | frozenset):
        return object() if seg in node else None
    origin = typing.get_origin(node)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(node) if a is not type(None)]
        return _child(args[0], seg) if args else None
    if origin is tuple:
        return _child(typing.get_args(node)[0], seg)
    if dataclasses.is_dataclass(node):
        hints = typing.get_type_hints(node)
        return hints.get(seg)
    return None
