"""Processes: one lifecycle per source document (a workflow per request type, as data).

The five documents describe five processes — a request registered during a call (001), a
help-desk ticket (002), a portal request (003), a CSN ticket with support levels (004) and an
outage ticket closed through ОПП (000). Each keeps its own statuses, transitions, auto-close
and reopen rules, so 004's «Решен» closes after 2 working days while 003's request waits 3,
and neither bends the other. What a status *means* for a ticket (terminal, auto-closing,
reopenable, editable after closing) is asked of the ticket's process, never of a status id
written into code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from opdesk.errors import EngineError, PackError
from opdesk.pack_reader import Reader
from opdesk.regulations.context import PackContext
from opdesk.regulations.rules import Rule, Source
from opdesk.regulations.statuses import Stages, Status, Transition

KEYS = (
    "name", "name_en", "source", "rule", "rules", "channels", "levels", "statuses", "names",
    "terminal", "intake", "auto_close", "no_auto_close", "reopen", "edit_after_close",
    "sla_plans", "closing_schemes", "templates", "keep_status",
)  # fmt: skip


@dataclass(frozen=True)
class Intake:
    """How a new ticket of the process enters the desk (B-01 for CSN, S-01 for a call, …)."""

    status: str
    queue: str
    queue_en: str
    rule: Rule
    priority_rule: Rule
    effects: tuple[str, ...]


@dataclass(frozen=True)
class AutoClose:
    """A status that closes by itself after `working_days` with no client reaction."""

    status: str
    working_days: int
    rule: Rule


@dataclass(frozen=True)
class Refusal:
    """A rule the process cites when it refuses something outright (no auto-close, no reopen)."""

    rule: Rule
    message: str
    message_en: str


@dataclass(frozen=True)
class Reopen:
    """From which terminal or resolved statuses a ticket may come back, and for how long.

    `never` refuses every reopening with `rule` (P-08); `window_minutes` None means no limit."""

    sources: tuple[str, ...]
    window_minutes: int | None
    never: bool
    rule: Rule
    message: str
    message_en: str


@dataclass(frozen=True)
class EditWindow:
    """How long a closed ticket may still be edited (S-09: 5 minutes; 0: only by reopening)."""

    minutes: int
    rule: Rule


@dataclass(frozen=True)
class Process:
    id: str
    name: str
    name_en: str
    source: Source
    rule: Rule  # cited when an action is not part of this process
    rules: tuple[Rule, ...]
    channels: tuple[str, ...]
    levels: bool  # B-02 working levels (stage order) apply
    statuses: tuple[str, ...]
    names: Mapping[str, str]  # the document's own name of a shared status
    terminal: frozenset[str]
    intake: Intake
    auto_close: tuple[AutoClose, ...]
    no_auto_close: Refusal | None
    reopen: Reopen
    edit_after_close: EditWindow
    sla_plans: bool
    closing_schemes: tuple[str, ...]
    templates: tuple[str, ...]
    keep_status: bool
    transitions: tuple[Transition, ...]

    def is_terminal(self, status: str) -> bool:
        return status in self.terminal

    def auto_close_for(self, status: str) -> AutoClose | None:
        return next((a for a in self.auto_close if a.status == status), None)

    def status_name(self, status: Status) -> str:
        return self.names.get(status.id, status.name)

    def find_status(self, statuses: Mapping[str, Status], name: str) -> Status:
        """A status of this process by id, the document's name, the shared names or alias."""
        if name in self.statuses:  # the id itself: what every export writes
            return statuses[name]
        wanted = name.strip().casefold()
        for sid in self.statuses:
            st = statuses[sid]
            names = (st.id, st.name, st.name_en, *st.aliases, self.names.get(sid, ""))
            if wanted in (n.casefold() for n in names if n):
                return st
        known = ", ".join(f"{sid} («{self.status_name(statuses[sid])}»)" for sid in self.statuses)
        raise EngineError(
            f"В процессе «{self.name}» нет статуса «{name}». Допустимы: {known}",
            f"Process {self.id} has no status {name!r}. Known: {known}",
        )

    def stage_of(self, status: Status, stages: Stages, current: str = "") -> str:
        """The stage a ticket is on in `status`: working levels only where the process has
        them (004); elsewhere a working status is on no level ("")."""
        if status.stage == "*":
            return current if self.levels else ""
        if status.stage in stages.order and not self.levels:
            return ""
        return status.stage


def parse_processes(
    r: Reader,
    ctx: PackContext,
    sources: Mapping[str, Source],
    statuses: Mapping[str, Status],
    transitions: tuple[Transition, ...],
    effects: Mapping[str, object],
    schemes: Mapping[str, object],
    templates: Mapping[str, object],
) -> dict[str, Process]:
    out: dict[str, Process] = {}
    channel_owner: dict[str, str] = {}
    for pid, sub in r.items():
        process = _parse_process(pid, sub, ctx, sources, statuses, effects, schemes, templates)
        for i, channel in enumerate(process.channels):
            if channel in channel_owner:
                raise sub.error(
                    f"channels[{i}]",
                    f"канал «{channel}» уже отдан процессу «{channel_owner[channel]}»",
                    f"channel {channel!r} already belongs to process {channel_owner[channel]!r}",
                )
            channel_owner[channel] = pid
        out[pid] = process
    if not out:
        raise r.error(None, "нет ни одного процесса", "no processes defined")
    return _with_transitions(r, out, transitions)


def _parse_process(
    pid: str,
    sub: Reader,
    ctx: PackContext,
    sources: Mapping[str, Source],
    statuses: Mapping[str, Status],
    effects: Mapping[str, object],
    schemes: Mapping[str, object],
    templates: Mapping[str, object],
) -> Process:
    sub.only(*KEYS)
    source = sub.text("source")
    if source not in sources:
        raise sub.error("source", f"нет источника «{source}» в [sources]", f"no source {source!r}")
    own = tuple(sub.text_list("statuses"))
    for i, sid in enumerate(own):
        if sid not in statuses:
            raise sub.error(f"statuses[{i}]", f"нет статуса «{sid}»", f"no status {sid!r}")
    names_r = sub.table("names", {})
    for sid in names_r.names():
        _member(names_r, sid, sid, own)
    terminal = tuple(sub.text_list("terminal"))
    for i, sid in enumerate(terminal):
        _member(sub, f"terminal[{i}]", sid, own)
    auto = _auto_close(sub, ctx, own, terminal)
    no_auto = _refusal(sub.table("no_auto_close"), ctx) if sub.has("no_auto_close") else None
    if bool(auto) == (no_auto is not None):
        raise sub.error(
            None,
            "нужен ровно один из ключей auto_close или no_auto_close",
            "exactly one of auto_close or no_auto_close is required",
        )
    for key, known, what in (
        ("closing_schemes", schemes, "схемы закрытия"),
        ("templates", templates, "шаблона"),
    ):
        for i, item in enumerate(sub.text_list(key, [])):
            if item not in known:
                raise sub.error(f"{key}[{i}]", f"нет {what} «{item}»", f"unknown {key} {item!r}")
    edit = sub.table("edit_after_close")
    edit.only("minutes", "rule")
    return Process(
        id=pid,
        name=sub.text("name"),
        name_en=sub.text("name_en"),
        source=sources[source],
        rule=ctx.rule(sub, "rule"),
        rules=ctx.rules_of(sub, "rules", []),
        channels=tuple(sub.text_list("channels", [])),
        levels=sub.flag("levels", False),
        statuses=own,
        names={sid: names_r.text(sid) for sid in names_r.names()},
        terminal=frozenset(terminal),
        intake=_intake(sub.table("intake"), ctx, own, effects),
        auto_close=auto,
        no_auto_close=no_auto,
        reopen=_reopen(sub.table("reopen"), ctx, own),
        edit_after_close=EditWindow(edit.integer("minutes", minimum=0), ctx.rule(edit, "rule")),
        sla_plans=sub.flag("sla_plans", False),
        closing_schemes=tuple(sub.text_list("closing_schemes", [])),
        templates=tuple(sub.text_list("templates", [])),
        keep_status=sub.flag("keep_status", False),
        transitions=(),
    )


def _member(r: Reader, key: str | int, sid: str, own: tuple[str, ...]) -> None:
    if sid not in own:
        raise r.error(
            key,
            f"статус «{sid}» не входит в процесс (statuses)",
            f"status {sid!r} is not one of the process's statuses",
        )


def _intake(
    r: Reader, ctx: PackContext, own: tuple[str, ...], effects: Mapping[str, object]
) -> Intake:
    r.only("status", "queue", "queue_en", "rule", "priority_rule", "effects")
    status = r.text("status")
    _member(r, "status", status, own)
    names = tuple(r.text_list("effects", []))
    for i, name in enumerate(names):
        if name not in effects:
            raise r.error(f"effects[{i}]", f"эффект «{name}» не описан", f"no effect {name!r}")
    return Intake(
        status=status,
        queue=r.text("queue"),
        queue_en=r.text("queue_en"),
        rule=ctx.rule(r, "rule"),
        priority_rule=ctx.rule(r, "priority_rule"),
        effects=names,
    )


def _auto_close(
    sub: Reader, ctx: PackContext, own: tuple[str, ...], terminal: tuple[str, ...]
) -> tuple[AutoClose, ...]:
    out: list[AutoClose] = []
    for i, a in enumerate(sub.tables("auto_close", [])):
        a.only("status", "working_days", "rule")
        status = a.text("status")
        _member(a, "status", status, own)
        if status in terminal:
            raise a.error("status", "окончательный статус не закрывается", "a terminal status")
        if any(prior.status == status for prior in out):
            raise a.error(
                "status",
                f"второе правило автозакрытия для статуса «{status}» (auto_close[{i}])",
                f"a second auto-close rule for status {status!r}",
            )
        days = a.integer("working_days", minimum=1)
        out.append(AutoClose(status, days, ctx.rule(a, "rule")))
    return tuple(out)


def _refusal(r: Reader, ctx: PackContext) -> Refusal:
    r.only("rule", "message", "message_en")
    return Refusal(ctx.rule(r, "rule"), r.text("message"), r.text("message_en"))


def _reopen(r: Reader, ctx: PackContext, own: tuple[str, ...]) -> Reopen:
    r.only("from", "window_minutes", "never", "rule", "message", "message_en")
    never = r.flag("never", False)
    sources = tuple(r.text_list("from", []))
    for i, sid in enumerate(sources):
        _member(r, f"from[{i}]", sid, own)
    if never == bool(sources):
        raise r.error(
            None,
            "укажите либо from (откуда возобновляется), либо never = true",
            "give either from (where reopening starts) or never = true",
        )
    window = r.integer("window_minutes", None, minimum=1)
    return Reopen(
        sources, window, never, ctx.rule(r, "rule"), r.text("message", ""), r.text("message_en", "")
    )


def _with_transitions(
    r: Reader,
    processes: dict[str, Process],
    transitions: tuple[Transition, ...],
) -> dict[str, Process]:
    """Give each process its transitions; a transition leaving its process is a pack error."""
    mine: dict[str, list[Transition]] = {pid: [] for pid in processes}
    for i, t in enumerate(transitions):
        where = f"transitions[{i}]"
        if not t.processes:
            raise PackError(r.file, f"{where}.processes", "не указан процесс", "no process given")
        for k, pid in enumerate(t.processes):
            if pid not in processes:
                raise PackError(
                    r.file,
                    f"{where}.processes[{k}]",
                    f"нет процесса «{pid}»",
                    f"no process {pid!r}",
                )
            _check_inside(r.file, where, t, processes[pid])
            for other in mine[pid]:
                _check_disjoint(r.file, where, t, other, pid)
            mine[pid].append(t)
    out = {
        pid: dataclasses.replace(p, transitions=tuple(mine[pid])) for pid, p in processes.items()
    }
    for pid, p in out.items():
        _check_closing_parts(r.file, pid, p)
    return out


def _check_inside(file: Path, where: str, t: Transition, process: Process) -> None:
    pid = process.id
    for key, sid in [*((f"from[{j}]", s) for j, s in enumerate(t.sources)), ("to", t.to)]:
        if sid != "*" and sid not in process.statuses:
            raise PackError(
                file,
                f"{where}.{key}",
                f"статус «{sid}» не входит в процесс «{pid}»: переход выходит за его пределы",
                f"status {sid!r} is not in process {pid!r}: the transition leaves its process",
            )
    if (t.from_stages or t.stage) and not process.levels:
        raise PackError(
            file,
            f"{where}.from_stages" if t.from_stages else f"{where}.stage",
            f"в процессе «{pid}» нет уровней поддержки (levels = false)",
            f"process {pid!r} has no support levels",
        )
    if any(g.check == "closing_checklist" for g in t.guards) and not process.closing_schemes:
        raise PackError(
            file,
            f"{where}.guards",
            f"у процесса «{pid}» нет схем закрытия (closing_schemes)",
            f"process {pid!r} has no closing schemes",
        )


def _check_disjoint(file: Path, where: str, t: Transition, other: Transition, pid: str) -> None:
    """One action may appear twice in a process only from different statuses or levels."""
    if other.action != t.action:
        return
    overlap = sorted(set(other.sources) & set(t.sources))
    stages_meet = (
        not other.from_stages or not t.from_stages or set(other.from_stages) & set(t.from_stages)
    )
    if overlap and stages_meet:
        raise PackError(
            file,
            f"{where}.from",
            f"действие «{t.action}» уже ведёт из {overlap} в процессе «{pid}»",
            f"action {t.action!r} already leaves {overlap} in process {pid!r}",
        )


def _check_closing_parts(file: Path, pid: str, p: Process) -> None:
    """Each auto-closing status needs an `auto_close` action out of it, and a reopen rule
    with sources needs a `reopen` action from each of them: the data must agree with itself."""
    for i, a in enumerate(p.auto_close):
        if not any(t.action == "auto_close" and a.status in t.sources for t in p.transitions):
            raise PackError(
                file,
                f"processes.{pid}.auto_close[{i}].status",
                f"нет действия auto_close из «{a.status}»",
                f"no auto_close action leaves {a.status!r}",
            )
    for j, sid in enumerate(p.reopen.sources):
        if not any(t.action == "reopen" and sid in t.sources for t in p.transitions):
            raise PackError(
                file,
                f"processes.{pid}.reopen.from[{j}]",
                f"нет действия reopen из «{sid}»",
                f"no reopen action leaves {sid!r}",
            )
    if p.reopen.never and any(t.action == "reopen" for t in p.transitions):
        raise PackError(
            file,
            f"processes.{pid}.reopen.never",
            "возобновление запрещено, но в процессе есть действие reopen",
            "reopening is forbidden but the process has a reopen action",
        )
