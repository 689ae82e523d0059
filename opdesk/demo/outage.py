"""The walk of process 000: an outage ticket of ОЭ/ТО, closed through ОПП.

Registered by the ОПП operator on the client's call into the ОЭ/ТО queue, taken and resolved
(«Выполнена», C-03: the pack's record_resolver remembers the department) by the responsible
employee, handed over to ОПП (C-01) and closed only by the ОПП operator with the closing
checklist met: the closure report (C-04), the АРМ for paid requests (C-05), the confirmations
C-07/C-08, the VIP escalation (C-09), the checked actions (C-10) and the comment or template
when the client delayed it (C-11). The client's doubt reopens it (C-11, «заявку мы
возобновим»). Nothing closes an outage ticket by itself, and a client whose closing scheme is
still to be filled in (C-08, Сбербанк) keeps it «Выполнена».
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opdesk.demo import data as D
from opdesk.demo.walks import DAY, HOUR, OPP, take

if TYPE_CHECKING:
    from opdesk.demo.tickets import Ticket


def walk_outage(tk: Ticket) -> None:
    rng, oper = tk.rng, tk.oper
    tk.phone_note = rng.random() < 0.05
    tk.dept = tk.resp_dept  # the ОЭ/ТО queue
    tk.intake(oper, OPP)
    tk.comment(tk.created + 30, oper, "call_result", rng.choice(D.CALL_RESULTS))  # U-07
    if tk.phone_note:
        tk.comment(tk.created + 60, oper, "note", D.PHONE_CONFIRM_NOTE, "phone_confirmation")
    if not take(tk, tk.resp, tk.resp_dept):
        return
    if tk.rich and rng.random() < 0.5:
        tk.comment(tk.at + 600, tk.resp, "note", rng.choice(D.NOTES))
    if tk.stuck:
        return  # a long job: still «В работе» with its owner
    _finish(tk)


def _resolve(tk: Ticket) -> int | None:
    """C-03: «Выполнена» by the responsible employee; C-01: handed over to ОПП."""
    t = tk.step(20 * HOUR, 1800)
    if t is None:
        return None
    tk.act("resolve", t, tk.resp, tk.resp_dept)
    tk.hand_over(t, tk.resp, tk.resp_dept, OPP)
    return t


def _reopen(tk: Ticket, t: int) -> int | None:
    """C-11: the client says the service is not restored: the ticket goes back to ОЭ/ТО."""
    tk.comment(t, tk.oper, "call_result", D.NOT_RESTORED)
    tk.act("reopen", t, tk.oper, OPP)
    tk.hand_over(t, tk.oper, OPP, tk.resp_dept)
    return _resolve(tk)


def _finish(tk: Ticket) -> None:
    """Resolve, perhaps reopen once (before or after closing), close meeting C-04…C-11, and
    write the closure report the checklist reads."""
    rng = tk.rng
    resolved = first = _resolve(tk)
    if first is None:
        return
    performers = {tk.resp_name}
    while rng.random() < 0.35 and len(performers) < 3:
        performers.add(rng.choice(tk.ref.responsible)[3])
    for name in sorted(performers):
        tk.out.rows["closure_performers"].append((tk.uid(), tk.uuid, name))
    parts = rng.random() < 0.25
    for _ in range(rng.randint(1, 2) if parts else 0):
        part = (tk.uid(), tk.uuid, rng.choice(D.SPARE_PARTS), rng.randint(1, 5))
        tk.out.rows["spare_part_lines"].append(part)
    close_at: int | None = None
    closed_once = False
    closable = tk.group not in tk.ref.unclosable_groups
    r = rng.random()
    if r < 0.05:  # not restored after all, found before closing
        back = tk.step(6 * HOUR, 600)
        resolved = _reopen(tk, back) if back is not None else None
    if resolved is not None and closable:
        close_at = _close(tk)
        closed_once = close_at is not None
        if close_at is not None and r > 0.98:  # the client calls back after closing
            back = tk.step(3 * DAY, HOUR)
            if back is not None:
                resolved = _reopen(tk, back)
                close_at = _close(tk) if resolved is not None else None
    checked = closed_once  # C-10: checked when ОПП closed it (a later reopening keeps that)
    completed = resolved if resolved is not None else first
    tk.out.rows["closure_reports"].append((
        tk.uuid, rng.choice(D.CAUSES).format(n=rng.randint(1, 99)), rng.choice(D.ACTIONS),
        tk.ts(completed), rng.randint(15, 600), parts,
        D.CLOSURE_COMMENTS[tk.delay] if tk.delay else "", checked,
        checked and tk.ccat == "VIP", tk.ts(close_at if close_at else completed),
    ))  # fmt: skip


def _close(tk: Ticket) -> int | None:
    """Close by the ОПП operator with the confirmations C-07/C-08 ask for and the C-11
    comment or template when the client delayed it."""
    rng, ref, oper = tk.rng, tk.ref, tk.oper
    close_at = tk.step(10 * HOUR, 300)
    if close_at is None:
        return None
    if not tk.delay and rng.random() < 0.08:
        tk.delay = rng.choice(tuple(D.CLOSURE_COMMENTS))
        template = {"monitoring": "closing_monitoring", "objects": "closing_objects"}
        if tk.delay in template:
            tid = template[tk.delay]
            text = ref.templates[tid].replace("{ticket_number}", tk.number)
            tk.comment(close_at - 30, oper, "reply", text, template=tid)
        else:
            tk.comment(close_at - 30, oper, "note", D.CLOSURE_COMMENTS[tk.delay])
    needs_verbal = not tk.electronic and (
        tk.ccat in ref.verbal_categories or not tk.mobile or tk.dissatisfied or tk.phone_note
    )
    if tk.electronic:
        _confirm(tk, close_at - 120, "electronic", tk.cname)
    if needs_verbal or (not tk.electronic and rng.random() < 0.3):
        _confirm(tk, close_at - 90, "verbal", oper)
        text = "Клиент устно подтвердил восстановление услуги."
        tk.comment(close_at - 90, oper, "call_result", text)
    tk.act("close", close_at, oper, OPP)
    return close_at


def _confirm(tk: Ticket, t: int, kind: str, by: str) -> None:
    tk.out.rows["confirmations"].append((tk.uid(), tk.uuid, kind, by, tk.ts(t)))
