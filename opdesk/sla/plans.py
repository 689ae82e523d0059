"""The `[sla]` section: SLA plans (B-06) and their choice by category × priority (B-05).

The table of document 004 is data in the pack, so a desk that renames a plan or adds a category
edits TOML, not code. Validation is strict (unknown keys, missing priorities and dangling plan
names are PackErrors naming the key path) because a silently missing cell would leave tickets
without a deadline.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from opdesk.errors import EngineError
from opdesk.pack_reader import Reader

RULE_CHOICE = "B-05"
RULE_PLANS = "B-06"
PERFORMER_STAGE = "resolution"

_DURATION = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_UNIT_RU = {"m": "мин", "h": "ч", "d": "раб. дн."}
_UNIT_SECONDS = {"m": 60, "h": 3600}


@dataclass(frozen=True, slots=True)
class WorkDuration:
    """A limit in working time: minutes, hours, or working days of the calendar."""

    amount: int
    unit: str  # "m" | "h" | "d"

    def seconds(self, day_seconds: int) -> int:
        """Working seconds; a day is the calendar's working day (B-06: 8 hours)."""
        return self.amount * (day_seconds if self.unit == "d" else _UNIT_SECONDS[self.unit])

    def text_ru(self) -> str:
        return f"{self.amount} {_UNIT_RU[self.unit]}"


def parse_duration(r: Reader, name: str) -> WorkDuration:
    text = r.text(name)
    m = _DURATION.match(text)
    if m is None:
        raise r.error(
            name,
            f"«{text}»: ожидается длительность вида «15m», «4h» или «2d»",
            f"{text!r}: expected a duration like '15m', '4h' or '2d'",
        )
    amount = int(m.group(1))
    if amount <= 0:  # a zero limit would put every ticket in breach the moment it opens
        raise r.error(
            name,
            f"«{text}»: длительность должна быть больше нуля",
            f"{text!r}: the duration must be greater than zero",
        )
    return WorkDuration(amount, m.group(2))


@dataclass(frozen=True, slots=True)
class SlaPlan:
    """One row of the B-06 table: the maximum working time per SLA stage."""

    key: str
    name: str
    limits: Mapping[str, WorkDuration]


@dataclass(frozen=True, slots=True)
class Category:
    """One row of the B-05 table."""

    name: str
    type: str
    plans: Mapping[str, str]  # priority → plan key
    resolution_set_by_performer: bool = False


@dataclass(frozen=True, slots=True)
class PlanChoice:
    """The plan for a ticket, with the reason in words (rule B-05)."""

    category: Category
    priority: str  # canonical
    plan: SlaPlan
    reason_ru: str
    reason_en: str

    @property
    def reason(self) -> str:
        return self.reason_ru


@dataclass(frozen=True, slots=True)
class SlaSpec:
    """The validated `[sla]` section."""

    priorities: tuple[str, ...]
    default_priority: str
    priority_aliases: Mapping[str, str]
    at_risk_percent: float
    stages: tuple[str, ...]
    stage_names: Mapping[str, str]
    uncontrolled_stages: frozenset[str]
    lifecycle_stages: Mapping[str, str]  # B-02 stage → SLA stage
    untimed_lifecycle_stages: frozenset[str]
    plans: Mapping[str, SlaPlan]
    categories: Mapping[str, Category]

    def canonical_priority(self, priority: str | None) -> str:
        """Resolve None (the default), an alias, or refuse an unknown priority."""
        if priority is None:
            return self.default_priority
        if priority in self.priorities:
            return priority
        alias = self.priority_aliases.get(priority)
        if alias is not None:
            return alias
        valid = ", ".join([*self.priorities, *self.priority_aliases])
        raise EngineError(
            f"{RULE_CHOICE}: неизвестный приоритет «{priority}»; допустимы: {valid}",
            f"{RULE_CHOICE}: unknown priority {priority!r}; valid: {valid}",
        )

    def plan_for(self, category: str, priority: str | None = None) -> PlanChoice:
        """B-05: the category × priority cell of the table, with the reason."""
        cat = self.categories.get(category)
        if cat is None:
            valid = "; ".join(f"«{c}»" for c in self.categories)
            raise EngineError(
                f"{RULE_CHOICE}: неизвестная категория «{category}»; допустимы: {valid}",
                f"{RULE_CHOICE}: unknown category {category!r}; valid: {valid}",
            )
        canon = self.canonical_priority(priority)
        plan = self.plans[cat.plans[canon]]
        given = "" if priority is None or priority == canon else f" («{priority}» = «{canon}»)"
        if priority is None:
            given = " (по умолчанию)"
        reason_ru = (
            f"{RULE_CHOICE}: категория «{cat.name}» ({cat.type}) × приоритет «{canon}»{given} "
            f"→ план SLA «{plan.name}»"
        )
        reason_en = (
            f"{RULE_CHOICE}: category {cat.name!r} × priority {canon!r} → SLA plan {plan.name!r}"
        )
        return PlanChoice(cat, canon, plan, reason_ru, reason_en)


def plan_for(spec: SlaSpec, category: str, priority: str | None = None) -> PlanChoice:
    """Function form of `SlaSpec.plan_for`."""
    return spec.plan_for(category, priority)


def _unique_list(r: Reader, name: str, default: list[str] | None = None) -> list[str]:
    values: list[str] = r.text_list(name) if default is None else r.text_list(name, default)
    for i, v in enumerate(values):
        if v in values[:i]:
            raise r.error(name, f"«{v}» повторяется", f"{v!r} is repeated")
    return values


def _member(r: Reader, name: str, value: str, allowed: list[str]) -> None:
    if value not in allowed:
        raise r.error(
            name,
            f"«{value}» нет в списке: {', '.join(allowed)}",
            f"{value!r} is not one of: {', '.join(allowed)}",
        )


def _text_map(r: Reader, name: str) -> dict[str, str]:
    t = r.table(name, {})
    return {k: t.text(k) for k in list(t.data)}


def parse_sla(r: Reader) -> SlaSpec:
    """Validate the `[sla]` table; every problem is a PackError naming its key path."""
    r.only(
        "priorities",
        "default_priority",
        "priority_aliases",
        "at_risk_percent",
        "stages",
        "stage_names",
        "uncontrolled_stages",
        "lifecycle_stages",
        "untimed_lifecycle_stages",
        "plans",
        "categories",
    )
    priorities = _unique_list(r, "priorities")
    default = r.text("default_priority", priorities[0] if priorities else "")
    _member(r, "default_priority", default, priorities)
    aliases = _text_map(r, "priority_aliases")
    for alias, target in aliases.items():
        _member(r.table("priority_aliases"), alias, target, priorities)
    at_risk = r.number("at_risk_percent", 80)
    if not 0 < at_risk <= 100:
        raise r.error("at_risk_percent", "ожидается число от 0 до 100", "expected 0 < x <= 100")

    stages = _unique_list(r, "stages")
    names = _text_map(r, "stage_names")
    names_r = r.table("stage_names", {})
    for key in names:
        _member(names_r, key, key, stages)
    stage_names = {s: names.get(s, s) for s in stages}
    uncontrolled = _unique_list(r, "uncontrolled_stages", [])
    for i, s in enumerate(uncontrolled):
        _member(r, f"uncontrolled_stages[{i}]", s, stages)
    lifecycle = _text_map(r, "lifecycle_stages")
    lc_r = r.table("lifecycle_stages", {})
    for key, target in lifecycle.items():
        _member(lc_r, key, target, stages)
    untimed = _unique_list(r, "untimed_lifecycle_stages", [])
    for i, s in enumerate(untimed):
        if s in lifecycle:
            raise r.error(
                f"untimed_lifecycle_stages[{i}]",
                f"«{s}» уже сопоставлена этапу SLA в lifecycle_stages",
                f"{s!r} is already mapped in lifecycle_stages",
            )

    plans: dict[str, SlaPlan] = {}
    for key, pr in r.table("plans").items():
        pr.only("name", *stages)
        limits = {s: parse_duration(pr, s) for s in stages}
        plans[key] = SlaPlan(key, pr.text("name"), limits)
    if not plans:
        raise r.error("plans", "нет ни одного плана SLA", "no SLA plans")

    categories: dict[str, Category] = {}
    for name, cr in r.table("categories").items():
        cr.only("type", "plans", "resolution_set_by_performer")
        pr = cr.table("plans")
        pr.only(*priorities)
        chosen: dict[str, str] = {}
        for p in priorities:
            plan_key = pr.text(p)
            _member(pr, p, plan_key, list(plans))
            chosen[p] = plan_key
        by_performer = cr.flag("resolution_set_by_performer", False)
        if by_performer and PERFORMER_STAGE not in stages:
            raise cr.error(
                "resolution_set_by_performer",
                f"в sla.stages нет этапа «{PERFORMER_STAGE}»",
                f"sla.stages has no {PERFORMER_STAGE!r} stage",
            )
        categories[name] = Category(name, cr.text("type"), chosen, by_performer)
    if not categories:
        raise r.error("categories", "нет ни одной категории", "no categories")

    return SlaSpec(
        priorities=tuple(priorities),
        default_priority=default,
        priority_aliases=aliases,
        at_risk_percent=float(at_risk),
        stages=tuple(stages),
        stage_names=stage_names,
        uncontrolled_stages=frozenset(uncontrolled),
        lifecycle_stages=lifecycle,
        untimed_lifecycle_stages=frozenset(untimed),
        plans=plans,
        categories=categories,
    )
