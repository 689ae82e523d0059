"""Departments and people get the same id in every database (opdesk.models.base.stable_id).

Why: tickets point at their department and owner by id, and until now each database drew
those ids at random when it made the rows — a workstation's «ОЭ» and the server's «ОЭ» had
different ids, so a synced ticket would point at nothing. Existing rows are re-keyed: the
new id is a name-based UUID of the department's code or the person's login, and every row
pointing at the old id is moved with it.

SQLite checks foreign keys at each statement unless told to wait: `defer_foreign_keys` holds
the checks until the migration's commit, when parents and children agree again. A server's
PostgreSQL database needs nothing here: servers begin with step 8, whose code makes every
department and person with its stable id from the start.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

from opdesk.models.base import stable_id

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

POINTERS = {
    "departments": (("tickets", "department_id"), ("outgoing_requests", "department_id"),
                    ("people", "department_id")),
    "people": (("tickets", "owner_id"),),
}  # fmt: skip
KINDS = {"departments": ("department", "code"), "people": ("person", "login")}


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    for table, (kind, key) in KINDS.items():
        moves = []
        for old, name in conn.execute(text(f"SELECT id, {key} FROM {table}")):
            new = stable_id(kind, name).hex
            if old != new:
                moves.append({"old": old, "new": new})
        if not moves:
            continue
        conn.execute(text(f"UPDATE {table} SET id = :new WHERE id = :old"), moves)
        for child, column in POINTERS[table]:
            conn.execute(text(f"UPDATE {child} SET {column} = :new WHERE {column} = :old"), moves)


def downgrade() -> None:
    """The old random ids are gone; the stable ones serve the older code as well."""
