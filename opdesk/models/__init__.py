"""SQLAlchemy ORM models of the local store (and of the server, step 4); no Qt here."""

from __future__ import annotations

from opdesk.models.base import Base, UtcDateTime, uuid7
from opdesk.models.closure import ClosurePerformer, ClosureReport, Confirmation, SparePartLine
from opdesk.models.conflict import TicketConflict
from opdesk.models.directory import Client, Department, Person
from opdesk.models.history import Event
from opdesk.models.outbox import OutboxEntry, SavedFilter, SyncState
from opdesk.models.ticket import Ticket
from opdesk.models.work import Comment, OutgoingRequest, TicketLink

__all__ = [
    "Base", "Client", "ClosurePerformer", "ClosureReport", "Comment", "Confirmation",
    "Department", "Event", "OutboxEntry", "OutgoingRequest", "Person", "SavedFilter",
    "SparePartLine", "SyncState", "Ticket", "TicketConflict", "TicketLink", "UtcDateTime", "uuid7",
]  # fmt: skip
