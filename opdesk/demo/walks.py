"""The walks of the desk's processes 001 (a call), 002 (the help desk), 003 (the portal) and
004 (CSN with support levels); 000 (outages) is in outage.py.

A walk names the actions its document offers and when they happen; what each action does —
the status and stage it leads to, the owner it sets, whether it ends the ticket — is looked
up in the process (flows.py). Guards are met by construction: an outgoing request before
«На удержании» (U-06), a valid reason and a comment for an escalation (P-04), the client's own
button or written permission before «Решить эту проблему» (P-09), the client or a lead for
the CSN cabinet's close and reopen (B-02), reopening a call's request only within its window
(S-09), and an automatic close exactly when the process's working days are over, with no
client reaction since (B-03, P-07).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from opdesk.demo import data as D

if TYPE_CHECKING:
    from opdesk.demo.tickets import Ticket

HOUR = 3600
DAY = 24 * HOUR
OPP = "ОПП"
CLIENT = "client"  # the actor of the client's own actions (portal buttons, the CSN cabinet)
SYSTEM = "system"
# (action, weight) of the pauses between taking and finishing
HELPDESK_PAUSES = (("wait_client", 70), ("hold", 30))  # U-05, U-06
PORTAL_PAUSES = (("wait_client", 50), ("analyse", 20), ("postpone", 15), ("escalate", 15))
CSN_ESCALATE = (1.0, 0.35, 0.25)  # B-02: share escalated further from levels 1, 2, 3


def take(tk: Ticket, actor: str, dept: str) -> bool:
    """U-01: one employee takes the new ticket (False: nobody has yet)."""
    t = tk.step(600 if tk.pi == 2 else 2400, 60)
    if t is None or tk.backlog:  # the newest tickets: some still wait in their queue
        return False
    tk.act("take", t, actor, dept)
    return True


def escalate(tk: Ticket, t: int) -> None:
    """P-04: the client escalates with a valid reason, explained in a comment."""
    reason = tk.rng.choice(tk.ref.escalation_reasons)
    tk.act("escalate", t, CLIENT, "", f"{reason}: {tk.rng.choice(D.ESCALATION_COMMENTS)}")


def pauses(tk: Ticket, kinds: Sequence[tuple[str, int]]) -> bool:
    """Pauses between taking and finishing, each back «В работе» (the last may instead be
    finished from directly); False while one is still under way."""
    rng, oper = tk.rng, tk.oper
    if tk.stuck and rng.random() < 0.4:
        return False  # a long job: still «В работе»
    weights = (35, 40, 18, 7) if tk.rich else (60, 35, 5, 0)
    count = rng.choices((0, 1, 2, 3), weights)[0] + tk.stuck
    names, shares = [k for k, _w in kinds], [w for _k, w in kinds]
    for i in range(count):
        action = rng.choices(names, shares)[0]
        t = tk.step(3 * HOUR, 300)
        if t is None:
            return False
        if action == "escalate":
            escalate(tk, t)
        else:
            if action == "hold":
                tk.outgoing(t)  # U-06: the outgoing request comes first
            tk.act(action, t, oper, OPP)
        if action == "wait_client" and tk.rich:
            tk.comment(t, oper, "reply", "Просим прислать серийный номер и MAC-адрес.")
        if tk.stuck:
            return False
        back = tk.step((20 if action == "wait_client" else 8) * HOUR, 600)
        if back is None:
            return False
        if action == "wait_client":
            tk.comment(back, CLIENT, "client_reply", rng.choice(D.CLIENT_REPLIES[:3]))
        if action == "hold":
            tk.answer(back)
        if i == count - 1 and rng.random() < 0.3:
            tk.at = back  # finished straight from the pause once the answer is in
            return True
        tk.act("set_in_progress", back, oper, OPP)
    return True


def walk_call(tk: Ticket) -> None:
    """001: the operator on the call composes the СЗ («В работе», theirs, S-01) and closes it
    «по окончанию диалога» — mostly during the call, some once the work is done; S-09 lets it
    be reopened (and corrected) only within the process's window after closing."""
    rng, oper = tk.rng, tk.oper
    tk.intake(oper, OPP)
    tk.comment(tk.created + 30, oper, "call_result", rng.choice(D.CALL_RESULTS))  # U-07
    if tk.stuck:
        return
    t = tk.step(5 * 60, 60) if rng.random() < 0.85 else tk.step(4 * HOUR, 600)
    if t is None:
        return
    tk.act("close", t, oper, OPP)
    window = tk.flow.reopen_window or HOUR
    if rng.random() < 0.04:
        back = t + rng.randrange(15, window)
        if back <= tk.ref.now:
            tk.act("reopen", back, oper, OPP)
            tk.comment(back, oper, "note", rng.choice(D.CALL_REOPEN_NOTES))
            t2 = tk.step(3 * 60, 30)
            if t2 is not None:
                tk.act("close", t2, oper, OPP)


def walk_helpdesk(tk: Ticket) -> None:
    """002: taken by one operator (U-01), paused «В ожидании» for the client or «На удержании»
    for another department (U-06), answered with the status kept (U-05 «Не изменять»), then
    «Выполнен» — 002's last status; a client writing again reopens it (borrowed from B-02)."""
    rng, oper = tk.rng, tk.oper
    tk.intake(SYSTEM, OPP)  # the mail or chat gateway registers it
    if not take(tk, oper, OPP):
        return
    if not pauses(tk, HELPDESK_PAUSES):
        return
    if tk.rich and rng.random() < 0.3:
        t = tk.step(2 * HOUR, 300)
        if t is None:
            return
        tk.comment(t, oper, "reply", rng.choice(D.INTERIM_REPLIES))
        tk.act("reply", t, oper, OPP)
    for again in (False, True):
        t = tk.step(6 * HOUR, 600)
        if t is None:
            return
        tk.act("resolve", t, oper, OPP)
        if tk.rich:
            tk.comment(t, oper, "reply", rng.choice(D.RESOLVED_NOTES))
        if again or rng.random() >= 0.05:
            return
        back = tk.step(2 * DAY, HOUR)
        if back is None:
            return
        tk.comment(back, CLIENT, "client_reply", D.CLIENT_REPLIES[1])
        tk.act("reopen", back, oper, OPP)


def walk_portal(tk: Ticket) -> None:
    """003: filed by the client on the portal; taken (P-01), paused for the client (P-02, the
    SLA pause), postponed (P-03), escalated by the client with a reason (P-04), analysed (P-05);
    then «Ожидает подтверждения» (P-07): the client closes it («Решить эту проблему», P-09),
    answers (back to work) or stays silent — then it closes itself after the process's working
    days. The client may cancel it (P-06); a closed request never reopens (P-08)."""
    rng, oper, now = tk.rng, tk.oper, tk.ref.now
    tk.intake(CLIENT, "")
    r = rng.random()
    if r < 0.03:  # P-06: the client cancels before anyone took it
        t = tk.step(2 * HOUR, 120)
        if t is not None:
            tk.act("cancel", t, CLIENT, "")
        return
    if r < 0.05:  # P-04: nobody took it in time, the client escalates from «Новая»
        t = tk.step(8 * HOUR, 3600)
        if t is None:
            return
        escalate(tk, t)
        t = tk.step(HOUR, 120)
        if t is None:
            return
        tk.act("set_in_progress", t, oper, OPP)
    elif not take(tk, oper, OPP):
        return
    if not pauses(tk, PORTAL_PAUSES):
        return
    r = rng.random()
    if r < 0.06:  # the client cancels (P-06) or finds the answer («Решить эту проблему»)
        t = tk.step(DAY, 600)
        if t is not None:
            tk.allows_closing = r >= 0.03
            tk.act("client_close" if tk.allows_closing else "cancel", t, CLIENT, "")
        return
    for first in (True, False):
        t = tk.step(10 * HOUR, 900)
        if t is None:
            return
        tk.act("await_confirmation", t, oper, OPP)
        due = tk.auto_close_due(t)
        assert due is not None, "P-07: «Ожидает подтверждения» closes by itself"
        r = rng.random()
        if r >= (0.70 if first else 0.55):  # silence: P-07 closes it when the days are over
            if due <= now:
                tk.act("auto_close", due, SYSTEM, "")
            return
        at = t + 60 + rng.randrange(max(1, due - t - 1800))
        later = at + rng.randrange(60, 900)  # before the auto-close moment (P-07)
        if at > now:
            return
        if r < 0.40:  # P-09: the client presses «Решить эту проблему»
            tk.allows_closing = True
            tk.act("client_close", at, CLIENT, "")
            return
        if r < 0.55:  # P-09: the client writes the permission; the operator closes
            tk.comment(at, CLIENT, "client_reply", D.CLIENT_REPLIES[3])
            if later <= now:
                tk.act("client_close", later, oper, OPP)
            return
        tk.comment(at, CLIENT, "client_reply", D.CLIENT_REPLIES[4])  # a new question: resume
        if later > now:
            return
        tk.act("set_in_progress", later, oper, OPP)


def walk_csn(tk: Ticket) -> None:
    """004: filed from the client's cabinet at level 1 (B-01); taken with the level unchanged,
    escalated level by level, returned from the vendor to level 3 (B-02); «Решен» closes by
    the client's form, or by itself after the process's working days (B-03); the client
    reopens from «Решен» or «Закрыт»; level 1 may annul it (B-02)."""
    rng, oper, now, order = tk.rng, tk.oper, tk.ref.now, tk.flow.levels
    tk.intake(CLIENT, "")
    t = tk.step(600 if tk.pi == 2 else 2400, 60)
    if t is None or tk.backlog:
        return
    r = rng.random()
    if r < 0.02:  # annulled at level 1 (a duplicate)
        tk.act("cancel", t, oper, OPP)
        tk.comment(t, oper, "note", D.CANCEL_NOTES[0])
        return
    if r >= 0.2:  # most are taken on level 1 first; the rest go up untaken
        tk.act("take", t, oper, OPP)
        t2 = tk.step(HOUR, 120)
        if t2 is None or (tk.stuck and r < 0.4):
            return
        if r < 0.22:
            tk.act("cancel", t2, oper, OPP)
            tk.comment(t2, oper, "note", D.CANCEL_NOTES[1])
            return
        t = t2
    handler, dept = oper, OPP
    for _ in range(6):
        level = order.index(tk.stage)
        if level == len(order) - 1:  # the vendor answered: back to level 3, or solved there
            if rng.random() >= 0.5:
                break
            tk.act("return_to_resolution", t, handler, dept)
        elif rng.random() < CSN_ESCALATE[level]:
            tk.act("escalate", t, handler, dept)
            if order.index(tk.stage) >= 2 and dept == OPP:  # levels 3, 4: ОЭ/ТО work on it
                tk.hand_over(t, handler, dept, tk.resp_dept)
                handler, dept = tk.resp, tk.resp_dept
        else:
            break
        step = tk.step(8 * HOUR, 600)
        if step is None or (tk.stuck and rng.random() < 0.7):
            return  # still at this level (a long job stays there)
        t = step
    tk.act("resolve", t, handler, dept)
    for round_ in range(3):  # up to two returns to work, then it ends closed (or pending)
        may_reopen = round_ < 2
        due = tk.auto_close_due(t)
        assert due is not None, "B-03: «Решен» closes by itself"
        r = rng.random()
        if r < 0.62 or (r >= 0.92 and not may_reopen):  # no reaction: B-03 closes it
            if due > now:
                return
            tk.act("auto_close", due, SYSTEM, "")
        else:
            at = t + 60 + rng.randrange(max(1, due - t - 120))
            if at > now:
                return
            if r < 0.92:  # closed from the cabinet, or by a lead for a client who called
                lead = rng.random() < 0.15
                who, where = (rng.choice(tk.ref.leads), OPP) if lead else (CLIENT, "")
                tk.act("client_close", at, who, where)
            else:  # the client resumes the work from «Решен»
                tk.comment(at, CLIENT, "client_reply", D.CLIENT_REPLIES[1])
                tk.act("reopen", at, CLIENT, "")
                step = tk.step(8 * HOUR, 600)
                if step is None:
                    return
                if rng.random() < 0.1:  # the client closes it after all
                    tk.act("client_close", step, CLIENT, "")
                    return
                t = step
                tk.act("resolve", t, handler, dept)
                continue
        if not may_reopen or rng.random() >= 0.03:
            return
        back = tk.step(5 * DAY, HOUR)  # the client resumes a closed ticket (B-02)
        if back is None:
            return
        tk.comment(back, CLIENT, "client_reply", D.CLIENT_REPLIES[1])
        tk.act("reopen", back, CLIENT, "")
        step = tk.step(8 * HOUR, 600)
        if step is None:
            return
        t = step
        tk.act("resolve", t, handler, dept)
