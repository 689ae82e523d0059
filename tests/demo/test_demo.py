"""The demo generator: deterministic, covering the pack's five processes, each ticket's history
one its own process allows (B-02, B-03, C-01…C-11, P-01…P-09, S-09, U-05, U-06), consistent
with the engine (B-05, B-06) and careful with existing data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import random
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opdesk.cli.data import main as cli
from opdesk.demo import DemoError, generate
from opdesk.demo.data import NAMED_PROCESS_CHANNEL, PROCESS_SHARES
from opdesk.models import Department, Event, Person, Ticket
from opdesk.models.history import STATUS_EVENT_KINDS
from opdesk.regulations.checklist import evaluate_checklist
from opdesk.regulations.lifecycle import check_transition
from opdesk.regulations.lifecycle_checks import auto_close_due, entered_at
from opdesk.regulations.pack import Pack, load_default_pack
from opdesk.regulations.snapshot import Actor, StatusEvent
from opdesk.services.sla_columns import apply_sla
from opdesk.services.snapshots import snapshot
from opdesk.store.database import open_local
from opdesk.store.search import match_expression

NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
N = 2000
SLA_COLUMNS = (
    "sla_plan", "sla_stage", "sla_due_at", "sla_risk_at", "sla_paused", "sla_breached",
    "sla_paused_seconds", "reaction_due_at", "processing_due_at", "resolution_due_at",
    "auto_close_at",
)  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    generate(path, N, seed=7, now=NOW, workers=0)
    return path


def digest(path: Path) -> str:
    """A hash of every row of every table (the schema included), in a stable order."""
    conn = sqlite3.connect(path)
    h = hashlib.sha256()
    for name, sql in conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name"):
        h.update(f"{name}:{sql}".encode())
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    for table in sorted(t for t in tables if not t.startswith("ticket_fts_")):
        for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY 1'):
            h.update(repr(row).encode())
    conn.close()
    return h.hexdigest()


def test_deterministic_for_a_seed_whatever_the_worker_count(demo: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.sqlite3"
    generate(again, N, seed=7, now=NOW, workers=2)
    assert digest(again) == digest(demo)
    other = tmp_path / "other.sqlite3"
    generate(other, N, seed=8, now=NOW, workers=0)
    assert digest(other) != digest(demo)


def test_schema_ends_identical_to_the_migrations(demo: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.sqlite3"
    open_local(fresh).close()

    def schema(p: Path) -> list[tuple[str, str]]:
        conn = sqlite3.connect(p)
        try:
            return conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
        finally:
            conn.close()

    assert schema(demo) == schema(fresh)
    conn = sqlite3.connect(demo)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()


def test_covers_processes_categories_priorities_statuses_and_clients(demo: Path) -> None:
    pack = load_default_pack()
    conn = sqlite3.connect(demo)
    counts = dict(conn.execute("SELECT process, count(*) FROM tickets GROUP BY process"))
    assert set(counts) == set(pack.processes) == set(PROCESS_SHARES)
    total = sum(PROCESS_SHARES.values())
    for pid, share in PROCESS_SHARES.items():
        assert abs(counts[pid] / N - share / total) < 0.04, (pid, counts[pid])
    assert counts["call_request"] > counts["helpdesk"] > counts["outage"]
    seen = defaultdict(set)
    for pid, status in conn.execute(
        "SELECT DISTINCT t.process, e.status FROM events e JOIN tickets t ON t.uuid = e.ticket_id"
    ):
        seen[pid].add(status)
    for pid, process in pack.processes.items():
        assert seen[pid] == set(process.statuses), pid  # every status, and only its own
        channels = {
            r[0] for r in conn.execute("SELECT channel FROM tickets WHERE process = ?", (pid,))
        }
        assert channels == (set(process.channels) or {NAMED_PROCESS_CHANNEL}), pid
    pairs = set(conn.execute("SELECT DISTINCT category, priority FROM tickets"))
    assert pairs == {(c, p) for c in pack.sla.categories for p in pack.sla.priorities}
    finished = conn.execute("SELECT count(*) FROM tickets WHERE NOT is_open").fetchone()[0]
    assert finished > N * 0.85
    clients = conn.execute("SELECT category, group_name, mobile, city FROM clients").fetchall()
    assert {c[0] for c in clients} == {"VIP", "Важный", "обычный"}
    assert {"Мегафон", "Вымпелком", "Энфорта", "Сбербанк"} <= {c[1] for c in clients}
    assert any(not c[2] for c in clients) and any(c[2] for c in clients)
    assert set(pack.lists["paid_act_cities"]) <= {c[3] for c in clients}
    kinds = {r[0] for r in conn.execute("SELECT DISTINCT kind FROM comments")}
    assert {"call_result", "callback_attempt", "client_reply", "note", "reply"} <= kinds
    vias = set(conn.execute("SELECT DISTINCT process, closed_via FROM tickets"))
    expected = {
        ("call_request", "close"), ("helpdesk", "resolve"), ("portal", "client_close"),
        ("portal", "auto_close"), ("portal", "cancel"), ("csn", "client_close"),
        ("csn", "auto_close"), ("csn", "cancel"), ("outage", "close"),
    }  # fmt: skip
    assert expected <= vias
    for table in ("outgoing_requests", "confirmations", "closure_reports"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0
    assert conn.execute("SELECT min(quantity) FROM spare_part_lines").fetchone()[0] > 0
    outage_only = "SELECT DISTINCT t.process FROM {table} x JOIN tickets t ON t.uuid = x.ticket_id"
    for table in ("closure_reports", "closure_performers", "confirmations"):
        assert {r[0] for r in conn.execute(outage_only.format(table=table))} == {"outage"}
    held = {r[0] for r in conn.execute(outage_only.format(table="outgoing_requests"))}
    assert held == {"helpdesk"}
    assert conn.execute("SELECT count(*) FROM people").fetchone()[0] == 50
    codes = {r[0] for r in conn.execute("SELECT name FROM departments")}
    assert {"ОПП", "ОЭ", "ТО"} <= codes and {d.name for d in pack.departments} == codes
    orphan = (
        "SELECT count(*) FROM tickets t WHERE NOT EXISTS "
        "(SELECT 1 FROM events e WHERE e.ticket_id = t.uuid AND e.kind = 'created')"
    )
    assert conn.execute(orphan).fetchone()[0] == 0
    conn.close()


def _sample(path: Path, where: str, n: int) -> list[int]:
    conn = sqlite3.connect(path)
    ids = [r[0] for r in conn.execute(f"SELECT id FROM tickets WHERE {where} ORDER BY id")]
    conn.close()
    return random.Random(1).sample(ids, min(n, len(ids)))


def test_c01_c11_outage_tickets_closed_by_close_pass_the_closing_checklist(demo: Path) -> None:
    pack = load_default_pack()
    db = open_local(demo)
    where = "process = 'outage' AND status = 'closed' AND closed_via = 'close'"
    try:
        with db.transaction() as session:
            ids = _sample(demo, where, 60)
            assert len(ids) >= 40
            for tid in ids:
                ticket = session.get(Ticket, tid)
                assert ticket is not None
                snap = snapshot(session, ticket)
                result = evaluate_checklist(pack.closing, snap, pack.lists)
                assert result.complete, (ticket.number, [r.rule for r in result.reasons])
                assert snap.history[-1].status == "closed"
                assert snap.closed_at == snap.history[-1].at
    finally:
        db.close()


def test_b05_b06_sla_columns_agree_with_the_command_layer_in_every_process(demo: Path) -> None:
    pack = load_default_pack()
    db = open_local(demo)
    try:
        with db.transaction() as session:
            for pid, process in pack.processes.items():
                ids = _sample(demo, f"process = '{pid}' AND is_open", 20)
                ids += _sample(demo, f"process = '{pid}' AND NOT is_open", 20)
                for tid in ids:
                    ticket = session.get(Ticket, tid)
                    assert ticket is not None
                    stored = {c: getattr(ticket, c) for c in SLA_COLUMNS}
                    assert bool(stored["sla_plan"]) == process.sla_plans, ticket.number
                    history = snapshot(session, ticket).history
                    assert (history[-1].status, history[-1].stage) == (
                        ticket.status,
                        ticket.stage,
                    )
                    apply_sla(pack, ticket, history, NOW)
                    assert {c: getattr(ticket, c) for c in SLA_COLUMNS} == stored, ticket.number
            session.rollback()
    finally:
        db.close()


Row = tuple[str, ...]


def _moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


Actions = dict[str, list[tuple[str, str, str]]]  # ticket → (action, old status, new status)


def _everything(path: Path) -> tuple[dict[str, Row], dict[str, list[StatusEvent]], Actions]:
    """Every ticket row, its status history and its other events (action, reason, transfer)."""
    conn = sqlite3.connect(path)
    tickets = {
        r[0]: r
        for r in conn.execute(
            "SELECT uuid, number, process, status, stage, is_open, closed_at, closed_via, "
            "resolved_by_department FROM tickets"
        )
    }
    histories: dict[str, list[StatusEvent]] = defaultdict(list)
    actions: Actions = defaultdict(list)
    for tid, at, actor, kind, status, stage, field, old, dept in conn.execute(
        "SELECT ticket_id, at, actor, kind, status, stage, field, old_value, department "
        "FROM events ORDER BY ticket_id, at, id"
    ):
        if kind in STATUS_EVENT_KINDS:
            histories[tid].append(StatusEvent(_moment(at), status, stage, actor, dept))
            actions[tid].append((field, old, status))
    conn.close()
    return tickets, histories, actions


def test_b02_p01_s09_u05_c03_every_history_follows_its_process(demo: Path) -> None:
    """Each ticket starts in its process's intake status; each change of status is a (from →
    to) of a transition of its own process, recorded under that action; its final status,
    stage, openness and closing moment are the ones its process gives; only 000's
    record_resolver fills «resolved_by_department» (C-03)."""
    pack = load_default_pack()
    tickets, histories, actions = _everything(demo)
    assert set(histories) == set(tickets)
    for tid, (_u, number, pid, status, stage, is_open, closed_at, via, resolver) in tickets.items():
        process = pack.process(pid)
        pairs = {(src, t.to) for t in process.transitions for src in t.sources}
        by_action = {
            (t.action, src, src if t.to == "*" else t.to)
            for t in process.transitions
            for src in t.sources
        }
        history = histories[tid]
        first = history[0]
        assert first.status == process.intake.status, number
        assert first.stage == process.stage_of(pack.statuses[first.status], pack.stages)
        assert actions[tid][0][0] == ""  # the "created" event
        closing: tuple[dt.datetime | None, str] = (None, "")
        resolvers = [t.action for t in process.transitions if "record_resolver" in t.effects]
        expected_resolver = ""
        for prev, cur, (action, old, new) in zip(
            history, history[1:], actions[tid][1:], strict=False
        ):
            assert cur.at >= prev.at, number
            if cur.status != prev.status:
                assert (prev.status, cur.status) in pairs, (number, prev.status, cur.status)
            assert (action, old, new) in by_action and old == prev.status, (number, action)
            if process.is_terminal(cur.status):
                closing = (cur.at, action)
            elif process.is_terminal(prev.status):
                closing = (None, "")
            if action in resolvers:
                expected_resolver = cur.department
        assert (history[-1].status, history[-1].stage) == (status, stage), number
        assert bool(is_open) == (not process.is_terminal(status)), number
        assert (_moment(closed_at) if closed_at else None, via) == closing, number
        assert resolver == expected_resolver, number
        if pid == "outage" and resolver:
            assert resolver in pack.lists["responsible_departments"]  # C-03


def test_b03_p07_c10_auto_close_on_the_due_moment_and_never_for_outages(demo: Path) -> None:
    """004's «Решен» closes after 2 working days (B-03), 003's «Ожидает подтверждения» after
    3 (P-07): the generator closed every ticket whose time was over, exactly at the due
    moment, and none whose client reacted; an outage ticket never closes by itself (C-10)."""
    pack = load_default_pack()
    csn, portal = pack.process("csn"), pack.process("portal")
    resolved = csn.auto_close_for("resolved")
    waiting = portal.auto_close_for("awaiting_confirmation")
    assert resolved is not None and resolved.working_days == 2
    assert waiting is not None and waiting.working_days == 3
    tickets, histories, actions = _everything(demo)
    conn = sqlite3.connect(demo)
    replies: dict[str, list[dt.datetime]] = defaultdict(list)
    for tid, at in conn.execute("SELECT ticket_id, at FROM comments WHERE kind = 'client_reply'"):
        replies[tid].append(_moment(at))
    conn.close()
    closed_by_itself: dict[str, int] = defaultdict(int)
    for tid, (_u, number, pid, status, _s, _o, closed_at, via, _r) in tickets.items():
        process = pack.process(pid)
        history = histories[tid]
        for i, (action, old, _new) in enumerate(actions[tid]):
            if action != "auto_close":
                continue
            due = auto_close_due(pack, process, old, history[:i])
            assert due is not None and history[i].at == due, number
            assert history[i].by == "system", number
            since = entered_at(history[:i], old)
            assert since is not None, number
            assert not [r for r in replies[tid] if since < r <= due], number  # no reaction
            closed_by_itself[pid] += 1
        if via == "auto_close":
            assert _moment(closed_at) == history[-1].at, number
        pending = auto_close_due(pack, process, status, history)
        if pending is not None:  # still waiting: its time is not over yet
            assert pending > NOW, (number, status, pending)
        if pid == "outage":
            assert via != "auto_close" and "auto_close" not in {a[0] for a in actions[tid]}
    assert closed_by_itself["csn"] > 50 and closed_by_itself["portal"] > 30
    assert set(closed_by_itself) == {"csn", "portal"}


def _replay(session: Session, pack: Pack, ticket: Ticket) -> set[str]:
    """Judge every action of the ticket with the engine (`check_transition`) on the ticket as
    it stood at that moment; returns the actions judged."""
    snap = snapshot(session, ticket)
    process = pack.process(ticket.process)
    roles = dict(session.execute(select(Person.login, Person.role)).all())
    roles |= {"client": "client", "system": "system"}
    names = dict(session.execute(select(Department.code, Department.name)).all())
    events = session.scalars(
        select(Event).where(Event.ticket_id == ticket.uuid).order_by(Event.at, Event.id)
    ).all()
    status, stage, owner, dept = "", "", "", snap.department
    closed: tuple[dt.datetime | None, str] = (None, "")
    history: list[StatusEvent] = []
    judged: set[str] = set()
    for i, e in enumerate(events):
        if e.kind == "transfer":  # C-01: the department it was handed over to
            dept = names[e.new_value]
            continue
        if e.kind == "created":
            status, stage = e.status, e.stage
            owner = e.actor if "set_owner" in process.intake.effects else ""
            moves = [x for x in events if x.kind == "transfer"]
            if moves:  # the department before the first hand-over is that event's old side
                dept = names[moves[0].old_value]
        elif e.kind in ("status", "action"):
            args: dict[str, object] = {"history_reviewed": True}  # U-02, before a reply
            nxt = events[i + 1] if i + 1 < len(events) else None
            if nxt is not None and nxt.kind == "reason" and nxt.at == e.at:
                reason, comment = nxt.new_value.split(": ", 1)
                args |= {"reason": reason, "comment": comment}  # P-04
            then = dataclasses.replace(
                snap,
                status=status,
                stage=stage,
                owner=owner,
                department=dept,
                history=tuple(history),
                comments=tuple(c for c in snap.comments if c.at and c.at <= e.at),
                outgoing=tuple(o for o in snap.outgoing if o.sent_at and o.sent_at <= e.at),
                confirmations=tuple(c for c in snap.confirmations if c.at and c.at <= e.at),
                closed_at=closed[0],
                closed_via=closed[1],
            )
            actor = Actor(e.actor, roles[e.actor], e.department)
            verdict = check_transition(pack, then, e.field, actor, e.at, args)
            assert verdict.allowed, (ticket.number, e.field, e.at, verdict.rule_ids)
            assert (verdict.to_status, verdict.to_stage) == (e.status, e.stage), ticket.number
            judged.add(e.field)
            if "set_owner" in verdict.effects:
                owner = e.actor
            if process.is_terminal(e.status):
                closed = (e.at, e.field)
            elif process.is_terminal(status):
                closed = (None, "")
            status, stage = e.status, e.stage
        else:
            continue
        if e.kind in STATUS_EVENT_KINDS:
            history.append(StatusEvent(e.at, e.status, e.stage, e.actor, e.department))
    assert (status, stage) == (ticket.status, ticket.stage)
    return judged


def test_u01_u06_p04_p07_p09_b02_b03_s09_c01_c11_every_action_passes_the_engine(
    demo: Path,
) -> None:
    """Every action of a sample of tickets of each process is allowed by the engine at its
    moment, guards included (U-01 owner, U-06 outgoing request, P-04 reason, P-07 before the
    auto-close, P-09 the client's permission, B-02 client or lead, B-03/P-07 due, S-09 window,
    C-01…C-11 closing checklist), and leads where the ticket went."""
    pack = load_default_pack()
    conn = sqlite3.connect(demo)
    picked: dict[str, set[int]] = defaultdict(set)
    for pid, process in pack.processes.items():
        picked[pid].update(_sample(demo, f"process = '{pid}'", 25))
        for action in {t.action for t in process.transitions}:  # and a few of each action
            picked[pid].update(
                r[0]
                for r in conn.execute(
                    "SELECT DISTINCT t.id FROM tickets t JOIN events e ON e.ticket_id = t.uuid "
                    "WHERE t.process = ? AND e.field = ? ORDER BY t.id LIMIT 4",
                    (pid, action),
                )
            )
    conn.close()
    db = open_local(demo)
    judged: dict[str, set[str]] = defaultdict(set)
    try:
        with db.transaction() as session:
            for pid, ids in picked.items():
                for tid in sorted(ids):
                    ticket = session.get(Ticket, tid)
                    assert ticket is not None
                    judged[pid] |= _replay(session, pack, ticket)
    finally:
        db.close()
    for pid, process in pack.processes.items():  # the walks take every action there is
        assert judged[pid] == {t.action for t in process.transitions}, pid


def test_search_finds_a_generated_client(demo: Path) -> None:
    conn = sqlite3.connect(demo)
    tid, name = conn.execute("SELECT id, client_name FROM tickets WHERE id = 77").fetchone()
    query = match_expression(name.split()[-1] if "«" not in name else name.split("«")[1][:5])
    found = [r[0] for r in conn.execute("SELECT rowid FROM ticket_fts(?)", (query,))]
    assert tid in found
    conn.close()


def test_refuses_a_database_with_data_unless_forced(demo: Path, tmp_path: Path) -> None:
    target = tmp_path / "desk.sqlite3"
    target.write_bytes(demo.read_bytes())
    before = target.read_bytes()
    with pytest.raises(DemoError, match="--force"):
        generate(target, 10, now=NOW)
    assert target.read_bytes() == before
    assert cli(["demo", "--tickets", "10", "--db", str(target), "--quiet"]) == 2
    assert target.read_bytes() == before
    assert cli(["demo", "--tickets", "10", "--db", str(target), "--force", "--quiet",
                "--now", NOW.isoformat()]) == 0  # fmt: skip
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 10
    conn.close()


def test_a_foreign_file_is_never_replaced(tmp_path: Path) -> None:
    foreign = tmp_path / "notes.sqlite3"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (t TEXT)")
    conn.commit()
    conn.close()
    before = foreign.read_bytes()
    assert cli(["demo", "--tickets", "5", "--db", str(foreign), "--force", "--quiet"]) == 2
    assert foreign.read_bytes() == before


def test_default_database_honours_opdesk_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPDESK_HOME", str(tmp_path))
    assert cli(["demo", "--tickets", "20", "--quiet", "--seed", "3"]) == 0
    db = open_local(tmp_path / "data" / "opdesk.sqlite3")
    with db.transaction() as session:
        assert len(session.scalars(select(Ticket.id)).all()) == 20
    db.close()
