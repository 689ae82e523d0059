"""A covering index for the filter panel's badges.

Why: after every command the window recounts the badges («Новые», «Просрочено», «Ждут
клиента», «Ждут смежный отдел > 24 ч» …). Without it each of those counts walked the open
tickets through `ix_tickets_sla_due` and read every open row from the table — about 50 ms
apiece at a million tickets, 200 ms for the panel. With the status, SLA flags, due moment and
uuid in one index over `is_open`, SQLite counts from the index alone: the whole panel in
about 15 ms (bench/bench_ui_queue.py, `command_row_and_counts`).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = ["is_open", "status", "sla_breached", "sla_paused", "sla_due_at", "uuid"]


def upgrade() -> None:
    op.create_index("ix_tickets_open_counts", "tickets", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_tickets_open_counts", table_name="tickets")
