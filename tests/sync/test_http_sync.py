"""Workstations syncing with a REAL `opdesk server` process over HTTP (tests/server/live.py),
through `SyncEngine` and `HttpServer` exactly as the window's worker will: what one
workstation does, the other sees; a refused op is undone with the server's reason; a stopped
server loses nothing; a training database never syncs with a production server; a
workstation whose rows drifted is repaired by the check."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select, text

from opdesk import services
from opdesk.models import Event
from opdesk.sync import state
from opdesk.sync.contract import SyncError
from opdesk.sync.transport import HttpServer
from tests.server.live import LiveServer, live_server  # noqa: F401
from tests.sync.stations import PASSWORD, Station
from tests.sync.support import comment_texts, local_figures, outbox_ops


def test_what_one_workstation_does_the_other_sees(
    stations: dict[str, Station],
    live_server: LiveServer,  # noqa: F811
) -> None:
    a, b = stations["a"], stations["b"]
    key = a.create("Нет связи в офисе")
    provisional = a.ticket(key).number
    report = a.sync()
    assert (report.pushed, report.refused, report.waiting) == (1, (), 0)
    assert report.checked, report
    number = a.ticket(key).number
    with live_server.engine.connect() as conn:
        on_server = conn.execute(text("SELECT number FROM tickets WHERE uuid = :u"),
                                 {"u": key}).scalar_one()  # fmt: skip
    assert number == on_server and outbox_ops(a.desk.db) == []
    assert b.sync().pulled > 0
    assert b.ticket(key).number == number and b.ticket(key).subject == "Нет связи в офисе"
    assert provisional.startswith("СЗ-")  # a number at once, the server's after the sync
    assert services.take(b.desk, b.actor, b.ticket(key).id).ok
    assert b.sync().pushed == 1
    a.sync()
    assert a.owner(key) == b.actor.login
    assert local_figures(a.desk.db) == local_figures(b.desk.db)


def test_a_refused_op_is_undone_and_explained(stations: dict[str, Station]) -> None:
    a, b = stations["a"], stations["b"]
    key = a.create("Двое берут одну заявку")
    a.sync()
    b.sync()
    assert services.take(a.desk, a.actor, a.ticket(key).id).ok
    assert services.take(b.desk, b.actor, b.ticket(key).id).ok  # optimistic, offline-style
    assert services.add_comment(b.desk, b.actor, b.ticket(key).id, "note", "Беру себе").ok
    assert b.owner(key) == b.actor.login
    assert a.sync().pushed == 1  # first come on the server
    report = b.sync()
    assert len(report.refused) == 1, report
    refused = report.refused[0]
    assert refused.name == "take" and refused.tickets == (key,)
    assert refused.message_ru and refused.message_en and refused.reasons[0].rule
    assert report.pushed == 1  # the comment stands
    assert b.owner(key) == a.actor.login  # undone: the server's owner is back
    with b.desk.db.transaction() as s:
        takes = s.scalars(select(Event.actor).where(Event.ticket_id == key,
                                                    Event.field == "take")).all()  # fmt: skip
    assert takes == [a.actor.login]  # B's optimistic take left no trace in the history
    assert comment_texts(b.desk.db, key) == ["Беру себе"]
    assert outbox_ops(b.desk.db) == [] and report.checked
    assert a.sync().checked
    assert local_figures(a.desk.db) == local_figures(b.desk.db)


def test_a_refused_change_to_other_rows_is_restored(stations: dict[str, Station]) -> None:
    """fill_closure replaces the report and the performers in place: its undo re-pulls the
    ticket's rows from the start and sweeps what the server does not have."""
    a, b = stations["a"], stations["b"]
    key = b.create("Отчёт о закрытии")
    b.sync()
    here = b.ticket(key).id
    assert services.fill_closure(b.desk, b.actor, here, cause="Обрыв", actions="Замена",
                                 performers=("Петров П.",)).ok  # fmt: skip
    assert b.sync().pushed == 1
    # the same workstation, someone else's name on the op: the server refuses it
    assert services.fill_closure(b.desk, a.actor, here, cause="Другое", actions="Иное",
                                 performers=("Кузнецов К.", "Орлов О.")).ok  # fmt: skip
    report = b.sync()
    assert [r.reasons[0].rule for r in report.refused] == ["actor_mismatch"], report
    with b.desk.db.engine.connect() as conn:
        cause = conn.execute(text("SELECT cause FROM closure_reports WHERE ticket_id = :u"),
                             {"u": key.hex}).scalar_one()  # fmt: skip
        names = conn.execute(text("SELECT name FROM closure_performers WHERE ticket_id = :u"),
                             {"u": key.hex}).scalars().all()  # fmt: skip
    assert (cause, names) == ("Обрыв", ["Петров П."])
    assert report.checked and state.load(b.desk.db).refresh is None
    a.sync()
    assert local_figures(a.desk.db) == local_figures(b.desk.db)


def test_a_stopped_server_loses_nothing(
    stations: dict[str, Station],
    live_server: LiveServer,  # noqa: F811
) -> None:
    a, b = stations["a"], stations["b"]
    live_server.stop()
    try:
        first = a.create("Заведена без сервера")
        report = a.sync()
        assert report.offline and report.error is not None and report.error.offline
        assert report.waiting == 1 and report.pushed == 0
        second = a.create("И ещё одна")
        assert services.add_comment(a.desk, a.actor, a.ticket(first).id, "note", "Жду").ok
    finally:
        live_server.start()
    report = a.sync()
    assert (report.pushed, report.waiting, report.offline) == (3, 0, False), report
    b.sync()
    assert b.ticket(first).number == a.ticket(first).number
    assert b.ticket(second).subject == "И ещё одна"
    assert comment_texts(b.desk.db, first) == ["Жду"]
    again = a.sync()
    assert (again.pushed, again.pulled) == (0, 0) and again.checked


def test_a_training_database_refuses_a_production_server(
    stations: dict[str, Station],
) -> None:
    a = stations["a"]
    a.create("Учебная")
    state.set_training(a.desk.db, True)
    report = a.engine.sync_once()
    assert report.error is not None and report.error.code == "training_mismatch"
    assert not report.offline and report.pushed == 0 and report.waiting == 1
    with pytest.raises(SyncError) as refused:  # the server says the same at the door
        a.http.login(a.actor.login, PASSWORD, state.client_id(a.desk.db), training=True)
    assert refused.value.code == "training_mismatch" and refused.value.status == 403


def test_a_drifted_workstation_is_repaired(stations: dict[str, Station]) -> None:
    a, b = stations["a"], stations["b"]
    key = b.create("Будет испорчена")
    assert services.add_comment(b.desk, b.actor, b.ticket(key).id, "note", "Правда").ok
    b.sync()
    a.sync()
    with a.desk.db.engine.begin() as conn:  # the file drifts: an edit and a stray row
        conn.execute(text("UPDATE comments SET text = 'Неправда' WHERE text = 'Правда'"))
        conn.execute(text(
            "INSERT INTO comments (id, ticket_id, at, author, kind, text, tags, template_id)"
            " SELECT :id, ticket_id, at, author, kind, 'Лишний', '', '' FROM comments LIMIT 1"
        ), {"id": uuid.uuid4().hex})  # fmt: skip
    report = a.sync()
    assert report.repaired == ("comments",) and report.checked and not report.diverged
    assert comment_texts(a.desk.db, key) == ["Правда"]
    assert local_figures(a.desk.db) == local_figures(b.desk.db)


def test_the_server_wakes_a_workstation(
    stations: dict[str, Station],
    live_server: LiveServer,  # noqa: F811
) -> None:
    a, b = stations["a"], stations["b"]
    listener = HttpServer(live_server.url)
    listener.token = a.http.token
    woken = threading.Event()

    def listen() -> None:
        try:
            for _wake in listener.wakes():
                woken.set()
                return
        except SyncError:
            return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    try:
        b.create("Разбудит соседа")
        for _ in range(50):  # the stream may open just after the first push: push till woken
            b.sync()
            if woken.wait(0.2):
                break
            b.create("Ещё раз")
        assert woken.is_set()
    finally:
        listener.close()
    assert a.sync().pulled > 0
