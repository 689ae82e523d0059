"""Export records built by SQLite itself: a ticket's whole JSON line, or its CSV cells.

Why in SQL: building a dict per ticket and its children in Python, then encoding it, was
nearly all of an export's time (5.6 s for 100 000 tickets with their history, 18 000 a second);
SQLite's JSON functions build the same text in C, from the same rows, in one statement per
batch. The text is the one Python's `json` writes with `ensure_ascii=False` and compact
separators (SQLite escapes the same characters the same way — the tests compare both), and
moments and UUIDs are turned from their stored forms (opdesk.store.bulk) into the export's:
"2024-11-23 12:55:13.000000" → "2024-11-23T12:55:13+00:00" (what `isoformat` prints, the
fraction only when there is one), 32 hex digits → the hyphenated UUID.

A comment's tags are stored comma-joined; the one Python function registered on the connection
splits the few non-empty ones into a JSON array.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from opdesk.models.history import STATUS_EVENT_KINDS
from opdesk.transfer.read import CLIENT_FIELDS, CSV_FIELDS, NESTED

TEXTS = (
    "number", "process", "channel", "contact_phone", "subject", "theme", "type", "subtheme",
    "product", "category", "priority", "status", "stage", "arm_processed_by",
    "scheme_recorded_by", "resolved_by_department", "outcome", "closing_delay", "closed_via",
)  # fmt: skip
BOOLS = (
    "paid", "scheme_permanent", "needs_closing", "notify_client", "client_dissatisfied",
    "client_allows_closing",
)  # fmt: skip
MOMENTS = ("created_at", "updated_at", "arm_processed_at", "closed_at")
KINDS = ", ".join(f"'{k}'" for k in STATUS_EVENT_KINDS)


def moment(x: str) -> str:
    return (
        f"CASE WHEN {x} IS NULL THEN NULL "
        f"WHEN substr({x}, 20) IN ('', '.000000') "
        f"THEN substr({x}, 1, 10) || 'T' || substr({x}, 12, 8) || '+00:00' "
        f"ELSE substr({x}, 1, 10) || 'T' || substr({x}, 12) || '+00:00' END"
    )


def flag(x: str, nullable: bool = False) -> str:
    """A stored 0/1 as JSON true/false (null kept where the column may be empty)."""
    null = f"WHEN {x} IS NULL THEN NULL " if nullable else ""
    return f"CASE {null}WHEN {x} THEN json('true') ELSE json('false') END"


def _uuid(x: str) -> str:
    return (
        f"substr({x}, 1, 8) || '-' || substr({x}, 9, 4) || '-' || substr({x}, 13, 4) || '-' "
        f"|| substr({x}, 17, 4) || '-' || substr({x}, 21)"
    )


def _name(table: str, key: str) -> str:
    return f"coalesce((SELECT name FROM {table} x WHERE x.id = {key}), '')"


def _array(select: str) -> str:
    """A JSON array of the objects a subquery selects as `j`, in its order."""
    return f"(SELECT json_group_array(json(j)) FROM ({select}))"


def _object(*pairs: tuple[str, str]) -> str:
    return "json_object(" + ", ".join(f"'{k}', {v}" for k, v in pairs) + ")"


COMMENTS = _array(
    "SELECT "
    + _object(
        ("at", moment("at")),
        ("author", "author"),
        ("kind", "kind"),
        ("text", "text"),
        ("tags", "CASE WHEN tags = '' THEN json('[]') ELSE json(opdesk_tags(tags)) END"),
        ("template_id", "template_id"),
        ("reached", flag("reached", nullable=True)),
    )
    + " AS j FROM comments WHERE ticket_id = t.uuid ORDER BY at, id"
)
CLOSURE = (
    "json((SELECT "
    + _object(
        ("cause", "r.cause"),
        ("actions", "r.actions"),
        (
            "performers",
            "(SELECT json_group_array(name) FROM (SELECT name FROM closure_performers "
            "WHERE ticket_id = t.uuid ORDER BY id))",
        ),
        ("completed_at", moment("r.completed_at")),
        ("time_spent_minutes", "r.time_spent_minutes"),
        ("spare_parts_used", flag("r.spare_parts_used")),
        (
            "spare_parts",
            _array(
                "SELECT json_object('name', name, 'quantity', quantity) AS j "
                "FROM spare_part_lines WHERE ticket_id = t.uuid ORDER BY id"
            ),
        ),
        ("comment", "r.comment"),
        ("responsible_actions_checked", flag("r.responsible_actions_checked")),
        ("escalation_done", flag("r.escalation_done")),
    )
    + " FROM closure_reports r WHERE r.ticket_id = t.uuid))"
)
CONFIRMATIONS = _array(
    f"SELECT json_object('kind', kind, 'by', by, 'at', {moment('at')}) AS j "
    "FROM confirmations WHERE ticket_id = t.uuid ORDER BY at, id"
)
HISTORY = _array(
    "SELECT "
    + _object(
        ("at", moment("at")),
        ("status", "status"),
        ("stage", "stage"),
        ("by", "actor"),
        ("department", "department"),
    )
    + f" AS j FROM events WHERE ticket_id = t.uuid AND kind IN ({KINDS}) ORDER BY at, id"
)
OUTGOING = _array(
    "SELECT "
    + _object(
        (
            "department",
            "coalesce((SELECT name FROM departments d WHERE d.id = o.department_id), '')",
        ),
        ("sent_at", moment("o.sent_at")),
        ("reminder_at", moment("o.reminder_at")),
        ("answered_at", moment("o.answered_at")),
        ("answer", "o.answer"),
        ("note", "o.note"),
    )
    + " AS j FROM outgoing_requests o WHERE o.ticket_id = t.uuid ORDER BY o.sent_at, o.id"
)
CLIENT = {
    "name": "CASE WHEN c.id IS NULL THEN t.client_name ELSE c.name END",
    "category": "CASE WHEN c.id IS NULL THEN t.client_category ELSE c.category END",
    "mobile": "coalesce(c.mobile, '')",
    "group": "coalesce(c.group_name, '')",
    "city": "coalesce(c.city, '')",
    "phone": "coalesce(c.phone, '')",
}
NESTED_SQL = {
    "comments": COMMENTS,
    "closure": CLOSURE,
    "confirmations": CONFIRMATIONS,
    "history": HISTORY,
    "outgoing": OUTGOING,
}
OWNER = "coalesce((SELECT login FROM people p WHERE p.id = t.owner_id), '')"
DEPARTMENT = _name("departments", "t.department_id")
FROM = "FROM tickets t LEFT JOIN clients c ON c.id = t.client_id WHERE t.id IN ({marks})"

# The record's keys in the order the export has always written them.
RECORD = _object(
    ("uuid", _uuid("t.uuid")),
    *((name, f"t.{name}") for name in TEXTS),
    ("resolution_limit_minutes", "t.resolution_limit_minutes"),
    *((name, flag(f"t.{name}")) for name in BOOLS),
    *((name, moment(f"t.{name}")) for name in MOMENTS),
    ("owner", OWNER),
    ("department", DEPARTMENT),
    ("client", _object(*CLIENT.items())),
    *NESTED_SQL.items(),
)
JSONL_SQL = f"SELECT t.id, {RECORD} {FROM}"


def _csv_cell(name: str) -> str:
    """The text of one CSV column: JSON for the nested parts, true/false, '' for nothing."""
    if name in CLIENT_FIELDS:
        return CLIENT[name.removeprefix("client_")]
    if name in NESTED:
        return f"coalesce({NESTED_SQL[name]}, 'null')"
    if name in BOOLS:
        return f"CASE WHEN t.{name} THEN 'true' ELSE 'false' END"
    if name in MOMENTS:
        return f"coalesce({moment(f't.{name}')}, '')"
    if name == "uuid":
        return _uuid("t.uuid")
    if name == "owner":
        return OWNER
    if name == "department":
        return DEPARTMENT
    return f"coalesce(t.{name}, '')"


CSV_SQL = f"SELECT t.id, {', '.join(_csv_cell(n) for n in CSV_FIELDS)} {FROM}"


def _tags(text: str) -> str:
    return json.dumps([x for x in text.split(",") if x], ensure_ascii=False, separators=(",", ":"))


def prepare_connection(raw: sqlite3.Connection) -> None:
    raw.create_function("opdesk_tags", 1, _tags, deterministic=True)


def rows(cur: Any, sql: str, ids: list[int]) -> list[Any]:
    """The batch's rows (JSON text, or CSV cells) in the order of `ids`."""
    marks = ", ".join("?" * len(ids))
    found = {r[0]: r[1:] for r in cur.execute(sql.format(marks=marks), ids)}
    return [found[i] for i in ids if i in found]
