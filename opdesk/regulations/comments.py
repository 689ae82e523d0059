"""Comments that a regulation requires (S-08, U-07).

S-08: every call-back attempt is logged as a comment, whether the client was reached or not.
U-07: the results of every phone conversation are written into a comment. Which comment kinds
must carry text, and the words that say "reached" / "not reached", are pack data
(`[classification.comments.<kind>]`), so a desk can tighten the rule for another kind (say,
«client_reply») without code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from opdesk.errors import EngineError
from opdesk.pack_reader import Reader
from opdesk.regulations.context import PackContext
from opdesk.regulations.rules import Reason, Rule, reason_for


@dataclass(frozen=True)
class CommentKind:
    """What a comment of this kind must contain."""

    kind: str
    rules: tuple[Rule, ...]
    text_required: bool
    outcome_required: bool = False  # the comment must say whether the client was reached
    reached: str = ""
    not_reached: str = ""


@dataclass(frozen=True)
class CommentCheck:
    """Verdict-like answer: may this comment be saved, why, and the text to store."""

    allowed: bool
    reasons: tuple[Reason, ...]
    text: str = ""  # the comment as stored: the reached/not-reached wording, then the text

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.rule for r in self.reasons)


def parse_comment_kinds(r: Reader, ctx: PackContext) -> tuple[CommentKind, ...]:
    """Parse `[classification.comments.<kind>]`: which comment kinds need text (S-08, U-07)
    and, for a call-back attempt, the wording that says whether the client was reached."""
    out = []
    for kind, sub in r.items():
        sub.only("rules", "text_required", "outcome_required", "reached", "not_reached")
        needs_outcome = sub.flag("outcome_required", False)
        out.append(
            CommentKind(
                kind=kind,
                rules=ctx.rules_of(sub, "rules", []),
                text_required=sub.flag("text_required"),
                outcome_required=needs_outcome,
                reached=sub.text("reached") if needs_outcome else "",
                not_reached=sub.text("not_reached") if needs_outcome else "",
            )
        )
    return tuple(out)


def check_comment(
    kinds: Sequence[CommentKind], kind: str, text: str, reached: bool | None = None
) -> CommentCheck:
    """Judge a comment before it is saved.

    A kind with `text_required` needs non-empty text (U-07: «пишем всё, что может быть
    полезно»); a kind with `outcome_required` (a call-back attempt, S-08) needs `reached`, and
    the stored text starts with the pack's reached / not-reached wording, so the history always
    says whether the call got through. An unknown kind is a bad request (EngineError).
    """
    spec = next((k for k in kinds if k.kind == kind), None)
    if spec is None:
        known = ", ".join(k.kind for k in kinds)
        raise EngineError(
            f"неизвестный вид комментария «{kind}»; известны: {known}",
            f"unknown comment kind {kind!r}; known: {known}",
        )
    body = text.strip()
    problems: list[tuple[str, str]] = []
    if spec.text_required and not body:
        problems.append(
            (
                f"комментарий вида «{kind}» не может быть пустым",
                f"a {kind!r} comment must not be empty",
            )
        )
    stored = body
    if spec.outcome_required:
        if reached is None:
            problems.append(
                (
                    "укажите, состоялся ли дозвон",
                    "say whether the client was reached",
                )
            )
        else:
            wording = spec.reached if reached else spec.not_reached
            stored = f"{wording}. {body}" if body else wording
    if problems:
        reasons = tuple(reason_for(rule, ru, en) for rule in spec.rules for ru, en in problems)
        return CommentCheck(False, reasons)
    ok_ru = f"комментарий вида «{kind}» заполнен"
    ok_en = f"the {kind!r} comment is filled in"
    return CommentCheck(True, tuple(reason_for(rule, ok_ru, ok_en) for rule in spec.rules), stored)
