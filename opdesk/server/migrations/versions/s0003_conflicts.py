"""Answers kept for retried batches, and row versions for the store's `ticket_conflicts`.

Why `install_versioning` again: the store's revision 0009 added a synced table, and the
version trigger and tombstone trigger are per table (s0002's docstring); running it again only
adds what is missing.

Revision ID: s0003
Revises: s0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from opdesk.server.versioning import install_versioning

revision = "s0003"
down_revision = "s0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "op_answers",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("op", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["sync_clients.client_id"],
            name=op.f("fk_op_answers_client_id_sync_clients"),
        ),
        sa.PrimaryKeyConstraint("client_id", "op", name=op.f("pk_op_answers")),
    )
    install_versioning(op.get_bind())


def downgrade() -> None:
    bind = op.get_bind()
    for trigger in ("stamp_version", "tombstone"):
        name = f"ticket_conflicts_{trigger}"
        bind.execute(sa.text(f"DROP TRIGGER IF EXISTS {name} ON ticket_conflicts"))
    op.drop_table("op_answers")
