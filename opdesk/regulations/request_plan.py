"""The service requests (СЗ) to create for one client contact (S-01, S-02, S-03, S-05…S-07).

S-01 registers every contact; S-02 says one contact is one request however many questions and
transfers it had, except in the situations the pack lists as conditions: questions that need
their own request (`classification.separate`, e.g. each content number, a МИ needing a claim)
and questions that need a second, linked request (`classification.second`, any correction or
compensation). The request takes its type and subtheme from S-05/S-06 (`classify._decide`), its
number from S-03 and its theme from the client's question, never from the АСР action (S-07).
"""

from __future__ import annotations

from dataclasses import dataclass

from opdesk.errors import EngineError
from opdesk.regulations.classification import Classification, SeparateRule
from opdesk.regulations.classify import _decide, theme_of
from opdesk.regulations.conditions import resolve
from opdesk.regulations.questions import Contact, Question
from opdesk.regulations.rules import Reason, reason_for


@dataclass(frozen=True)
class PlannedRequest:
    """One request to create. `kind` is "main", a separate rule id or a second rule id."""

    kind: str
    theme: str
    type: str
    subtheme: str
    product: str
    number: str
    questions: tuple[int, ...]  # indexes into contact.questions
    link_to: int | None  # index of the request this one is linked to (second requests)
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class RequestPlan:
    requests: tuple[PlannedRequest, ...]
    not_registered: tuple[int, ...]  # questions recorded nowhere (S-05, exclusive S-02)
    reasons: tuple[Reason, ...]  # reasons about the contact as a whole

    @property
    def rule_ids(self) -> tuple[str, ...]:
        ids = [r.rule for r in self.reasons]
        ids += [r.rule for req in self.requests for r in req.reasons]
        return tuple(dict.fromkeys(ids))


def plan_requests(c: Classification, contact: Contact) -> RequestPlan:
    """Plan the requests for `contact`; see the module docstring for the order of decisions."""
    qs = contact.questions
    if not qs:
        raise EngineError("в обращении нет ни одного вопроса", "the contact has no question")
    for i, q in enumerate(qs):
        try:
            theme_of(c, q.theme)
        except EngineError as exc:
            raise EngineError(f"вопрос №{i + 1}: {exc.message_ru}", exc.message_en) from exc
    overall = _decide(c, qs, range(len(qs)))
    contact_reasons = [r for r in overall.reasons if r not in overall.merge_reasons]
    contact_reasons += _s07(c, qs)
    remaining = list(overall.registered)
    groups: list[tuple[SeparateRule, list[int]]] = []
    exclusive: SeparateRule | None = None
    for rule in c.separate:
        matching = [i for i in remaining if rule.when.holds({"question": qs[i]}, {})]
        if not matching:
            continue
        remaining = [i for i in remaining if i not in matching]
        by_value: dict[object, list[int]] = {}
        for i in matching:
            key = str(resolve({"question": qs[i]}, f"question.{rule.per}")) if rule.per else ""
            by_value.setdefault(key, []).append(i)
        groups.extend((rule, g) for g in by_value.values())
        exclusive = exclusive or (rule if rule.exclusive else None)
    dropped = list(overall.not_registered)
    if exclusive is not None and remaining:
        listed = ", ".join(f"№{i + 1} «{qs[i].theme}»" for i in remaining)
        contact_reasons.append(
            reason_for(exclusive.rule, f"{exclusive.text}; не фиксируются: {listed}", "dropped")
        )
        dropped += remaining
        remaining = []

    requests: list[PlannedRequest] = []
    where: dict[int, int] = {}
    if remaining:
        n = len(remaining)
        detail = f"{n} вопр., переводов: {contact.transfers} → один СЗ"
        first = [
            reason_for(c.contact_rule, "обращение регистрируется как СЗ", "contact registered"),
            reason_for(c.one_request_rule, detail, "one contact → one request"),
        ]
        requests.append(_request(c, contact, "main", remaining, first))
    for rule, group in groups:
        label = f"{rule.text} (вопросы {', '.join(f'№{i + 1}' for i in group)})"
        why = [reason_for(rule.rule, label, rule.text_en)]
        requests.append(_request(c, contact, rule.id, group, why))
    for n, req in enumerate(requests):
        where.update((i, n) for i in req.questions)
    if exclusive is not None:
        first_excl = next(n for n, req in enumerate(requests) if req.kind == exclusive.id)
        where.update((i, first_excl) for i in dropped if i in overall.registered)

    seconds: dict[tuple[str, int], list[int]] = {}
    for i in overall.registered:
        for sr in c.second:
            if sr.when.holds({"question": qs[i]}, {}):
                seconds.setdefault((sr.id, where[i]), []).append(i)
                break
    for (rule_id, target), group in seconds.items():
        sr = next(s for s in c.second if s.id == rule_id)
        detail = f"{sr.text}; связан с СЗ №{target + 1}"
        requests.append(
            PlannedRequest(
                kind=sr.id,
                theme=sr.theme,
                type=sr.type,
                subtheme=sr.subtheme,
                product="",
                number=requests[target].number,
                questions=tuple(group),
                link_to=target,
                reasons=(reason_for(sr.rule, detail, sr.text_en),),
            )
        )
    if not requests:
        contact_reasons.append(
            reason_for(c.contact_rule, "регистрировать нечего: все вопросы отклонены", "nothing")
        )
    return RequestPlan(tuple(requests), tuple(sorted(dropped)), tuple(contact_reasons))


def _request(
    c: Classification, contact: Contact, kind: str, group: list[int], why: list[Reason]
) -> PlannedRequest:
    qs = contact.questions
    decision = _decide(c, qs, group)
    main = decision.main if decision.main is not None else group[0]
    number, number_why = _number(c, contact, group, decision.types)
    return PlannedRequest(
        kind=kind,
        theme=qs[main].theme,
        type=decision.types[main],
        subtheme=qs[main].subtheme,
        product=qs[main].product,
        number=number,
        questions=tuple(group),
        link_to=None,
        reasons=(*why, *decision.merge_reasons, number_why),
    )


def _number(
    c: Classification, contact: Contact, group: list[int], types: tuple[str, ...]
) -> tuple[str, Reason]:
    """S-03: the number the client asks about; several → the highest-priority type, tie → first."""
    qs = contact.questions
    numbers = {qs[i].number or contact.calling_number for i in group}
    best = min(c.rank(types[i]) for i in group)
    pick = next(i for i in group if c.rank(types[i]) == best)
    number = qs[pick].number or contact.calling_number
    if len(numbers) > 1:
        detail = (
            f"номера {', '.join(sorted(n or '—' for n in numbers))}: СЗ на номере {number} "
            f"(вопрос №{pick + 1}, тип «{types[pick]}» в приоритете; при равенстве — первый)"
        )
    elif qs[pick].number:
        detail = f"номер, о котором спрашивает клиент: {number}"
    else:
        detail = f"номер, с которого обратился клиент: {number or '—'}"
    return number, reason_for(c.number_rule, detail, f"registered on {number}")


def _s07(c: Classification, qs: tuple[Question, ...]) -> list[Reason]:
    out = []
    for i, q in enumerate(qs):
        if q.asr_action_theme and q.asr_action_theme != q.theme:
            detail = (
                f"вопрос №{i + 1}: тема «{q.theme}» по вопросу клиента; тема действия в АСР "
                f"«{q.asr_action_theme}» не учитывается"
            )
            out.append(reason_for(c.theme_rule, detail, "theme follows the client's question"))
    return out
