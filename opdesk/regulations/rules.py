"""Rules, their sources and the reasons the engine gives.

Every verdict of the engine carries `Reason`s: the rule ID from REGULATIONS.md, its Russian
text, the document it comes from and, where useful, a detail about this very ticket. The engine
never answers with a bare `False`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from opdesk.pack_reader import Reader

RULE_ID = re.compile(r"^[CSUPB]-\d{2}$")


@dataclass(frozen=True)
class Source:
    key: str  # "C", "S", ...
    title: str
    file: str


@dataclass(frozen=True)
class Rule:
    id: str
    text: str
    text_en: str
    source: Source


@dataclass(frozen=True)
class Reason:
    """Why the engine decided as it did."""

    rule: str
    text: str
    text_en: str
    source: str
    detail: str = ""
    detail_en: str = ""

    def as_text(self) -> str:
        tail = f" — {self.detail}" if self.detail else ""
        return f"[{self.rule}] {self.text}{tail} ({self.source})"


@dataclass(frozen=True)
class Verdict:
    """The answer to "may this happen?": allowed or not, and why."""

    allowed: bool
    reasons: tuple[Reason, ...] = ()
    effects: tuple[str, ...] = field(default=())

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.rule for r in self.reasons)


def parse_sources(r: Reader) -> dict[str, Source]:
    out = {}
    for key, sub in r.items():
        sub.only("title", "file")
        out[key] = Source(key, sub.text("title"), sub.text("file"))
    return out


def parse_rules(r: Reader, sources: Mapping[str, Source]) -> dict[str, Rule]:
    out = {}
    for rule_id, sub in r.items():
        if not RULE_ID.match(rule_id):
            raise r.error(
                rule_id,
                "идентификатор правила должен иметь вид C-01 (буква C, S, U, P или B и две цифры)",
                "a rule ID looks like C-01 (C, S, U, P or B and two digits)",
            )
        sub.only("text", "text_en")
        prefix = rule_id[0]
        if prefix not in sources:
            raise r.error(
                rule_id,
                f"нет источника «{prefix}» в разделе [sources]",
                f"no source {prefix!r} in [sources]",
            )
        out[rule_id] = Rule(rule_id, sub.text("text"), sub.text("text_en"), sources[prefix])
    return out


def reason_for(
    rule: Rule, detail: str = "", detail_en: str = "", text: str = "", text_en: str = ""
) -> Reason:
    """A reason citing `rule`; `text` overrides the rule text with a more specific one."""
    return Reason(
        rule=rule.id,
        text=text or rule.text,
        text_en=text_en or rule.text_en,
        source=f"{rule.source.title} ({rule.source.file})",
        detail=detail,
        detail_en=detail_en,
    )
