"""`opdesk explain …`: the rule engine for trainers, scripts and tests.

Each subcommand runs the same engine the application uses and prints the decision with its
reasons (rule IDs, Russian texts, sources), as text or as JSON (`--json`). `--at MOMENT` sets
the clock; a ticket is given as a JSON file.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from opdesk.clock import FixedClock, SystemClock, parse_moment
from opdesk.errors import EngineError
from opdesk.regulations.pack import DEFAULT_PACK, Pack, load_pack
from opdesk.regulations.processes import Process
from opdesk.regulations.rules import Reason
from opdesk.regulations.snapshot import Actor, TicketSnapshot, ticket_from_dict, to_dict


def add_explain_parser(sub: Any) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="вывод в JSON")
    common.add_argument("--at", metavar="MOMENT", help="момент ISO 8601 (по умолчанию — сейчас)")
    common.add_argument("--pack", default=str(DEFAULT_PACK), help="файл пакета регламентов")
    common.add_argument(
        "--process", help="процесс заявки (call_request, helpdesk, portal, csn, outage)"
    )
    explain = sub.add_parser("explain", help="объяснить решение регламента")
    what = explain.add_subparsers(dest="what", required=True)

    sla = what.add_parser("sla", parents=[common], help="сроки SLA по стадиям")
    sla.add_argument("ticket", nargs="?", help="тикет (JSON)")
    sla.add_argument("--category", help="категория (B-05)")
    sla.add_argument("--priority", help="приоритет (Обычный, Срочный, Критичный)")
    sla.add_argument("--created", metavar="MOMENT", help="момент создания (без файла тикета)")

    close = what.add_parser("close", parents=[common], help="чек-лист закрытия")
    close.add_argument("ticket", help="тикет (JSON)")

    tr = what.add_parser("transition", parents=[common], help="можно ли выполнить действие")
    tr.add_argument("ticket", help="тикет (JSON)")
    tr.add_argument("action", nargs="?", help="действие; без него — все действия")
    tr.add_argument("--actor", default="operator", help="логин")
    tr.add_argument("--role", default="operator", help="роль: operator, lead, client, system")
    tr.add_argument("--department", default="", help="отдел исполнителя")
    tr.add_argument("--reason", default="", help="причина (эскалация)")
    tr.add_argument("--comment", default="", help="комментарий")
    tr.add_argument("--history-reviewed", action="store_true", help="история клиента просмотрена")

    from opdesk.cli.explain_more import add_more_parsers

    add_more_parsers(what, common)


def explain(args: argparse.Namespace) -> int:
    pack = load_pack(args.pack)
    clock = FixedClock(parse_moment(args.at, pack.calendar.tz)) if args.at else SystemClock()
    now = clock.now()
    handler = _HANDLERS.get(args.what)
    if handler is None:
        from opdesk.cli.explain_more import MORE_HANDLERS

        handler = MORE_HANDLERS[args.what]
    payload, text = handler(pack, args, now)
    if args.json:
        json.dump(jsonable(payload), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text.rstrip() + "\n")
    return 0


def read_ticket_of(pack: Pack, args: argparse.Namespace) -> TicketSnapshot:
    """The ticket file, its process overridden by `--process`, and every status given by name
    (the document's own, «Решен», or the shared one) turned into its id."""
    ticket = read_ticket(args.ticket)
    if getattr(args, "process", None):
        ticket = dataclasses.replace(ticket, process=pack.process(args.process).id)
    if not ticket.process:
        return ticket
    flow = pack.process(ticket.process)

    def status_id(name: str) -> str:
        return flow.find_status(pack.statuses, name).id

    history = tuple(dataclasses.replace(e, status=status_id(e.status)) for e in ticket.history)
    return dataclasses.replace(
        ticket, process=flow.id, status=status_id(ticket.status), history=history
    )


def read_ticket(path: str) -> TicketSnapshot:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise EngineError(f"{path}: файл не читается", f"{path}: cannot read: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise EngineError(
            f"{path}: неверный JSON (строка {exc.lineno}, столбец {exc.colno}): {exc.msg}",
            f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
        ) from exc
    return ticket_from_dict(data)


def jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {
            f.name: jsonable(getattr(obj, f.name))
            for f in dataclasses.fields(obj)
            if not isinstance(getattr(obj, f.name), dt.tzinfo)
        }
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, dt.timedelta):
        return int(obj.total_seconds() // 60)
    return to_dict(obj)


def reasons_text(reasons: tuple[Reason, ...] | list[Reason], indent: str = "  ") -> str:
    return "\n".join(indent + r.as_text() for r in reasons)


def local(pack: Pack, moment: dt.datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(pack.calendar.tz).strftime("%d.%m.%Y %H:%M")


# -- sla ---------------------------------------------------------------------------------------


def _sla(pack: Pack, args: argparse.Namespace, now: dt.datetime) -> tuple[Any, str]:
    from opdesk.sla.report import StatusChange

    if args.ticket:
        ticket = read_ticket_of(pack, args)
        _needs_plans(pack, ticket.process)
        category = args.category or ticket.category
        priority = args.priority or ticket.priority
        history = [StatusChange(e.at, e.status, e.stage) for e in ticket.history]
        if not history and ticket.created_at is not None:
            history = [StatusChange(ticket.created_at, ticket.status, ticket.stage)]
        limit = ticket.resolution_limit_minutes
    else:
        if not args.category:
            raise EngineError(
                "укажите файл тикета или --category", "give a ticket file or --category"
            )
        created = parse_moment(args.created, pack.calendar.tz) if args.created else now
        category, priority, limit = args.category, args.priority, None
        flow = _needs_plans(pack, args.process)
        start = pack.statuses[flow.intake.status]
        history = [StatusChange(created, start.id, flow.stage_of(start, pack.stages))]
    report = pack.sla_engine.evaluate(
        history,
        category,
        priority,
        now,
        dt.timedelta(minutes=limit) if limit is not None else None,
    )
    lines = [f"SLA на {local(pack, now)}", f"  {report.reason}"]
    for st in report.stages:
        lines.append(f"  {st.name}: {st.reason}")
    payload = {
        "category": category,
        "priority": report.choice.priority,
        "plan": report.choice.plan.name,
        "reason": report.reason,
        "breached": report.breached,
        "at_risk": report.at_risk,
        "stages": [
            {
                "stage": st.stage,
                "name": st.name,
                "state": st.state,
                "limit_minutes": st.limit,
                "started_at": st.started_at,
                "due_at": st.due_at,
                "used_minutes": st.used,
                "paused_minutes": st.paused_time,
                "percent": st.percent,
                "at_risk": st.at_risk,
                "reason": st.reason,
            }
            for st in report.stages
        ],
    }
    return payload, "\n".join(lines)


def _needs_plans(pack: Pack, process: str | None) -> Process:
    """The process whose SLA is asked for; only a process with B-05 plans has one."""
    if process:
        flow = pack.process(process)
    else:
        flow = next(p for p in pack.processes.values() if p.sla_plans)
    if not flow.sla_plans:
        with_plans = ", ".join(p.id for p in pack.processes.values() if p.sla_plans)
        raise EngineError(
            f"В процессе «{flow.name}» планы SLA (B-05) не применяются; они есть в: {with_plans}",
            f"Process {flow.id} has no SLA plans (B-05); processes with plans: {with_plans}",
        )
    return flow


# -- close -------------------------------------------------------------------------------------


def _close(pack: Pack, args: argparse.Namespace, now: dt.datetime) -> tuple[Any, str]:
    from opdesk.regulations.checklist import evaluate_checklist

    ticket = read_ticket_of(pack, args)
    if ticket.process and not pack.process(ticket.process).closing_schemes:
        flow = pack.process(ticket.process)
        raise EngineError(
            f"В процессе «{flow.name}» нет чек-листа закрытия: он есть у аварийных заявок (000)",
            f"Process {flow.id} has no closing checklist (the outage process has)",
        )
    result = evaluate_checklist(pack.closing, ticket, pack.lists)
    verdict = "можно закрыть" if result.complete else "закрыть нельзя"
    lines = [f"Заявка {ticket.number or '—'}: {verdict} (схема «{result.scheme_name}»)"]
    marks = {True: "[x]", False: "[ ]"}
    for item in result.items:
        mark = marks[item.satisfied] if item.applies else "[–]"
        note = "" if item.applies else " (не требуется)"
        lines.append(f"  {mark} {item.rule} {item.text}{note}")
    if result.reasons:
        lines.append("Причины отказа:")
        lines.append(reasons_text(result.reasons))
    payload = {
        "ticket": ticket.number,
        "can_close": result.complete,
        "scheme": result.scheme,
        "items": result.items,
        "reasons": result.reasons,
    }
    return payload, "\n".join(lines)


# -- transition --------------------------------------------------------------------------------


def _transition(pack: Pack, args: argparse.Namespace, now: dt.datetime) -> tuple[Any, str]:
    from opdesk.regulations.lifecycle import available_actions, check_transition

    ticket = read_ticket_of(pack, args)
    actor = Actor(args.actor, args.role, args.department)
    extra = {
        "reason": args.reason,
        "comment": args.comment,
        "history_reviewed": args.history_reviewed,
    }
    if args.action:
        verdicts = [check_transition(pack, ticket, args.action, actor, now, extra)]
    else:
        verdicts = available_actions(pack, ticket, actor, now)
    lines = []
    for v in verdicts:
        if v.allowed:
            name = pack.process(ticket.process).status_name(pack.statuses[v.to_status])
            stage = f", {pack.stages.name(v.to_stage)}" if v.to_stage else ""
            target = f"→ «{name}»{stage}"
            lines.append(f"{v.action}: можно {target}")
        else:
            lines.append(f"{v.action}: нельзя")
        lines.append(reasons_text(v.reasons))
    return verdicts, "\n".join(lines)


_HANDLERS = {"sla": _sla, "close": _close, "transition": _transition}
