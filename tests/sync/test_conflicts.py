"""The per-field conflict policy over a REAL server (DESIGN.md, issue 11): long texts keep the
server's value and offer the local one for a manual merge; every conflict is recorded on the
ticket and seen on every workstation; a refused op is recorded there too; a retried batch
whose answer was lost gets the first answer again, not "duplicate"."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import select, text

from opdesk import services
from opdesk.models import ClosureReport, TicketConflict
from opdesk.sync import outbox, state
from tests.server.live import LiveServer
from tests.sync.stations import Station


def conflicts(station: Station, key: uuid.UUID) -> list[TicketConflict]:
    with station.desk.db.transaction() as s:
        rows = list(s.scalars(select(TicketConflict).where(TicketConflict.ticket_id == key)))
        for row in rows:
            s.expunge(row)
        return sorted(rows, key=lambda r: r.at)


def shared_ticket(a: Station, b: Station, subject: str) -> uuid.UUID:
    key = a.create(subject)
    assert services.take(a.desk, a.actor, a.ticket(key).id).ok
    a.sync()
    b.sync()
    return key


def test_two_edits_of_one_subject_keep_the_servers_and_offer_the_other(
    stations: dict[str, Station],
) -> None:
    a, b = stations["a"], stations["b"]
    key = shared_ticket(a, b, "Нет связи")
    assert services.set_fields(a.desk, a.actor, a.ticket(key).id, subject="Нет связи в офисе").ok
    assert services.set_fields(b.desk, b.actor, b.ticket(key).id, subject="Нет связи, 3 этаж").ok
    assert a.sync().conflicted == ()  # first come: nothing to settle
    report = b.sync()
    assert len(report.conflicted) == 1 and report.refused == (), report
    said = report.conflicted[0]
    assert said.name == "set_fields" and said.reasons[0].rule == "text_conflict"
    assert "Тема" in said.message_ru and "Subject" in said.message_en
    # the server's text stands on both workstations; B's waits on the card, not lost
    assert b.ticket(key).subject == a.ticket(key).subject == "Нет связи в офисе"
    a.sync()
    for station in (a, b):
        (row,) = conflicts(station, key)
        assert (row.kind, row.field, row.person) == ("text", "subject", b.actor.login)
        assert (row.server_value, row.local_value) == ("Нет связи в офисе", "Нет связи, 3 этаж")
        assert row.resolved_at is None


def test_a_merge_resolves_the_conflict_everywhere(stations: dict[str, Station]) -> None:
    a, b = stations["a"], stations["b"]
    key = shared_ticket(a, b, "Сбой")
    assert services.set_fields(a.desk, a.actor, a.ticket(key).id, subject="Сбой почты").ok
    assert services.set_fields(b.desk, b.actor, b.ticket(key).id, subject="Сбой у клиента").ok
    a.sync()
    b.sync()
    (row,) = conflicts(b, key)
    merged = "Сбой почты у клиента"
    done = services.resolve_conflict(
        b.desk, b.actor, b.ticket(key).id, row.id, merged, {"subject": "Сбой почты"}
    )
    assert done.ok, done.message()
    report = b.sync()
    assert (report.conflicted, report.refused) == ((), ()), report
    a.sync()
    for station in (a, b):
        assert station.ticket(key).subject == merged
        (after,) = conflicts(station, key)
        assert after.resolved_at is not None and after.resolved_by == b.actor.login


def test_an_untouched_text_does_not_undo_a_colleagues_edit(stations: dict[str, Station]) -> None:
    """A closure report is saved whole: B's save that did not edit the cause must not put
    back the cause B had when A's newer one reached the server first."""
    a, b = stations["a"], stations["b"]
    key = shared_ticket(a, b, "Авария")
    tid_a, tid_b = a.ticket(key).id, b.ticket(key).id
    assert services.fill_closure(a.desk, a.actor, tid_a, cause="Обрыв кабеля").ok
    a.sync()
    b.sync()
    assert services.fill_closure(a.desk, a.actor, tid_a, cause="Обрыв кабеля у дома 5").ok
    assert services.fill_closure(
        b.desk, b.actor, tid_b, cause="Обрыв кабеля", actions="Заменили кабель"
    ).ok
    a.sync()
    report = b.sync()
    assert (report.conflicted, report.refused) == ((), ()), report
    a.sync()
    for station in (a, b):
        with station.desk.db.transaction() as s:
            saved = s.get(ClosureReport, key)
            assert saved is not None
            assert (saved.cause, saved.actions) == ("Обрыв кабеля у дома 5", "Заменили кабель")
    assert conflicts(b, key) == []


def test_a_refused_take_is_recorded_on_the_ticket(stations: dict[str, Station]) -> None:
    a, b = stations["a"], stations["b"]
    key = a.create("Двое берут")
    a.sync()
    b.sync()
    assert services.take(a.desk, a.actor, a.ticket(key).id).ok
    assert services.take(b.desk, b.actor, b.ticket(key).id).ok
    a.sync()
    assert len(b.sync().refused) == 1
    a.sync()
    for station in (a, b):
        (row,) = conflicts(station, key)
        assert (row.kind, row.op_name, row.person) == ("refused", "take", b.actor.login)
        said = json.loads(row.reasons)
        assert said and said[0]["rule"] and said[0]["ru"] and said[0]["en"]
        assert row.resolved_at is not None  # nothing to merge


def test_a_retried_batch_gets_its_refusal_again(
    stations: dict[str, Station], live_server: LiveServer
) -> None:
    """The answer to a batch was lost: sent again, the refused op is answered "refused" with
    the same reasons (not "duplicate"), so the workstation still undoes it and says why."""
    a, b = stations["a"], stations["b"]
    key = a.create("Потерянный ответ")
    a.sync()
    b.sync()
    assert services.take(a.desk, a.actor, a.ticket(key).id).ok
    a.sync()
    assert services.take(b.desk, b.actor, b.ticket(key).id).ok
    with b.desk.db.transaction() as s:
        status = state.read(s)
        sent = outbox.pending(s, status.last_op)
    ops = [op.outgoing() for op in sent]
    first = b.http.push(status.client_id, ops)
    again = b.http.push(status.client_id, ops)  # as if the first answer never arrived
    assert [r.status for r in first.results] == ["refused"]
    assert again.results == first.results
    with live_server.engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM op_answers WHERE client_id = :c"),
                              {"c": status.client_id}).scalar_one()  # fmt: skip
    assert stored == 1  # only the refused answer is kept; applied ops come by pull
