"""Row versions, their triggers and tombstones on every synced table (opdesk.server.versioning).

A later store revision that adds a synced table needs a server revision calling
`install_versioning` again (it is idempotent): the triggers are per table.

Revision ID: s0002
Revises: s0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

from opdesk.server.versioning import install_versioning, uninstall_versioning

revision = "s0002"
down_revision = "s0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    install_versioning(op.get_bind())


def downgrade() -> None:
    uninstall_versioning(op.get_bind())
