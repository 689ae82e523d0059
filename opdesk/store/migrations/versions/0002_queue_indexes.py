"""Queue indexes: sort by SLA due date over all tickets, category + priority, paused.

Every saved filter and every sortable column of the queue must be served by an index, so that
no query sorts the whole table in a temporary B-tree (see opdesk/store/query.py and the
EXPLAIN QUERY PLAN output of bench/queue.py). Plain CREATE INDEX works on SQLite and
PostgreSQL alike; no table rebuild is needed.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_tickets_due", ["sla_due_at", "id"]),
    ("ix_tickets_category_priority", ["category", "priority", "created_at", "id"]),
    ("ix_tickets_paused_due", ["sla_paused", "sla_due_at", "id"]),
)


def upgrade() -> None:
    for name, columns in INDEXES:
        op.create_index(name, "tickets", columns, unique=False)


def downgrade() -> None:
    for name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name="tickets")
