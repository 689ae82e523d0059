"""Every ticket carries its process (one lifecycle per source document).

The column is filled for tickets that exist already from their channel, as the default pack
maps channels to processes at this revision (phone → the call's service request, e-mail and
chat → the help-desk ticket, portal → the portal request, anything else → the CSN ticket).
A ticket whose status its new process does not have keeps it; the engine then names both in
its refusal, and the `change_process` command moves the ticket after judging it.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BY_CHANNEL = (
    ("phone", "call_request"),
    ("email", "helpdesk"),
    ("chat", "helpdesk"),
    ("portal", "portal"),
)


def upgrade() -> None:
    op.add_column(
        "tickets", sa.Column("process", sa.String(24), nullable=False, server_default=sa.text("''"))
    )
    tickets = sa.table("tickets", sa.column("channel", sa.String), sa.column("process", sa.String))
    mapping = sa.case(
        *((tickets.c.channel == channel, process) for channel, process in BY_CHANNEL),
        else_="csn",
    )
    op.execute(tickets.update().values(process=mapping))
    op.create_index(
        "ix_tickets_process_open", "tickets", ["process", "is_open", "created_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_process_open", table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("process")
