"""The fast paths of issue 10's scale work give the same results as the plain ones.

- The export's text is built by SQLite (export_sql); the Python records (export_rows.records,
  encoded by render.jsonl_text / csv_text) are the reference it must equal byte for byte, also
  for text that needs escaping.
- An import prepared by worker processes writes exactly what one prepared in-process writes.
- A big import builds the queue's indexes once at the end: afterwards (and after a refusal,
  which rolls the drop back) the desk has exactly the indexes it had.
- Repeats are found across batches, with the line of the first occurrence.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from opdesk.demo import generate
from opdesk.store.database import open_local
from opdesk.transfer import ImportRefused, export_file, import_file, jobs, pipeline, render
from opdesk.transfer.export_rows import Source, records
from tests.transfer.test_transfer import ticket

NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
HOSTILE = 'кавычки " и \\ обратная черта\nперевод строки\tтаб \x01\x1f \u2028 😀 /, запятая'


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo desk plus tickets whose texts need escaping in JSON and quoting in CSV."""
    path = tmp_path_factory.mktemp("scale") / "desk.sqlite3"
    generate(path, 400, seed=5, now=NOW, workers=0)
    odd = path.parent / "odd.jsonl"
    rows = [
        ticket(
            f"ODD-{i}",
            subject=HOSTILE,
            client={"name": HOSTILE, "category": "VIP", "phone": "+7 (916) 123-45-67"},
            comments=[
                {"at": "2026-11-16T10:00:00.123456+00:00", "text": HOSTILE, "tags": ["a", "b"]},
                {"at": "2026-11-16T10:00:00+00:00", "text": "", "reached": False},
            ],
        )
        for i in range(3)
    ]
    odd.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    db = open_local(path)
    try:
        assert import_file(db, odd, "jsonl", NOW) == 3
    finally:
        db.close()
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_the_sql_text_equals_the_python_records(desk: Path, tmp_path: Path, fmt: str) -> None:
    file = tmp_path / f"all.{fmt}"
    db = open_local(desk)
    try:
        assert export_file(db, file, fmt, NOW) == 403
        with db.engine.connect() as conn:
            source = Source(conn, None, NOW)
            recs = [r for raw in source.batches() for r in records(raw, source.names)]
    finally:
        db.close()
    expected = render.csv_header() + render.csv_text(recs) if fmt == "csv" else ""
    if fmt == "jsonl":
        expected = render.jsonl_text(recs)
    assert file.read_bytes().decode("utf-8") == expected  # CSV lines end in \r\n
    assert HOSTILE in {r["subject"] for r in recs}  # the hostile text went through both


def _export_all(path: Path, file: Path) -> str:
    db = open_local(path)
    try:
        export_file(db, file, "jsonl", NOW)
    finally:
        db.close()
    return file.read_text("utf-8")


def test_workers_write_what_one_process_writes(desk: Path, tmp_path: Path) -> None:
    source = tmp_path / "source.jsonl"
    _export_all(desk, source)
    exports = []
    for workers in (0, 2):
        target = tmp_path / f"w{workers}.sqlite3"
        db = open_local(target)
        try:
            assert import_file(db, source, "jsonl", NOW, workers=workers) == 403
        finally:
            db.close()
        exports.append(_export_all(target, tmp_path / f"w{workers}.jsonl"))
    assert exports[0] == exports[1] == source.read_text("utf-8")


def _indexes(path: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return set(
            conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql != ''")
        )


def test_deferred_indexes_come_back_after_an_import_and_after_a_refusal(
    desk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "source.jsonl"
    _export_all(desk, source)
    target = tmp_path / "target.sqlite3"
    open_local(target).close()
    before = _indexes(target)
    assert len([n for n, _ in before if n.startswith("ix_tickets_")]) > 15
    deferred: list[int] = []
    real = jobs.BulkWriter.defer_indexes

    def spy(self: jobs.BulkWriter) -> None:
        real(self)
        deferred.append(len(self.deferred))

    monkeypatch.setattr(jobs.BulkWriter, "defer_indexes", spy)
    bad = tmp_path / "bad.jsonl"
    lines = source.read_text("utf-8").splitlines(keepends=True)
    bad.write_text("".join(lines) + json.dumps(ticket("LAST", priority="Космический")) + "\n")
    db = open_local(target)
    try:
        with pytest.raises(ImportRefused):
            import_file(db, bad, "jsonl", NOW)
        assert _indexes(target) == before  # the drop rolled back with the rest
        assert import_file(db, source, "jsonl", NOW) == 403
    finally:
        db.close()
    assert deferred and deferred[0] == len([n for n, _ in before if n.startswith("ix_tickets_")])
    assert _indexes(target) == before
    with sqlite3.connect(target) as conn:
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM tickets WHERE status = 'new' ORDER BY created_at"
        ).fetchall()
    assert "ix_tickets_status" in str(plan)  # the rebuilt index is used


def test_a_small_file_into_a_big_desk_keeps_the_indexes_live(
    desk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One ticket into 403: indexing it row by row beats rebuilding 403 tickets' indexes."""
    target = tmp_path / "big.sqlite3"
    target.write_bytes(desk.read_bytes())
    deferred: list[bool] = []
    monkeypatch.setattr(jobs.BulkWriter, "defer_indexes", lambda self: deferred.append(True))
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps(ticket("ONE-1")) + "\n", "utf-8")
    db = open_local(target)
    try:
        assert import_file(db, one, "jsonl", NOW) == 1
    finally:
        db.close()
    assert deferred == []


@pytest.mark.parametrize("workers", [0, 2])
def test_repeats_are_found_across_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """Batches of 2: the repeat on line 5 names line 1; a ticket already in the desk is
    refused with its line; nothing is written."""
    monkeypatch.setattr(pipeline, "BATCH", 2)
    target = tmp_path / "desk.sqlite3"
    seed = tmp_path / "seed.jsonl"
    seed.write_text(json.dumps(ticket("OLD-1")) + "\n", "utf-8")
    db = open_local(target)
    try:
        assert import_file(db, seed, "jsonl", NOW) == 1
        file = tmp_path / "file.jsonl"
        numbers = ["N-1", "N-2", "N-3", "OLD-1", "N-1", "N-6"]
        file.write_text("".join(json.dumps(ticket(n)) + "\n" for n in numbers), "utf-8")
        with pytest.raises(ImportRefused) as refused:
            import_file(db, file, "jsonl", NOW, workers=workers)
    finally:
        db.close()
    found = {(p.line, p.field, p.message_en) for p in refused.value.problems}
    assert found == {
        (4, "number", "a ticket numbered 'OLD-1' already exists"),
        (5, "number", "number 'N-1' repeats line 1"),
    }
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT number FROM tickets").fetchall() == [("OLD-1",)]
