"""The command layer: the one path by which anything changes a ticket.

Every command loads a snapshot, asks the rule engine, and — only if the engine allows —
writes the change, its history event and its outbox row in one transaction. A refused command
raises `Refused` inside the transaction, so it changes nothing, and returns the reasons (rule
IDs, Russian texts, sources). Bulk actions, imports and the CLI call these same methods.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opdesk.clock import Clock
from opdesk.models import Client, Department, Person, Ticket
from opdesk.regulations.errors import EngineError
from opdesk.regulations.intake import intake
from opdesk.regulations.lifecycle import check_transition
from opdesk.regulations.pack import Pack
from opdesk.regulations.rules import Reason, reason_for
from opdesk.regulations.snapshot import Actor
from opdesk.regulations.statuses import find_status
from opdesk.services.results import CommandResult, Refused
from opdesk.services.sla_columns import apply_sla
from opdesk.services.snapshots import snapshot, status_history
from opdesk.services.writes import record_event, record_outbox, reindex
from opdesk.store.database import Database

T = TypeVar("T")
NUMBER_PREFIX = "СЗ-"


def ticket_number(ticket_id: int) -> str:
    return f"{NUMBER_PREFIX}{ticket_id:07d}"


class Desk:
    """Commands of one workstation: a database, a regulation pack and a clock."""

    def __init__(self, db: Database, pack: Pack, clock: Clock) -> None:
        self.db = db
        self.pack = pack
        self.clock = clock

    # -- running commands -------------------------------------------------------------------
    def run(
        self, command: str, body: Callable[[Session, dt.datetime], CommandResult]
    ) -> CommandResult:
        """Run `body` in one transaction; a `Refused` or a bad request rolls everything back."""
        now = self.clock.now()
        try:
            with self.db.transaction() as session:
                return body(session, now)
        except Refused as refused:
            return CommandResult(command, False, refused.reasons)
        except EngineError as bad:
            reason = Reason("", bad.message_ru, bad.message_en, "", "")
            return CommandResult(command, False, (reason,))

    def field_problem(self, rule: str, field: str, ru: str, en: str) -> Refused:
        """A refusal that names the offending field (and the rule that defines its values)."""
        return Refused(
            (reason_for(self.pack.rules[rule], f"поле «{field}»: {ru}", f"field {field}: {en}"),)
        )

    # -- reference data ----------------------------------------------------------------------
    def ensure_departments(self) -> None:
        """Create the pack's departments in the database (idempotent)."""
        with self.db.transaction() as s:
            known = set(s.scalars(select(Department.code)))
            for dep in self.pack.departments:
                if dep.id not in known:
                    s.add(Department(code=dep.id, name=dep.name))

    def add_person(self, login: str, name: str, role: str, department: str) -> uuid.UUID:
        with self.db.transaction() as s:
            dep = self._department(s, department)
            person = Person(login=login, name=name, role=role, department_id=dep.id)
            s.add(person)
            s.flush()
            return person.id

    def add_client(self, name: str, **fields: Any) -> uuid.UUID:
        with self.db.transaction() as s:
            client = Client(name=name, **fields)
            s.add(client)
            s.flush()
            return client.id

    # -- lookups -----------------------------------------------------------------------------
    def _ticket(self, s: Session, ticket_id: int) -> Ticket:
        ticket = s.get(Ticket, ticket_id)
        if ticket is None:
            raise EngineError(f"нет заявки с id {ticket_id}", f"no ticket with id {ticket_id}")
        return ticket

    def _department(self, s: Session, key: str) -> Department:
        dep = self.pack.departments.get(key)
        row = s.scalars(select(Department).where(Department.code == dep.id)).first()
        if row is None:
            row = Department(code=dep.id, name=dep.name)
            s.add(row)
            s.flush()
        return row

    def _person(self, s: Session, login: str) -> Person:
        person = s.scalars(select(Person).where(Person.login == login)).first()
        if person is None:
            raise EngineError(f"неизвестный сотрудник «{login}»", f"unknown person {login!r}")
        return person

    def _priority(self, priority: str | None) -> tuple[str, int]:
        try:
            canonical = self.pack.sla.canonical_priority(priority)
        except EngineError as exc:
            raise self.field_problem("B-05", "приоритет", exc.message_ru, exc.message_en) from exc
        return canonical, self.pack.sla.priorities.index(canonical)

    def _category(self, category: str) -> str:
        if category not in self.pack.sla.categories:
            known = "; ".join(self.pack.sla.categories)
            raise self.field_problem(
                "B-05",
                "категория",
                f"неизвестное значение «{category}»; допустимы: {known}",
                f"unknown value {category!r}",
            )
        return category

    # -- shared tail of every status change ---------------------------------------------------
    def _after_change(self, s: Session, ticket: Ticket, now: dt.datetime) -> None:
        ticket.updated_at = now
        s.flush()
        apply_sla(self.pack, ticket, status_history(s, ticket), now)

    def ticket_payload(self, ticket: Ticket, fields: Sequence[str]) -> dict[str, Any]:
        return {name: getattr(ticket, name) for name in fields}

    # -- commands ----------------------------------------------------------------------------
    def create_ticket(
        self,
        actor: Actor,
        *,
        category: str,
        priority: str | None = None,
        subject: str = "",
        client_id: uuid.UUID | None = None,
        contact_phone: str = "",
        channel: str = "phone",
        theme: str = "",
        type: str = "",
        subtheme: str = "",
        product: str = "",
        department: str = "",
    ) -> CommandResult:
        """Register a contact as a service request (S-01, B-01), priority by default (U-04)."""

        def body(s: Session, now: dt.datetime) -> CommandResult:
            cat = self._category(category)
            prio, rank = self._priority(priority)
            start = intake(self.pack, now, prio)
            client = s.get(Client, client_id) if client_id else None
            if client_id and client is None:
                raise self.field_problem("S-01", "клиент", "нет такого клиента", "no such client")
            next_id = (s.scalar(select(func.max(Ticket.id))) or 0) + 1
            ticket = Ticket(
                id=next_id,
                number=ticket_number(next_id),
                created_at=now,
                updated_at=now,
                channel=channel,
                client_id=client.id if client else None,
                client_name=client.name if client else "",
                client_category=client.category if client else "обычный",
                contact_phone=contact_phone or (client.phone if client else ""),
                subject=subject,
                theme=theme,
                type=type,
                subtheme=subtheme,
                product=product,
                category=cat,
                priority=prio,
                priority_rank=rank,
                status=start.status,
                stage=start.stage,
                is_open=True,
                department_id=self._department(s, department).id if department else None,
            )
            s.add(ticket)
            s.flush()
            record_event(s, ticket, actor, now, "created", new=ticket.number)
            self._after_change(s, ticket, now)
            record_outbox(
                s,
                "create_ticket",
                now,
                "tickets",
                ticket.uuid,
                "insert",
                self.ticket_payload(ticket, CREATE_FIELDS),
            )
            reindex(s, ticket)
            return CommandResult(
                "create_ticket", True, start.reasons, (ticket.id,), start.effects, ticket.id
            )

        return self.run("create_ticket", body)

    def transition(
        self,
        actor: Actor,
        ticket_id: int,
        action: str,
        args: Mapping[str, Any] | None = None,
    ) -> CommandResult:
        """Any lifecycle action (take, escalate, resolve, close, reopen, cancel, …)."""

        def body(s: Session, now: dt.datetime) -> CommandResult:
            ticket = self._ticket(s, ticket_id)
            verdict = check_transition(self.pack, snapshot(s, ticket), action, actor, now, args)
            if not verdict.allowed:
                raise Refused(verdict.reasons)
            old_status = ticket.status
            target = self.pack.statuses[verdict.to_status]
            ticket.status, ticket.stage = target.id, verdict.to_stage
            ticket.is_open = not target.terminal
            if "set_owner" in verdict.effects:
                ticket.owner_id = self._person(s, actor.login).id
            if target.id == "resolved":
                ticket.resolved_by_department = actor.department
            if target.terminal:
                ticket.closed_at, ticket.closed_via = now, action
            elif old_status in ("closed", "cancelled"):
                ticket.closed_at, ticket.closed_via = None, ""
            kind = "status" if target.id != old_status else "action"
            record_event(s, ticket, actor, now, kind, field=action, old=old_status, new=target.id)
            if args and args.get("reason"):
                record_event(
                    s,
                    ticket,
                    actor,
                    now,
                    "reason",
                    field=action,
                    new=f"{args.get('reason')}: {args.get('comment', '')}",
                )
            self._after_change(s, ticket, now)
            record_outbox(
                s,
                action,
                now,
                "tickets",
                ticket.uuid,
                "update",
                self.ticket_payload(ticket, STATUS_FIELDS),
            )
            return CommandResult(action, True, verdict.reasons, (ticket.id,), verdict.effects)

        return self.run(action, body)

    def take(self, actor: Actor, ticket_id: int) -> CommandResult:
        return self.transition(actor, ticket_id, "take")

    def escalate(
        self, actor: Actor, ticket_id: int, reason: str, comment: str = ""
    ) -> CommandResult:
        return self.transition(actor, ticket_id, "escalate", {"reason": reason, "comment": comment})

    def close(self, actor: Actor, ticket_id: int) -> CommandResult:
        return self.transition(actor, ticket_id, "close")

    def reopen(self, actor: Actor, ticket_id: int) -> CommandResult:
        return self.transition(actor, ticket_id, "reopen")

    def cancel(self, actor: Actor, ticket_id: int) -> CommandResult:
        return self.transition(actor, ticket_id, "cancel")

    def change_status(
        self, actor: Actor, ticket_id: int, status: str, args: Mapping[str, Any] | None = None
    ) -> CommandResult:
        """Move to a status by name (Russian or id): the action leading there is looked up."""
        target = find_status(self.pack.statuses, status)
        actions = [t.action for t in self.pack.transitions if t.to == target.id]
        if not actions:
            raise EngineError(
                f"в «{target.name}» не ведёт ни одно действие", "no action leads there"
            )
        results = []
        for action in dict.fromkeys(actions):
            result = self.transition(actor, ticket_id, action, args)
            if result.ok:
                return result
            results.append(result)
        return results[0]

    def bulk_close(self, actor: Actor, ticket_ids: Sequence[int]) -> list[CommandResult]:
        """Close many tickets: each one through the same guarded path as a single close."""
        return [self.close(actor, tid) for tid in ticket_ids]


CREATE_FIELDS = (
    "number", "created_at", "channel", "client_name", "contact_phone", "subject", "theme",
    "type", "subtheme", "product", "category", "priority", "status", "stage",
)  # fmt: skip
STATUS_FIELDS = (
    "status", "stage", "is_open", "owner_id", "resolved_by_department", "closed_at",
    "closed_via", "updated_at",
)  # fmt: skip
