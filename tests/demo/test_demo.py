"""The demo generator: deterministic, covering the pack, consistent with the engine (B-05,
B-06, C-01…C-11) and careful with existing data."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from opdesk.cli.data import main as cli
from opdesk.demo import DemoError, generate
from opdesk.models import Ticket
from opdesk.regulations.checklist import evaluate_checklist
from opdesk.regulations.pack import load_default_pack
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


def test_covers_categories_priorities_statuses_and_clients(demo: Path) -> None:
    pack = load_default_pack()
    conn = sqlite3.connect(demo)
    pairs = set(conn.execute("SELECT DISTINCT category, priority FROM tickets"))
    assert pairs == {(c, p) for c in pack.sla.categories for p in pack.sla.priorities}
    statuses = {r[0] for r in conn.execute("SELECT DISTINCT status FROM tickets")}
    assert {"new", "in_progress", "waiting_client", "resolved", "closed", "cancelled"} <= statuses
    closed = conn.execute("SELECT count(*) FROM tickets WHERE status = 'closed'").fetchone()[0]
    assert closed > N // 2
    clients = conn.execute("SELECT category, group_name, mobile, city FROM clients").fetchall()
    assert {c[0] for c in clients} == {"VIP", "Важный", "обычный"}
    assert {"Мегафон", "Вымпелком", "Энфорта", "Сбербанк"} <= {c[1] for c in clients}
    assert any(not c[2] for c in clients) and any(c[2] for c in clients)
    assert set(pack.lists["paid_act_cities"]) <= {c[3] for c in clients}
    kinds = {r[0] for r in conn.execute("SELECT DISTINCT kind FROM comments")}
    assert {"call_result", "callback_attempt", "client_reply", "note"} <= kinds
    pauses = "SELECT count(*) FROM events WHERE status = 'waiting_client'"
    assert conn.execute(pauses).fetchone()[0] > 0
    assert conn.execute("SELECT count(*) FROM outgoing_requests").fetchone()[0] > 0
    assert conn.execute("SELECT min(quantity) FROM spare_part_lines").fetchone()[0] > 0
    assert conn.execute("SELECT count(*) FROM confirmations").fetchone()[0] > 0
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


def test_closed_tickets_pass_the_closing_checklist(demo: Path) -> None:
    pack = load_default_pack()
    db = open_local(demo)
    try:
        with db.transaction() as session:
            for tid in _sample(demo, "status = 'closed'", 50):
                ticket = session.get(Ticket, tid)
                assert ticket is not None
                snap = snapshot(session, ticket)
                result = evaluate_checklist(pack.closing, snap, pack.lists)
                assert result.complete, (ticket.number, [r.rule for r in result.reasons])
                assert snap.history[-1].status == "closed"
    finally:
        db.close()


def test_sla_columns_agree_with_the_command_layer(demo: Path) -> None:
    pack = load_default_pack()
    db = open_local(demo)
    try:
        with db.transaction() as session:
            ids = _sample(demo, "is_open = 1", 60) + _sample(demo, "is_open = 0", 40)
            for tid in ids:
                ticket = session.get(Ticket, tid)
                assert ticket is not None
                stored = {c: getattr(ticket, c) for c in SLA_COLUMNS}
                history = snapshot(session, ticket).history
                assert (history[-1].status, history[-1].stage) == (ticket.status, ticket.stage)
                apply_sla(pack, ticket, history, NOW)
                assert {c: getattr(ticket, c) for c in SLA_COLUMNS} == stored, ticket.number
            session.rollback()
    finally:
        db.close()


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
