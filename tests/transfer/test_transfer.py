"""Import/export: round trips, all-or-nothing imports, problems reported by line and field."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from opdesk.cli.data import main as cli
from opdesk.demo import generate
from opdesk.store.database import open_local
from opdesk.transfer import ImportRefused, export_file, import_file

NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
TABLES = ("tickets", "events", "comments", "closure_reports", "outbox", "clients", "ticket_fts")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    generate(path, 300, seed=3, now=NOW, workers=0)
    return path


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def export(db_path: Path, file: Path, fmt: str, query: str | None = None) -> int:
    db = open_local(db_path)
    try:
        return export_file(db, file, fmt, NOW, query)
    finally:
        db.close()


def do_import(db_path: Path, file: Path, fmt: str) -> int:
    db = open_local(db_path)
    try:
        return import_file(db, file, fmt, now=NOW)
    finally:
        db.close()


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_round_trip_is_identical(demo: Path, tmp_path: Path, fmt: str) -> None:
    first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    assert export(demo, first, fmt) == 300
    fresh = tmp_path / "fresh.sqlite3"
    assert do_import(fresh, first, fmt) == 300
    assert export(fresh, second, fmt) == 300
    assert first.read_bytes() == second.read_bytes()
    after = counts(fresh)
    assert after["tickets"] == after["ticket_fts"] == 300
    assert after["outbox"] == 0  # an import is no command a server could re-run: no op
    conn = sqlite3.connect(fresh)
    imported = conn.execute("SELECT count(*) FROM events WHERE kind = 'imported'").fetchone()
    assert imported[0] == 300
    demo_sla = sqlite3.connect(demo).execute(
        "SELECT number, sla_plan, sla_due_at, sla_breached, resolution_due_at FROM tickets "
        "WHERE is_open = 0 ORDER BY number"
    )
    assert (
        conn.execute(
            "SELECT number, sla_plan, sla_due_at, sla_breached, resolution_due_at FROM tickets "
            "WHERE is_open = 0 ORDER BY number"
        ).fetchall()
        == demo_sla.fetchall()
    )
    conn.close()


def test_export_with_a_query(demo: Path, tmp_path: Path) -> None:
    file = tmp_path / "closed.jsonl"
    n = export(demo, file, "jsonl", json.dumps({"statuses": ["closed"]}))
    lines = file.read_text(encoding="utf-8").splitlines()
    assert n == len(lines) > 0
    assert {json.loads(line)["status"] for line in lines} == {"closed"}


def ticket(number: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "number": number,
        "process": "csn",
        "created_at": "2026-11-16T10:00:00+00:00",
        "category": "Проблемы с хостингом",
        "priority": "Срочный",
        "status": "in_progress",
        "stage": "processing",
        "subject": "Нет связи",
        "client": {"name": "ООО «Ромашка»", "category": "обычный", "mobile": "+79161234567"},
    }
    base.update(changes)
    return base


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def test_a_bad_third_row_imports_nothing(tmp_path: Path) -> None:
    db = tmp_path / "desk.sqlite3"
    good = tmp_path / "good.jsonl"
    write_jsonl(good, [ticket("A-1")])
    assert do_import(db, good, "jsonl") == 1
    before = counts(db)
    bad = tmp_path / "bad.jsonl"
    write_jsonl(bad, [ticket("B-1"), ticket("B-2"), ticket("B-3", status="Летает")])
    with pytest.raises(ImportRefused) as caught:
        do_import(db, bad, "jsonl")
    assert [(p.line, p.field) for p in caught.value.problems] == [(3, "status")]
    assert "Летает" in caught.value.problems[0].message_ru
    assert counts(db) == before


def test_every_bad_row_is_reported_by_line_and_field(tmp_path: Path) -> None:
    db = tmp_path / "desk.sqlite3"
    write_jsonl(tmp_path / "seed.jsonl", [ticket("DUP-1")])
    do_import(db, tmp_path / "seed.jsonl", "jsonl")
    before = counts(db)
    closure = {
        "cause": "Обрыв",
        "actions": "Замена",
        "performers": ["Сидоров А.А."],
        "completed_at": "2026-11-18T12:00:00+00:00",
        "spare_parts_used": True,
        "spare_parts": [{"name": "Патч-корд", "quantity": 0}],
    }
    rows = [
        ticket("OK-1"),
        ticket("C-1", category="Полёт на Луну"),
        ticket("C-2", priority="Космический"),
        ticket("C-3", status="resolved", stage="resolved", closure=closure),
        ticket("DUP-1"),
        ticket("C-5", process="outage", status="closed", stage="closed"),
        ticket("OK-1"),
    ]
    file = tmp_path / "bad.jsonl"
    write_jsonl(file, rows)
    with file.open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    with pytest.raises(ImportRefused) as caught:
        do_import(db, file, "jsonl")
    found = {(p.line, p.field.split(" ")[0]) for p in caught.value.problems}
    assert (2, "category") in found
    assert (3, "priority") in found
    assert (4, "closure.spare_parts[0].quantity") in found
    assert (5, "number") in found  # already in the database
    assert (6, "closing") in found  # C-01…C-10 items are missing
    assert (7, "number") in found  # repeats line 1
    assert any(p.line == 8 for p in caught.value.problems)
    rules = {p.field for p in caught.value.problems if p.line == 6}
    assert "closing checklist C-04" in rules and "closing checklist C-01" in rules
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "строка 2: category" in text and "line 2: category" in text
    assert counts(db) == before


def test_the_process_comes_from_the_file_or_the_channel_and_judges_the_status(
    tmp_path: Path,
) -> None:
    """A file from another help desk knows no processes: the channel's process is taken; a
    status the process does not have, or a level in a process without levels, is refused."""
    db = tmp_path / "desk.sqlite3"
    file = tmp_path / "rows.jsonl"
    rows = [
        ticket("P-1", process=None, channel="portal", status="Ожидает подтверждения", stage=""),
        ticket("P-2", process=None, channel="pigeon"),
        ticket("P-3", process="call_request", status="Анализ", stage=""),
        ticket("P-4", process="helpdesk", status="В ожидании", stage="processing"),
    ]
    write_jsonl(file, rows)
    with pytest.raises(ImportRefused) as caught:
        do_import(db, file, "jsonl")
    found = {(p.line, p.field) for p in caught.value.problems}
    assert found == {(2, "process"), (3, "status"), (4, "stage")}
    write_jsonl(file, rows[:1])
    assert do_import(db, file, "jsonl") == 1
    conn = sqlite3.connect(db)
    got = conn.execute("SELECT process, status, stage, is_open FROM tickets").fetchone()
    conn.close()
    assert got == ("portal", "awaiting_confirmation", "resolved", 1)


def test_cli_import_exit_code_and_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "bad.jsonl"
    write_jsonl(file, [ticket("X-1"), ticket("X-2", priority="")])
    db = tmp_path / "desk.sqlite3"
    assert cli(["import", str(file), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "строка 2: priority" in err and "nothing was written" in err
    assert counts(db)["tickets"] == 0
    assert cli(["import", str(tmp_path / "missing.jsonl"), "--db", str(db)]) == 2


def test_a_one_megabyte_comment_round_trips(tmp_path: Path) -> None:
    text = ("Длинный комментарий «с кавычками», запятыми и\nпереводами строк. " * 20000)[
        : 1024 * 1024
    ]
    row = ticket("BIG-1", comments=[{"at": "2026-11-16T11:00:00+00:00", "author": "ivanova",
                                     "kind": "note", "text": text}])  # fmt: skip
    for fmt in ("jsonl", "csv"):
        db = tmp_path / f"{fmt}.sqlite3"
        src = tmp_path / "src.jsonl"
        write_jsonl(src, [row])
        do_import(db, src, "jsonl")
        out = tmp_path / f"out.{fmt}"
        export(db, out, fmt)
        again = tmp_path / f"again-{fmt}.sqlite3"
        do_import(again, out, fmt)
        conn = sqlite3.connect(again)
        assert conn.execute("SELECT text FROM comments").fetchone()[0] == text
        conn.close()


def test_csv_with_commas_quotes_and_newlines_in_subjects(tmp_path: Path) -> None:
    subjects = ['Нет связи, "срочно"', "Две\nстроки, и «кавычки»", 'a,"b",\r\nc', ""]
    src = tmp_path / "src.jsonl"
    write_jsonl(src, [ticket(f"S-{i}", subject=s) for i, s in enumerate(subjects)])
    db = tmp_path / "a.sqlite3"
    do_import(db, src, "jsonl")
    csv_file = tmp_path / "out.csv"
    export(db, csv_file, "csv")
    db2 = tmp_path / "b.sqlite3"
    assert do_import(db2, csv_file, "csv") == len(subjects)
    conn = sqlite3.connect(db2)
    got = [r[0] for r in conn.execute("SELECT subject FROM tickets ORDER BY number")]
    conn.close()
    assert got == subjects
    csv_again = tmp_path / "again.csv"
    export(db2, csv_again, "csv")
    assert csv_again.read_bytes() == csv_file.read_bytes()


def test_csv_problem_lines_count_multiline_records(tmp_path: Path) -> None:
    src = tmp_path / "src.jsonl"
    write_jsonl(src, [ticket("M-1", subject="первая\nвторая\nтретья"), ticket("M-2")])
    db = tmp_path / "a.sqlite3"
    do_import(db, src, "jsonl")
    csv_file = tmp_path / "out.csv"
    export(db, csv_file, "csv")
    broken = csv_file.read_text(encoding="utf-8").replace("Срочный", "Космический")
    csv_file.write_text(broken, encoding="utf-8")
    with pytest.raises(ImportRefused) as caught:
        do_import(tmp_path / "b.sqlite3", csv_file, "csv")
    assert [(p.line, p.field) for p in caught.value.problems] == [(2, "priority"), (5, "priority")]
