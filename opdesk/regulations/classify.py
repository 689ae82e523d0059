"""Classifying service requests: checks and the plan of requests for a contact.

Every function answers with `Reason`s (rule ID, Russian text, source): an operator who is told
"two requests" or "wrong type" must see which clause of the regulation says so. The situations
that change the answer (a type correction, a separate or a second request) are conditions in
the pack (`classification.type_rules`, `.separate`, `.second`); this module only applies them
in the order the regulation gives: S-05 type corrections, S-02 splits, S-06 merging, S-03 number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from opdesk.errors import EngineError
from opdesk.regulations.classification import Classification, Theme, outcome_check
from opdesk.regulations.questions import Question
from opdesk.regulations.rules import Reason, Verdict, reason_for

__all__ = ["TypeDecision", "outcome_check", "resulting_type", "theme_of", "validate"]


def validate(c: Classification, theme: str, type: str, subtheme: str, product: str = "") -> Verdict:
    """S-04: check a classification in the regulation's order Theme → Type → Subtheme.

    A later level is only judged once the earlier one is known (a subtheme means nothing under
    an unknown theme); the product is required for the themes the pack marks (S-04).
    """
    order, prod = c.order_rule, c.product_rule
    found = c.theme(theme)
    if found is None:
        names = ", ".join(t.name for t in c.themes)
        return _no(
            reason_for(
                order,
                f"неизвестная тема «{theme}»; известны: {names}",
                f"unknown theme {theme!r}; known: {names}",
            )
        )
    reasons: list[Reason] = []
    if type not in c.types:
        reasons.append(
            reason_for(
                order,
                f"неизвестный тип «{type}» (тема «{found.name}»); допустимы: {', '.join(c.types)}",
                f"unknown type {type!r}; allowed: {', '.join(c.types)}",
            )
        )
    elif subtheme not in found.subthemes_of(type):
        allowed = ", ".join(found.subthemes_of(type)) or "—"
        reasons.append(
            reason_for(
                order,
                f"подтемы «{subtheme}» нет у «{found.name} | {type}»; допустимы: {allowed}",
                f"subtheme {subtheme!r} is not under {found.id}/{type!r}; allowed: {allowed}",
            )
        )
    if found.product_required and not product.strip():
        reasons.append(
            reason_for(
                prod,
                f"для темы «{found.name}» обязателен продукт",
                f"theme {found.id!r} requires a product",
            )
        )
    elif product.strip() and found.products and product.strip() not in found.products:
        reasons.append(
            reason_for(
                prod,
                f"неизвестный продукт «{product}» для темы «{found.name}»",
                f"unknown product {product!r} for theme {found.id!r}",
            )
        )
    if reasons:
        return Verdict(False, tuple(reasons))
    ok = f"{found.name} → {type} → {subtheme}" + (f" (продукт «{product}»)" if product else "")
    return Verdict(True, (reason_for(order, f"классификация верна: {ok}", "valid"),))


@dataclass(frozen=True)
class TypeDecision:
    """S-05/S-06: the type and main subtheme of one request made of several questions."""

    type: str
    subtheme: str
    main: int | None  # index of the question that gives type, subtheme and product
    registered: tuple[int, ...]
    not_registered: tuple[int, ...]
    types: tuple[str, ...]  # the effective type of each question ("" = not registered)
    reasons: tuple[Reason, ...]
    merge_reasons: tuple[Reason, ...] = ()  # the S-06/S-05 priority part of `reasons`


def resulting_type(c: Classification, questions: Sequence[Question]) -> TypeDecision:
    """S-06: several questions of one theme → one request with the highest-priority type.

    Each question's type is first corrected by the pack's S-05 type rules (first match wins:
    geocoded → complaint, АСР re-connection → request, unjustified complaint → not registered).
    Among equals the question marked `main` wins, else the first (several consultations → one
    request with the main subtheme).
    """
    if not questions:
        raise EngineError("нет ни одного вопроса", "no question given")
    themes = {q.theme for q in questions}
    if len(themes) > 1:
        raise EngineError(
            f"S-06 относится к вопросам одной темы; получены: {', '.join(sorted(themes))}",
            f"S-06 is about questions of one theme; got: {', '.join(sorted(themes))}",
        )
    return _decide(c, questions, range(len(questions)))


def _decide(c: Classification, qs: Sequence[Question], indices: Sequence[int]) -> TypeDecision:
    reasons: list[Reason] = []
    merge: list[Reason] = []
    types = [""] * len(qs)
    for i in indices:
        types[i], corrections = _effective_type(c, qs[i], i)
        reasons.extend(corrections)
    registered = tuple(i for i in indices if types[i])
    dropped = tuple(i for i in indices if not types[i])
    if not registered:
        return TypeDecision("", "", None, (), dropped, tuple(types), tuple(reasons))
    best = min(c.rank(types[i]) for i in registered)
    top = [i for i in registered if c.rank(types[i]) == best]
    main = next((i for i in top if qs[i].main), top[0])
    if len(registered) > 1:
        listed = ", ".join(f"№{i + 1} «{types[i]}»" for i in registered)
        if len(top) == len(registered):
            why = "основная подтема отмечена" if qs[main].main else "основная — первая"
            detail = (
                f"вопросы {listed} одного приоритета → один СЗ с основной подтемой "
                f"«{qs[main].subtheme}» ({why})"
            )
        else:
            detail = f"вопросы {listed} → один СЗ с типом «{types[main]}» (наивысший приоритет)"
        merge.append(reason_for(c.merge_rule, detail, f"one request, type {types[main]!r}"))
        order = " > ".join(c.types)
        merge.append(reason_for(c.priority_rule, f"приоритет типов: {order}", order))
    return TypeDecision(
        type=types[main],
        subtheme=qs[main].subtheme,
        main=main,
        registered=registered,
        not_registered=dropped,
        types=tuple(types),
        reasons=(*reasons, *merge),
        merge_reasons=tuple(merge),
    )


def _effective_type(c: Classification, q: Question, i: int) -> tuple[str, list[Reason]]:
    if q.type not in c.types:
        raise EngineError(
            f"вопрос №{i + 1}: неизвестный тип «{q.type}»; допустимы: {', '.join(c.types)}",
            f"question {i + 1}: unknown type {q.type!r}",
        )
    for tr in c.type_rules:
        if tr.when.holds({"question": q}, {}):
            if not tr.register:
                return "", [reason_for(tr.rule, f"вопрос №{i + 1}: {tr.text}", tr.text_en)]
            if tr.type == q.type:
                return q.type, []
            detail = f"вопрос №{i + 1}: {tr.text} («{q.type}» → «{tr.type}»)"
            return tr.type, [reason_for(tr.rule, detail, tr.text_en)]
    return q.type, []


def theme_of(c: Classification, name: str) -> Theme:
    """The theme `name` (name or id); unknown → EngineError."""
    theme = c.theme(name)
    if theme is None:
        names = ", ".join(t.name for t in c.themes)
        raise EngineError(
            f"неизвестная тема «{name}»; известны: {names}",
            f"unknown theme {name!r}; known: {names}",
        )
    return theme


def _no(reason: Reason) -> Verdict:
    return Verdict(False, (reason,))
