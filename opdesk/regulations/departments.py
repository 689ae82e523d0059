"""Departments the desk talks about: its own (C-01) and the ones it asks for help (U-08).

Departments are data because two regulations name them in different ways. The closing
regulation (C-01) hands a request over between the desk's own departments ОПП, ОЭ and ТО; the
ticket regulation (U-08) wants the interim reply to name the *specific* department that will
work on the client's question, in the accusative case («мне надо подключить руководство
фирменного магазина»). Keeping the grammatical form in the pack lets a desk rename or add a
department without touching code, and lets the template engine refuse a department that cannot
receive an outgoing request (U-06).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from opdesk.errors import EngineError
from opdesk.pack_reader import Reader
from opdesk.regulations.context import PackContext
from opdesk.regulations.rules import Rule


@dataclass(frozen=True)
class Department:
    """One department; `accusative` is the form used after «мне надо подключить»."""

    id: str
    name: str
    full_name: str
    accusative: str
    outgoing: bool  # may receive outgoing requests from the desk (U-06, U-08)
    desk: bool  # one of the desk's own departments (C-01: ОПП, ОЭ, ТО)
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Departments:
    """All departments of a pack, in file order."""

    items: tuple[Department, ...] = ()

    def __iter__(self) -> Iterator[Department]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.items)

    def find(self, key: str) -> Department | None:
        """The department whose id or short name is `key` (case-insensitive), or None."""
        wanted = key.strip().casefold()
        for d in self.items:
            if wanted in (d.id.casefold(), d.name.casefold()):
                return d
        return None

    def get(self, key: str) -> Department:
        """Like `find`, but an unknown department is a bad request (the CLI exits 2)."""
        found = self.find(key)
        if found is None:
            known = ", ".join(self.ids())
            raise EngineError(
                f"неизвестный отдел «{key}»; известны: {known}",
                f"unknown department {key!r}; known: {known}",
            )
        return found

    def outgoing_target(self, key: str) -> Department:
        """The department `key`, which must be allowed to receive outgoing requests."""
        d = self.get(key)
        if not d.outgoing:
            targets = ", ".join(x.id for x in self.items if x.outgoing)
            raise EngineError(
                f"отдел «{d.name}» не принимает исходящие запросы; допустимы: {targets}",
                f"department {d.id!r} does not take outgoing requests; allowed: {targets}",
            )
        return d

    def outgoing_targets(self) -> tuple[Department, ...]:
        return tuple(d for d in self.items if d.outgoing)

    def desk_departments(self) -> tuple[Department, ...]:
        return tuple(d for d in self.items if d.desk)


def parse_departments(r: Reader, ctx: PackContext) -> Departments:
    """Parse `[departments.<id>]` tables.

    Keys: `name`, `full_name`, `accusative`, `outgoing` (bool), optional `desk` (bool, default
    false) and `rules` (rule IDs that mention the department, for explanations).
    """
    out: list[Department] = []
    seen: dict[str, str] = {}
    for dep_id, sub in r.items():
        sub.only("name", "full_name", "accusative", "outgoing", "desk", "rules")
        name = sub.text("name").strip()
        if name.casefold() in seen:
            raise sub.error(
                "name",
                f"имя «{name}» уже занято отделом «{seen[name.casefold()]}»",
                f"name {name!r} is already used by department {seen[name.casefold()]!r}",
            )
        seen[name.casefold()] = dep_id
        out.append(
            Department(
                id=dep_id,
                name=name,
                full_name=sub.text("full_name").strip(),
                accusative=sub.text("accusative").strip(),
                outgoing=sub.flag("outgoing"),
                desk=sub.flag("desk", False),
                rules=ctx.rules_of(sub, "rules", []),
            )
        )
    if not out:
        raise r.error(None, "не описан ни один отдел", "no department is defined")
    return Departments(tuple(out))
