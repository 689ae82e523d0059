"""Bulk writing into a local SQLite desk: column lists and the values SQLAlchemy stores.

Why raw rows: the demo generator and an import write millions of rows, and building an ORM
object per row costs more than everything else together (measured on an import of 20 000
tickets: 24 of 30 s). These jobs bind plain tuples with `executemany` instead, in the exact
text forms the models read back: moments as "YYYY-MM-DD HH:MM:SS.ffffff" in UTC, UUIDs as 32
hex digits, booleans as 0/1. A NOT NULL column a job does not know (added by a later migration)
gets its model default as a literal, so an older job never breaks on a newer schema.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Integer

from opdesk.models import Base

COLUMNS: dict[str, tuple[str, ...]] = {
    "tickets": (
        "id", "uuid", "number", "created_at", "updated_at", "channel", "process", "client_id",
        "client_name", "client_category", "contact_phone", "subject", "theme", "type",
        "subtheme", "product", "category", "priority", "priority_rank", "status", "stage",
        "is_open", "owner_id", "department_id", "paid", "arm_processed_by", "arm_processed_at",
        "scheme_permanent", "scheme_recorded_by", "needs_closing", "notify_client",
        "client_dissatisfied", "client_allows_closing", "resolved_by_department", "outcome",
        "closing_delay", "resolution_limit_minutes", "closed_at", "closed_via", "sla_plan",
        "sla_stage", "sla_due_at", "sla_risk_at", "sla_paused", "sla_breached",
        "sla_paused_seconds", "reaction_due_at", "processing_due_at", "resolution_due_at",
        "auto_close_at", "version",
    ),
    "events": (
        "id", "ticket_id", "at", "actor", "kind", "status", "stage", "field", "old_value",
        "new_value", "department",
    ),
    "comments": (
        "id", "ticket_id", "at", "author", "kind", "text", "tags", "template_id", "reached",
    ),
    "outgoing_requests": (
        "id", "ticket_id", "department_id", "sent_at", "reminder_at", "answered_at", "answer",
        "note",
    ),
    "closure_reports": (
        "ticket_id", "cause", "actions", "completed_at", "time_spent_minutes",
        "spare_parts_used", "comment", "responsible_actions_checked", "escalation_done",
        "updated_at",
    ),
    "closure_performers": ("id", "ticket_id", "name"),
    "spare_part_lines": ("id", "ticket_id", "name", "quantity"),
    "confirmations": ("id", "ticket_id", "kind", "by", "at"),
    "ticket_links": ("id", "ticket_id", "linked_id", "kind"),
    "departments": ("id", "code", "name"),
    "people": ("id", "login", "name", "role", "department_id"),
    "clients": ("id", "name", "category", "mobile", "group_name", "city", "phone"),
}  # fmt: skip


def moment_text(value: dt.datetime | None) -> str | None:
    """An aware moment as SQLAlchemy's DateTime stores it on SQLite (naive UTC text)."""
    if value is None:
        return None
    utc = value.astimezone(dt.UTC)
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d} "
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}.{utc.microsecond:06d}"
    )


def id_text(value: uuid.UUID | None) -> str | None:
    """A UUID as SQLAlchemy's Uuid type stores it on SQLite (32 hex digits)."""
    return None if value is None else value.hex


def _targets(table: str, columns: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Column names and value expressions: `?` for ours; NOT NULL columns the generator does
    not know (added by a later migration) get their model default as a literal; an integer
    key SQLite numbers itself (the outbox's running `seq`) is left to it."""
    names, values = list(columns), ["?"] * len(columns)
    for col in Base.metadata.tables[table].columns:
        if col.name in columns or col.nullable:
            continue
        if col.primary_key and isinstance(col.type, Integer):
            continue
        default = getattr(col.default, "arg", None)
        if isinstance(default, bool):
            literal = str(int(default))
        elif isinstance(default, int | float):
            literal = str(default)
        elif isinstance(default, str):
            literal = "'" + default.replace("'", "''") + "'"
        else:
            raise RuntimeError(f"{table}.{col.name}: no default for a bulk insert")
        names.append(col.name)
        values.append(literal)
    return names, values


def insert_sql(table: str, columns: tuple[str, ...]) -> str:
    names, values = _targets(table, columns)
    quoted = ", ".join(f'"{n}"' for n in names)
    return f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join(values)})'


def copy_sql(table: str, columns: tuple[str, ...]) -> str:
    names, values = _targets(table, columns)
    picked = [f'"{n}"' if v == "?" else v for n, v in zip(names, values, strict=True)]
    quoted = ", ".join(f'"{n}"' for n in names)
    return f'INSERT INTO main."{table}" ({quoted}) SELECT {", ".join(picked)} FROM s."{table}"'
