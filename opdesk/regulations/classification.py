"""The classifier of service requests as pack data (S-02…S-07, S-08, U-03, U-07).

The creating-requests regulation (S) classifies a request as Theme → Type → Subtheme, with a
Product for some themes, and ranks types by priority. The ticket regulation (U) corrects the
classification to the ticket's outcome. Both change more often than code does, so the tree, the
priority order, the type corrections of S-05, the situations that split a contact into several
requests (S-02) and the outcome corrections (U-03) are all data here; `classify.py` holds the
engine that applies them.
"""

from __future__ import annotations

from dataclasses import dataclass

from opdesk.regulations.comments import CommentKind
from opdesk.regulations.conditions import Condition
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
