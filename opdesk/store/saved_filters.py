"""The filter panel's saved filters: the desk's built-in ones and those an operator saved.

Built-in filters are values of `now` (and of the person, through owner="mine"), so «Закрыты
сегодня» means today on the desk's calendar whenever it is asked. An operator's own filter is a
`TicketQuery` stored as JSON under its name (replacing one of the same name).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from opdesk.models import SavedFilter
from opdesk.store.filters import TicketQuery

OPEN_BY_DUE = {"open_only": True, "sort": "sla_due_at", "descending": False}


def built_in(now: dt.datetime, tz: dt.tzinfo) -> dict[str, TicketQuery]:
    """The desk's standard views, in the order the panel lists them."""
    midnight = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "Мои": TicketQuery(owner="mine", open_only=True),
        "Новые": TicketQuery(statuses=("new",), open_only=True),
        "Просрочено": TicketQuery(sla=("breached",), **OPEN_BY_DUE),  # type: ignore[arg-type]
        "Под угрозой": TicketQuery(sla=("at_risk",), **OPEN_BY_DUE),  # type: ignore[arg-type]
        "VIP и Важные": TicketQuery(client_categories=("VIP", "Важный"), open_only=True),
        "Ждут клиента": TicketQuery(
            statuses=("waiting_client", "awaiting_confirmation"), open_only=True
        ),
        "Ждут смежный отдел > 24 ч": TicketQuery(outgoing_overdue=True, open_only=True),
        "Закрыты сегодня": TicketQuery(closed_from=midnight),
        "Все": TicketQuery(),
    }


def saved(conn: Connection) -> dict[str, TicketQuery]:
    """The operators' own filters by name; one that no longer reads is left out, not fatal."""
    out: dict[str, TicketQuery] = {}
    rows = conn.execute(select(SavedFilter.name, SavedFilter.query).order_by(SavedFilter.position))
    for name, text in rows:
        try:
            out[name] = TicketQuery.from_json(text)
        except ValueError:
            continue
    return out


def save(session: Session, name: str, query: TicketQuery) -> None:
    name = name.strip()
    if not name:
        raise ValueError("a saved filter needs a name")
    row = session.scalars(select(SavedFilter).where(SavedFilter.name == name)).first()
    if row is None:
        count = len(session.scalars(select(SavedFilter.id)).all())
        session.add(SavedFilter(name=name, position=count, query=query.to_json()))
    else:
        row.query = query.to_json()
