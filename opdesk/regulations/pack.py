"""Loading a regulation pack: TOML in, a validated, immutable `Pack` out.

Parsing goes section by section through `Reader`s, so every problem surfaces as a `PackError`
that names the file, the key path and what is wrong (Russian and English) — never a traceback.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from opdesk.errors import EngineError, PackError
from opdesk.pack_reader import Reader
from opdesk.regulations.checklist import CHECKLIST_SCHEMA, ClosingSpec, parse_closing
from opdesk.regulations.classification import Classification
from opdesk.regulations.classification_reader import parse_classification
from opdesk.regulations.conditions import Condition
from opdesk.regulations.context import PackContext
from opdesk.regulations.departments import Departments, parse_departments
from opdesk.regulations.processes import Process, parse_processes
from opdesk.regulations.rules import Rule, Source, parse_rules, parse_sources
from opdesk.regulations.statuses import (
    KeepStatus,
    Stages,
    Status,
    Transition,
    parse_stages,
    parse_statuses,
    parse_transitions,
)
from opdesk.regulations.templates import Templates, parse_templates
from opdesk.sla.calendar import WorkingCalendar
from opdesk.sla.calendar_spec import parse_calendar
from opdesk.sla.deadlines import SlaEngine
from opdesk.sla.plans import SlaSpec, parse_sla

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
DEFAULT_PACK = RESOURCES / "regulations" / "default.toml"

SECTIONS = (
    "pack", "sources", "rules", "lists", "calendar", "sla", "statuses", "keep_status",
    "stages", "processes", "effects", "transitions", "closing", "departments",
    "classification", "templates", "changelog",
)  # fmt: skip


@dataclass(frozen=True)
class Effect:
    id: str
    name: str
    suppressed_when: Condition | None
    rule: Rule | None


@dataclass(frozen=True)
class ChangeEntry:
    """U-10: one dated entry of the regulation's change log."""

    date: dt.date
    author: str
    rules: tuple[str, ...]
    change: str
    change_en: str


@dataclass(frozen=True)
class Pack:
    file: Path
    id: str
    name: str
    version: str
    sources: Mapping[str, Source]
    rules: Mapping[str, Rule]
    lists: Mapping[str, tuple[str, ...]]
    calendar: WorkingCalendar
    sla: SlaSpec
    statuses: Mapping[str, Status]
    stages: Stages
    keep_status: KeepStatus
    processes: Mapping[str, Process]
    effects: Mapping[str, Effect]
    transitions: tuple[Transition, ...]
    closing: ClosingSpec
    departments: Departments
    classification: Classification
    templates: Templates
    changelog: tuple[ChangeEntry, ...]

    @functools.cached_property
    def sla_engine(self) -> SlaEngine:
        """The SLA engine for this pack (the clock mode of each status from [statuses])."""
        clocks = {sid: st.clock for sid, st in self.statuses.items()}
        return SlaEngine(self.sla, self.calendar, clocks)

    def process(self, name: str) -> Process:
        """A process by id or name (Russian or English)."""
        wanted = name.strip().casefold()
        for p in self.processes.values():
            if wanted in (p.id.casefold(), p.name.casefold(), p.name_en.casefold()):
                return p
        known = ", ".join(f"{p.id} («{p.name}»)" for p in self.processes.values())
        raise EngineError(
            f"Неизвестный процесс «{name}». Допустимы: {known}",
            f"Unknown process {name!r}. Known: {known}",
        )

    def process_for(self, channel: str, process: str | None = None) -> Process:
        """The process of a new ticket: the one named, else the channel's own."""
        if process:
            return self.process(process)
        for p in self.processes.values():
            if channel in p.channels:
                return p
        channels = ", ".join(c for p in self.processes.values() for c in p.channels)
        raise EngineError(
            f"Для канала «{channel}» процесс не задан; укажите процесс явно. Каналы: {channels}",
            f"No process for channel {channel!r}; name the process. Channels: {channels}",
        )

    def changes_since(self, since: dt.date) -> tuple[ChangeEntry, ...]:
        """U-10: what changed in the regulation on or after `since`, newest first."""
        return tuple(e for e in self.changelog if e.date >= since)


def load_pack(path: Path | str) -> Pack:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PackError(path, "", f"файл не читается: {exc.strerror}", str(exc)) from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PackError(path, "", "файл не в кодировке UTF-8", "file is not UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PackError(path, "", f"ошибка синтаксиса TOML: {exc}", f"TOML syntax: {exc}") from exc
    return parse_pack(Reader(path, data))


@functools.cache
def load_default_pack() -> Pack:
    return load_pack(DEFAULT_PACK)


def parse_pack(r: Reader) -> Pack:
    r.only(*SECTIONS)
    head = r.table("pack")
    head.only("id", "name", "name_en", "version")
    sources = parse_sources(r.table("sources"))
    rules = parse_rules(r.table("rules"), sources)
    ctx = PackContext(rules, _parse_lists(r.table("lists", {})))
    calendar = WorkingCalendar(parse_calendar(r.table("calendar")))
    stages = parse_stages(r.table("stages"))
    statuses = parse_statuses(r.table("statuses"), ctx, stages)
    effects = _parse_effects(r.table("effects"), ctx)
    transitions = parse_transitions(r.tables("transitions"), ctx, statuses, stages)
    closing = parse_closing(r.table("closing"), ctx)
    for i, t in enumerate(transitions):
        for name in t.effects:
            if name not in effects:
                raise PackError(
                    r.file,
                    f"transitions[{i}].effects",
                    f"эффект «{name}» не описан в [effects]",
                    f"effect {name!r} is not defined in [effects]",
                )
    departments = parse_departments(r.table("departments"), ctx)
    templates = parse_templates(r.table("templates"), ctx, departments)
    actions = {t.action for t in transitions}
    for template in templates.items:
        if template.action and template.action not in actions:
            raise PackError(
                r.file,
                f"templates.{template.id}.action",
                f"действие «{template.action}» не описано ни в одном [[transitions]]",
                f"action {template.action!r} is not defined by any [[transitions]]",
            )
    processes = parse_processes(
        r.table("processes"),
        ctx,
        sources,
        statuses,
        transitions,
        effects,
        closing.schemes,
        {t.id: t for t in templates.items},
    )
    keep = r.table("keep_status")
    keep.only("name", "name_en", "rule")
    return Pack(
        file=r.file,
        id=head.text("id"),
        name=head.text("name"),
        version=head.text("version"),
        sources=sources,
        rules=rules,
        lists=ctx.lists,
        calendar=calendar,
        sla=parse_sla(r.table("sla")),
        statuses=statuses,
        stages=stages,
        keep_status=KeepStatus(keep.text("name"), keep.text("name_en"), ctx.rule(keep, "rule")),
        processes=processes,
        effects=effects,
        transitions=transitions,
        closing=closing,
        departments=departments,
        classification=parse_classification(r.table("classification"), ctx),
        templates=templates,
        changelog=_parse_changelog(r.tables("changelog", []), ctx),
    )


def _parse_lists(r: Reader) -> dict[str, tuple[str, ...]]:
    return {name: tuple(r.text_list(name)) for name in r.names()}


def _parse_effects(r: Reader, ctx: PackContext) -> dict[str, Effect]:
    out = {}
    for eid, sub in r.items():
        sub.only("name", "suppressed_when", "rule")
        out[eid] = Effect(
            id=eid,
            name=sub.text("name"),
            suppressed_when=(
                ctx.condition(sub, "suppressed_when", CHECKLIST_SCHEMA)
                if sub.has("suppressed_when")
                else None
            ),
            rule=ctx.rule(sub, "rule") if sub.has("rule") else None,
        )
    return out


def _parse_changelog(readers: list[Reader], ctx: PackContext) -> tuple[ChangeEntry, ...]:
    out = []
    for sub in readers:
        sub.only("date", "author", "rules", "change", "change_en")
        rules = ctx.rules_of(sub, "rules", [])
        out.append(
            ChangeEntry(
                date=sub.day("date"),
                author=sub.text("author"),
                rules=tuple(rule.id for rule in rules),
                change=sub.text("change"),
                change_en=sub.text("change_en", ""),
            )
        )
    return tuple(sorted(out, key=lambda e: e.date, reverse=True))
