"""Choosing and filling reply templates (U-08, U-09, C-11) and planning outgoing requests (U-06).

U-08 names three moments: before 17:00, after 17:00, and «в выходной день (или в пятницу
вечером)». Read literally, the Friday clause would be wrong twice a year: the evening before a
public holiday is just like a Friday evening, and a Friday before a *working* Saturday (moved
working day, e.g. 2027-02-20) is an ordinary evening. So the facts are taken from the working
calendar, not from the weekday:

* a non-working day (weekend, public holiday, moved day off) → the "first working day" template;
* the evening (from the pack's `evening_from`) of a working day followed by a non-working day
  → also the "first working day" template — this is the regulation's «пятница вечером»;
* the evening of a working day followed by a working day (including a Friday before a working
  Saturday) → the "after 17:00 / tomorrow" template;
* otherwise → the "before 17:00" template.

The pack expresses these as conditions; this module only computes the facts and explains them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from opdesk.errors import EngineError
from opdesk.regulations.departments import Department
from opdesk.regulations.rules import Reason, reason_for
from opdesk.regulations.snapshot import OutgoingSnap
from opdesk.regulations.templates import (
    PLACEHOLDER,
    PLACEHOLDERS,
    SITUATIONS,
    CaseFacts,
    MomentFacts,
    Template,
    Templates,
)

WEEKDAYS_RU = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")


class Calendar(Protocol):
    """The part of the working calendar (opdesk.sla.calendar.WorkingCalendar) used here."""

    @property
    def tz(self) -> dt.tzinfo: ...

    def is_working_day(self, day: dt.date) -> bool: ...

    def next_working_day(self, day: dt.date) -> dt.date: ...

    def day_note(self, day: dt.date) -> str: ...


@dataclass(frozen=True)
class TemplateChoice:
    """The answer of `choose_template`: the template (or none, and why) with the facts."""

    situation: str
    template: Template | None
    entry: str = ""  # id of the pack entry that matched, also for "comment only"
    comment_only: bool = False  # C-11 case 2: close with a comment, send nothing
    comment: str = ""
    applies_at: dt.datetime | None = None  # U-09: when "no answer yet" becomes due
    facts: MomentFacts | None = None
    reasons: tuple[Reason, ...] = ()

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.rule for r in self.reasons)


def template_by_id(templates: Templates, template_id: str) -> Template:
    found = next((t for t in templates.items if t.id == template_id), None)
    if found is None:
        known = ", ".join(t.id for t in templates.items)
        raise EngineError(
            f"неизвестный шаблон «{template_id}»; известны: {known}",
            f"unknown template {template_id!r}; known: {known}",
        )
    return found


def moment_facts(templates: Templates, calendar: Calendar, at: dt.datetime) -> MomentFacts:
    local = _aware(at).astimezone(calendar.tz)
    day = local.date()
    return MomentFacts(
        date=day.isoformat(),
        weekday=day.isoweekday(),
        local_time=local.strftime("%H:%M"),
        minute_of_day=local.hour * 60 + local.minute,
        working_day=calendar.is_working_day(day),
        evening=local.time().replace(tzinfo=None) >= templates.evening_from,
        next_day_working=calendar.is_working_day(day + dt.timedelta(days=1)),
    )


def describe(templates: Templates, calendar: Calendar, facts: MomentFacts) -> str:
    """The facts in words, e.g. «пятница 18:30, 20.11.2026 — вечер перед нерабочим днём …»."""
    day = dt.date.fromisoformat(facts.date)
    head = f"{WEEKDAYS_RU[day.weekday()]} {facts.local_time}, {day.strftime('%d.%m.%Y')}"
    evening = templates.evening_from.strftime("%H:%M")
    first = calendar.next_working_day(day)
    if not facts.working_day:
        note = calendar.day_note(day)
        tail = f" ({note})" if note else ""
        return f"{head} — нерабочий день{tail}; первый рабочий день — {_day(first)}"
    if facts.evening and not facts.next_day_working:
        tomorrow = day + dt.timedelta(days=1)
        note = calendar.day_note(tomorrow) or "нерабочий"
        return (
            f"{head} — вечер перед нерабочим днём (вечер с {evening}; {_day(tomorrow)}: {note}); "
            f"первый рабочий день — {_day(first)}"
        )
    if facts.evening:
        return f"{head} — вечер (с {evening}), следующий день рабочий"
    return f"{head} — рабочий день, до {evening}"


def choose_template(
    templates: Templates,
    calendar: Calendar,
    situation: str,
    at: dt.datetime,
    *,
    case: str = "",
    outgoing: OutgoingSnap | None = None,
) -> TemplateChoice:
    """Pick the template for `situation` at moment `at` (first match in pack order).

    `case` is the C-11 case kind for `delayed_closure`; `outgoing` is the outgoing request for
    `department_no_answer` (U-09), which applies only once it has waited `no_answer_hours`
    without an answer — before that the choice carries `applies_at` and no template.
    """
    if situation not in SITUATIONS:
        raise EngineError(
            f"неизвестная ситуация «{situation}»; допустимы: {', '.join(SITUATIONS)}",
            f"unknown situation {situation!r}; allowed: {', '.join(SITUATIONS)}",
        )
    facts = moment_facts(templates, calendar, at)
    words = describe(templates, calendar, facts)
    if situation == "delayed_closure" and case not in templates.closing_cases:
        raise EngineError(
            f"неизвестный случай C-11 «{case}»; допустимы: {', '.join(templates.closing_cases)}",
            f"unknown C-11 case {case!r}; allowed: {', '.join(templates.closing_cases)}",
        )
    if situation == "department_no_answer":
        waiting = _waiting(templates, at, outgoing)
        if waiting is not None:
            return waiting
    roots = {"moment": facts, "case": CaseFacts(case)}
    for t in templates.of(situation):
        if t.when.holds(roots, {}):
            if situation == "delayed_closure":
                detail = f"случай «{case}»: {t.name}"
            else:
                detail = f"{words}: {t.name}"
            if not t.send:
                detail = f"{detail} — шаблона нет, только комментарий"
            why = (reason_for(t.rule, detail, f"{situation}: {t.id}"),)
            if not t.send:
                return TemplateChoice(situation, None, t.id, True, t.comment, None, facts, why)
            return TemplateChoice(situation, t, t.id, False, t.comment, None, facts, why)
    raise EngineError(
        f"нет шаблона для ситуации «{situation}» ({words}, случай «{case}»)",
        f"no template fits situation {situation!r}",
    )


def _waiting(
    templates: Templates, at: dt.datetime, outgoing: OutgoingSnap | None
) -> TemplateChoice | None:
    """U-09 before its time: the choice that says when "no answer yet" will apply, or None."""
    if outgoing is None or outgoing.sent_at is None:
        raise EngineError(
            "для U-09 нужен исходящий запрос с моментом отправки",
            "U-09 needs an outgoing request with its sent_at",
        )
    rule, hours = templates.no_answer_rule, templates.no_answer_hours
    due = _aware(outgoing.sent_at) + dt.timedelta(hours=hours)
    if outgoing.answered_at is not None and outgoing.answered_at <= _aware(at):
        detail = f"ответ от отдела «{outgoing.department}» получен {_stamp(outgoing.answered_at)}"
        why = (reason_for(rule, f"{detail} — шаблон не нужен", "answered"),)
        return TemplateChoice("department_no_answer", None, reasons=why)
    if at < due:
        waited = (at - outgoing.sent_at).total_seconds() / 3600
        detail = (
            f"запрос отправлен {_stamp(outgoing.sent_at)}, прошло {waited:.1f} ч из {hours}; "
            f"шаблон применяется с {_stamp(due)}"
        )
        why = (reason_for(rule, detail, f"applies from {due.isoformat()}"),)
        return TemplateChoice("department_no_answer", None, applies_at=due, reasons=why)
    return None


def fill(template: Template, values: Mapping[str, str]) -> str:
    """The template text with its placeholders filled; a missing, empty or unknown placeholder
    is an EngineError naming it (a reply with «___» left in must never reach a client)."""
    if not template.send:
        raise EngineError(
            f"«{template.id}»: шаблона нет, только комментарий",
            f"{template.id!r} has no text (comment only)",
        )
    return fill_text(template.text, values, PLACEHOLDERS, template.id)


def fill_text(text: str, values: Mapping[str, str], allowed: tuple[str, ...], what: str) -> str:
    for name in values:
        if name not in allowed:
            raise EngineError(
                f"{what}: неизвестный заполнитель {{{name}}}; допустимы: {', '.join(allowed)}",
                f"{what}: unknown placeholder {{{name}}}",
            )
    for name in PLACEHOLDER.findall(text):
        if not str(values.get(name, "")).strip():
            raise EngineError(
                f"{what}: не заполнен заполнитель {{{name}}}",
                f"{what}: placeholder {{{name}}} is not filled",
            )
    return PLACEHOLDER.sub(lambda m: str(values[m[1]]), text)


def reply_text(
    templates: Templates, template: Template, *, department: str = "", ticket_number: str = ""
) -> str:
    """Fill `template` for a department id/name (its accusative form, U-08) and a ticket number."""
    values: dict[str, str] = {}
    if department:
        values["department"] = templates.departments.outgoing_target(department).accusative
    if ticket_number:
        values["ticket_number"] = ticket_number
    return fill(template, values)


@dataclass(frozen=True)
class OutgoingPlan:
    """U-06: what involving another department creates besides the outgoing request itself."""

    department: Department
    sent_at: dt.datetime
    reminder_at: dt.datetime  # the reminder on the client ticket
    ticket_comment: str  # cross-link comment on the client ticket
    request_comment: str  # cross-link comment on the outgoing request
    reasons: tuple[Reason, ...]


def outgoing_request_plan(
    templates: Templates,
    ticket_number: str,
    department: str,
    sent_at: dt.datetime,
    reminder_hours: int | None = None,
) -> OutgoingPlan:
    """U-06: the reminder moment (sent_at + 24 h by default) and both cross-link comments."""
    dep = templates.departments.outgoing_target(department)
    hours = templates.reminder_hours if reminder_hours is None else reminder_hours
    if hours < 1:
        raise EngineError("напоминание: не меньше 1 часа", "reminder: at least 1 hour")
    remind = _aware(sent_at) + dt.timedelta(hours=hours)
    values = {
        "department_name": dep.name,
        "ticket_number": ticket_number,
        "sent_at": _stamp(sent_at),
        "reminder_at": _stamp(remind),
    }
    allowed = tuple(values)
    detail = f"отдел «{dep.name}», напоминание через {hours} ч — {_stamp(remind)}"
    return OutgoingPlan(
        department=dep,
        sent_at=sent_at,
        reminder_at=remind,
        ticket_comment=fill_text(templates.link_ticket_comment, values, allowed, "U-06"),
        request_comment=fill_text(templates.link_request_comment, values, allowed, "U-06"),
        reasons=(reason_for(templates.outgoing_rule, detail, f"reminder in {hours} h"),),
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise EngineError(
            f"у момента {moment.isoformat()} нет часового пояса",
            f"moment {moment.isoformat()} has no time zone",
        )
    return moment


def _day(day: dt.date) -> str:
    return f"{WEEKDAYS_RU[day.weekday()]} {day.strftime('%d.%m.%Y')}"


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%d.%m.%Y %H:%M")
