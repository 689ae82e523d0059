"""The append-only history of a ticket: the audit trail and the source of SLA pauses.

Rows are only ever inserted: the ORM refuses updates and deletes, and the migration adds
database triggers that refuse them too, so no route can rewrite the past.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from opdesk.models.base import Base, UtcDateTime, uuid7

# Events that set the status (and so the SLA clock): the history the engine and SLA read.
STATUS_EVENT_KINDS = ("created", "status", "process")  # what SLA and C-03 are judged on


class Event(Base):
    __tablename__ = "events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.uuid"))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(64))  # login, or "system"
    kind: Mapped[str] = mapped_column(String(32))  # created|status|field|comment|closure|...
    status: Mapped[str] = mapped_column(String(24), default="")  # status after the event
    stage: Mapped[str] = mapped_column(String(16), default="")
    field: Mapped[str] = mapped_column(String(64), default="")
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    department: Mapped[str] = mapped_column(String(16), default="")  # the actor's department

    __table_args__ = (Index("ix_events_ticket_at", "ticket_id", "at"),)


def _refuse(*_: object) -> None:
    raise PermissionError("history is append-only: events are never changed or deleted")


event.listen(Event, "before_update", _refuse)
event.listen(Event, "before_delete", _refuse)
