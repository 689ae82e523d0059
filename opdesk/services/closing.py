"""The closing checklist at the operator's hand (C-01…C-11): `closing_view` judges the ticket
with the operator's unsaved closure draft, `close_with_report` saves the draft and closes.

Why a read that takes a draft: the operator must see the verdict change while typing, before
anything is written. The draft is applied to the ticket's snapshot in memory and judged by the
very calls the close command makes (`evaluate_checklist` inside `check_transition`), so
«Закрыть» is enabled exactly when the close would be carried out. Saving goes through the
ordinary commands (`fill_closure`, `record_confirmation`, `set_fields`, `hand_over`,
`add_comment`) and the close through the guarded transition — never around them — all in one
transaction recorded as one op carrying the draft (`save_closing`, `close_with_report`): the
server re-runs the same command on its state, so the report and the close it permits are
judged there together, and a refused close leaves nothing half-saved.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from opdesk.errors import EngineError
from opdesk.models import Ticket
from opdesk.models.closure import CONFIRMATION_KINDS
from opdesk.regulations.checklist import ItemResult, evaluate_checklist
from opdesk.regulations.lifecycle import TransitionVerdict, can_edit, check_transition
from opdesk.regulations.pack import Pack
from opdesk.regulations.processes import Process
from opdesk.regulations.rules import Reason, reason_for
from opdesk.regulations.snapshot import (
    Actor,
    ClientSnap,
    ClosureSnap,
    ConfirmationSnap,
    SparePartSnap,
    TicketSnapshot,
)
from opdesk.regulations.template_choice import choose_template, reply_text, template_by_id
from opdesk.services.closure import SparePart, fill_closure, record_confirmation
from opdesk.services.conflicts import CLOSURE_TEXTS
from opdesk.services.conversation import add_comment
from opdesk.services.desk import Desk
from opdesk.services.fields import hand_over, set_fields
from opdesk.services.results import CommandResult, Refused
from opdesk.services.snapshots import snapshot
from opdesk.services.transitions import transition
from opdesk.services.writes import record_op

# C-01: the pack's item compares `ticket.department` with this name; handing over sets it.
CLOSING_DEPARTMENT = "ОПП"
CLOSING_GUARD = "closing_checklist"  # the engine check that marks a process's close action
# Ticket fields the draft carries; a changed one is saved with `set_fields`.
FLAG_FIELDS = (
    "scheme_permanent", "scheme_recorded_by", "needs_closing", "paid", "arm_processed_by",
    "arm_processed_at", "closing_delay",
)  # fmt: skip
# The closure report's fields, named alike in the draft and the snapshot (ClosureSnap).
CLOSURE_FIELDS = (
    "cause", "actions", "performers", "completed_at", "time_spent_minutes", "spare_parts_used",
    "spare_parts", "comment", "responsible_actions_checked", "escalation_done",
)  # fmt: skip


@dataclass(frozen=True)
class ConfirmationDraft:
    """The client's confirmation of restored service (C-07 verbal, C-08 electronic)."""

    kind: str  # verbal | electronic
    by: str  # who confirmed on the client's side
    at: dt.datetime | None  # when they confirmed


@dataclass(frozen=True)
class ClosureDraft:
    """What the operator has typed in the closing panel, not yet saved."""

    cause: str = ""
    actions: str = ""
    performers: tuple[str, ...] = ()
    completed_at: dt.datetime | None = None
    time_spent_minutes: int | None = None
    spare_parts_used: bool = False
    spare_parts: tuple[SparePart, ...] = ()
    comment: str = ""  # the closing comment (C-11)
    responsible_actions_checked: bool = False  # C-10
    escalation_done: bool = False  # C-09
    handed_to_opp: bool = False  # C-01
    scheme_permanent: bool = False  # C-02
    scheme_recorded_by: str = ""
    needs_closing: bool = False  # C-06
    paid: bool = False  # C-05
    arm_processed_by: str = ""
    arm_processed_at: dt.datetime | None = None
    closing_delay: str = ""  # C-11 case: monitoring | unreachable | objects
    template_sent: bool = False  # the client was told by the case's template
    confirmation: ConfirmationDraft | None = None


@dataclass(frozen=True)
class DelayCase:
    """C-11: one case of the table in 000 with its template filled in, or none."""

    kind: str
    name: str  # the pack's name of the case («шаблон 1: …», «случай 2: …»)
    template_id: str  # the pack entry; its comment-only twin has no text
    text: str  # the template with the ticket number filled in; "" when there is none
    comment: str  # the pack's comment for a case without a template
    reasons: tuple[Reason, ...]

    @property
    def comment_only(self) -> bool:
        return not self.text


@dataclass(frozen=True)
class Need:
    """A confirmation kind the pack requires for this ticket and the items it satisfies."""

    key: str
    items: tuple[ItemResult, ...]


@dataclass(frozen=True)
class ClosingView:
    ticket_id: int
    number: str
    process_name: str
    status_name: str
    client: ClientSnap
    applies: bool  # the ticket's process closes by a checklist
    scheme: str
    scheme_name: str
    scheme_name_en: str
    scheme_reasons: tuple[Reason, ...]  # the scheme itself refuses (C-08: not filled in)
    items: tuple[ItemResult, ...]
    reasons: tuple[Reason, ...]  # all that keeps «Закрыть» disabled, rule by rule
    others: tuple[Reason, ...]  # of those, the ones not about an item (status, final, values)
    problems: tuple[Reason, ...]  # draft values that could not be saved
    can_close: bool
    close_action: str
    close_name: str
    close_name_en: str
    confirmation: tuple[Need, ...]  # the kinds the pack requires here (empty: none)
    escalation: tuple[ItemResult, ...]  # C-09 items the escalation satisfies (empty: none)
    confirmations: tuple[ConfirmationSnap, ...]  # already recorded
    delay_cases: tuple[DelayCase, ...]
    stored: ClosureDraft  # the saved state, to start the form from
    editable: bool

    @property
    def missing(self) -> tuple[ItemResult, ...]:
        return tuple(i for i in self.items if i.missing)


def closing_view(
    desk: Desk, actor: Actor, ticket_id: int, draft: ClosureDraft | None = None
) -> ClosingView | None:
    """The checklist of the ticket with `draft` applied in memory (None: as saved); nothing
    is written. None if the ticket no longer exists."""
    now = desk.clock.now()
    with desk.db.transaction() as s:
        row = s.get(Ticket, ticket_id)
        if row is None:
            return None
        snap = snapshot(s, row)
    return judge(desk.pack, actor, now, ticket_id, snap, draft)


def judge(
    pack: Pack,
    actor: Actor,
    now: dt.datetime,
    ticket_id: int,
    snap: TicketSnapshot,
    draft: ClosureDraft | None = None,
) -> ClosingView:
    """`closing_view` on a snapshot: pure, so the CLI and the tests get the same verdict."""
    process = pack.process(snap.process)
    cases = delay_cases(pack, process, snap.number, now)
    stored = draft_of(snap, cases)
    draft = stored if draft is None else draft
    edit = can_edit(pack, snap, now)
    action = close_action(process)
    items: tuple[ItemResult, ...] = ()
    scheme_reasons: tuple[Reason, ...] = ()
    problems: tuple[Reason, ...] = ()
    needs: tuple[Need, ...] = ()
    escalation: tuple[ItemResult, ...] = ()
    others: tuple[Reason, ...] = ()
    scheme = None
    if action is None or not process.closing_schemes:
        detail = f"в процессе «{process.name}» заявку не закрывают по чек-листу закрытия"
        blocking: tuple[Reason, ...] = (
            reason_for(process.rule, detail, f"{process.name_en} has no closing checklist"),
        )
    else:
        judged = apply_draft(snap, draft, actor, now, cases)
        result = evaluate_checklist(pack.closing, judged, pack.lists)
        scheme = pack.closing.schemes[result.scheme]
        items = result.items
        if scheme.to_fill and not scheme.items:  # C-08: the engine's refusal of the scheme
            scheme_reasons = result.reasons
        verdict = check_transition(pack, judged, action.action, actor, now)
        needs = _confirmation_needs(pack, judged, actor, now)
        escalation = _escalation_need(pack, judged)
        problems = _problems(pack, draft, cases, needs, now)
        refused = () if verdict.allowed else verdict.reasons
        blocking = tuple(
            dict.fromkeys((*problems, *_edit_reasons(edit), *refused, *result.reasons))
        )
        others = tuple(r for r in blocking if r not in result.reasons or r in scheme_reasons)
    return ClosingView(
        ticket_id=ticket_id,
        number=snap.number,
        process_name=process.name,
        status_name=process.status_name(process.find_status(pack.statuses, snap.status)),
        client=snap.client,
        applies=scheme is not None,
        scheme=scheme.id if scheme else "",
        scheme_name=scheme.name if scheme else "",
        scheme_name_en=scheme.name_en if scheme else "",
        scheme_reasons=scheme_reasons,
        items=items,
        reasons=blocking,
        others=others if scheme is not None else blocking,
        problems=problems,
        can_close=scheme is not None and not blocking,
        close_action=action.action if action else "",
        close_name=action.name if action else "",
        close_name_en=action.name_en if action else "",
        confirmation=needs,
        escalation=escalation,
        confirmations=snap.confirmations,
        delay_cases=cases,
        stored=stored,
        editable=edit.allowed,
    )


def _edit_reasons(edit: TransitionVerdict) -> tuple[Reason, ...]:
    return () if edit.allowed else edit.reasons


def close_action(process: Process) -> _Action | None:
    """The process's action guarded by the closing checklist (000: «Закрыть»)."""
    for t in process.transitions:
        if any(g.check == CLOSING_GUARD for g in t.guards):
            return _Action(t.action, t.name, t.name_en)
    return None


@dataclass(frozen=True)
class _Action:
    action: str
    name: str
    name_en: str


def delay_cases(
    pack: Pack, process: Process, number: str, now: dt.datetime
) -> tuple[DelayCase, ...]:
    """C-11: each case of the pack with its template (ticket number filled in) or its comment;
    only the cases whose entries the ticket's process uses."""
    templates = pack.templates
    out = []
    for kind in templates.closing_cases:
        try:
            choice = choose_template(templates, pack.calendar, "delayed_closure", now, case=kind)
        except EngineError:
            continue  # the pack has no entry for this case: nothing to offer
        if process.templates and choice.entry not in process.templates:
            continue
        entry = template_by_id(templates, choice.entry)
        text = (
            ""
            if choice.template is None
            else reply_text(templates, choice.template, ticket_number=number)
        )
        out.append(DelayCase(kind, entry.name, entry.id, text, choice.comment, choice.reasons))
    return tuple(out)


def draft_of(snap: TicketSnapshot, cases: Sequence[DelayCase] = ()) -> ClosureDraft:
    """The saved state of a ticket as a draft: where the operator's form starts."""
    closure = {name: getattr(snap.closure, name) for name in CLOSURE_FIELDS}
    closure["spare_parts"] = tuple(SparePart(p.name, p.quantity) for p in snap.closure.spare_parts)
    case = next((x for x in cases if x.kind == snap.closing_delay), None)
    return ClosureDraft(
        **closure,
        **{name: getattr(snap, name) for name in FLAG_FIELDS},
        handed_to_opp=snap.department == CLOSING_DEPARTMENT,
        template_sent=bool(case and case.text and case.template_id in snap.templates_sent),
    )


def apply_draft(
    snap: TicketSnapshot,
    draft: ClosureDraft,
    actor: Actor,
    now: dt.datetime,
    cases: Sequence[DelayCase] = (),
) -> TicketSnapshot:
    """The snapshot as it would be once the draft is saved (in memory only)."""
    closure = {name: getattr(draft, name) for name in CLOSURE_FIELDS}
    parts = draft.spare_parts if draft.spare_parts_used else ()
    closure["spare_parts"] = tuple(SparePartSnap(p.name, p.quantity) for p in parts)
    sent = snap.templates_sent
    case = next((x for x in cases if x.kind == draft.closing_delay), None)
    if draft.template_sent and case is not None and case.text and case.template_id not in sent:
        sent = (*sent, case.template_id)
    confirmations = snap.confirmations
    if draft.confirmation is not None:
        made = ConfirmationSnap(draft.confirmation.kind, actor.login, now)
        confirmations = (*confirmations, made)
    return replace(
        snap,
        **{name: getattr(draft, name) for name in FLAG_FIELDS},
        closure=ClosureSnap(**closure),
        templates_sent=sent,
        confirmations=confirmations,
        department=CLOSING_DEPARTMENT if draft.handed_to_opp else snap.department,
    )


def _fixed(pack: Pack, before: TicketSnapshot, after: TicketSnapshot) -> tuple[ItemResult, ...]:
    """Items missing on `before` and satisfied on `after`: what an input would fulfil."""
    was = {i.id for i in evaluate_checklist(pack.closing, before, pack.lists).missing}
    now_items = evaluate_checklist(pack.closing, after, pack.lists).items
    return tuple(i for i in now_items if i.id in was and i.satisfied)


def _confirmation_needs(
    pack: Pack, judged: TicketSnapshot, actor: Actor, now: dt.datetime
) -> tuple[Need, ...]:
    """Which confirmation kinds the pack requires for this ticket (C-07 VIP/«Важный», no
    mobile, a comment asking for a call, dissatisfaction; C-08 electronic groups): a kind is
    required when, with no confirmation at all, it would satisfy an applicable item."""
    bare = replace(judged, confirmations=())
    needs = []
    for kind in CONFIRMATION_KINDS:
        probe = replace(bare, confirmations=(ConfirmationSnap(kind, actor.login, now),))
        items = _fixed(pack, bare, probe)
        if items:
            needs.append(Need(kind, items))
    return tuple(needs)


def _escalation_need(pack: Pack, judged: TicketSnapshot) -> tuple[ItemResult, ...]:
    """C-09: the items the closing escalation satisfies (empty when not a VIP closure)."""
    bare = replace(judged, closure=replace(judged.closure, escalation_done=False))
    done = replace(judged, closure=replace(judged.closure, escalation_done=True))
    return _fixed(pack, bare, done)


def _problems(
    pack: Pack,
    draft: ClosureDraft,
    cases: Sequence[DelayCase],
    needs: Sequence[Need],
    now: dt.datetime,
) -> tuple[Reason, ...]:
    """Draft values the commands would refuse, found before anything is written."""

    def bad(rule: str, field: str, ru: str, en: str) -> Reason:
        return reason_for(pack.rules[rule], f"поле «{field}»: {ru}", f"field {field}: {en}")

    out = []
    if draft.spare_parts_used:
        for i, part in enumerate(draft.spare_parts, 1):
            if not part.name.strip():
                out.append(bad("C-04", f"ЗИП[{i}].наименование", "пусто", "empty"))
            if part.quantity <= 0:
                out.append(
                    bad(
                        "C-04",
                        f"ЗИП[{i}].количество",
                        f"должно быть больше нуля, указано {part.quantity}",
                        f"must be above zero, got {part.quantity}",
                    )
                )
    if draft.time_spent_minutes is not None and draft.time_spent_minutes < 0:
        out.append(bad("C-04", "затраченное время", "отрицательное", "negative"))
    if draft.closing_delay and draft.closing_delay not in {c.kind for c in cases}:
        out.append(bad("C-11", "случай", f"неизвестный «{draft.closing_delay}»", "unknown"))
    confirmation = draft.confirmation
    if confirmation is not None:
        need = next((n for n in needs if n.key == confirmation.kind), None)
        rule = need.items[0].rule if need else "C-07"
        if confirmation.kind not in CONFIRMATION_KINDS:
            out.append(bad(rule, "вид подтверждения", f"«{confirmation.kind}»", "unknown kind"))
        if not confirmation.by.strip():
            out.append(bad(rule, "подтвердил", "не указано, кто подтвердил", "who is not given"))
        if confirmation.at is None or confirmation.at > now:
            out.append(bad(rule, "время подтверждения", "не указано или в будущем", "bad time"))
    return tuple(out)


# -- commands ----------------------------------------------------------------------------------


def save_closing(desk: Desk, actor: Actor, ticket_id: int, draft: ClosureDraft) -> CommandResult:
    """Save the draft (report, flags, confirmation, the C-11 template) without closing; with
    nothing to save, nothing is written (no op either)."""

    def body(s: Session, now: dt.datetime) -> CommandResult:
        ticket = desk.ticket(s, ticket_id)
        view = judge(desk.pack, actor, now, ticket_id, snapshot(s, ticket), draft)
        if view.problems:
            raise Refused(view.problems)
        done = _save(desk.joined(s, now), actor, view, draft)
        if done:
            record_op(s, now, "save_closing", ticket.uuid, _op_args(actor, ticket, view, draft))
        return CommandResult("save_closing", True, (), done)

    return desk.run("save_closing", body)


def close_with_report(
    desk: Desk, actor: Actor, ticket_id: int, draft: ClosureDraft
) -> CommandResult:
    """Judge the draft first and, only if the close would be carried out, save it and close
    through the guarded transition, in one transaction. A refused close writes nothing and
    returns the reasons (the command named by the process's close action)."""
    action = "close"

    def body(s: Session, now: dt.datetime) -> CommandResult:
        nonlocal action
        ticket = desk.ticket(s, ticket_id)
        view = judge(desk.pack, actor, now, ticket_id, snapshot(s, ticket), draft)
        action = view.close_action or action
        if not view.can_close:
            raise Refused(view.reasons)
        inner = desk.joined(s, now)
        _save(inner, actor, view, draft)
        closed = transition(inner, actor, ticket_id, action)
        if not closed.ok:  # the saved report judged otherwise than the draft: nothing stays
            raise Refused(closed.reasons)
        record_op(s, now, "close_with_report", ticket.uuid, _op_args(actor, ticket, view, draft))
        return closed

    return dataclasses.replace(desk.run(action, body), command=action)


def _op_args(
    actor: Actor, ticket: Ticket, view: ClosingView, draft: ClosureDraft
) -> dict[str, Any]:
    """The op's arguments; `base`: the report's texts as saved before (services.conflicts)."""
    base = {name: getattr(view.stored, name) for name in CLOSURE_TEXTS}
    return {"actor": actor.login, "ticket": ticket.uuid, "draft": draft, "base": base}


def _save(desk: Desk, actor: Actor, view: ClosingView, draft: ClosureDraft) -> tuple[int, ...]:
    """Only what differs from the saved state, one command each, through `desk` joined to the
    caller's transaction (no op of their own); the ids of the changed tickets. A refused step
    raises `Refused`, rolling the caller's transaction back."""
    tid, stored = view.ticket_id, view.stored
    steps: list[Callable[[], CommandResult]] = []
    if draft.handed_to_opp and not stored.handed_to_opp:
        steps.append(lambda: hand_over(desk, actor, tid, CLOSING_DEPARTMENT))
    changed = {n: getattr(draft, n) for n in FLAG_FIELDS if getattr(draft, n) != getattr(stored, n)}
    if changed:
        steps.append(lambda: set_fields(desk, actor, tid, **changed))
    if any(getattr(draft, n) != getattr(stored, n) for n in CLOSURE_FIELDS):
        report = {name: getattr(draft, name) for name in CLOSURE_FIELDS}
        report["spare_parts"] = draft.spare_parts if draft.spare_parts_used else ()
        steps.append(lambda: fill_closure(desk, actor, tid, **report))
    if draft.confirmation is not None:
        steps.extend(_confirmation_steps(desk, actor, tid, draft.confirmation))
    case = next((c for c in view.delay_cases if c.kind == draft.closing_delay), None)
    if draft.template_sent and not stored.template_sent and case is not None and case.text:
        text, template = case.text, case.template_id
        steps.append(lambda: add_comment(desk, actor, tid, "note", text, template_id=template))
    done: tuple[int, ...] = ()
    for step in steps:
        result = step()
        if not result.ok:
            raise Refused(result.reasons)
        done = done or result.ticket_ids
    return done


def _confirmation_steps(
    desk: Desk, actor: Actor, tid: int, c: ConfirmationDraft
) -> list[Callable[[], CommandResult]]:
    """The confirmation (kind, by the operator, now) and a comment saying who confirmed and
    when — the confirmation record itself keeps only its kind, the operator and the moment."""
    when = c.at.astimezone(desk.pack.calendar.tz).strftime("%d.%m.%Y %H:%M") if c.at else "—"
    if c.kind == "verbal":  # a phone conversation: its result is a U-07 comment
        kind, text = (
            "call_result",
            f"Клиент ({c.by}) устно подтвердил восстановление услуги {when}.",
        )
    else:
        kind, text = "note", f"Восстановление подтверждено в электронном виде: {c.by}, {when}."
    return [
        lambda: record_confirmation(desk, actor, tid, c.kind),
        lambda: add_comment(desk, actor, tid, kind, text, tags=("confirmation",)),
    ]
