"""`opdesk explain classify|template`: classification (S-02…S-07) and reply templates (U-08,
U-09, C-11) from the command line, with the same engine and reasons as the application."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from opdesk.clock import parse_moment
from opdesk.errors import EngineError
from opdesk.regulations.pack import Pack
from opdesk.regulations.questions import Contact
from opdesk.regulations.snapshot import OutgoingSnap, from_dict


def add_more_parsers(what: Any, common: argparse.ArgumentParser) -> None:
    cl = what.add_parser("classify", parents=[common], help="проверить классификацию СЗ")
    cl.add_argument("--theme", help="тема")
    cl.add_argument("--type", dest="type_", help="тип (Жалоба, Заявка, Консультация)")
    cl.add_argument("--subtheme", default="", help="подтема")
    cl.add_argument("--product", default="", help="продукт (S-04)")
    cl.add_argument("--contact", help="обращение (JSON): какие СЗ создать (S-01…S-07)")

    tp = what.add_parser("template", parents=[common], help="выбрать шаблон ответа клиенту")
    tp.add_argument("situation", help="interim_reply | department_no_answer | delayed_closure")
    tp.add_argument("--department", default="", help="отдел (id или название)")
    tp.add_argument("--ticket-number", default="", help="номер заявки")
    tp.add_argument("--case", default="", help="случай C-11: monitoring | unreachable | objects")
    tp.add_argument("--sent-at", metavar="MOMENT", help="когда отправлен исходящий запрос (U-09)")


def _classify(pack: Pack, args: argparse.Namespace, now: dt.datetime) -> tuple[Any, str]:
    from opdesk.regulations.classify import validate
    from opdesk.regulations.request_plan import plan_requests

    if args.contact:
        try:
            data = json.loads(Path(args.contact).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise EngineError(
                f"{args.contact}: обращение не читается: {exc}", f"{args.contact}: {exc}"
            ) from exc
        contact: Contact = from_dict(Contact, data, "contact")
        plan = plan_requests(pack.classification, contact)
        lines = [f"Создать СЗ: {len(plan.requests)}"]
        for i, req in enumerate(plan.requests, 1):
            link = f", связан с №{req.link_to + 1}" if req.link_to is not None else ""
            number = req.number or "—"
            lines.append(f"  {i}. {req.theme} | {req.type} | {req.subtheme} (номер {number}{link})")
            lines.extend(f"     {r.as_text()}" for r in req.reasons)
        lines.extend(f"  {r.as_text()}" for r in plan.reasons)
        return plan, "\n".join(lines)
    if not args.theme or not args.type_:
        raise EngineError(
            "укажите --theme и --type (или --contact)", "give --theme and --type (or --contact)"
        )
    verdict = validate(pack.classification, args.theme, args.type_, args.subtheme, args.product)
    head = "классификация верна" if verdict.allowed else "классификация неверна"
    lines = [f"{args.theme} | {args.type_} | {args.subtheme}: {head}"]
    lines.extend(f"  {r.as_text()}" for r in verdict.reasons)
    return verdict, "\n".join(lines)


def _template(pack: Pack, args: argparse.Namespace, now: dt.datetime) -> tuple[Any, str]:
    from opdesk.regulations.template_choice import choose_template, reply_text

    outgoing = None
    if args.situation == "department_no_answer":
        if not args.sent_at:
            raise EngineError(
                "для department_no_answer укажите --sent-at", "department_no_answer needs --sent-at"
            )
        outgoing = OutgoingSnap(args.department, parse_moment(args.sent_at, pack.calendar.tz))
    choice = choose_template(
        pack.templates, pack.calendar, args.situation, now, case=args.case, outgoing=outgoing
    )
    if args.process and choice.entry:
        flow = pack.process(args.process)
        if choice.entry not in flow.templates:
            own = ", ".join(flow.templates) or "нет"
            raise EngineError(
                f"Шаблон «{choice.entry}» не применяется в процессе «{flow.name}»; "
                f"шаблоны процесса: {own}",
                f"Template {choice.entry!r} is not used by process {flow.id}; its own: {own}",
            )
    text = ""
    if choice.template is not None:
        text = reply_text(
            pack.templates,
            choice.template,
            department=args.department,
            ticket_number=args.ticket_number,
        )
    lines = []
    if choice.template is not None:
        lines.append(f"Шаблон «{choice.template.name}» ({choice.template.id}):")
        lines.append(f"  {text}")
    elif choice.comment_only:
        lines.append(f"Без шаблона, только комментарий: {choice.comment}")
    elif choice.applies_at is not None:
        when = choice.applies_at.astimezone(pack.calendar.tz).strftime("%d.%m.%Y %H:%M")
        lines.append(f"Шаблон пока не нужен; станет нужен {when}")
    lines.extend(f"  {r.as_text()}" for r in choice.reasons)
    payload = {
        "situation": choice.situation,
        "template": choice.template.id if choice.template else None,
        "name": choice.template.name if choice.template else None,
        "text": text,
        "comment_only": choice.comment_only,
        "comment": choice.comment,
        "applies_at": choice.applies_at,
        "facts": choice.facts,
        "reasons": choice.reasons,
    }
    return payload, "\n".join(lines)


MORE_HANDLERS = {"classify": _classify, "template": _template}
