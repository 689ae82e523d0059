"""The context every command runs in: a database, a regulation pack and a clock.

Commands are plain functions of `opdesk.services` that take a `Desk` first (`take(desk,
actor, ticket_id)`), grouped by subject in small modules. `Desk` holds what they share: the
transaction runner that turns a refusal into a result with nothing written, and the lookups
that turn an operator's words (a login, a department code, a priority) into rows or refusals.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from opdesk.clock import Clock, FixedClock
from opdesk.errors import EngineError
from opdesk.models import Department, Person, Ticket
from opdesk.regulations.lifecycle import can_edit
from opdesk.regulations.pack import Pack
from opdesk.regulations.rules import Reason, reason_for
from opdesk.services.results import CommandResult, Refused
from opdesk.services.sla_columns import apply_sla
from opdesk.services.snapshots import snapshot, status_history
from opdesk.services.writes import op_scope
from opdesk.store.database import Database

NUMBER_PREFIX = "СЗ-"
PROVISIONAL = "*"


def ticket_number(ticket_id: int, provisional: bool = False) -> str:
    """«СЗ-100001» for the first ticket: the numbering the demo desk and the documents use
    (six digits from 100001), so new and existing tickets read alike in the queue.

    On a workstation of a shared desk the number is provisional, «СЗ-100043*»: another
    workstation may make the same one offline, so the server gives the final number when the
    ticket is pushed, and the pulled ticket brings it. The star keeps a provisional number from
    ever equalling a final one in the local database."""
    return f"{NUMBER_PREFIX}{100000 + ticket_id}{PROVISIONAL if provisional else ''}"


class Desk:
    """Commands of one workstation: a database, a regulation pack and a clock.

    `seed` is given only when an op is re-run (`ops.apply_op`): the ids of the rows the
    command makes are then derived from the op's `id_seed`, as they were where it first ran.
    `provisional_numbers`: this desk syncs with a server, which numbers new tickets
    (`ticket_number`)."""

    def __init__(
        self,
        db: Database,
        pack: Pack,
        clock: Clock,
        *,
        seed: uuid.UUID | None = None,
        provisional_numbers: bool = False,
    ) -> None:
        self.db = db
        self.pack = pack
        self.clock = clock
        self.seed = seed
        self.provisional_numbers = provisional_numbers

    def seeded(self, seed: uuid.UUID) -> Desk:
        """The same desk re-running an op whose new rows' ids derive from `seed`."""
        return Desk(
            self.db, self.pack, self.clock, seed=seed, provisional_numbers=self.provisional_numbers
        )

    def joined(self, session: Session, now: dt.datetime) -> Desk:
        """This desk inside `session`'s open transaction, its clock stopped at `now`: a command
        run through it (a reply's status change, the steps of a closing save) commits or rolls
        back with the caller's, shares its op scope and records no op of its own."""
        return Desk(
            _Joined(self.db.engine, self.db.sessions, session),
            self.pack,
            FixedClock(now),
            provisional_numbers=self.provisional_numbers,
        )

    # -- running commands -------------------------------------------------------------------
    def run(
        self, command: str, body: Callable[[Session, dt.datetime], CommandResult]
    ) -> CommandResult:
        """Run `body` in one transaction; a `Refused` or a bad request rolls everything back.

        The moment is given in the desk's own time zone (the pack's calendar), whatever zone the
        clock reads in: texts a command writes (an outgoing request's «16.11.2026 10:00») must
        not depend on where it runs — a server in UTC re-running a Moscow desk's op writes the
        same words."""
        now = self.clock.now().astimezone(self.pack.calendar.tz)
        try:
            with self.db.transaction() as session, op_scope(session, self.seed):
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

    # -- lookups -----------------------------------------------------------------------------
    def ticket(self, s: Session, ticket_id: int) -> Ticket:
        ticket = s.get(Ticket, ticket_id)
        if ticket is None:
            raise EngineError(f"нет заявки с id {ticket_id}", f"no ticket with id {ticket_id}")
        return ticket

    def department(self, s: Session, key: str) -> Department:
        """The department row of a pack department (by code or name), made on first use."""
        dep = self.pack.departments.get(key)
        row = s.scalars(select(Department).where(Department.code == dep.id)).first()
        if row is None:
            row = Department(code=dep.id, name=dep.name)
            s.add(row)
            s.flush()
        return row

    def editable(self, s: Session, ticket_id: int, now: dt.datetime) -> Ticket:
        """The ticket, if it may still be edited (S-09: closed ones only within 5 minutes).

        Why the open ticket is let through before its snapshot is built: S-09 judges closed
        tickets only, and the snapshot reads every comment of the ticket — a comment added to a
        ticket with a thousand comments read all of them first (the server's pushes slowed
        with every comment: 9 ms an op at 1 000, measured)."""
        ticket = self.ticket(s, ticket_id)
        if not self.pack.process(ticket.process).is_terminal(ticket.status):
            return ticket
        verdict = can_edit(self.pack, snapshot(s, ticket), now)
        if not verdict.allowed:
            raise Refused(verdict.reasons)
        return ticket

    def person(self, s: Session, login: str) -> Person:
        person = s.scalars(select(Person).where(Person.login == login)).first()
        if person is None:
            raise EngineError(f"неизвестный сотрудник «{login}»", f"unknown person {login!r}")
        return person

    def priority(self, priority: str | None) -> tuple[str, int]:
        """The canonical priority name and its rank (U-04 aliases, B-05 order)."""
        try:
            canonical = self.pack.sla.canonical_priority(priority)
        except EngineError as exc:
            raise self.field_problem("B-05", "приоритет", exc.message_ru, exc.message_en) from exc
        return canonical, self.pack.sla.priorities.index(canonical)

    def category(self, category: str) -> str:
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
    def after_change(self, s: Session, ticket: Ticket, now: dt.datetime) -> None:
        """Stamp the change and bring the SLA columns up to date from the history."""
        ticket.updated_at = now
        s.flush()
        apply_sla(self.pack, ticket, status_history(s, ticket), now)


@dataclass
class _Joined(Database):
    """A caller's open transaction lent to the commands it runs (`Desk.joined`)."""

    session: Session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        yield self.session
