"""Turning a batch of file records into checked, ready-to-insert rows (an import's CPU work).

Why a separate step that knows no database: checking a record with the rule engine, computing
its SLA columns and building its rows is most of an import's time, and it needs nothing but
the pack. So it can run in worker processes while the importing process does nothing but
write (opdesk.transfer.pipeline), and a batch travels as plain tuples. What only the writer
can know — the ticket's integer id, and the ids of clients, people and departments that may
already be in the database or made by an earlier batch — is left as a name in its slot
(`Ref`) and filled in by opdesk.transfer.write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from opdesk.models.base import uuid7
from opdesk.regulations.pack import Pack
from opdesk.services.sla_columns import apply_sla
from opdesk.store.bulk import COLUMNS, moment_text
from opdesk.store.search import FtsRow, fts_row
from opdesk.transfer.check import BOOL_FIELDS, TEXT_FIELDS, Checked, Problem, check_record
from opdesk.transfer.read import parse_jsonl

IMPORT_ACTOR = "import"
CHILD_TABLES = (
    "events", "comments", "closure_reports", "closure_performers", "spare_part_lines",
    "confirmations", "outgoing_requests",
)  # fmt: skip
TICKET_MOMENTS = frozenset(
    {
        "created_at", "updated_at", "arm_processed_at", "closed_at", "sla_due_at",
        "sla_risk_at", "reaction_due_at", "processing_due_at", "resolution_due_at",
        "auto_close_at",
    }
)  # fmt: skip
COPIED = (
    "number", "process", "created_at", "category", "priority", "status", "stage",
    "resolution_limit_minutes", "arm_processed_at", "closed_at",
    *(f for f in TEXT_FIELDS if f not in ("owner", "department")), *BOOL_FIELDS,
)  # fmt: skip
TICKET = COLUMNS["tickets"]
SLOT = {name: i for i, name in enumerate(TICKET)}
DEPARTMENT_SLOT = COLUMNS["outgoing_requests"].index("department_id")


@dataclass
class Prepared:
    """One batch, checked and built. `tickets` hold Ref-free values except in the id, client,
    owner and department slots; `keys` are (line, number, uuid hex) for the repeat check."""

    tickets: list[list[Any]] = field(default_factory=list)
    clients: list[tuple[str, ...]] = field(default_factory=list)  # key per ticket, or ()
    owners: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    children: dict[str, list[tuple[Any, ...]]] = field(
        default_factory=lambda: {t: [] for t in CHILD_TABLES}
    )
    fts: list[FtsRow] = field(default_factory=list)  # the full-text columns, normalised
    keys: list[tuple[int, str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    last_line: int = 0


class _Row:
    """A ticket's columns while its SLA is computed: what `apply_sla` reads and writes."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _new_id() -> str:
    return uuid7().hex


def prepare(pack: Pack, now: dt.datetime, records: list[tuple[int, Any]]) -> Prepared:
    """Check `records` ((line, record) pairs; a str record is a JSON Lines line still to be
    parsed, a Problem is a line the reader could not read) and build the rows of the good."""
    out = Prepared()
    now_text = moment_text(now)
    for line, rec in records:
        out.last_line = line
        if isinstance(rec, str):
            rec = parse_jsonl(line, rec)
        if isinstance(rec, Problem):
            out.problems.append(rec)
            continue
        item, bad = check_record(pack, line, rec)
        out.problems.extend(bad)
        if item is None:
            continue
        out.keys.append((line, item.fields["number"], item.ticket_uuid.hex))
        _ticket(pack, now, item, out)
        _children(pack, item, out, now_text)
        f = item.fields
        comments = [c["text"] for c in f["comments"]]
        client = item.snapshot.client.name
        out.fts.append(fts_row(f["number"], client, f["contact_phone"], f["subject"], comments))
    return out


def _ticket(pack: Pack, now: dt.datetime, item: Checked, out: Prepared) -> None:
    f = item.fields
    client = item.snapshot.client
    phone = str((item.record.get("client") or {}).get("phone") or "")
    key = (client.name, client.category, client.mobile, client.group, client.city, phone)
    values: dict[str, Any] = {name: f[name] for name in COPIED}
    values.update(
        id=None,  # drawn by the writer
        uuid=item.ticket_uuid.hex,
        client_id=None,  # the writer's, from `clients`
        client_name=client.name,
        client_category=client.category,
        priority_rank=pack.sla.priorities.index(f["priority"]),
        is_open=not pack.process(f["process"]).is_terminal(f["status"]),
        owner_id=None,  # the writer's, from `owners`
        department_id=None,  # the writer's, from `departments`
        updated_at=f["updated_at"] or f["created_at"],
        version=0,
    )
    row = _Row(values)
    apply_sla(pack, row, item.history, now)  # type: ignore[arg-type]
    done = row.__dict__
    out.tickets.append(
        [moment_text(done[c]) if c in TICKET_MOMENTS else _plain(done[c]) for c in TICKET]
    )
    out.clients.append(key if any(key[i] for i in (0, 2, 4, 5)) else ())
    out.owners.append(f["owner"])
    out.departments.append(_department(pack, f["department"]))


def _department(pack: Pack, name: str) -> str:
    """The pack's name of a department (the file may give its code or another spelling)."""
    if not name:
        return ""
    spec = pack.departments.find(name)
    assert spec is not None  # checked
    return spec.name


def _children(pack: Pack, item: Checked, out: Prepared, now_text: str | None) -> None:
    m = moment_text
    rows = out.children
    tid = item.ticket_uuid.hex
    history = item.history
    for i, h in enumerate(history):
        rows["events"].append(
            (
                _new_id(), tid, m(h.at), h.by, "created" if i == 0 else "status", h.status,
                h.stage, "" if i == 0 else "status", "" if i == 0 else history[i - 1].status,
                "" if i == 0 else h.status, h.department,
            )
        )  # fmt: skip
    f = item.fields
    rows["events"].append(
        (_new_id(), tid, now_text, IMPORT_ACTOR, "imported", f["status"], f["stage"], "", "",
         "", "")
    )  # fmt: skip
    for c in f["comments"]:
        rows["comments"].append(
            (_new_id(), tid, m(c["at"]), c["author"], c["kind"], c["text"], ",".join(c["tags"]),
             c["template_id"], _plain(c["reached"]))
        )  # fmt: skip
    if item.record.get("closure") is not None:
        s = item.snapshot.closure
        updated = s.completed_at or f["updated_at"] or f["created_at"]
        rows["closure_reports"].append(
            (tid, s.cause, s.actions, m(s.completed_at), s.time_spent_minutes,
             int(s.spare_parts_used), s.comment, int(s.responsible_actions_checked),
             int(s.escalation_done), m(updated))
        )  # fmt: skip
        for name in s.performers:
            rows["closure_performers"].append((_new_id(), tid, name))
        for part in s.spare_parts:
            rows["spare_part_lines"].append((_new_id(), tid, part.name, part.quantity))
    for conf in item.snapshot.confirmations:
        rows["confirmations"].append((_new_id(), tid, conf.kind, conf.by, m(conf.at)))
    for o in item.outgoing:
        rows["outgoing_requests"].append(
            (_new_id(), tid, _department(pack, o["department"]), m(o["sent_at"]),
             m(o["reminder_at"]), m(o["answered_at"]), o["answer"], o["note"])
        )  # fmt: skip


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value
