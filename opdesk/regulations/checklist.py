"""Closing checklists (C-01…C-11): which requirements a ticket meets before it may close.

Items and the conditions that make them apply (VIP, no mobile, a comment asking for a call,
electronic-confirmation groups, paid requests in act cities, spare parts) are pack data; this
module only evaluates them and reports every item, satisfied or missing, with its rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from opdesk.pack_reader import Reader
from opdesk.regulations.conditions import Condition
from opdesk.regulations.context import PackContext
from opdesk.regulations.rules import Reason, Rule, reason_for
from opdesk.regulations.snapshot import TicketSnapshot

CHECKLIST_SCHEMA: Mapping[str, object] = {"ticket": TicketSnapshot}
PARTS = ("responsible", "opp")
Lists = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    rule: Rule
    part: str
    text: str
    text_en: str
    when: Condition | None
    require: Condition


@dataclass(frozen=True)
class ClosingScheme:
    id: str
    name: str
    name_en: str
    applies_when: Condition | None  # None: the default scheme
    rule: Rule | None
    to_fill: bool
    items: tuple[ChecklistItem, ...]


@dataclass(frozen=True)
class ClosingSpec:
    default_scheme: str
    schemes: Mapping[str, ClosingScheme]


@dataclass(frozen=True)
class ItemResult:
    """One line of the checklist as the operator sees it."""

    id: str
    rule: str
    part: str
    text: str
    text_en: str
    source: str
    applies: bool
    satisfied: bool

    @property
    def missing(self) -> bool:
        return self.applies and not self.satisfied


@dataclass(frozen=True)
class ChecklistResult:
    scheme: str
    scheme_name: str
    items: tuple[ItemResult, ...]
    reasons: tuple[Reason, ...]  # one per missing item (or the unfilled scheme)

    @property
    def complete(self) -> bool:
        return not self.reasons

    @property
    def missing(self) -> tuple[ItemResult, ...]:
        return tuple(i for i in self.items if i.missing)


def parse_closing(r: Reader, ctx: PackContext) -> ClosingSpec:
    r.only("default_scheme", "schemes")
    schemes_r = r.table("schemes")
    schemes: dict[str, ClosingScheme] = {}
    for sid, sub in schemes_r.items():
        sub.only("name", "name_en", "applies_when", "rule", "to_fill", "items")
        items = []
        seen: set[str] = set()
        for item in sub.tables("items", []):
            item.only("id", "rule", "part", "text", "text_en", "when", "require")
            iid = item.text("id")
            if iid in seen:
                raise item.error("id", f"повтор идентификатора «{iid}»", f"duplicate id {iid!r}")
            seen.add(iid)
            part = item.text("part")
            if part not in PARTS:
                raise item.error("part", f"ожидается одно из: {', '.join(PARTS)}", "bad part")
            items.append(
                ChecklistItem(
                    id=iid,
                    rule=ctx.rule(item, "rule"),
                    part=part,
                    text=item.text("text"),
                    text_en=item.text("text_en"),
                    when=ctx.condition(item, "when", CHECKLIST_SCHEMA)
                    if item.has("when")
                    else None,
                    require=ctx.condition(item, "require", CHECKLIST_SCHEMA),
                )
            )
        to_fill = sub.flag("to_fill", False)
        if not items and not to_fill:
            raise sub.error(
                "items",
                "в схеме нет пунктов; пустая схема допустима только с to_fill = true",
                "a scheme without items needs to_fill = true",
            )
        if to_fill and not sub.has("rule"):
            raise sub.error(
                "rule",
                "схема, которую нужно заполнить, должна ссылаться на своё правило",
                "a scheme to fill in must cite its rule",
            )
        schemes[sid] = ClosingScheme(
            id=sid,
            name=sub.text("name"),
            name_en=sub.text("name_en"),
            applies_when=(
                ctx.condition(sub, "applies_when", CHECKLIST_SCHEMA)
                if sub.has("applies_when")
                else None
            ),
            rule=ctx.rule(sub, "rule") if sub.has("rule") else None,
            to_fill=to_fill,
            items=tuple(items),
        )
    default = r.text("default_scheme")
    if default not in schemes:
        raise r.error("default_scheme", f"нет схемы «{default}»", f"no scheme {default!r}")
    if schemes[default].applies_when is not None:
        raise schemes_r.error(
            default, "схема по умолчанию не должна иметь applies_when", "default has applies_when"
        )
    return ClosingSpec(default, schemes)


def choose_scheme(spec: ClosingSpec, ticket: TicketSnapshot, lists: Lists) -> ClosingScheme:
    """The client's own scheme if one applies (C-08: Сбербанк), else the default one."""
    ctx = {"ticket": ticket}
    for scheme in spec.schemes.values():
        if scheme.applies_when is not None and scheme.applies_when.holds(ctx, lists):
            return scheme
    return spec.schemes[spec.default_scheme]


def evaluate_checklist(
    spec: ClosingSpec, ticket: TicketSnapshot, lists: Lists, parts: tuple[str, ...] = PARTS
) -> ChecklistResult:
    """Every item of the ticket's scheme: applies or not, satisfied or missing, and why."""
    scheme = choose_scheme(spec, ticket, lists)
    ctx = {"ticket": ticket}
    results: list[ItemResult] = []
    reasons: list[Reason] = []
    if scheme.to_fill and not scheme.items:
        rule = scheme.rule
        if rule is None:
            raise AssertionError("validated at load: a scheme to fill cites its rule")
        reasons.append(
            reason_for(
                rule,
                detail=(
                    f"Для клиента действует «{scheme.name}», но она не заполнена в пакете "
                    "регламентов: закрытие невозможно, пока отдел не опишет эту схему."
                ),
                detail_en=(
                    f"{scheme.name_en} applies to this client but the pack leaves it empty: "
                    "closing is refused until the desk fills it in."
                ),
            )
        )
    for item in scheme.items:
        if item.part not in parts:
            continue
        applies = item.when is None or item.when.holds(ctx, lists)
        satisfied = applies and item.require.holds(ctx, lists)
        res = ItemResult(
            id=item.id,
            rule=item.rule.id,
            part=item.part,
            text=item.text,
            text_en=item.text_en,
            source=f"{item.rule.source.title} ({item.rule.source.file})",
            applies=applies,
            satisfied=satisfied,
        )
        results.append(res)
        if res.missing:
            reasons.append(
                reason_for(item.rule, detail=f"не выполнено: {item.text}", detail_en=item.text_en)
            )
    return ChecklistResult(scheme.id, scheme.name, tuple(results), tuple(reasons))
