"""Statuses, stages and transitions of a pack: the lifecycle as data (B-02, P-01…P-09, U-05)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from opdesk.errors import EngineError
from opdesk.pack_reader import Reader
from opdesk.regulations.conditions import Condition
from opdesk.regulations.context import PackContext
from opdesk.regulations.rules import Rule
from opdesk.regulations.snapshot import Actor, TicketSnapshot

CLOCKS = ("runs", "paused", "stopped")
# Guards that are engine checks parameterised by pack data rather than plain conditions.
CHECKS = (
    "outcome",
    "closing_checklist",
    "closing_checklist_responsible",
    "auto_close_due",
    "before_auto_close",
    "reopen_window",
)
ARGS = frozenset({"reason", "comment", "owner", "history_reviewed", "case"})
GUARD_SCHEMA: Mapping[str, object] = {"ticket": TicketSnapshot, "actor": Actor, "args": ARGS}


@dataclass(frozen=True)
class Status:
    id: str
    name: str
    name_en: str
    aliases: tuple[str, ...]
    stage: str  # a stage, or "*" to keep the working level
    clock: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Stages:
    order: tuple[str, ...]  # the working levels, 1 to 4
    names: Mapping[str, str]

    def name(self, stage: str) -> str:
        return self.names.get(stage, stage)


@dataclass(frozen=True)
class Guard:
    rule: Rule
    require: Condition | None
    check: str
    message: str
    message_en: str


@dataclass(frozen=True)
class Transition:
    action: str
    name: str
    name_en: str
    processes: tuple[str, ...]  # the processes this transition belongs to
    sources: tuple[str, ...]
    from_stages: tuple[str, ...]  # empty: any stage
    to: str  # a status id, or "*" to keep the status
    stage: str  # "" (the status decides), "next", or a stage
    rules: tuple[Rule, ...]
    guards: tuple[Guard, ...]
    effects: tuple[str, ...]


@dataclass(frozen=True)
class KeepStatus:
    name: str
    name_en: str
    rule: Rule


def parse_statuses(r: Reader, ctx: PackContext, stages: Stages) -> dict[str, Status]:
    out: dict[str, Status] = {}
    known_stages = set(stages.names) | {"*"}
    for sid, sub in r.items():
        for moved in ("terminal", "reopenable"):
            if sub.has(moved):
                raise sub.error(
                    moved,
                    "что значит статус, говорит процесс: перенесите в [processes.<id>]",
                    "what a status means is the process's: move it to [processes.<id>]",
                )
        sub.only("name", "name_en", "aliases", "stage", "clock", "rules")
        stage = sub.text("stage")
        if stage not in known_stages:
            raise sub.error(
                "stage",
                f"неизвестная стадия «{stage}»; допустимы: {', '.join(sorted(known_stages))}",
                f"unknown stage {stage!r}",
            )
        clock = sub.text("clock")
        if clock not in CLOCKS:
            raise sub.error(
                "clock",
                f"ожидается одно из: {', '.join(CLOCKS)}",
                f"expected one of: {', '.join(CLOCKS)}",
            )
        out[sid] = Status(
            id=sid,
            name=sub.text("name"),
            name_en=sub.text("name_en"),
            aliases=tuple(sub.text_list("aliases", [])),
            stage=stage,
            clock=clock,
            rules=ctx.rules_of(sub, "rules"),
        )
    if not out:
        raise r.error(None, "нет ни одного статуса", "no statuses defined")
    return out


def parse_stages(r: Reader) -> Stages:
    r.only("order", "names")
    order = tuple(r.text_list("order"))
    names_r = r.table("names")
    names = {k: names_r.text(k) for k in names_r.names()}
    for stage in order:
        if stage not in names:
            raise names_r.error(stage, "нет названия стадии", "stage has no name")
    return Stages(order, names)


def parse_transitions(
    readers: list[Reader], ctx: PackContext, statuses: Mapping[str, Status], stages: Stages
) -> tuple[Transition, ...]:
    out = []
    for sub in readers:
        sub.only(
            "action", "name", "name_en", "processes", "from", "from_stages", "to", "stage",
            "rules", "guards", "effects",
        )  # fmt: skip
        sources = tuple(sub.text_list("from"))
        for i, sid in enumerate(sources):
            if sid not in statuses:
                raise sub.error(f"from[{i}]", f"нет статуса «{sid}»", f"no status {sid!r}")
        to = sub.text("to")
        if to != "*" and to not in statuses:
            raise sub.error("to", f"нет статуса «{to}»", f"no status {to!r}")
        from_stages = tuple(sub.text_list("from_stages", []))
        for i, st in enumerate(from_stages):
            if st not in stages.names:
                raise sub.error(f"from_stages[{i}]", f"нет стадии «{st}»", f"no stage {st!r}")
        stage = sub.text("stage", "")
        if stage and stage != "next" and stage not in stages.names:
            raise sub.error("stage", f"нет стадии «{stage}»", f"no stage {stage!r}")
        guards = tuple(_parse_guard(g, ctx) for g in sub.tables("guards", []))
        out.append(
            Transition(
                action=sub.text("action"),
                name=sub.text("name"),
                name_en=sub.text("name_en"),
                processes=tuple(sub.text_list("processes", [])),
                sources=sources,
                from_stages=from_stages,
                to=to,
                stage=stage,
                rules=ctx.rules_of(sub, "rules"),
                guards=guards,
                effects=tuple(sub.text_list("effects", [])),
            )
        )
    return tuple(out)


def _parse_guard(g: Reader, ctx: PackContext) -> Guard:
    g.only("rule", "require", "check", "message", "message_en")
    rule = ctx.rule(g, "rule")
    if g.has("require") == g.has("check"):
        raise g.error(
            None,
            "условие перехода задаётся ровно одним из ключей require или check",
            "a guard needs exactly one of require or check",
        )
    check = g.text("check", "")
    if check and check not in CHECKS:
        raise g.error(
            "check", f"неизвестная проверка; допустимы: {', '.join(CHECKS)}", "unknown check"
        )
    require = ctx.condition(g, "require", GUARD_SCHEMA) if g.has("require") else None
    return Guard(rule, require, check, g.text("message", ""), g.text("message_en", ""))


def find_status(statuses: Mapping[str, Status], name: str) -> Status:
    """A status by id, Russian name, English name or alias (case-insensitive)."""
    wanted = name.strip().casefold()
    for st in statuses.values():
        names = (st.id, st.name, st.name_en, *st.aliases)
        if wanted in (n.casefold() for n in names):
            return st
    known = ", ".join(f"{s.id} («{s.name}»)" for s in statuses.values())
    raise EngineError(
        f"Неизвестный статус «{name}». Допустимы: {known}",
        f"Unknown status {name!r}. Known: {known}",
    )
