"""Reading `[classification]` from a pack: every key checked against the tree it names.

A type rule naming an unknown type or subtheme, an outcome pointing at a type the tree does not
have, a split with a misspelt condition field: each is a PackError with its key path here, when
the pack loads, not a surprise while an operator classifies a call.
"""

from __future__ import annotations

import dataclasses

from opdesk.pack_reader import Reader
from opdesk.regulations.classification import (
    Classification,
    OutcomeRule,
    SecondRule,
    SeparateRule,
    Theme,
    TypeRule,
)
from opdesk.regulations.comments import parse_comment_kinds
from opdesk.regulations.context import PackContext
from opdesk.regulations.questions import QUESTION_FIELDS, QUESTION_SCHEMA

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
