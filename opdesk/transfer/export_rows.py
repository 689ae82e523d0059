"""Reading tickets out of the database as export records (plain JSON-ready dicts).

Why batches by id: an export of a million tickets must not hold them all in memory; tickets
are read 500 at a time and their children with one `IN` query per table. Children come back in
(moment, id) order, so a file exported, imported and exported again is identical.

Why the driver's cursor and the stored text: loading ORM objects and converting every UUID and
moment to Python objects only to print them again was most of an export's time (4.9 of 5.6 s
on 20 000 tickets). A local desk is SQLite, whose stored forms (opdesk.store.bulk) are turned
into the export's forms directly: "2024-11-23 12:55:13.000000" → "2024-11-23T12:55:13+00:00",
32 hex digits → the hyphenated UUID — exactly what `isoformat` and `str(UUID)` print.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from opdesk.models import (
    Ticket,
)
from opdesk.models.history import STATUS_EVENT_KINDS
from opdesk.progress import Cancel, Report, checkpoint
from opdesk.transfer.check import BOOL_FIELDS, TEXT_FIELDS

BATCH = 500
PLAIN = (
    "number",
    "process",
    "channel",
    "contact_phone",
    "subject",
    "theme",
    "type",
    "subtheme",
    "product",
    "category",
    "priority",
    "status",
    "stage",
    "arm_processed_by",
    "scheme_recorded_by",
    "resolved_by_department",
    "outcome",
    "closing_delay",
    "closed_via",
    "resolution_limit_minutes",
    *BOOL_FIELDS,
)
MOMENTS = ("created_at", "updated_at", "arm_processed_at", "closed_at")
assert set(PLAIN) | {"owner", "department"} >= set(TEXT_FIELDS)


def iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass
class Raw:
    """One batch of tickets as stored: ticket rows by id, child rows by ticket UUID, the
    clients they name. Plain tuples, so a batch travels to a worker process cheaply."""

    ids: list[int]
    rows: dict[int, tuple[Any, ...]]
    kids: dict[str, dict[str, list[tuple[Any, ...]]]]
    clients: dict[str, tuple[Any, ...]]


@dataclass
class Names:
    """Logins and department names by their stored ids, read once per export."""

    people: dict[str, str]
    depts: dict[str, str]

    @classmethod
    def read(cls, cur: Any) -> Names:
        return cls(
            dict(cur.execute("SELECT id, login FROM people")),
            dict(cur.execute("SELECT id, name FROM departments")),
        )


class Source:
    """The tickets of one export, read in one snapshot of the open connection `conn`."""

    def __init__(self, conn: Connection, query: str | None, now: dt.datetime) -> None:
        if query:
            from opdesk.store import query as queries
            from opdesk.store.filters import TicketQuery

            self.ids: Sequence[int] = queries.ids(conn, TicketQuery.from_json(query).check(), now)
        else:
            self.ids = conn.scalars(select(Ticket.id).order_by(Ticket.id)).all()
        self.cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        self.names = Names.read(self.cur)

    def batches(
        self, report: Report | None = None, cancelled: Cancel | None = None
    ) -> Iterator[Raw]:
        """The tickets' stored rows in batches (see `id_batches`)."""
        for ids in self.id_batches(report, cancelled):
            yield read_batch(self.cur, ids)

    def id_batches(
        self, report: Report | None = None, cancelled: Cancel | None = None
    ) -> Iterator[list[int]]:
        """The tickets' ids in batches of BATCH, in queue or id order.

        `report(done, total)` and `cancelled()` are consulted before each batch (see
        opdesk.progress.checkpoint): a cancel stops the export within one batch.

        Why `gc.freeze` before each batch: a batch's rows live long enough to reach the oldest
        generation, so the cyclic collector ran a full pass every ~0.3 s, walking the whole
        process (60 ms each in the desktop with a 20 000-ticket queue open, every thread
        waiting). Frozen, what already exists is not walked again; `gc.unfreeze` at the end
        hands it back."""
        ids = self.ids
        try:
            for i in range(0, len(ids), BATCH):
                gc.freeze()
                checkpoint(i, len(ids), report, cancelled)
                yield list(ids[i : i + BATCH])
            checkpoint(len(ids), len(ids), report, cancelled)
        finally:
            self.cur.close()
            gc.unfreeze()


def export_records(
    conn: Connection,
    query: str | None,
    now: dt.datetime,
    report: Report | None = None,
    cancelled: Cancel | None = None,
) -> Iterator[dict[str, Any]]:
    """Every ticket (or those matching the TicketQuery JSON `query`) as an export record."""
    source = Source(conn, query, now)
    for raw in source.batches(report, cancelled):
        yield from records(raw, source.names)


def read_batch(cur: Any, ids: list[int]) -> Raw:
    marks = ", ".join("?" * len(ids))
    rows = {r[0]: r for r in cur.execute(TICKET_SQL.format(marks=marks), ids)}
    uuids = [r[1] for r in rows.values()]
    if not uuids:
        return Raw(ids, rows, {}, {})
    wanted = list({r[4] for r in rows.values() if r[4] is not None})
    clients = {}
    if wanted:
        marks = ", ".join("?" * len(wanted))
        for row in cur.execute(
            "SELECT id, name, category, mobile, group_name, city, phone FROM clients "
            f"WHERE id IN ({marks})",
            wanted,
        ):
            clients[row[0]] = tuple(row[1:])
    kids = {name: _children(cur, sql, uuids) for name, sql in CHILD_SQL.items()}
    return Raw(ids, rows, kids, clients)


def _iso(text: str | None) -> str | None:
    """A moment as SQLite holds it ("YYYY-MM-DD HH:MM:SS.ffffff", UTC) in the ISO form an
    aware datetime prints (`isoformat`): what the export always wrote, without parsing."""
    if text is None:
        return None
    if len(text) == 19:  # no fraction
        return f"{text[:10]}T{text[11:]}+00:00"
    fraction = text[19:]
    if fraction.strip(".0") == "":
        return f"{text[:10]}T{text[11:19]}+00:00"
    return f"{text[:10]}T{text[11:19]}{fraction}+00:00"


def _uuid(hex32: str) -> str:
    h = hex32
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _flag(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _children(cur: Any, sql: str, uuids: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of one child table for the batch's tickets, grouped by ticket, in query order."""
    out: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    marks = ", ".join("?" * len(uuids))
    for row in cur.execute(sql.format(marks=marks), uuids):
        out[row[0]].append(row)
    return out


TICKET_SQL = (
    "SELECT id, uuid, owner_id, department_id, client_id, client_name, client_category, "
    + ", ".join(PLAIN + MOMENTS)
    + " FROM tickets WHERE id IN ({marks})"
)
KINDS = ", ".join(f"'{k}'" for k in STATUS_EVENT_KINDS)
CHILD_SQL = {
    "comments": "SELECT ticket_id, at, author, kind, text, tags, template_id, reached "
    "FROM comments WHERE ticket_id IN ({marks}) ORDER BY ticket_id, at, id",
    "events": "SELECT ticket_id, at, status, stage, actor, department FROM events "
    f"WHERE ticket_id IN ({{marks}}) AND kind IN ({KINDS}) ORDER BY ticket_id, at, id",
    "reports": "SELECT ticket_id, cause, actions, completed_at, time_spent_minutes, "
    "spare_parts_used, comment, responsible_actions_checked, escalation_done "
    "FROM closure_reports WHERE ticket_id IN ({marks})",
    "performers": "SELECT ticket_id, name FROM closure_performers "
    "WHERE ticket_id IN ({marks}) ORDER BY id",
    "parts": "SELECT ticket_id, name, quantity FROM spare_part_lines "
    "WHERE ticket_id IN ({marks}) ORDER BY id",
    "confirmations": "SELECT ticket_id, kind, by, at FROM confirmations "
    "WHERE ticket_id IN ({marks}) ORDER BY ticket_id, at, id",
    "outgoing": "SELECT ticket_id, department_id, sent_at, reminder_at, answered_at, answer, "
    "note FROM outgoing_requests WHERE ticket_id IN ({marks}) ORDER BY ticket_id, sent_at, id",
}
BOOLS = frozenset(BOOL_FIELDS)


def records(raw: Raw, names: Names) -> Iterator[dict[str, Any]]:
    """The export records of one batch, in its order."""
    rows, kids = raw.rows, raw.kids
    plain = len(PLAIN)
    for tid in raw.ids:
        r = rows.get(tid)
        if r is None:
            continue
        tu = r[1]
        rec: dict[str, Any] = {"uuid": _uuid(tu)}
        for i, name in enumerate(PLAIN, 7):
            value = r[i]
            rec[name] = bool(value) if name in BOOLS and value is not None else value
        for i, name in enumerate(MOMENTS, 7 + plain):
            rec[name] = _iso(r[i])
        rec["owner"] = names.people.get(r[2], "") if r[2] else ""
        rec["department"] = names.depts.get(r[3], "") if r[3] else ""
        c = raw.clients.get(r[4]) if r[4] else None
        rec["client"] = {
            "name": c[0] if c else r[5],
            "category": c[1] if c else r[6],
            "mobile": c[2] if c else "",
            "group": c[3] if c else "",
            "city": c[4] if c else "",
            "phone": c[5] if c else "",
        }
        rec["comments"] = [
            {
                "at": _iso(m[1]),
                "author": m[2],
                "kind": m[3],
                "text": m[4],
                "tags": [x for x in m[5].split(",") if x],
                "template_id": m[6],
                "reached": _flag(m[7]),
            }
            for m in kids["comments"].get(tu, ())
        ]
        rep = kids["reports"].get(tu)
        rec["closure"] = None if not rep else _closure(rep[0], kids, tu)
        rec["confirmations"] = [
            {"kind": m[1], "by": m[2], "at": _iso(m[3])} for m in kids["confirmations"].get(tu, ())
        ]
        rec["history"] = [
            {"at": _iso(e[1]), "status": e[2], "stage": e[3], "by": e[4], "department": e[5]}
            for e in kids["events"].get(tu, ())
        ]
        rec["outgoing"] = [
            {
                "department": names.depts.get(o[1], ""),
                "sent_at": _iso(o[2]),
                "reminder_at": _iso(o[3]),
                "answered_at": _iso(o[4]),
                "answer": o[5],
                "note": o[6],
            }
            for o in kids["outgoing"].get(tu, ())
        ]
        yield rec


def _closure(
    rep: tuple[Any, ...], kids: dict[str, dict[str, list[tuple[Any, ...]]]], tu: str
) -> dict[str, Any]:
    return {
        "cause": rep[1],
        "actions": rep[2],
        "performers": [p[1] for p in kids["performers"].get(tu, ())],
        "completed_at": _iso(rep[3]),
        "time_spent_minutes": rep[4],
        "spare_parts_used": bool(rep[5]),
        "spare_parts": [{"name": p[1], "quantity": p[2]} for p in kids["parts"].get(tu, ())],
        "comment": rep[6],
        "responsible_actions_checked": bool(rep[7]),
        "escalation_done": bool(rep[8]),
    }
