"""The server's own tables: accounts, sessions, sync clients, and the server's identity.

Why here and not in the store's revisions: a workstation's SQLite database runs the store's
migrations too and must never hold accounts or password hashes. `server_info` gets the
server's id at creation, so the id exists from the first moment a workstation could see it.

Revision ID: s0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "s0001"
down_revision = None
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", MOMENT, nullable=True),
        sa.Column("disabled", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.CheckConstraint("password_hash LIKE '$argon2id$%'", name=op.f("ck_accounts_argon2id")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_accounts_person_id_people")
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_accounts")),
    )
    op.create_table(
        "auth_sessions",
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.Column("revoked_at", MOMENT, nullable=True),
        sa.CheckConstraint("length(token_hash) = 64", name=op.f("ck_auth_sessions_sha256_hex")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_auth_sessions_person_id_people")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_auth_sessions")),
    )
    op.create_index("ix_auth_sessions_person_id", "auth_sessions", ["person_id"])
    op.create_table(
        "sync_clients",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("last_op", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("training", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("seen_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_sync_clients_person_id_people")
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_sync_clients")),
    )
    info = op.create_table(
        "server_info",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_server_info")),
    )
    op.bulk_insert(
        info,
        [
            {"key": "server_id", "value": str(uuid.uuid4())},
            {"key": "training", "value": "false"},
        ],
    )


def downgrade() -> None:
    op.drop_table("server_info")
    op.drop_table("sync_clients")
    op.drop_index("ix_auth_sessions_person_id", table_name="auth_sessions")
    op.drop_table("auth_sessions")
    op.drop_table("accounts")
