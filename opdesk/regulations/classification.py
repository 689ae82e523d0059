"""The classifier of service requests as pack data (S-02…S-07, S-08, U-03, U-07).

The creating-requests regulation (S) classifies a request as Theme → Type → Subtheme, with a
Product for some themes, and ranks types by priority. The ticket regulation (U) corrects the
classification to the ticket's outcome. Both change more often than code does, so the tree, the
priority order, the type corrections of S-05, the situations that split a contact into several
requests (S-02) and the outcome corrections (U-03) are all data here; `classify.py` holds the
engine that applies them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from opdesk.regulations.comments import CommentKind, parse_comment_kinds
from opdesk.regulations.conditions import Condition
from opdesk.regulations.context import PackContext
from opdesk.regulations.questions import QUESTION_FIELDS, QUESTION_SCHEMA
from opdesk.regulations.reader import Reader
from opdesk.regulations.rules import Rule, Verdict, reason_for
from opdesk.regulations.snapshot import TicketSnapshot


@dataclass(frozen=True)
class Theme:
    id: str
    name: str
    product_required: bool
    products: tuple[str, ...]
    subthemes: tuple[tuple[str, tuple[str, ...]], ...]  # (type, subthemes) in pack order

    def subthemes_of(self, type_name: str) -> tuple[str, ...]:
        return dict(self.subthemes).get(type_name, ())


@dataclass(frozen=True)
class TypeRule:
    """S-05: a correction of a question's type (`type`) or its omission (`register = false`)."""

    id: str
    rule: Rule
    when: Condition
    text: str
    text_en: str
    type: str = ""
    register: bool = True


@dataclass(frozen=True)
class SeparateRule:
    """S-02: questions matching `when` get their own request(s), one per value of `per`.

    `exclusive` means that once such a question exists, the contact's other themes are not
    recorded at all («иные тематики не фиксируются» for content numbers).
    """

    id: str
    rule: Rule
    when: Condition
    text: str
    text_en: str
    per: str = ""
    exclusive: bool = False


@dataclass(frozen=True)
class SecondRule:
    """S-02: a question matching `when` needs a second, linked request of this classification."""

    id: str
    rule: Rule
    when: Condition
    text: str
    text_en: str
    theme: str
    type: str
    subtheme: str


@dataclass(frozen=True)
class OutcomeRule:
    """U-03: a ticket that ended with `outcome` must carry this classification."""

    outcome: str
    rule: Rule
    name: str
    type: str
    subtheme: str
    theme: str = ""


@dataclass(frozen=True)
class Classification:
    types: tuple[str, ...]  # S-05: highest priority first
    themes: tuple[Theme, ...]
    order_rule: Rule  # S-04: Theme → Type → Subtheme
    product_rule: Rule  # S-04: product for some themes
    priority_rule: Rule  # S-05
    merge_rule: Rule  # S-06
    contact_rule: Rule  # S-01
    one_request_rule: Rule  # S-02
    number_rule: Rule  # S-03
    theme_rule: Rule  # S-07
    type_rules: tuple[TypeRule, ...] = ()
    separate: tuple[SeparateRule, ...] = ()
    second: tuple[SecondRule, ...] = ()
    outcomes: tuple[OutcomeRule, ...] = ()
    comments: tuple[CommentKind, ...] = ()

    def theme(self, name: str) -> Theme | None:
        wanted = name.strip()
        return next((t for t in self.themes if wanted in (t.name, t.id)), None)

    def rank(self, type_name: str) -> int:
        """0 for the highest-priority type; unknown types rank last."""
        return self.types.index(type_name) if type_name in self.types else len(self.types)


def outcome_check(c: Classification, ticket: TicketSnapshot) -> Verdict:
    """U-03: the classification is corrected to the ticket's outcome (e.g. a repair request →
    «Заявка | Заявка на ремонт»). A ticket without an outcome, or with an outcome the pack has
    no correction for, passes with no reason: reasons come only with a mismatch, so a caller
    (the closing guard in lifecycle.py) can treat any reason as blocking."""
    if not ticket.outcome:
        return Verdict(True)
    rule = next((o for o in c.outcomes if o.outcome == ticket.outcome), None)
    if rule is None:
        return Verdict(True)
    wrong: list[str] = []
    if rule.theme and ticket.theme != rule.theme:
        wrong.append(f"тема «{ticket.theme}» вместо «{rule.theme}»")
    if ticket.type != rule.type:
        wrong.append(f"тип «{ticket.type}» вместо «{rule.type}»")
    if ticket.subtheme != rule.subtheme:
        wrong.append(f"подтема «{ticket.subtheme}» вместо «{rule.subtheme}»")
    target = f"«{rule.type} | {rule.subtheme}»"
    if not wrong:
        return Verdict(True)
    detail = f"{rule.name}: нужна классификация {target}; сейчас {'; '.join(wrong)}"
    en = f"outcome {rule.outcome!r} needs {rule.type} | {rule.subtheme}"
    return Verdict(False, (reason_for(rule.rule, detail, en),))


_RULE_KEYS = (
    "order_rule",
    "product_rule",
    "priority_rule",
    "merge_rule",
    "contact_rule",
    "one_request_rule",
    "number_rule",
    "theme_rule",
)


def parse_classification(r: Reader, ctx: PackContext) -> Classification:
    """Parse `[classification]`: types, themes, type rules, splits, outcomes, comment kinds."""
    r.only(
        "types", *_RULE_KEYS, "themes", "type_rules", "separate", "second", "outcomes", "comments"
    )
    types = tuple(r.text_list("types"))
    if not types or len(set(types)) != len(types):
        raise r.error("types", "нужен непустой список без повторов", "need a non-empty list")
    themes = tuple(_theme(sub, tid, types) for tid, sub in r.table("themes").items())
    if not themes:
        raise r.error("themes", "не описана ни одна тема", "no theme is defined")
    base = Classification(
        types=types,
        themes=themes,
        order_rule=ctx.rule(r, "order_rule"),
        product_rule=ctx.rule(r, "product_rule"),
        priority_rule=ctx.rule(r, "priority_rule"),
        merge_rule=ctx.rule(r, "merge_rule"),
        contact_rule=ctx.rule(r, "contact_rule"),
        one_request_rule=ctx.rule(r, "one_request_rule"),
        number_rule=ctx.rule(r, "number_rule"),
        theme_rule=ctx.rule(r, "theme_rule"),
    )
    return dataclasses.replace(
        base,
        type_rules=tuple(_type_rule(s, ctx, base) for s in r.tables("type_rules", [])),
        separate=tuple(_separate(s, ctx) for s in r.tables("separate", [])),
        second=tuple(_second(s, ctx, base) for s in r.tables("second", [])),
        outcomes=tuple(_outcome(s, o, ctx, base) for o, s in r.table("outcomes", {}).items()),
        comments=parse_comment_kinds(r.table("comments", {}), ctx),
    )


def _theme(r: Reader, theme_id: str, types: tuple[str, ...]) -> Theme:
    r.only("name", "product_required", "products", "subthemes")
    required = r.flag("product_required", False)
    products = tuple(r.text_list("products", []))
    if required and not products:
        raise r.error(
            "products",
            "тема требует продукт (S-04): нужен список продуктов",
            "the theme requires a product (S-04): give a product list",
        )
    subs: list[tuple[str, tuple[str, ...]]] = []
    table = r.table("subthemes")
    for type_name in list(table.data):
        if type_name not in types:
            raise table.error(
                type_name,
                f"неизвестный тип «{type_name}»; допустимы: {', '.join(types)}",
                f"unknown type {type_name!r}; allowed: {', '.join(types)}",
            )
        subs.append((type_name, tuple(table.text_list(type_name))))
    return Theme(theme_id, r.text("name").strip(), required, products, tuple(subs))


def _texts(r: Reader) -> tuple[str, str]:
    return r.text("text"), r.text("text_en")


def _known_type(r: Reader, key: str, c: Classification) -> str:
    value: str = r.text(key)
    if value not in c.types:
        raise r.error(
            key,
            f"неизвестный тип «{value}»; допустимы: {', '.join(c.types)}",
            f"unknown type {value!r}; allowed: {', '.join(c.types)}",
        )
    return value


def _known_theme(r: Reader, key: str, c: Classification) -> Theme:
    value: str = r.text(key)
    theme = c.theme(value)
    if theme is None:
        names = ", ".join(t.name for t in c.themes)
        raise r.error(
            key,
            f"неизвестная тема «{value}»; известны: {names}",
            f"unknown theme {value!r}; known: {names}",
        )
    return theme


def _known_subtheme(r: Reader, key: str, themes: tuple[Theme, ...], type_name: str) -> str:
    value: str = r.text(key)
    if not any(value in t.subthemes_of(type_name) for t in themes):
        raise r.error(
            key,
            f"подтема «{value}» не описана для типа «{type_name}»",
            f"subtheme {value!r} is not defined for type {type_name!r}",
        )
    return value


def _type_rule(r: Reader, ctx: PackContext, c: Classification) -> TypeRule:
    r.only("id", "rule", "when", "type", "register", "text", "text_en")
    register = r.flag("register", True)
    if register != r.has("type"):
        raise r.error(
            None,
            "укажите либо type (новый тип), либо register = false",
            "give either type (the new type) or register = false",
        )
    text, text_en = _texts(r)
    return TypeRule(
        id=r.text("id"),
        rule=ctx.rule(r, "rule"),
        when=ctx.condition(r, "when", QUESTION_SCHEMA),
        text=text,
        text_en=text_en,
        type=_known_type(r, "type", c) if register else "",
        register=register,
    )


def _separate(r: Reader, ctx: PackContext) -> SeparateRule:
    r.only("id", "rule", "when", "per", "exclusive", "text", "text_en")
    per: str = r.text("per", "")
    if per and per not in QUESTION_FIELDS:
        raise r.error("per", f"нет поля вопроса «{per}»", f"no question field {per!r}")
    text, text_en = _texts(r)
    return SeparateRule(
        id=r.text("id"),
        rule=ctx.rule(r, "rule"),
        when=ctx.condition(r, "when", QUESTION_SCHEMA),
        text=text,
        text_en=text_en,
        per=per,
        exclusive=r.flag("exclusive", False),
    )


def _second(r: Reader, ctx: PackContext, c: Classification) -> SecondRule:
    r.only("id", "rule", "when", "theme", "type", "subtheme", "text", "text_en")
    theme = _known_theme(r, "theme", c)
    type_name = _known_type(r, "type", c)
    text, text_en = _texts(r)
    return SecondRule(
        id=r.text("id"),
        rule=ctx.rule(r, "rule"),
        when=ctx.condition(r, "when", QUESTION_SCHEMA),
        text=text,
        text_en=text_en,
        theme=theme.name,
        type=type_name,
        subtheme=_known_subtheme(r, "subtheme", (theme,), type_name),
    )


def _outcome(r: Reader, outcome: str, ctx: PackContext, c: Classification) -> OutcomeRule:
    r.only("rule", "name", "theme", "type", "subtheme")
    themes = c.themes
    theme_name = ""
    if r.has("theme"):
        theme = _known_theme(r, "theme", c)
        themes, theme_name = (theme,), theme.name
    type_name = _known_type(r, "type", c)
    return OutcomeRule(
        outcome=outcome,
        rule=ctx.rule(r, "rule"),
        name=r.text("name"),
        type=type_name,
        subtheme=_known_subtheme(r, "subtheme", themes, type_name),
        theme=theme_name,
    )
