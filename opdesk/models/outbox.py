"""The outbox: every local change, written in the same transaction, for the push of step 4.

`seq` is the local operation order; `op_id` makes a retried push idempotent on the server.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opdesk.models.base import Base, UtcDateTime, uuid7


class OutboxEntry(Base):
    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    op_id: Mapped[uuid.UUID] = mapped_column(unique=True, default=uuid7)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    command: Mapped[str] = mapped_column(String(40))  # the service command that wrote it
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(40))  # uuid of the row
    op: Mapped[str] = mapped_column(String(8))  # insert | update | delete
    payload: Mapped[str] = mapped_column(Text)  # JSON of the changed fields


class SavedFilter(Base):
    __tablename__ = "saved_filters"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    query: Mapped[str] = mapped_column(Text)  # JSON of a TicketQuery


class SyncState(Base):
    """The workstation's side of the sync, one value per key, changed in the same local
    transaction as what it describes (pulled rows and the new cursor; acknowledged ops).

    Keys: `client_id` (this database's id towards the server, made once), `server_id` (the
    server it last synced with: another server's cursor means nothing), `cursor` (the pull's
    version), `last_op` (the highest op the server acknowledged), `training` ("true"/"false")."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
