"""The closure report (C-04), spare-part lines, performers and client confirmations (C-07,
C-08)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opdesk.models.base import Base, UtcDateTime, uuid7


class ClosureReport(Base):
    __tablename__ = "closure_reports"

    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.uuid"), primary_key=True)
    cause: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    time_spent_minutes: Mapped[int | None] = mapped_column(Integer)
    spare_parts_used: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    responsible_actions_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    escalation_done: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ClosurePerformer(Base):
    __tablename__ = "closure_performers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.uuid"))
    name: Mapped[str] = mapped_column(String(120))

    __table_args__ = (Index("ix_performers_ticket", "ticket_id"),)


class SparePartLine(Base):
    __tablename__ = "spare_part_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.uuid"))
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_spare_parts_ticket", "ticket_id"),
    )


CONFIRMATION_KINDS = ("verbal", "electronic")  # C-07 verbal, C-08 electronic


class Confirmation(Base):
    __tablename__ = "confirmations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.uuid"))
    kind: Mapped[str] = mapped_column(String(16))  # verbal | electronic
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_confirmations_ticket", "ticket_id"),)
