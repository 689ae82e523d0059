"""Low-level writes shared by the commands: history events, outbox rows, search index.

Each command calls these inside its own transaction, so the change, its history event and its
outbox row are committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy.orm import Session

from opdesk.models import Event, OutboxEntry, Ticket
from opdesk.regulations.snapshot import Actor


def record_event(
    session: Session,
    ticket: Ticket,
    actor: Actor,
    at: dt.datetime,
    kind: str,
    *,
    field: str = "",
    old: object = "",
    new: object = "",
) -> Event:
    event = Event(
        ticket_id=ticket.uuid,
        at=at,
        actor=actor.login,
        kind=kind,
        status=ticket.status,
        stage=ticket.stage,
        field=field,
        old_value=_text(old),
        new_value=_text(new),
        department=actor.department,
    )
    session.add(event)
    return event


def record_outbox(
    session: Session,
    command: str,
    at: dt.datetime,
    table: str,
    row_id: uuid.UUID,
    op: str,
    payload: dict[str, Any],
) -> None:
    session.add(
        OutboxEntry(
            at=at,
            command=command,
            table_name=table,
            row_id=str(row_id),
            op=op,
            payload=json.dumps(payload, ensure_ascii=False, default=_json_default),
        )
    )


def reindex(session: Session, ticket: Ticket) -> None:
    """Keep the ticket's full-text row current (numbers, client, phones, subject, comments)."""
    from opdesk.store.search import index_ticket

    session.flush()
    index_ticket(session.connection(), ticket.id)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def _json_default(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(type(value).__name__)
