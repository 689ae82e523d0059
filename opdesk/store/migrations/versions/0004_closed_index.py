"""Indexes for the «Закрыты сегодня» filter (closed_at range) and for a client's other
tickets in the detail view (U-02), so neither scans a million tickets.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_closed", "tickets", ["closed_at", "id"], unique=False)
    op.create_index("ix_tickets_client", "tickets", ["client_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_tickets_client", table_name="tickets")
    op.drop_index("ix_tickets_closed", table_name="tickets")
