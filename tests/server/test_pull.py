"""The pull and the JSON form of rows, on the real PostgreSQL: every table's row survives the
trip to a workstation's SQLite, batches cover everything exactly once, and the divergence
hash comes out the same on both databases."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, insert, text, update
from sqlalchemy.engine import Connection, Engine

from opdesk.models import Base, uuid7
from opdesk.server.pull import (
    CursorAheadError,
    PullBatch,
    iter_rows,
    pull,
    snapshot_counts,
)
from opdesk.server.versioning import install_versioning
from opdesk.store import wire as rows
from opdesk.store.database import open_local, open_url
from opdesk.store.wire import SYNCED_TABLES
from opdesk.sync import incoming

MSK = ZoneInfo("Europe/Moscow")
T0 = dt.datetime(2026, 12, 1, 12, 0, 0, 123456, tzinfo=MSK)  # 09:00:00.123456 UTC
T1 = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)
TEXT = 'Кавычки " и \\ обратная черта,\nперевод строки, ёлка 🎄'
TABLES = Base.metadata.tables


def full_rows() -> dict[str, dict[str, Any]]:
    """One row for every synced table with every column set (no null, no default)."""
    dep, person, client, t1, t2 = uuid7(), uuid7(), uuid7(), uuid7(), uuid7()
    ticket = dict(
        uuid=t1, number="2026-000001", created_at=T0, updated_at=T1, channel="email",
        process="incident", client_id=client, client_name="ООО «Ромашка»",
        client_category="VIP", contact_phone="+7 900 000-00-00", subject=TEXT, theme="Связь",
        type="Инцидент", subtheme="Нет связи", product="Интернет", category="Связь",
        priority="Критичный", priority_rank=2, status="В работе", stage="processing",
        is_open=True, owner_id=person, department_id=dep, paid=True, arm_processed_by="petrov",
        arm_processed_at=T1, scheme_permanent=True, scheme_recorded_by="L2",
        needs_closing=True, notify_client=False, client_dissatisfied=True,
        client_allows_closing=True, resolved_by_department="L2", outcome="resolved",
        closing_delay="client", resolution_limit_minutes=240, closed_at=T1, closed_via="auto",
        sla_plan="vip", sla_stage="processing", sla_due_at=T1, sla_risk_at=T0,
        sla_paused=True, sla_breached=True, sla_paused_seconds=3600, reaction_due_at=T0,
        processing_due_at=T1, resolution_due_at=T1, auto_close_at=T1, version=0,
    )  # fmt: skip
    return {
        "departments": dict(id=dep, code="L2", name="Вторая линия"),
        "people": dict(id=person, login="ivanov", name="Иванов И.", role="lead",
                       department_id=dep),
        "clients": dict(id=client, name="ООО «Ромашка»", category="VIP", mobile="+79000000000",
                        group_name="Мегафон", city="Москва", phone="+7 495 000-00-00"),
        "tickets": ticket,
        "events": dict(id=uuid7(), ticket_id=t1, at=T0, actor="ivanov", kind="status",
                       status="В работе", stage="processing", field="status",
                       old_value="Новая", new_value="В работе", department="L2"),
        "comments": dict(id=uuid7(), ticket_id=t1, at=T0, author="ivanov",
                         kind="callback_attempt", text=TEXT, tags="a,b", template_id="tpl-1",
                         reached=False),
        "outgoing_requests": dict(id=uuid7(), ticket_id=t1, department_id=dep, sent_at=T0,
                                  reminder_at=T1, answered_at=T1, answer=TEXT, note="note"),
        "ticket_links": dict(id=uuid7(), ticket_id=t1, linked_id=t2, kind="second_request"),
        "closure_reports": dict(ticket_id=t1, cause=TEXT, actions="заменили", completed_at=T1,
                                time_spent_minutes=45, spare_parts_used=True, comment="ok",
                                responsible_actions_checked=True, escalation_done=True,
                                updated_at=T1),
        "closure_performers": dict(id=uuid7(), ticket_id=t1, name="Петров П."),
        "spare_part_lines": dict(id=uuid7(), ticket_id=t1, name="Роутер", quantity=2),
        "confirmations": dict(id=uuid7(), ticket_id=t1, kind="verbal", by="client", at=T1),
        "ticket_conflicts": dict(id=uuid7(), ticket_id=t1, at=T1, person="ivanov",
                                 op_name="set_fields", kind="text", field="subject",
                                 server_value=TEXT, local_value="тема", reasons="[]",
                                 resolved_at=None, resolved_by=""),
        "_linked": dict(uuid=t2, number="2026-000002", created_at=T0, updated_at=T0,
                        category="Связь", priority="Обычный", priority_rank=0,
                        status="Новая", stage="reaction"),
    }  # fmt: skip


def write_full_rows(conn: Connection) -> dict[str, dict[str, Any]]:
    made = full_rows()
    order = ["departments", "people", "clients", "_linked", "tickets", *list(SYNCED_TABLES)[4:]]
    for name in order:
        conn.execute(insert(TABLES["tickets" if name == "_linked" else name]).values(made[name]))
    return made


def pull_all(conn: Connection, cursor: int = 0, limit: int = 1000) -> list[PullBatch]:
    batches = [pull(conn, cursor, limit)]
    while batches[-1].more:
        batches.append(pull(conn, batches[-1].cursor, limit))
    return batches


def server_content(conn: Connection) -> dict[tuple[str, str], rows.JsonRow]:
    return {(t, rows.row_key(t, r)): r for t in SYNCED_TABLES for r in iter_rows(conn, t)}


@pytest.fixture
def engine(pg_fresh_url: str) -> Iterator[Engine]:
    db = open_url(pg_fresh_url)
    with db.engine.begin() as conn:
        install_versioning(conn)
    try:
        yield db.engine
    finally:
        db.close()


def test_every_synced_tables_row_round_trips_through_json(engine: Engine) -> None:
    with engine.begin() as conn:
        made = write_full_rows(conn)
    with engine.connect() as conn:
        changes = [c for b in pull_all(conn) for c in b.changes]
        stored = server_content(conn)
    assert {table for table, _ in changes} == set(SYNCED_TABLES)
    for table, row in changes:
        key = rows.row_key(table, row)
        assert row == stored[(table, key)], f"{table}: SQL's JSON differs from rows.to_json"
        assert json.loads(json.dumps(row)) == row
        typed = rows.from_json(table, row)
        assert rows.to_json(table, typed) == row
        source = made[table] if key == str(made[table][SYNCED_TABLES[table]]) else None
        if source is not None:  # what was written comes back, the server's version aside
            expected = {k: v for k, v in source.items() if k != "version"}
            assert {k: v for k, v in typed.items() if k != "version"} == expected
    ticket = next(row for table, row in changes if table == "tickets"
                  and row["number"] == "2026-000001")  # fmt: skip
    assert "id" not in ticket and isinstance(ticket["version"], int) and ticket["version"] > 1
    assert ticket["owner_id"] == str(made["people"]["id"])
    assert ticket["department_id"] == str(made["departments"]["id"])
    assert ticket["client_id"] == str(made["clients"]["id"])
    assert ticket["created_at"] == "2026-12-01T09:00:00.123456+00:00"
    assert ticket["updated_at"] == "2026-12-02T09:30:00.000000+00:00"
    assert ticket["is_open"] is True and ticket["priority_rank"] == 2
    comment = next(row for table, row in changes if table == "comments")
    assert comment["reached"] is False and comment["text"] == TEXT


def test_nulls_round_trip(engine: Engine) -> None:
    with engine.begin() as conn:
        made = write_full_rows(conn)
        conn.execute(update(TABLES["comments"]).values(reached=None))
        conn.execute(update(TABLES["tickets"]).values(owner_id=None, closed_at=None))
    with engine.connect() as conn:
        changes = [c for b in pull_all(conn) for c in b.changes]
    comment = next(row for table, row in changes if table == "comments")
    ticket = next(row for table, row in changes if table == "tickets"
                  and row["uuid"] == str(made["tickets"]["uuid"]))  # fmt: skip
    assert comment["reached"] is None and ticket["owner_id"] is None
    assert rows.from_json("tickets", ticket)["closed_at"] is None


def test_pulled_rows_rebuild_a_workstation_and_the_hashes_agree(
    engine: Engine, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        write_full_rows(conn)
    local = open_local(tmp_path / "workstation.sqlite")
    try:
        with engine.connect() as conn:
            batches = pull_all(conn, limit=3)
            expected = snapshot_counts(conn)
        with local.engine.begin() as lite:
            for batch in batches:
                for table, row in batch.changes:
                    lite.execute(insert(TABLES[table]).values(rows.from_json(table, row)))
        with local.engine.connect() as lite:
            assert snapshot_counts(lite) == expected
        assert all(count >= 1 for count, _ in expected.values())
        with local.engine.begin() as lite:  # one field differs: that table's hash tells
            lite.execute(update(TABLES["comments"]).values(tags="a,b,c"))
        with local.engine.connect() as lite:
            diverged = snapshot_counts(lite)
        assert {t for t in SYNCED_TABLES if diverged[t] != expected[t]} == {"comments"}
        assert diverged["comments"][0] == expected["comments"][0]
    finally:
        local.close()


def test_a_pulled_batch_is_stored_exactly_as_sqlalchemy_stores_its_rows(
    engine: Engine, tmp_path: Path
) -> None:
    """The workstation writes pulled rows as plain tuples (incoming.py), bypassing the
    models' types: every stored value must be the very text or number SQLAlchemy writes for
    the same row, or queries comparing moments and ids as text would go wrong."""
    with engine.begin() as conn:
        write_full_rows(conn)
    with engine.connect() as conn:
        batch = pull(conn, 0, 100)
    by_orm, by_tuples = open_local(tmp_path / "orm.sqlite"), open_local(tmp_path / "raw.sqlite")
    try:
        for table, block in batch.tables.items():
            with by_orm.engine.begin() as lite:
                lite.execute(delete(TABLES[table]))  # open_local may have made some
                for row in block.dicts():
                    lite.execute(insert(TABLES[table]).values(rows.from_json(table, row)))
            names = ", ".join(f'"{n}"' for n in rows.column_names(table))
            marks = ", ".join("?" * len(rows.column_names(table)))
            with by_tuples.engine.begin() as lite:
                lite.execute(delete(TABLES[table]))
                lite.connection.driver_connection.executemany(  # type: ignore[union-attr]
                    f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
                    incoming.storage_rows(table, block),
                )
            stored = []
            for db in (by_orm, by_tuples):
                with db.engine.connect() as lite:
                    sql = f'SELECT {names} FROM "{table}" ORDER BY 1'
                    stored.append(lite.exec_driver_sql(sql).all())  # str, int or None each
            assert stored[0] == stored[1], table
            assert stored[0], table
    finally:
        by_orm.close()
        by_tuples.close()


def test_the_table_hash_is_defined_precisely() -> None:
    row: rows.JsonRow = {"b": "ё", "a": 1, "version": 7, "c": None, "d": True}
    assert rows.canonical_bytes(row) == '{"a":1,"b":"ё","c":null,"d":true}'.encode()
    digests = [rows.row_digest(row), rows.row_digest({"a": 2})]
    assert rows.table_hash(digests) == rows.table_hash(reversed(digests))
    assert rows.table_hash([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def random_history(engine: Engine, seed: int) -> set[tuple[str, str]]:
    """Transactions of 1 to 9 rows over tickets and comments, with updates and deletes;
    returns the keys deleted for good."""
    rnd = random.Random(seed)
    tickets: list[Any] = []
    comments: list[Any] = []
    deleted: set[tuple[str, str]] = set()
    for n in range(60):
        with engine.begin() as conn:
            for _ in range(rnd.randint(1, 9)):
                roll = rnd.random()
                if roll < 0.3 or not tickets:
                    t = full_rows()["_linked"] | {"uuid": uuid7(), "number": uuid7().hex[-30:]}
                    conn.execute(insert(TABLES["tickets"]).values(t))
                    tickets.append(t["uuid"])
                elif roll < 0.6:
                    c = dict(id=uuid7(), ticket_id=rnd.choice(tickets), at=T0, author="a",
                             kind="note", text=f"c{n}")  # fmt: skip
                    conn.execute(insert(TABLES["comments"]).values(c))
                    comments.append(c["id"])
                elif roll < 0.85:
                    which = TABLES["tickets"].c.uuid == rnd.choice(tickets)
                    conn.execute(update(TABLES["tickets"]).values(subject=f"s{n}").where(which))
                elif comments:
                    gone = comments.pop(rnd.randrange(len(comments)))
                    conn.execute(delete(TABLES["comments"]).where(TABLES["comments"].c.id == gone))
                    deleted.add(("comments", str(gone)))
    return deleted


@pytest.mark.parametrize("limit", [1, 3, 7])
def test_batches_cover_everything_exactly_once(engine: Engine, limit: int) -> None:
    deleted = random_history(engine, seed=limit)
    seen: dict[tuple[str, str], rows.JsonRow] = {}
    gone: set[tuple[str, str]] = set()
    with engine.connect() as conn:
        batches = pull_all(conn, limit=limit)
        content = server_content(conn)
        cursor = 0
        for batch in batches:
            assert batch.cursor > cursor
            in_range = set(conn.execute(text(
                "SELECT 'tickets', uuid::text FROM tickets WHERE version > :a AND version <= :b"
                " UNION ALL SELECT 'comments', id::text FROM comments"
                " WHERE version > :a AND version <= :b"
            ), {"a": cursor, "b": batch.cursor}).all())  # fmt: skip
            got = {(t, rows.row_key(t, r)) for t, r in batch.changes}
            assert got == {(str(t), k) for t, k in in_range}, "a version was split or lost"
            if len(batch.changes) + len(batch.tombstones) > limit:  # one transaction, whole
                versions = conn.execute(text(
                    "SELECT DISTINCT version FROM tickets WHERE version > :a AND version <= :b"
                    " UNION SELECT version FROM comments WHERE version > :a AND version <= :b"
                    " UNION SELECT version FROM tombstones WHERE version > :a AND version <= :b"
                ), {"a": cursor, "b": batch.cursor}).all()  # fmt: skip
                assert len(versions) == 1
            for table, row in batch.changes:
                key = (table, rows.row_key(table, row))
                assert key not in seen, f"{key} pulled twice"
                seen[key] = row
            for table, key in batch.tombstones:
                assert (table, key) not in gone
                gone.add((table, key))
            cursor = batch.cursor
        again = pull(conn, cursor, limit)
    assert seen == content
    assert gone == deleted
    assert not batches[-1].more
    assert again.changes == [] and again.tombstones == [] and not again.more
    assert again.cursor >= cursor


def test_one_big_transaction_comes_whole_in_one_batch(engine: Engine) -> None:
    with engine.begin() as conn:
        write_full_rows(conn)  # 14 rows, one version
    with engine.connect() as conn:
        first = pull(conn, 0, 3)
        rest = pull(conn, first.cursor, 3)
    assert len(first.changes) == 14 and not first.more
    assert rest.changes == []


def test_a_key_inserted_again_is_a_row_not_a_tombstone(engine: Engine) -> None:
    with engine.begin() as conn:
        made = write_full_rows(conn)
    comments = TABLES["comments"]
    with engine.connect() as conn:
        cursor = pull(conn, 0, 100).cursor
    with engine.begin() as conn:
        conn.execute(delete(comments))
    with engine.begin() as conn:
        conn.execute(insert(comments).values(made["comments"] | {"text": "снова"}))
    with engine.connect() as conn:
        batch = pull(conn, cursor, 100)
    assert batch.tombstones == []
    assert [(t, r["text"]) for t, r in batch.changes] == [("comments", "снова")]


def test_deletes_arrive_as_tombstones(engine: Engine) -> None:
    with engine.begin() as conn:
        made = write_full_rows(conn)
    with engine.connect() as conn:
        cursor = pull(conn, 0, 100).cursor
    with engine.begin() as conn:
        for table in ("spare_part_lines", "closure_performers", "closure_reports"):
            conn.execute(delete(TABLES[table]))
    with engine.connect() as conn:
        batch = pull(conn, cursor, 100)
    assert batch.changes == []
    assert batch.tombstones == [  # children before parents within one transaction
        ("spare_part_lines", str(made["spare_part_lines"]["id"])),
        ("closure_performers", str(made["closure_performers"]["id"])),
        ("closure_reports", str(made["tickets"]["uuid"])),
    ]


def test_bad_cursor_and_limit_are_refused(engine: Engine) -> None:
    with engine.connect() as conn:
        final = pull(conn, 0, 10).cursor
        with pytest.raises(CursorAheadError, match="another database"):
            pull(conn, final + 10_000, 10)
        for limit in (0, -1, 10**9):
            with pytest.raises(ValueError, match="limit"):
                pull(conn, 0, limit)
        with pytest.raises(ValueError, match="negative"):
            pull(conn, -1, 10)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"quantity": "2"}, "expected int"),
        ({"quantity": True}, "expected int"),
        ({"name": None}, "null is not allowed"),
        ({"ticket_id": "not-a-uuid"}, "not a UUID"),
        ({"extra": 1}, "unknown"),
    ],
)
def test_from_json_refuses_what_does_not_fit(change: dict[str, Any], message: str) -> None:
    row = rows.to_json("spare_part_lines", full_rows()["spare_part_lines"])
    with pytest.raises(ValueError, match=message):
        rows.from_json("spare_part_lines", row | change)


def test_from_json_wants_every_column_and_zoned_moments() -> None:
    row = rows.to_json("confirmations", full_rows()["confirmations"])
    with pytest.raises(ValueError, match="missing"):
        rows.from_json("confirmations", {k: v for k, v in row.items() if k != "by"})
    with pytest.raises(ValueError, match="zone"):
        rows.from_json("confirmations", row | {"at": "2026-12-01T09:00:00"})
    with pytest.raises(ValueError, match="expected bool"):
        rows.from_json("comments", rows.to_json("comments", full_rows()["comments"])
                       | {"reached": 0})  # fmt: skip
    moved = rows.from_json("confirmations", row | {"at": "2026-12-02T12:30:00+03:00"})
    assert moved["at"] == T1 and moved["at"].tzinfo == dt.UTC
    with pytest.raises(ValueError, match="not a synced table"):
        rows.to_json("outbox", {})
