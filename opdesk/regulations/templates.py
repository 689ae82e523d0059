"""Reply templates as pack data (U-08, U-09, C-11) and the outgoing-request texts (U-06).

The texts are copied word for word from the regulations (a blank «______» becomes a
placeholder such as `{department}`), because operators are audited against those very words.
*Which* template fits is a condition over computed facts of the moment (`moment.working_day`,
`moment.evening`, `moment.next_day_working`, ...) and over the closing case (`case.kind`), so a
desk that moves its evening to 18:00 or adds a holiday template edits the pack, not the code.
The engine that picks and fills templates lives in `template_choice.py`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from opdesk.pack_reader import Reader
from opdesk.regulations.conditions import Always, Condition
from opdesk.regulations.context import PackContext
from opdesk.regulations.departments import Departments
from opdesk.regulations.rules import Rule

SITUATIONS = ("interim_reply", "department_no_answer", "delayed_closure")
PLACEHOLDERS = ("department", "ticket_number")
# Placeholders of the cross-link comments of an outgoing request (U-06).
LINK_PLACEHOLDERS = ("department_name", "ticket_number", "sent_at", "reminder_at")
# U-08: the interim reply exists to name the department, so its templates must have the blank.
REQUIRED = {"interim_reply": ("department",)}
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class MomentFacts:
    """What a template condition may ask about the moment a reply is sent (root `moment`)."""

    date: str  # ISO date, local to the desk
    weekday: int  # 1 = Monday … 7 = Sunday
    local_time: str  # "18:30"
    minute_of_day: int  # 18:30 → 1110, for gte/lt comparisons
    working_day: bool
    evening: bool  # local time >= the pack's evening_from
    next_day_working: bool


@dataclass(frozen=True)
class CaseFacts:
    """C-11: why closing is delayed (root `case`): monitoring | unreachable | objects."""

    kind: str = ""


TEMPLATE_SCHEMA = {"moment": MomentFacts, "case": CaseFacts}


@dataclass(frozen=True)
class Template:
    """A reply template; `send = False` means "no template, comment only" (C-11, case 2)."""

    id: str
    name: str
    rule: Rule
    situation: str
    when: Condition
    text: str
    placeholders: tuple[str, ...]
    send: bool = True
    comment: str = ""  # what to write in the ticket when nothing is sent
    # the transition sending it also makes (U-05: an interim reply naming a department puts
    # the ticket «На удержании»), run through its guards; "" for none
    action: str = ""


@dataclass(frozen=True)
class Templates:
    items: tuple[Template, ...]
    departments: Departments
    evening_from: dt.time
    no_answer_hours: int  # U-09
    no_answer_rule: Rule
    closing_cases: tuple[str, ...]  # C-11 case kinds
    outgoing_rule: Rule  # U-06
    reminder_hours: int  # U-06
    link_ticket_comment: str  # U-06: comment on the client ticket
    link_request_comment: str  # U-06: comment on the outgoing request

    def of(self, situation: str) -> tuple[Template, ...]:
        return tuple(t for t in self.items if t.situation == situation)


TemplateSet = Templates  # the name an early draft of pack.py used


def placeholders_of(r: Reader, key: str, text: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """The placeholders of `text`, refusing unknown names and stray braces at load time."""
    names = PLACEHOLDER.findall(text)
    for name in names:
        if name not in allowed:
            raise r.error(
                key,
                f"неизвестный заполнитель {{{name}}}; допустимы: {', '.join(allowed)}",
                f"unknown placeholder {{{name}}}; allowed: {', '.join(allowed)}",
            )
    rest = PLACEHOLDER.sub("", text)
    if "{" in rest or "}" in rest:
        raise r.error(key, "непарная фигурная скобка", "unbalanced brace")
    return tuple(dict.fromkeys(names))


def _clock(r: Reader, key: str) -> dt.time:
    raw: str = r.text(key, "17:00")
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", raw.strip())
    if m is None or int(m[1]) > 23 or int(m[2]) > 59:
        raise r.error(key, "ожидается время вида 17:00", "expected a time such as 17:00")
    return dt.time(int(m[1]), int(m[2]))


_SETTINGS = (
    "evening_from",
    "no_answer_hours",
    "no_answer_rule",
    "closing_cases",
    "outgoing_rule",
    "reminder_hours",
    "link_ticket_comment",
    "link_request_comment",
)


def parse_templates(r: Reader, ctx: PackContext, departments: Departments) -> Templates:
    """Parse `[templates]`: settings as plain keys, every sub-table `[templates.<id>]` a template.

    Template keys: `name`, `rule`, `situation`, optional `when` (a condition over `moment.*` and
    `case.*`), `text` with `{department}` / `{ticket_number}`, or `send = false` with `comment`.
    """
    settings = {k: v for k, v in r.data.items() if k in _SETTINGS}
    tables = {k: v for k, v in r.data.items() if k not in _SETTINGS}
    head = Reader(r.file, settings, r.path)
    cases = tuple(head.text_list("closing_cases"))
    items = []
    for tid, sub in Reader(r.file, tables, r.path).items():
        items.append(_template(tid, sub, ctx))
    if not items:
        raise r.error(None, "не описан ни один шаблон", "no template is defined")
    return Templates(
        items=tuple(items),
        departments=departments,
        evening_from=_clock(head, "evening_from"),
        no_answer_hours=head.integer("no_answer_hours", minimum=1),
        no_answer_rule=ctx.rule(head, "no_answer_rule"),
        closing_cases=cases,
        outgoing_rule=ctx.rule(head, "outgoing_rule"),
        reminder_hours=head.integer("reminder_hours", minimum=1),
        link_ticket_comment=_link(head, "link_ticket_comment"),
        link_request_comment=_link(head, "link_request_comment"),
    )


def _link(r: Reader, key: str) -> str:
    text: str = r.text(key)
    placeholders_of(r, key, text, LINK_PLACEHOLDERS)
    return text


def _template(tid: str, r: Reader, ctx: PackContext) -> Template:
    r.only("name", "rule", "situation", "when", "text", "send", "comment", "action")
    situation: str = r.text("situation")
    if situation not in SITUATIONS:
        raise r.error(
            "situation",
            f"неизвестная ситуация «{situation}»; допустимы: {', '.join(SITUATIONS)}",
            f"unknown situation {situation!r}; allowed: {', '.join(SITUATIONS)}",
        )
    when = ctx.condition(r, "when", TEMPLATE_SCHEMA) if r.has("when") else Always()
    send = r.flag("send", True)
    if not send:
        if r.has("text"):
            raise r.error("text", "при send = false текста нет", "no text when send = false")
        return Template(
            tid,
            r.text("name"),
            ctx.rule(r, "rule"),
            situation,
            when,
            "",
            (),
            False,
            r.text("comment"),
        )
    text: str = r.text("text")
    names = placeholders_of(r, "text", text, PLACEHOLDERS)
    for needed in REQUIRED.get(situation, ()):
        if needed not in names:
            raise r.error(
                "text",
                f"в шаблоне ситуации «{situation}» нужен заполнитель {{{needed}}}",
                f"a {situation!r} template needs the {{{needed}}} placeholder",
            )
    return Template(
        id=tid,
        action=r.text("action", ""),
        name=r.text("name"),
        rule=ctx.rule(r, "rule"),
        situation=situation,
        when=when,
        text=text,
        placeholders=names,
        send=True,
        comment=r.text("comment", ""),
    )
