"""Import and export report progress and stop when asked, changing nothing."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from pathlib import Path

import pytest

from opdesk.demo import generate
from opdesk.progress import Cancelled
from opdesk.store.database import open_local
from opdesk.transfer import export_file, import_file
from opdesk.transfer.pipeline import BATCH

NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
TICKETS = 600  # more than one export batch (500) and than two import batches
TABLES = ("tickets", "events", "comments", "closure_reports", "outbox", "clients", "ticket_fts")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cancel") / "demo.sqlite3"
    generate(path, TICKETS, seed=11, now=NOW, workers=0)
    return path


@pytest.fixture(scope="module")
def exported(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    file = tmp_path_factory.mktemp("cancel-file") / "all.jsonl"
    db = open_local(demo)
    try:
        export_file(db, file, "jsonl", NOW)
    finally:
        db.close()
    return file


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def _renamed(line: str, i: int) -> str:
    rec = json.loads(line)
    rec["number"], rec["uuid"] = f"OWN-{i}", str(uuid.uuid4())
    return json.dumps(rec, ensure_ascii=False) + "\n"


def test_import_reports_the_share_of_the_file_read(exported: Path, tmp_path: Path) -> None:
    """One pass: after each batch the KiB read of the file's KiB, rising to the whole file."""
    seen: list[tuple[int, int]] = []
    db = open_local(tmp_path / "fresh.sqlite3")
    try:
        assert import_file(db, exported, "jsonl", NOW, report=lambda d, t: seen.append((d, t)))
    finally:
        db.close()
    size = exported.stat().st_size // 1024
    assert {t for _, t in seen} == {size}
    done = [d for d, _ in seen]
    assert done == sorted(done) and done[-1] == size
    assert len(seen) >= TICKETS // BATCH + 1  # a report before the first batch and after each


@pytest.mark.parametrize("workers", [0, 2])
def test_a_cancelled_import_writes_nothing(exported: Path, tmp_path: Path, workers: int) -> None:
    """Cancelled after two batches went into the open transaction — prepared here or by
    worker processes —: the database is exactly as before (the transaction rolled back)."""
    path = tmp_path / "desk.sqlite3"
    own = tmp_path / "own.jsonl"  # a desk with tickets of its own
    lines = exported.read_text("utf-8").splitlines()[:5]
    own.write_text("".join(_renamed(line, i) for i, line in enumerate(lines)), "utf-8")
    db = open_local(path)
    try:
        assert import_file(db, own, "jsonl", NOW) == 5
    finally:
        db.close()
    before = counts(path)
    assert before["tickets"] == 5
    reports: list[tuple[int, int]] = []

    def cancelled() -> bool:  # asked after each report: the start, then two written batches
        return len(reports) > 2

    db = open_local(path)
    try:
        with pytest.raises(Cancelled):
            import_file(
                db,
                exported,
                "jsonl",
                NOW,
                report=lambda d, t: reports.append((d, t)),
                cancelled=cancelled,
                workers=workers,
            )
    finally:
        db.close()
    assert len(reports) == 3  # stopped after two batches of the three
    if workers == 0:  # workers read ahead (two batches each in flight); here the file waits
        assert 0 < reports[-1][0] < reports[-1][1]
    assert counts(path) == before


def test_export_reports_tickets_and_a_cancel_leaves_no_file(demo: Path, tmp_path: Path) -> None:
    file = tmp_path / "out.jsonl"
    seen: list[tuple[int, int]] = []
    db = open_local(demo)
    try:
        assert export_file(db, file, "jsonl", NOW, report=lambda d, t: seen.append((d, t)))
        assert seen[0] == (0, TICKETS) and seen[-1] == (TICKETS, TICKETS)
        earlier = file.read_bytes()
        part = tmp_path / "out.jsonl.part"
        sizes: list[int] = []

        def after_first_batch() -> bool:
            sizes.append(part.stat().st_size)
            return len(sizes) > 1

        with pytest.raises(Cancelled):  # over an earlier export, after one batch was written
            export_file(db, file, "jsonl", NOW, cancelled=after_first_batch)
        assert sizes[-1] > 0  # the part file had rows in it
        fresh = tmp_path / "new.csv"
        with pytest.raises(Cancelled):
            export_file(db, fresh, "csv", NOW, cancelled=lambda: True)
    finally:
        db.close()
    assert file.read_bytes() == earlier  # the earlier export is left as it was
    assert not fresh.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]  # no part files
