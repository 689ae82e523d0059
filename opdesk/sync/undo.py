"""Taking back what an op did on this workstation only: its new rows, its new tickets, and
(through a refresh) its changes to rows the server already had.

How the rows an op made are found: a command draws the ids of its new rows from the op's
`id_seed` (`writes.derived_id(seed, n)`, n < MAX_ROWS_PER_OP), and the derived ids of one seed
differ only in their low 16 bits — they fill one contiguous range of UUIDs. Every row with an
id in that range is the op's (another id lands there only by the chance of two uuid7 sharing
a millisecond and 58 random bits). A ticket an op creates has the uuid the op names.

What cannot be found that way is what the op changed in place — the ticket's status or owner,
a closure report, the performers it replaced. Only the server knows their values, so the undo
asks for a *refresh*: a re-pull from just below the ticket's own version (`tickets.version`,
the server's stamp of the row as last pulled; commands never change it), which brings the
ticket row back as the server has it. Ops that change a ticket's other rows in place
(`IN_PLACE`) need those rows too, whose versions the workstation does not know: their
refresh re-pulls from the start and sweeps what the server no longer has (state.Refresh).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable

from sqlalchemy import ColumnElement, Table, and_, delete, or_, select
from sqlalchemy.orm import Session

from opdesk.models import Base, Ticket
from opdesk.services.writes import MAX_ROWS_PER_OP, derived_id
from opdesk.store.search import DELETE_SQL, index_ticket
from opdesk.store.wire import TICKET_CHILDREN
from opdesk.sync.history import history_rewritable, raw_connection
from opdesk.sync.state import Refresh

IN_PLACE = frozenset({"fill_closure", "save_closing", "close_with_report", "record_answer"})
# children whose rows an op makes with derived ids (closure_reports are keyed by ticket)
MADE_BY_OPS = tuple(t for t in TICKET_CHILDREN if t != "closure_reports")
CHUNK = 200
Key = tuple[str, uuid.UUID]


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def seed_range(seed: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    return derived_id(seed, 0), derived_id(seed, MAX_ROWS_PER_OP - 1)


def _chunks(values: list[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def made_rows(s: Session, seeds: Iterable[uuid.UUID]) -> list[tuple[str, uuid.UUID, uuid.UUID]]:
    """(table, id, ticket uuid) of every row made by the ops seeded by `seeds`."""
    found = []
    for chunk in _chunks(sorted(set(seeds))):
        for name in MADE_BY_OPS:
            t = _table(name)
            ranges = [t.c.id.between(*seed_range(seed)) for seed in chunk]
            for row_id, ticket in s.execute(select(t.c.id, t.c.ticket_id).where(or_(*ranges))):
                found.append((name, row_id, ticket))
    return found


def drop_made(s: Session, seeds: Iterable[uuid.UUID], keep: Collection[Key] = ()) -> set[uuid.UUID]:
    """Delete the rows the seeded ops made (but those in `keep`: the server's own, just
    pulled); the tickets whose rows went, their search rows rebuilt."""
    doomed = [(t, row_id, ticket) for t, row_id, ticket in made_rows(s, seeds)
              if (t, row_id) not in keep]  # fmt: skip
    if not doomed:
        return set()
    by_table: dict[str, list[uuid.UUID]] = {}
    for name, row_id, _ticket in doomed:
        by_table.setdefault(name, []).append(row_id)
    with history_rewritable(s):
        for name, ids in by_table.items():
            t = _table(name)
            for chunk in _chunks(ids):
                s.execute(delete(t).where(t.c.id.in_(chunk)))
    touched = {ticket for _t, _id, ticket in doomed}
    reindex(s, touched)
    return touched


def drop_tickets(s: Session, tickets: Collection[uuid.UUID]) -> None:
    """Remove whole tickets that exist here only (a refused create): rows, links, search."""
    if not tickets:
        return
    wanted = list(tickets)
    with history_rewritable(s):
        for name in reversed(TICKET_CHILDREN):
            t = _table(name)
            gone: ColumnElement[bool] = t.c.ticket_id.in_(wanted)
            if name == "ticket_links":
                gone = or_(gone, t.c.linked_id.in_(wanted))
            s.execute(delete(t).where(gone))
    ids = s.scalars(select(Ticket.id).where(Ticket.uuid.in_(wanted))).all()
    raw = raw_connection(s.connection())
    for ticket_id in ids:
        raw.execute(DELETE_SQL, (ticket_id,))
    s.execute(delete(_table("tickets")).where(_table("tickets").c.uuid.in_(wanted)))


def reindex(s: Session, tickets: Collection[uuid.UUID]) -> None:
    """Rebuild the full-text rows of these tickets (those that exist here)."""
    if not tickets:
        return
    conn = s.connection()
    for chunk in _chunks(sorted(tickets)):
        for ticket_id in s.scalars(select(Ticket.id).where(Ticket.uuid.in_(chunk))):
            index_ticket(conn, ticket_id)


def refresh_for(
    s: Session, op_name: str, tickets: Collection[uuid.UUID], *, whole: bool = True
) -> Refresh | None:
    """The re-pull that brings back the server's rows of `tickets` an op changed in place
    (with `whole`, their other rows too, for the IN_PLACE ops); None when there is nothing
    to bring back (a ticket never pulled comes with the next pull: its version is above the
    cursor)."""
    if not tickets:
        return None
    if whole and op_name in IN_PLACE:
        return Refresh(0, frozenset(tickets), sweep=True)
    versions = s.scalars(
        select(Ticket.version).where(and_(Ticket.uuid.in_(list(tickets)), Ticket.version > 0))
    ).all()
    if not versions:
        return None
    return Refresh(max(0, min(versions) - 1), frozenset(tickets), sweep=False)
