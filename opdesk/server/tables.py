"""The server's own tables: accounts, sessions, sync clients and the server's identity.

They live in a `MetaData` of their own, not in the models' `Base`: a workstation's SQLite file
must never grow accounts or password hashes, and the store's Alembic environment (which compares
`Base.metadata` with the database) must not see them. Their Alembic revisions are in
opdesk/server/migrations, with their own version table.

`server_info` holds the server's identity: `server_id` (a UUID made when the schema is created,
so a token or a workstation cursor from another server is recognised as foreign) and
`training` ("true"/"false": a training server, where trainers may act and which production
workstations must never sync with).
"""

from __future__ import annotations

import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    Uuid,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from opdesk.models import Person, UtcDateTime
from opdesk.models.base import NAMING

metadata = MetaData(naming_convention=NAMING)

# The referenced column object, not the string "people.id": `people` is in the models' MetaData.
_PEOPLE_ID = Person.__table__.c.id

ARGON2ID_PREFIX = "$argon2id$"

accounts = Table(
    "accounts",
    metadata,
    Column("person_id", Uuid, ForeignKey(_PEOPLE_ID), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", UtcDateTime, nullable=True),
    Column("disabled", Boolean, nullable=False, server_default="false"),
    Column("created_at", UtcDateTime, nullable=False),
    # Argon2id only: a plain text, MD5 or bcrypt value can never be stored, even by hand.
    CheckConstraint(f"password_hash LIKE '{ARGON2ID_PREFIX}%'", name="argon2id"),
)

auth_sessions = Table(
    "auth_sessions",
    metadata,
    # SHA-256 (hex) of the token; the token itself is only ever in the client's hands.
    Column("token_hash", Text, primary_key=True),
    Column("person_id", Uuid, ForeignKey(_PEOPLE_ID), nullable=False),
    Column("client_id", Uuid, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    CheckConstraint("length(token_hash) = 64", name="sha256_hex"),
    Index("ix_auth_sessions_person_id", "person_id"),
)

sync_clients = Table(
    "sync_clients",
    metadata,
    Column("client_id", Uuid, primary_key=True),
    Column("person_id", Uuid, ForeignKey(_PEOPLE_ID), nullable=False),
    Column("last_op", BigInteger, nullable=False, server_default="0"),
    Column("training", Boolean, nullable=False, server_default="false"),
    Column("seen_at", UtcDateTime, nullable=False),
)

# The answers a retried batch must get again: an op the server refused or settled as a
# conflict is answered so once more (not "duplicate") when its batch comes back after a lost
# acknowledgement, so the workstation still undoes it and tells the operator why. Applied ops
# are not kept (their rows arrive by pull). Keyed by the client's op number.
op_answers = Table(
    "op_answers",
    metadata,
    Column("client_id", Uuid, ForeignKey("sync_clients.client_id"), primary_key=True),
    Column("op", BigInteger, primary_key=True),
    Column("status", Text, nullable=False),
    Column("reasons", Text, nullable=False),  # JSON: [{"rule", "message_ru", "message_en"}]
    Column("at", UtcDateTime, nullable=False),
)

server_info = Table(
    "server_info",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

SERVER_ID = "server_id"
TRAINING = "training"

Bind = Connection | Session


def _info(conn: Bind, key: str) -> str:
    value = conn.execute(select(server_info.c.value).where(server_info.c.key == key)).scalar()
    if value is None:
        raise LookupError(f"server_info has no {key!r}: the server schema is not initialised")
    return str(value)


def server_id(conn: Bind) -> uuid.UUID:
    """The server's identity, made once when its schema was created."""
    return uuid.UUID(_info(conn, SERVER_ID))


def is_training(conn: Bind) -> bool:
    return _info(conn, TRAINING) == "true"


def set_training(conn: Bind, on: bool) -> None:
    conn.execute(
        update(server_info)
        .where(server_info.c.key == TRAINING)
        .values(value="true" if on else "false")
    )
