"""The ticket: its fields, flags and the SLA state kept in indexed columns.

`id` is a local integer key (the queue keeps ordered ids in an `array('q')` and fetches rows by
it); `uuid` is the identity shared with the server, and every child row refers to it.
SLA columns are written by the command layer on every change, so "breached", "at risk" and
"paused" are plain SQL filters instead of Python loops over a million rows.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from opdesk.models.base import Base, UtcDateTime, uuid7

# The filter badges count from this index alone (0005), never reading table rows.
SLA_FLAGS = ("sla_breached", "sla_paused", "sla_risk_at")
COUNT_COLUMNS = ("is_open", "status", "sla_breached", "sla_paused", "sla_due_at", "uuid")


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[UUID] = mapped_column(unique=True, default=uuid7)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    channel: Mapped[str] = mapped_column(String(16), default="phone")
    # the ticket's process (regulation pack [processes]): what its statuses mean
    process: Mapped[str] = mapped_column(String(24), server_default=text("''"))
    client_id: Mapped[UUID | None] = mapped_column(ForeignKey("clients.id"))
    client_name: Mapped[str] = mapped_column(String(200), default="")  # denormalised for sort
    client_category: Mapped[str] = mapped_column(String(16), default="обычный")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    theme: Mapped[str] = mapped_column(String(80), default="")
    type: Mapped[str] = mapped_column(String(32), default="")
    subtheme: Mapped[str] = mapped_column(String(120), default="")
    product: Mapped[str] = mapped_column(String(120), default="")
    category: Mapped[str] = mapped_column(String(80))  # B-05
    priority: Mapped[str] = mapped_column(String(16))
    priority_rank: Mapped[int] = mapped_column(SmallInteger)  # 0 Обычный … 2 Критичный
    status: Mapped[str] = mapped_column(String(24))
    stage: Mapped[str] = mapped_column(String(16))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)  # not terminal
    owner_id: Mapped[UUID | None] = mapped_column(ForeignKey("people.id"))
    department_id: Mapped[UUID | None] = mapped_column(ForeignKey("departments.id"))
    # flags and fields the closing checklist reads (C-02 … C-11, P-09, U-03)
    paid: Mapped[bool] = mapped_column(Boolean, default=False)
    arm_processed_by: Mapped[str] = mapped_column(String(64), default="")
    arm_processed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    scheme_permanent: Mapped[bool] = mapped_column(Boolean, default=False)
    scheme_recorded_by: Mapped[str] = mapped_column(String(16), default="")
    needs_closing: Mapped[bool] = mapped_column(Boolean, default=False)
    notify_client: Mapped[bool] = mapped_column(Boolean, default=True)
    client_dissatisfied: Mapped[bool] = mapped_column(Boolean, default=False)
    client_allows_closing: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved_by_department: Mapped[str] = mapped_column(String(16), default="")
    outcome: Mapped[str] = mapped_column(String(32), default="")
    closing_delay: Mapped[str] = mapped_column(String(16), default="")
    resolution_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    closed_via: Mapped[str] = mapped_column(String(16), default="")
    # SLA state (B-05, B-06, P-02), recomputed from history by the command layer
    sla_plan: Mapped[str] = mapped_column(String(40), default="")
    sla_stage: Mapped[str] = mapped_column(String(16), default="")  # current SLA stage or ""
    sla_due_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)  # current stage due
    sla_risk_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)  # 80 % used at
    sla_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    sla_breached: Mapped[bool] = mapped_column(Boolean, default=False)  # a finished stage was late
    sla_paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    reaction_due_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    processing_due_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    resolution_due_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    auto_close_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(BigInteger, default=0)  # set by the server (step 4)

    __table_args__ = (
        Index("ix_tickets_created", "created_at", "id"),
        Index("ix_tickets_updated", "updated_at", "id"),
        Index("ix_tickets_status_created", "status", "created_at", "id"),
        Index("ix_tickets_open_created", "is_open", "created_at", "id"),
        Index("ix_tickets_owner_open_created", "owner_id", "is_open", "created_at", "id"),
        Index("ix_tickets_department_open", "department_id", "is_open", "created_at", "id"),
        Index("ix_tickets_priority", "priority_rank", "created_at", "id"),
        Index("ix_tickets_category", "category", "created_at", "id"),
        Index("ix_tickets_client_cat_open_due", "client_category", "is_open", "sla_due_at"),
        # 0006: covering for the SLA conditions, so «Просрочено» walks the index alone past
        # the open tickets with no due moment (NULLs sort first)
        Index("ix_tickets_sla_due", "is_open", "sla_due_at", "id", *SLA_FLAGS),
        Index("ix_tickets_client_name", "client_name", "id"),
        Index("ix_tickets_stage", "stage", "created_at", "id"),
        Index("ix_tickets_auto_close", "auto_close_at"),
        # 0002: the queue's sort by due date over all tickets, the category + priority filter
        # and the "paused" filter (opdesk/store/query.py; checked by bench/queue.py)
        Index("ix_tickets_due", "sla_due_at", "id"),
        Index("ix_tickets_category_priority", "category", "priority", "created_at", "id"),
        Index("ix_tickets_paused_due", "sla_paused", "sla_due_at", "id"),
        # 0003: the queue's process filter
        Index("ix_tickets_process_open", "process", "is_open", "created_at", "id"),
        # 0004: «Закрыты сегодня»; the client's other tickets in the detail view (U-02)
        Index("ix_tickets_closed", "closed_at", "id"),
        Index("ix_tickets_client", "client_id", "created_at", "id"),
        # 0005: the filter badges' counts read this index alone, never the table
        Index("ix_tickets_open_counts", *COUNT_COLUMNS),
        # 0006: a status filter on open tickets («Новые», «Ждут клиента»), newest first
        Index("ix_tickets_status_open_created", "status", "is_open", "created_at", "id"),
    )
