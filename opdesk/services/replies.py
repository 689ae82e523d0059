"""Replies by template (U-08, U-09, C-11): which template fits this ticket now and why, its text
filled from the ticket, and the command that adds it to the ticket as a reply to the client.

Why a read of its own: the template depends on the ticket (its process, the department of its
open outgoing request, an outgoing request unanswered past its 24-hour reminder) and on the
moment (the desk's Clock and working calendar), and the engine's one-line reason must be the
one a command would cite — so the picker asks here, never decides in a widget.

Why one transaction for the reply and its status: U-05 says the ticket is «На удержании» while
another department works on the question, and the interim reply (U-08) is exactly the message
sent at that moment. If the status is refused (no outgoing request yet, a status the action
does not start from), the client must not get a reply that promises what the ticket does not
show: the reply is not written either, and the refusal names the rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from opdesk.errors import EngineError
from opdesk.models import Comment, Department, OutgoingRequest, Ticket
from opdesk.regulations.pack import Pack
from opdesk.regulations.processes import Process
from opdesk.regulations.rules import Reason, reason_for
from opdesk.regulations.snapshot import Actor, OutgoingSnap
from opdesk.regulations.template_choice import TemplateChoice, choose_template, template_by_id
from opdesk.regulations.templates import PLACEHOLDER, Template
from opdesk.services.desk import Desk
from opdesk.services.results import CommandResult, Refused
from opdesk.services.transitions import transition
from opdesk.services.writes import new_id, record_event, record_op, reindex

REPLY_KIND = "reply"  # a message to the client (models.work.COMMENT_KINDS)


@dataclass(frozen=True)
class TemplateOffer:
    """A template the picker lists for this ticket."""

    id: str
    name: str  # the pack's name: «запрос отправляем до 17:00», …
    rule: str  # U-08, U-09, C-11
    situation: str
    sets_status: str  # the document's name of the status sending it sets ("" = none)


@dataclass(frozen=True)
class ReplyChoice:
    """What the picker shows: the engine's template and why, the offers, the filled text."""

    ticket_id: int
    number: str
    at: dt.datetime  # the moment judged (the desk's clock)
    chosen_id: str  # the engine's choice ("" when nothing is to be sent)
    template_id: str  # the template shown: the one asked for, else the engine's choice
    offers: tuple[TemplateOffer, ...]
    reason: str  # one line: why the engine chose `chosen_id`
    reasons: tuple[Reason, ...]
    text: str  # filled from the ticket; an unfilled placeholder stays as «{name}»
    unfilled: tuple[str, ...]  # placeholders with no value: sending is refused until filled
    overdue: tuple[str, ...]  # departments whose outgoing request is past its reminder (U-09)

    @property
    def offer(self) -> TemplateOffer | None:
        return next((o for o in self.offers if o.id == self.template_id), None)


@dataclass(frozen=True)
class _Request:
    code: str  # the pack's department id (tech, service, …)
    department: str  # its name
    sent_at: dt.datetime
    reminder_at: dt.datetime
    answered_at: dt.datetime | None


def unfilled(text: str) -> tuple[str, ...]:
    """The placeholders still in `text` («{department}» → "department"), each once: a reply
    with a blank left in must never reach a client (the engine's `fill` says the same)."""
    return tuple(dict.fromkeys(PLACEHOLDER.findall(text)))


def reply_choice(
    desk: Desk, actor: Actor, ticket_id: int, template_id: str | None = None
) -> ReplyChoice:
    """The template for this ticket now (or `template_id`, the operator's pick), filled.

    `actor` is the person asking, as for the window's other reads (`ticket_view`); the choice
    itself depends only on the ticket and the moment, the same for everyone at the desk."""
    now = desk.clock.now()
    pack = desk.pack
    with desk.db.transaction() as s:
        ticket = desk.ticket(s, ticket_id)
        number, process_id, case = ticket.number, ticket.process, ticket.closing_delay
        requests = _requests(s, ticket)
    process = pack.process(process_id)
    open_ = [r for r in requests if r.answered_at is None]
    overdue = [r for r in open_ if r.reminder_at <= now]
    templates = [template_by_id(pack.templates, tid) for tid in process.templates]
    offers = tuple(
        _offer(pack, process, t)
        for t in templates
        if t.send and (t.situation != "department_no_answer" or overdue)
    )
    choice = _choose(desk, process, templates, now, case, overdue[0] if overdue else None)
    chosen = choice.template.id if choice is not None and choice.template is not None else ""
    shown = chosen if template_id is None else template_id
    text = ""
    if shown:
        template = _template_of(pack, process, shown)
        text = _fill(pack, template, number, open_[-1].code if open_ else "")
    reasons = choice.reasons if choice is not None else ()
    return ReplyChoice(
        ticket_id=ticket_id,
        number=number,
        at=now,
        chosen_id=chosen,
        template_id=shown,
        offers=offers,
        reason=_line(reasons, process),
        reasons=reasons,
        text=text,
        unfilled=unfilled(text),
        overdue=tuple(dict.fromkeys(r.department for r in overdue)),
    )


def send_reply(
    desk: Desk, actor: Actor, ticket_id: int, template_id: str, text: str
) -> CommandResult:
    """Add `text` to the ticket as a reply to the client by `template_id` (recorded, so C-11's
    checklist sees which template was sent) and, where the template's situation sets a status
    (an interim reply → «На удержании»), run that guarded transition in the same transaction.

    A blank left in the text, a template of another process, or a refused status change
    writes nothing and returns the rule reasons."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        ticket = desk.editable(s, ticket_id, now)
        process = desk.pack.process(ticket.process)
        template = _template_of(desk.pack, process, template_id)
        reply = text.strip()
        blanks = unfilled(reply)
        if blanks or not reply:
            names = ", ".join(f"{{{b}}}" for b in blanks)
            detail = f"не заполнено: {names}" if blanks else "текст ответа пуст"
            detail_en = f"not filled in: {names}" if blanks else "the reply is empty"
            raise Refused((reason_for(template.rule, detail, detail_en),))
        comment = Comment(
            id=new_id(s),
            ticket_id=ticket.uuid,
            at=now,
            author=actor.login,
            kind=REPLY_KIND,
            text=reply,
            tags="template",
            template_id=template.id,
        )
        s.add(comment)
        ticket.updated_at = now
        record_event(s, ticket, actor, now, "comment", field=REPLY_KIND, new=reply[:200])
        reindex(s, ticket)
        done = reason_for(template.rule, f"ответ по шаблону «{template.name}»", template.id)
        reasons: tuple[Reason, ...] = (done,)
        effects: tuple[str, ...] = ()
        action = _status_action(process, template)
        target = _target(process, action)
        if action and target and target != ticket.status:
            moved = transition(desk.joined(s, now), actor, ticket.id, action)
            if not moved.ok:
                raise Refused(moved.reasons)
            reasons, effects = reasons + moved.reasons, moved.effects
        args = {"actor": actor.login, "ticket": ticket.uuid, "template_id": template.id}
        record_op(s, now, "send_reply", ticket.uuid, {**args, "text": text})
        return CommandResult("send_reply", True, reasons, (ticket.id,), effects)

    return desk.run("send_reply", body)


# -- helpers ---------------------------------------------------------------------------------


def _requests(s: Session, ticket: Ticket) -> list[_Request]:
    _O = OutgoingRequest
    rows = s.execute(
        select(Department.code, Department.name, _O.sent_at, _O.reminder_at, _O.answered_at)
        .join(Department, Department.id == _O.department_id)
        .where(_O.ticket_id == ticket.uuid)
        .order_by(_O.sent_at)
    ).all()
    return [_Request(code, name, sent, remind, answer) for code, name, sent, remind, answer in rows]


def _template_of(pack: Pack, process: Process, template_id: str) -> Template:
    template = template_by_id(pack.templates, template_id)
    if template.id not in process.templates:
        raise EngineError(
            f"шаблон «{template.name}» не относится к процессу «{process.name}»",
            f"template {template.id!r} is not used by process {process.id!r}",
        )
    if not template.send:
        raise EngineError(
            f"«{template.name}»: шаблона нет, только комментарий",
            f"{template.id!r} has no text (comment only)",
        )
    return template


def _status_action(process: Process, template: Template) -> str:
    """The pack's `action` of the template (U-05: an interim reply puts the ticket «На
    удержании»), where the ticket's process has that transition."""
    action = template.action
    return action if any(t.action == action for t in process.transitions) else ""


def _target(process: Process, action: str) -> str:
    move = next((t for t in process.transitions if t.action == action), None)
    return move.to if move is not None and move.to != "*" else ""


def _offer(pack: Pack, process: Process, template: Template) -> TemplateOffer:
    target = _target(process, _status_action(process, template))
    sets = process.status_name(pack.statuses[target]) if target else ""
    return TemplateOffer(template.id, template.name, template.rule.id, template.situation, sets)


def _choose(
    desk: Desk,
    process: Process,
    templates: list[Template],
    now: dt.datetime,
    case: str,
    overdue: _Request | None,
) -> TemplateChoice | None:
    """The engine's template for this ticket: «ответ ещё не получен» once an outgoing request
    is past its reminder (U-09), else the interim reply for the moment (U-08), else the C-11
    template of the ticket's closing case. None where the process has no templates."""
    pack = desk.pack
    situations = {t.situation for t in templates}
    cal = pack.calendar
    if overdue is not None and "department_no_answer" in situations:
        snap = OutgoingSnap(overdue.department, overdue.sent_at, overdue.answered_at)
        choice = choose_template(pack.templates, cal, "department_no_answer", now, outgoing=snap)
        if choice.template is not None:
            return choice
    if "interim_reply" in situations:
        return choose_template(pack.templates, cal, "interim_reply", now)
    if "delayed_closure" in situations:
        if case in pack.templates.closing_cases:
            return choose_template(pack.templates, cal, "delayed_closure", now, case=case)
        detail = "в заявке не указан случай C-11 (почему закрытие затянулось): выберите шаблон"
        rule = next(t.rule for t in templates if t.situation == "delayed_closure")
        reason = reason_for(rule, detail, "the ticket names no C-11 case: pick a template")
        return TemplateChoice("delayed_closure", None, reasons=(reason,))
    return None


def _fill(pack: Pack, template: Template, number: str, department: str) -> str:
    """The template's text with what the ticket knows (the number; the department of the
    latest open outgoing request, in the accusative U-08 needs); the rest stays «{name}»."""
    values = {"ticket_number": number}
    try:
        if department:
            target = pack.templates.departments.outgoing_target(department)
            values["department"] = target.accusative
    except EngineError:  # a request to a department that takes none (old or imported data)
        pass
    return PLACEHOLDER.sub(lambda m: values.get(m[1]) or m[0], template.text)


def _line(reasons: tuple[Reason, ...], process: Process) -> str:
    if not reasons:
        return f"в процессе «{process.name}» шаблонов ответа нет"
    return "; ".join(f"{r.rule}: {r.detail}" if r.detail else r.rule for r in reasons)
