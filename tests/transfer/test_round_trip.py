"""Every field of every ticket survives export → import → export, in JSONL and in CSV (issue 10).

Why the exports are also compared with the database and across formats: a field the exporter
drops (writes empty) round-trips "identically" as empty, so export → import → export alone
cannot see the loss; the flags in the file must be the flags in the database, and a desk that
went through CSV must export the same JSON Lines as the desk it came from.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from opdesk.demo import generate
from opdesk.store.database import open_local
from opdesk.transfer import export_file, import_file
from opdesk.transfer.check import BOOL_FIELDS
from opdesk.transfer.read import CSV_FIELDS

NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
TICKETS = 300
FLAGS = ("client_dissatisfied", "client_allows_closing")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("round-trip") / "demo.sqlite3"
    generate(path, TICKETS, seed=5, now=NOW, workers=0)
    return path


def export(db_path: Path, file: Path, fmt: str) -> int:
    db = open_local(db_path)
    try:
        return export_file(db, file, fmt, NOW)
    finally:
        db.close()


def do_import(db_path: Path, file: Path, fmt: str) -> int:
    db = open_local(db_path)
    try:
        return import_file(db, file, fmt, now=NOW)
    finally:
        db.close()


def records(file: Path, fmt: str) -> list[dict[str, Any]]:
    """The file's records as written, one dict per ticket (CSV cells stay text)."""
    with file.open(encoding="utf-8", newline="") as stream:
        if fmt == "csv":
            rows = list(csv.DictReader(stream))
            assert rows and list(rows[0]) == list(CSV_FIELDS)
            return rows
        return [json.loads(line) for line in stream if line.strip()]


def db_flags(path: Path) -> dict[str, dict[str, bool]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(f"SELECT number, {', '.join(BOOL_FIELDS)} FROM tickets").fetchall()
    finally:
        conn.close()
    return {r[0]: dict(zip(BOOL_FIELDS, map(bool, r[1:]), strict=True)) for r in rows}


def file_flags(recs: list[dict[str, Any]], fmt: str) -> dict[str, dict[str, Any]]:
    if fmt == "csv":
        text = {"true": True, "false": False}
        return {r["number"]: {f: text.get(r[f], r[f]) for f in BOOL_FIELDS} for r in recs}
    return {r["number"]: {f: r.get(f) for f in BOOL_FIELDS} for r in recs}


def true_counts(flags: dict[str, dict[str, Any]]) -> dict[str, int]:
    return {name: sum(f[name] is True for f in flags.values()) for name in BOOL_FIELDS}


def test_the_demo_has_tickets_with_the_flags_set(demo: Path) -> None:
    counts = true_counts(db_flags(demo))
    for name in FLAGS:
        assert counts[name] > 0, name


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_every_field_round_trips(demo: Path, tmp_path: Path, fmt: str) -> None:
    first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    assert export(demo, first, fmt) == TICKETS
    exported = records(first, fmt)
    # the file carries the database's flags
    assert true_counts(file_flags(exported, fmt)) == true_counts(db_flags(demo))
    assert file_flags(exported, fmt) == db_flags(demo)

    fresh = tmp_path / "fresh.sqlite3"
    assert do_import(fresh, first, fmt) == TICKETS
    assert db_flags(fresh) == db_flags(demo)
    assert export(fresh, second, fmt) == TICKETS
    again = records(second, fmt)
    assert [r["number"] for r in again] == [r["number"] for r in exported]
    for a, b in zip(exported, again, strict=True):
        assert a == b, a["number"]
    assert first.read_bytes() == second.read_bytes()


def test_a_desk_imported_from_csv_exports_the_same_jsonl(demo: Path, tmp_path: Path) -> None:
    jsonl, via_csv, back = tmp_path / "a.jsonl", tmp_path / "a.csv", tmp_path / "b.jsonl"
    assert export(demo, jsonl, "jsonl") == TICKETS
    assert export(demo, via_csv, "csv") == TICKETS
    fresh = tmp_path / "fresh.sqlite3"
    assert do_import(fresh, via_csv, "csv") == TICKETS
    assert export(fresh, back, "jsonl") == TICKETS
    for a, b in zip(records(jsonl, "jsonl"), records(back, "jsonl"), strict=True):
        assert a == b, a["number"]
