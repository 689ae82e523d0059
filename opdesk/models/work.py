"""What happens on a ticket besides status: comments (S-08, U-07), outgoing requests to other
departments (U-06) and links between tickets (S-02 second requests, U-02 related tickets)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opdesk.models.base import Base, UtcDateTime, uuid7

COMMENT_KINDS = ("note", "call_result", "callback_attempt", "client_reply", "reply")


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.uuid"))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    author: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(
        String(24)
    )  # note|call_result|callback_attempt|client_reply|reply
    text: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(String(200), default="")  # comma-separated
    template_id: Mapped[str] = mapped_column(String(64), default="")  # a reply sent by template
    reached: Mapped[bool | None] = mapped_column(Boolean)  # call-back attempts: reached or not

    __table_args__ = (Index("ix_comments_ticket_at", "ticket_id", "at"),)


class OutgoingRequest(Base):
    __tablename__ = "outgoing_requests"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.uuid"))
    department_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("departments.id"))
    sent_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    reminder_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    answer: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")  # U-06 cross-link text on the request

    __table_args__ = (
        Index("ix_outgoing_ticket", "ticket_id"),
        Index("ix_outgoing_reminder", "answered_at", "reminder_at"),
    )


class TicketLink(Base):
    __tablename__ = "ticket_links"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.uuid"))
    linked_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.uuid"))
    kind: Mapped[str] = mapped_column(String(24))  # related | second_request | outgoing

    __table_args__ = (Index("ix_links_ticket", "ticket_id"), Index("ix_links_linked", "linked_id"))
