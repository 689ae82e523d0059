"""Editing an open ticket does not read its comments: S-09's edit window judges closed tickets
only, and the full snapshot of a busy ticket (every comment) made each new comment slower —
the server's pushes slowed with every comment on a ticket."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from opdesk import services
from opdesk.models import Ticket
from opdesk.services.desk import Desk
from tests.services.conftest import OPERATOR


def test_a_comment_on_an_open_ticket_reads_no_other_comment(desk: Desk) -> None:
    made = services.create_ticket(desk, OPERATOR, category="Проблемы с хостингом", subject="x")
    assert made.ok and made.created_id is not None
    for i in range(3):
        assert services.add_comment(desk, OPERATOR, made.created_id, "note", f"комментарий {i}").ok
    reads: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM comments" in statement:
            reads.append(statement)

    event.listen(desk.db.engine, "before_cursor_execute", seen)
    try:
        assert services.add_comment(desk, OPERATOR, made.created_id, "note", "ещё один").ok
    finally:
        event.remove(desk.db.engine, "before_cursor_execute", seen)
    assert reads == []
    with desk.db.transaction() as s:  # the comment went in
        assert s.scalar(select(Ticket.id).where(Ticket.id == made.created_id)) is not None
