"""Applying real pulled batches: a desk worked on through opdesk.services on the real test
PostgreSQL, pulled with the server's own `pull`, applied to fresh workstation SQLite files.
The workstation ends with the server's very figures (count + hash per table), one more pull
moves nothing, deletions arrive, numbers are the server's, and ops still waiting for the
server stay applied on top of what is pulled."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, text

from opdesk import services
from opdesk.models import ClosurePerformer, Comment, OutboxEntry, Ticket
from opdesk.services import SparePart
from opdesk.services.desk import Desk
from opdesk.services.ops import apply_op, as_op
from opdesk.sync import pulling, state
from opdesk.sync.apply import PROVISIONAL
from opdesk.sync.state import Refresh
from tests.sync.support import (
    CATEGORY,
    ENGINEER,
    LEAD,
    OPERATOR,
    DirectPull,
    comment_texts,
    foreign_key_problems,
    local_figures,
    outbox_ops,
    search,
    server_desk,
    server_figures,
    sync_pull,
    ticket_rows,
    workstation,
)


@pytest.fixture
def server(pg_fresh_url: str) -> Iterator[Desk]:
    desk = server_desk(pg_fresh_url)
    try:
        yield desk
    finally:
        desk.db.close()


def create(desk: Desk, subject: str, actor: object = OPERATOR) -> int:
    result = services.create_ticket(desk, actor, category=CATEGORY, subject=subject,
                                    process="csn")  # fmt: skip
    assert result.ok, result.message()
    assert result.created_id is not None
    return result.created_id


def pending_ops(desk: Desk) -> list[dict[str, Any]]:
    with desk.db.transaction() as s:
        return [as_op(e) for e in s.scalars(select(OutboxEntry).order_by(OutboxEntry.seq))]


def ok(result: services.CommandResult) -> None:
    assert result.ok, result.message()


def busy_desk(desk: Desk) -> list[int]:
    """Tickets with history, comments, closure reports, performers, spare parts and an
    answered outgoing request."""
    client = services.add_client(desk, "ООО «Ромашка»", category="VIP", phone="+7 495 111-22-33")
    ids = [create(desk, f"Нет связи {i}, офис «Ромашка»") for i in range(5)]
    ok(services.create_ticket(desk, OPERATOR, category=CATEGORY, subject="Клиентская",
                              process="csn", client_id=client))  # fmt: skip
    ok(services.take(desk, OPERATOR, ids[0]))
    ok(services.add_comment(desk, OPERATOR, ids[0], "note", "Перезвонить клиенту завтра"))
    ok(services.set_fields(desk, OPERATOR, ids[1], subject="Медленный интернет"))
    ok(services.fill_closure(desk, ENGINEER, ids[0], cause="Обрыв кабеля", actions="Замена",
                             performers=("Петров П.", "Сидоров А."),
                             spare_parts=(SparePart("Патч-корд", 2),)))  # fmt: skip
    ok(services.send_outgoing(desk, OPERATOR, ids[2], "tech"))
    ok(services.record_answer(desk, LEAD, ids[2], "Порт перезапущен"))
    ok(services.take(desk, ENGINEER, ids[3]))
    ok(services.record_confirmation(desk, OPERATOR, ids[0], "verbal"))
    return ids


@pytest.mark.parametrize("limit", [1, 7, 1000])
def test_a_fresh_workstation_ends_with_the_servers_figures(
    server: Desk, tmp_path: Path, limit: int
) -> None:
    busy_desk(server)
    direct = DirectPull(server.db)
    local = workstation(tmp_path / "ws.sqlite")
    pulled = sync_pull(local, direct, limit=limit)
    assert pulled.batches >= (3 if limit == 1 else 1)
    figures = server_figures(server.db)
    assert local_figures(local.db) == figures
    assert all(
        count > 0
        for table, (count, _) in figures.items()
        if table not in ("ticket_links", "ticket_conflicts")
    )
    assert foreign_key_problems(local.db) == []
    assert ticket_rows(local.db) == ticket_rows(server.db)  # numbers, statuses, owners
    assert outbox_ops(local.db) == []  # pulled rows never enter the outbox
    again = sync_pull(local, direct, limit=limit)
    assert again.rows == 0 and again.cursor >= pulled.cursor
    assert state.load(local.db).cursor == again.cursor
    # the search index knows the pulled tickets, their subjects and comments
    assert len(search(local.db, "ромашка")) == 5  # four subjects and a client
    assert len(search(local.db, "перезвонить")) == 1
    assert len(search(local.db, "медленный")) == 1


def test_changes_and_deletions_arrive(server: Desk, tmp_path: Path) -> None:
    ids = busy_desk(server)
    direct = DirectPull(server.db)
    local = workstation(tmp_path / "ws.sqlite")
    sync_pull(local, direct, limit=5)
    # the performers are replaced (deleted and made anew), a comment is deleted outright
    ok(services.fill_closure(server, ENGINEER, ids[0], cause="Обрыв кабеля", actions="Замена",
                             performers=("Кузнецов К.",)))  # fmt: skip
    with server.db.transaction() as s:
        s.execute(delete(Comment).where(Comment.text == "Перезвонить клиенту завтра"))
    ok(services.set_fields(server, LEAD, ids[4], subject="Тема изменена на сервере"))
    pulled = sync_pull(local, direct, limit=5)
    assert pulled.rows > 0
    with local.db.transaction() as s:
        assert s.scalars(select(ClosurePerformer.name)).all() == ["Кузнецов К."]
        assert s.scalar(select(Comment.id).where(Comment.text.like("Перезвонить%"))) is None
    assert search(local.db, "перезвонить") == set()
    assert len(search(local.db, "изменена")) == 1
    assert local_figures(local.db) == server_figures(server.db)
    assert sync_pull(local, direct).rows == 0


def test_the_servers_number_replaces_a_provisional_one(server: Desk, tmp_path: Path) -> None:
    direct = DirectPull(server.db)
    local = workstation(tmp_path / "ws.sqlite")
    create(server, "Первая")
    sync_pull(local, direct)
    mine = create(local, "Заведена на рабочем месте")  # provisional «СЗ-100002»
    provisional = ticket_rows(local.db)
    create(server, "Заведена на сервере раньше")  # the server's «СЗ-100002»
    sync_pull(local, direct)
    rows = ticket_rows(local.db)
    with local.db.transaction() as s:
        my_uuid = s.scalar(select(Ticket.uuid).where(Ticket.id == mine))
        my_number = s.scalar(select(Ticket.number).where(Ticket.id == mine))
    assert my_number == f"{PROVISIONAL}{mine}"  # gave its number up to the server's ticket
    assert my_number != provisional[my_uuid.hex][0]
    assert {n for n, _, _ in rows.values()} >= {"СЗ-100001", "СЗ-100002"}
    # the op reaches the server (as a push would run it), which numbers the ticket itself
    (op,) = pending_ops(local)
    ok(apply_op(server, op["name"], op["args"]))
    sync_pull(local, direct)
    with local.db.transaction() as s:
        assert s.scalar(select(Ticket.number).where(Ticket.id == mine)) == "СЗ-100003"
    assert search(local.db, "100003") == {mine}
    assert local_figures(local.db) == server_figures(server.db)
    # a ticket registered here now draws a number no pulled ticket holds
    ok(services.create_ticket(local, OPERATOR, category=CATEGORY, subject="Ещё одна",
                              process="csn"))  # fmt: skip


def test_pending_ops_stay_on_top_of_pulled_rows(server: Desk, tmp_path: Path) -> None:
    ids = busy_desk(server)
    direct = DirectPull(server.db)
    local = workstation(tmp_path / "ws.sqlite")
    sync_pull(local, direct)
    with server.db.transaction() as s:
        target = s.scalar(select(Ticket.uuid).where(Ticket.id == ids[4]))
    with local.db.transaction() as s:
        here = s.scalar(select(Ticket.id).where(Ticket.uuid == target))
    assert here is not None
    # this operator comments and renames; meanwhile the server's ticket is taken by another
    ok(services.add_comment(local, OPERATOR, here, "note", "Клиент перезвонит сам"))
    ok(services.set_fields(local, OPERATOR, here, product="Интернет 100"))
    pending = outbox_ops(local.db)
    ok(services.take(server, ENGINEER, ids[4]))
    sync_pull(local, direct)
    rows = ticket_rows(local.db)
    assert rows[target.hex][2] == "sidorov"  # the server's take is here …
    assert comment_texts(local.db, target) == ["Клиент перезвонит сам"]  # … under my comment
    with local.db.transaction() as s:
        assert s.scalar(select(Ticket.product).where(Ticket.uuid == target)) == "Интернет 100"
    assert outbox_ops(local.db) == pending  # re-applied, not recorded again
    assert len(search(local.db, "перезвонит")) == 1
    # the server runs the two ops (as a push would); the pull brings their server copies,
    # which take the place of the optimistic ones, ids and all
    for op in pending_ops(local):
        ok(apply_op(server, op["name"], op["args"]))
    sync_pull(local, direct)
    assert local_figures(local.db) == server_figures(server.db)
    assert comment_texts(local.db, target) == ["Клиент перезвонит сам"]


def test_a_batch_can_bring_a_child_before_its_parents_newer_version(
    server: Desk, tmp_path: Path
) -> None:
    ids = busy_desk(server)
    direct = DirectPull(server.db)
    local = workstation(tmp_path / "ws.sqlite")
    ok(services.add_comment(server, OPERATOR, ids[1], "note", "Комментарий до правки"))
    ok(services.set_fields(server, OPERATOR, ids[1], subject="Правка после комментария"))
    pulled = sync_pull(local, direct, limit=1)
    assert pulled.batches > 5
    assert foreign_key_problems(local.db) == []
    assert local_figures(local.db) == server_figures(server.db)
    with local.db.engine.connect() as conn:  # the pull gave the connection back checked again
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_full_re_pull_sweeps_strays_but_keeps_waiting_work(server: Desk, tmp_path: Path) -> None:
    ids = busy_desk(server)
    direct = DirectPull(server.db)
    local = workstation(tmp_path / "ws.sqlite")
    sync_pull(local, direct)
    with server.db.transaction() as s:
        target = s.scalar(select(Ticket.uuid).where(Ticket.id == ids[1]))
    with local.db.transaction() as s:
        here = s.scalar(select(Ticket.id).where(Ticket.uuid == target))
    assert here is not None
    ok(services.add_comment(local, OPERATOR, here, "note", "Ждёт отправки"))  # an op waiting
    waiting_ticket = services.create_ticket(local, OPERATOR, category=CATEGORY,
                                            subject="Новая, ждёт", process="csn")  # fmt: skip
    assert waiting_ticket.ok
    with local.db.engine.begin() as conn:  # rows that exist here only, with no op
        conn.execute(text(
            "INSERT INTO comments (id, ticket_id, at, author, kind, text, tags, template_id)"
            " SELECT :id, ticket_id, at, author, kind, 'Лишний', '', '' FROM comments LIMIT 1"
        ), {"id": uuid.uuid4().hex})  # fmt: skip
        conn.execute(text("UPDATE tickets SET subject = 'Испорчено' WHERE uuid = :u"),
                     {"u": target.hex})  # fmt: skip
    with local.db.transaction() as s:
        state.request_refresh(s, Refresh(0, None, sweep=True))
    pulled = sync_pull(local, direct, limit=4)
    assert pulled.swept == 1 and state.load(local.db).refresh is None
    assert comment_texts(local.db, target) == ["Ждёт отправки"]  # the stray went, mine stayed
    with local.db.transaction() as s:
        assert s.scalar(select(Ticket.subject).where(Ticket.uuid == target)) == "Медленный интернет"
        assert s.get(Ticket, waiting_ticket.created_id) is not None
    assert len(outbox_ops(local.db)) == 2


@pytest.mark.parametrize("cap", [2, 100])
def test_a_pull_of_many_tickets_stops_listing_them(
    server: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cap: int
) -> None:
    """Past MANY_TICKETS changed tickets the pull reports `many` and lists none (the window
    reloads whole): a first sync of a million tickets must not keep a million uuids."""
    busy_desk(server)  # six tickets
    monkeypatch.setattr(pulling, "MANY_TICKETS", cap)
    pulled = sync_pull(workstation(tmp_path / "ws.sqlite"), DirectPull(server.db), limit=7)
    if cap < 6:
        assert pulled.many and pulled.tickets == set()
    else:
        assert not pulled.many and len(pulled.tickets) == 6
