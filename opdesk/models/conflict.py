"""A sync conflict on a ticket, as the server decided it: recorded, never silent (DESIGN.md).

Why a synced table of its own rather than a history event: a conflict has a state — a long
text the server kept while the workstation's value waits for someone to merge it — and it is
shown on every workstation (the ticket's card lists them, the status bar counts one's own
unmerged ones). The server writes the rows (opdesk/server/conflicts.py) in the batch that
answered the op; the `resolve_conflict` command marks a row merged.

Kinds:
- `text`: the op changed a long text (subject, cause, actions, closing comment) that someone
  else had changed since the workstation read it. The server kept its value (`server_value`)
  and the op's value (`local_value`) is offered for a manual merge until `resolved_at`.
- `refused`: the server's rule engine refused the op on the ticket's state there (the ticket
  was taken first by someone else, its status had moved on, …): `reasons` says why in both
  languages (JSON: a list of `{"rule", "ru", "en"}`). Nothing to merge: resolved at once.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opdesk.models.base import Base, UtcDateTime, uuid7

CONFLICT_KINDS = ("text", "refused")


class TicketConflict(Base):
    __tablename__ = "ticket_conflicts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.uuid"))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)  # the server's moment
    person: Mapped[str] = mapped_column(String(64))  # login of the op's actor
    op_name: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))  # text | refused
    field: Mapped[str] = mapped_column(String(64), default="")  # text: the field
    server_value: Mapped[str] = mapped_column(Text, default="")  # text: what was kept
    local_value: Mapped[str] = mapped_column(Text, default="")  # text: what the op brought
    reasons: Mapped[str] = mapped_column(Text, default="[]")  # refused: JSON list
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    resolved_by: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (Index("ix_ticket_conflicts_ticket", "ticket_id"),)
