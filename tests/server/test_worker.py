"""The scheduled work (`opdesk.server.worker.run_due`, `opdesk worker`) on the real PostgreSQL:
due tickets auto-closed once, through the command layer, by the system actor — however many
workers run at once — and nothing else touched; reminders and SLA breaches seen at their
moment without a write."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine

from opdesk import services
from opdesk.clock import FixedClock
from opdesk.models import Event, OutboxEntry, Ticket
from opdesk.regulations.pack import Pack, load_default_pack
from opdesk.server.migrate import open_server
from opdesk.server.worker import WorkerReport, run_due
from opdesk.services.desk import Desk
from tests.regulations.tickets import msk
from tests.services.conftest import ENGINEER, OPERATOR

ROOT = Path(__file__).resolve().parents[2]
RESOLVED_AT = msk(2026, 5, 8, 15, 0)  # Friday 15:00; Sat, Sun and Mon 11 May (moved) off
DUE = msk(2026, 5, 13, 15, 0)  # B-03: two working days (Tue 12, Wed 13)


@pytest.fixture
def pack() -> Pack:
    return load_default_pack()


@pytest.fixture
def desk(pg_fresh_url: str, pack: Pack) -> Iterator[Desk]:
    """A server database made through the services, as pushes make it."""
    db = open_server(pg_fresh_url)
    desk = Desk(db, pack, FixedClock(msk(2026, 5, 7, 10, 0)))  # Thursday
    services.ensure_departments(desk)
    services.add_person(desk, "ivanova", "Иванова И.И.", "operator", "opp")
    services.add_person(desk, "sidorov", "Сидоров А.А.", "operator", "to")
    try:
        yield desk
    finally:
        db.close()


def clock_of(desk: Desk) -> FixedClock:
    assert isinstance(desk.clock, FixedClock)
    return desk.clock


def ok(result: services.CommandResult) -> None:
    assert result.ok, result.message()


def resolved_csn(desk: Desk, at: dt.datetime = RESOLVED_AT) -> int:
    """A 004 (CSN) ticket set «Решен» at `at`: it auto-closes 2 working days later (B-03)."""
    clock = clock_of(desk)
    clock.set(msk(2026, 5, 7, 10, 0))
    made = services.create_ticket(
        desk, OPERATOR, subject="Нет связи", channel="cabinet", category="Проблемы с хостингом"
    )
    ok(made)
    assert made.created_id is not None
    tid = made.created_id
    ok(services.take(desk, ENGINEER, tid))
    ok(services.transition(desk, ENGINEER, tid, "escalate"))  # level 1 → 2
    clock.set(at)
    ok(services.transition(desk, ENGINEER, tid, "resolve"))
    return tid


def ticket(desk: Desk, tid: int) -> Ticket:
    with desk.db.transaction() as s:
        found = s.get(Ticket, tid)
        assert found is not None
        return found


def auto_close_events(desk: Desk, tid: int) -> list[Event]:
    with desk.db.transaction() as s:
        uuid = s.get_one(Ticket, tid).uuid
        return list(
            s.scalars(select(Event).where(Event.ticket_id == uuid, Event.field == "auto_close"))
        )


def outbox_rows(desk: Desk) -> int:
    with desk.db.transaction() as s:
        return s.scalar(select(func.count(OutboxEntry.seq))) or 0


def test_due_tickets_close_once_by_the_system_and_others_are_untouched(
    desk: Desk, pack: Pack
) -> None:
    due = resolved_csn(desk)
    later = resolved_csn(desk, msk(2026, 5, 12, 10, 0))  # due Thu 14 May 10:00
    assert ticket(desk, due).auto_close_at == DUE
    before = ticket(desk, later)
    outbox = outbox_rows(desk)  # the setup's own commands ran as a workstation's would

    early = run_due(desk.db.engine, pack, FixedClock(DUE - dt.timedelta(minutes=1)))
    assert (early.closed, early.refused, early.skipped) == (0, 0, 0)
    assert ticket(desk, due).status == "resolved"

    report = run_due(desk.db.engine, pack, FixedClock(DUE))
    assert (report.closed, report.refused, report.failed) == (1, 0, 0)
    closed = ticket(desk, due)
    assert (closed.status, closed.is_open, closed.closed_via) == ("closed", False, "auto_close")
    assert closed.closed_at == DUE and closed.auto_close_at is None
    [event] = auto_close_events(desk, due)
    assert (event.actor, event.kind, event.old_value, event.new_value) == (
        "system", "status", "resolved", "closed"
    )  # fmt: skip
    untouched = ticket(desk, later)
    assert (untouched.status, untouched.version) == ("resolved", before.version)
    assert auto_close_events(desk, later) == []
    assert outbox_rows(desk) == outbox  # the server keeps no outbox

    again = run_due(desk.db.engine, pack, FixedClock(DUE + dt.timedelta(hours=1)))
    assert again.closed == 0
    assert len(auto_close_events(desk, due)) == 1


def test_the_engine_judges_a_ticket_the_client_answered_stays_open(desk: Desk, pack: Pack) -> None:
    tid = resolved_csn(desk)
    clock_of(desk).set(msk(2026, 5, 12, 11, 0))
    ok(services.add_comment(desk, OPERATOR, tid, "client_reply", "Всё ещё не работает"))
    report = run_due(desk.db.engine, pack, FixedClock(DUE))
    assert ticket(desk, tid).auto_close_at == DUE  # still scheduled: the engine says no
    assert (report.closed, report.refused) == (0, 1)
    assert ticket(desk, tid).is_open
    assert auto_close_events(desk, tid) == []


def test_concurrent_workers_close_each_due_ticket_exactly_once(
    desk: Desk, pack: Pack, pg_fresh_url: str
) -> None:
    tickets = [resolved_csn(desk) for _ in range(24)]
    workers = 3
    engines = [create_engine(pg_fresh_url) for _ in range(workers)]
    start = threading.Barrier(workers)
    reports: list[WorkerReport] = []
    errors: list[BaseException] = []

    def work(engine: Engine) -> None:
        try:
            start.wait()
            reports.append(run_due(engine, pack, FixedClock(DUE)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(engine,)) for engine in engines]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    finally:
        for engine in engines:
            engine.dispose()
    assert errors == []
    assert sum(r.closed for r in reports) == len(tickets)
    assert sum(r.failed + r.refused for r in reports) == 0
    for tid in tickets:
        assert ticket(desk, tid).status == "closed"
        assert len(auto_close_events(desk, tid)) == 1


def test_a_ticket_locked_by_a_push_is_skipped_and_taken_next_pass(desk: Desk, pack: Pack) -> None:
    tid = resolved_csn(desk)
    with desk.db.transaction() as s:  # a push's batch holding the ticket's row
        s.execute(select(Ticket.id).where(Ticket.id == tid).with_for_update())
        held = run_due(desk.db.engine, pack, FixedClock(DUE))
        assert (held.closed, held.skipped) == (0, 1)
    assert ticket(desk, tid).status == "resolved"
    assert run_due(desk.db.engine, pack, FixedClock(DUE)).closed == 1


def test_sla_breach_and_reminders_show_at_their_moment_without_a_write(
    desk: Desk, pack: Pack
) -> None:
    clock_of(desk).set(msk(2026, 11, 16, 10, 0))  # Monday 10:00
    made = services.create_ticket(
        desk, OPERATOR, subject="Нет связи", channel="cabinet", category="Проблемы с хостингом"
    )
    ok(made)
    assert made.created_id is not None
    before = ticket(desk, made.created_id)
    assert before.sla_due_at is not None and not before.sla_breached
    due = before.sla_due_at
    assert (
        run_due(desk.db.engine, pack, FixedClock(due - dt.timedelta(seconds=1))).sla_breached == 0
    )
    assert run_due(desk.db.engine, pack, FixedClock(due)).sla_breached == 1
    assert ticket(desk, made.created_id).version == before.version  # read, never written

    helpdesk = services.create_ticket(desk, OPERATOR, subject="Вопрос", channel="email")
    ok(helpdesk)
    assert helpdesk.created_id is not None
    ok(services.send_outgoing(desk, OPERATOR, helpdesk.created_id, "tech"))
    sent = clock_of(desk).now()
    hour = dt.timedelta(hours=1)
    assert run_due(desk.db.engine, pack, FixedClock(sent + 23 * hour)).reminders_due == 0
    assert run_due(desk.db.engine, pack, FixedClock(sent + 24 * hour)).reminders_due == 1


def opdesk_worker(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "opdesk.cli", "worker", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_worker_once_closes_what_is_due_and_reports_counts(desk: Desk, pg_fresh_url: str) -> None:
    tid = resolved_csn(desk)  # due in May 2026: the system clock is past it
    done = opdesk_worker(pg_fresh_url, "--once")
    assert done.returncode == 0, done.stderr
    assert "auto-closed 1" in done.stdout and "закрыто автоматически: 1" in done.stdout
    assert ticket(desk, tid).status == "closed"
    assert "auto-closed 0" in opdesk_worker(pg_fresh_url, "--once").stdout


def test_worker_refuses_bad_urls_clearly() -> None:
    for url, words in (
        ("not a url", "неверный адрес"),
        ("postgresql://opdesk:db-secret-9@127.0.0.1:1/desk", "нет связи с базой"),
    ):
        result = opdesk_worker(url, "--once")
        assert result.returncode == 2, (result.stdout, result.stderr)
        assert words in result.stderr and " / " in result.stderr
        assert "db-secret-9" not in result.stderr


def test_worker_loops_until_interrupted(desk: Desk, pg_fresh_url: str) -> None:
    worker = subprocess.Popen(
        [sys.executable, "-m", "opdesk.cli", "worker", pg_fresh_url, "--every", "0.2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert worker.stdout is not None
        lines = [worker.stdout.readline() for _ in range(2)]  # two passes
        assert all("auto-closed 0" in line for line in lines), lines
    finally:
        worker.send_signal(signal.SIGINT)
        _out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert "Traceback" not in err
