"""The File menu's data jobs in the real window (offscreen): export, import, demo generation and
switching databases, each with progress and a Cancel that changes nothing.

A cancel is made deterministic by a gate: the job's progress report (on the worker thread)
shows its progress and then waits at the gate, the test presses Cancel in the dialog and opens
the gate, and the job must stop at that very checkpoint.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from opdesk import settings
from opdesk.demo import generate, load
from opdesk.store.database import open_local
from opdesk.transfer import import_file
from opdesk.ui import data_jobs, main_window
from opdesk.ui.data_jobs import CANCELLED, DONE, FAILED, REFUSED, DataJob, DataJobs
from opdesk.ui.main_window import MainWindow
from tests.ui.conftest import NOW, sql

WAIT = 60_000


def jobs(window: MainWindow) -> DataJobs:
    found: DataJobs = window.data_jobs
    return found


def answer_files(monkeypatch: pytest.MonkeyPatch, path: Path, chosen: str = "") -> None:
    """The next file dialogs (open and save) answer `path` without showing anything."""
    answer = staticmethod(lambda *_a, **_k: (str(path), chosen))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", answer)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)


def trigger(window: MainWindow, name: str) -> DataJob:
    """Run a File-menu action, as the person would; returns the job it started."""
    before = jobs(window).job
    jobs(window).actions[name].trigger()
    job = jobs(window).job
    assert job is not None and job is not before, f"{name} started no job"
    return job


def finish(qtbot: QtBot, job: DataJob) -> data_jobs.Outcome:
    qtbot.waitUntil(lambda: job.outcome is not None, timeout=WAIT)
    assert job.outcome is not None
    assert not job.dialog.isVisible()
    return job.outcome


def count(path: Path, table: str = "tickets") -> int:
    return int(str(sql(path, f"SELECT count(*) FROM {table}")[0][0]))


def open_ids(path: Path) -> list[int]:
    rows = sql(path, "SELECT id FROM tickets WHERE is_open ORDER BY created_at DESC, id DESC")
    return [int(str(r[0])) for r in rows]


def renamed(source: Path, target: Path, owner: bool = True, limit: int | None = None) -> Path:
    """A copy of an export whose tickets are new to any desk (numbers and UUIDs changed)."""
    lines = source.read_text("utf-8").splitlines()[:limit]
    out = []
    for i, line in enumerate(lines):
        rec = json.loads(line)
        rec["number"], rec["uuid"] = f"NEW-{i}", str(uuid.uuid4())
        if not owner:
            rec["owner"] = ""
        out.append(json.dumps(rec, ensure_ascii=False) + "\n")
    target.write_text("".join(out), "utf-8")
    return target


def shows(qtbot: QtBot, window: MainWindow, ids: list[int]) -> None:
    """Wait until the queue lists `ids`; a desk whose people do not include the remembered
    person asks who works there first, and is answered with the first one."""

    def ready() -> bool:
        dialog = window.person_dialog
        if dialog is not None and dialog.isVisible():
            dialog.accept()
        return window.model is not None and list(window.model.ids) == ids

    qtbot.waitUntil(ready, timeout=WAIT)


@dataclass
class Gate:
    """Holds the worker at the first progress report for which `when(done, total)` holds."""

    when: Callable[[int, int], bool] = lambda _d, _t: True
    arrived: threading.Event = field(default_factory=threading.Event)
    opened: threading.Event = field(default_factory=threading.Event)
    reports: list[tuple[int, int]] = field(default_factory=list)

    def hold(self, done: int, total: int) -> None:
        self.reports.append((done, total))
        if not self.arrived.is_set() and self.when(done, total):
            self.arrived.set()
            assert self.opened.wait(WAIT / 1000), "the test never opened the gate"

    def cancel_when_held(self, qtbot: QtBot, job: DataJob) -> None:
        """Wait for the worker at the gate, press Cancel in the dialog, let the worker on."""
        try:
            qtbot.waitUntil(self.arrived.is_set, timeout=WAIT)
            assert job.dialog.isVisible()
            job.dialog.cancel_button.click()
            assert job.cancelled() and not job.dialog.cancel_button.isEnabled()
            assert job.dialog.isVisible()  # up until the job has undone its work
        finally:
            self.opened.set()


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    g = Gate()

    def report(self: DataJob, done: int, total: int) -> None:
        self.progressed.emit(done, total)  # unthrottled: every report reaches the dialog
        g.hold(done, total)

    monkeypatch.setattr(DataJob, "report", report)
    yield g
    g.opened.set()  # never leave a worker waiting


# -- export and import ------------------------------------------------------------------------


def test_export_all_then_import_into_a_fresh_database(
    qtbot: QtBot,
    window: MainWindow,
    desk_file: Path,
    exported: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "all.jsonl"
    answer_files(monkeypatch, out, "JSON Lines (*.jsonl)")
    outcome = finish(qtbot, trigger(window, "export_all"))
    assert (outcome.state, outcome.count) == (DONE, 400)
    assert len(out.read_text("utf-8").splitlines()) == 400
    assert "400" in window.statusBar().currentMessage()

    # A fresh desk: one ticket of its own and nobody in its directory (an empty one would be
    # filled with demo data on opening, as at the first start).
    fresh = tmp_path / "fresh.sqlite3"
    db = open_local(fresh)
    try:
        one = renamed(exported, tmp_path / "one.jsonl", owner=False, limit=1)
        import_file(db, one, "jsonl", NOW)
    finally:
        db.close()
    with qtbot.waitSignal(window.queueLoaded, timeout=WAIT):
        outcome = finish(qtbot, window.switch_database(fresh))
    assert outcome.state == DONE
    answer_files(monkeypatch, out)
    with qtbot.waitSignal(window.queueLoaded, timeout=WAIT) as loaded:  # the queue refreshes
        outcome = finish(qtbot, trigger(window, "import"))
    assert (outcome.state, outcome.count) == (DONE, 400)
    # An import is a data job, not a command a server could re-run: it records no op.
    assert count(fresh) == 401 and count(fresh, "outbox") == 0
    assert loaded.args[0] == len(open_ids(fresh)) >= len(open_ids(desk_file))
    qtbot.waitUntil(lambda: window.counts_label.text() != "", timeout=WAIT)


def test_export_of_the_current_filter_writes_the_queue_in_its_order(
    qtbot: QtBot,
    window: MainWindow,
    desk_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "queue.csv"
    answer_files(monkeypatch, out, "CSV (*.csv)")
    outcome = finish(qtbot, trigger(window, "export"))
    assert window.model is not None
    assert (outcome.state, outcome.count) == (DONE, len(window.model.ids))
    numbers = {r[0]: r[1] for r in sql(desk_file, "SELECT id, number FROM tickets")}
    text = out.read_text("utf-8")
    first = [numbers[i] for i in list(window.model.ids)[:3]]
    assert text.startswith("uuid,number,")  # CSV by the chosen filter and the name
    assert [text.index(f",{n},") for n in first] == sorted(text.index(f",{n},") for n in first)


def test_a_bad_file_is_refused_with_its_line_and_nothing_changes(
    qtbot: QtBot,
    window: MainWindow,
    desk_file: Path,
    exported: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = renamed(exported, tmp_path / "bad.jsonl", limit=3)
    lines = bad.read_text("utf-8").splitlines()
    rec = json.loads(lines[1])
    rec["priority"] = "Космический"
    lines[1] = json.dumps(rec, ensure_ascii=False)
    bad.write_text("\n".join([*lines, "{not json"]) + "\n", "utf-8")
    before = count(desk_file)
    answer_files(monkeypatch, bad)
    outcome = finish(qtbot, trigger(window, "import"))
    assert outcome.state == REFUSED
    assert {(p.line, p.field) for p in outcome.problems} >= {(2, "priority")}
    shown = jobs(window).problems
    assert shown is not None and shown.isVisible()
    listing = shown.text.toPlainText()
    assert "Строка 2, priority" in listing and "Космический" in listing
    assert "Строка 4" in listing  # the line that is not JSON
    assert count(desk_file) == before
    shown.reject()


def test_cancel_during_import_changes_nothing(
    qtbot: QtBot,
    window: MainWindow,
    desk_file: Path,
    exported: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    gate: Gate,
) -> None:
    """Cancelled after a batch went into the open transaction: it rolls back. The dialog
    shows the share of the file read (KiB of KiB, as a percentage)."""
    before = {t: count(desk_file, t) for t in ("tickets", "events", "outbox", "ticket_fts")}
    file = renamed(exported, tmp_path / "new.jsonl")
    answer_files(monkeypatch, file)
    gate.when = lambda done, total: total > 0 and done > 0
    job = trigger(window, "import")
    qtbot.waitUntil(gate.arrived.is_set, timeout=WAIT)
    held = gate.reports[-1]
    kib = file.stat().st_size // 1024
    assert held[1] == kib and 0 < held[0] < kib  # after the first batch, not the whole file
    qtbot.waitUntil(lambda: job.dialog.bar.value() == held[0], timeout=WAIT)
    assert job.dialog.bar.maximum() == kib
    assert f"{held[0] * 100 // kib} %" in job.dialog.label.text()
    gate.cancel_when_held(qtbot, job)
    assert finish(qtbot, job).state == CANCELLED
    assert gate.reports[-1] == held  # stopped at the checkpoint where it was held
    assert {t: count(desk_file, t) for t in before} == before
    assert "отменён" in window.statusBar().currentMessage()


# -- cancel leaves no file ----------------------------------------------------------------------


def test_cancel_during_export_leaves_no_file(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gate: Gate
) -> None:
    out = tmp_path / "out" / "all.jsonl"
    out.parent.mkdir()
    answer_files(monkeypatch, out)
    gate.when = lambda done, total: done == total > 0  # every row is in the part file
    job = trigger(window, "export_all")
    qtbot.waitUntil(gate.arrived.is_set, timeout=WAIT)
    part = out.with_name("all.jsonl.part")
    assert part.stat().st_size > 0 and not out.exists()
    gate.cancel_when_held(qtbot, job)
    assert finish(qtbot, job).state == CANCELLED
    assert list(out.parent.iterdir()) == []


def test_cancel_during_demo_generation_leaves_no_file(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gate: Gate
) -> None:
    monkeypatch.setattr(load, "CHUNK", 100)  # several chunks from a few hundred tickets
    target = tmp_path / "demo" / "new.sqlite3"
    target.parent.mkdir()
    answer_files(monkeypatch, target)
    monkeypatch.setattr(QInputDialog, "getInt", staticmethod(lambda *_a, **_k: (500, True)))
    gate.when = lambda done, _total: done > 0
    job = trigger(window, "create_demo")
    qtbot.waitUntil(gate.arrived.is_set, timeout=WAIT)
    assert not target.exists()  # half made beside it, never at the target (issue 10 #5)
    assert any(target.parent.glob(f".{target.name}.demo-*"))
    qtbot.waitUntil(lambda: job.dialog.bar.value() == 100, timeout=WAIT)
    assert "100 из 500" in job.dialog.label.text()
    gate.cancel_when_held(qtbot, job)
    assert finish(qtbot, job).state == CANCELLED
    assert list(target.parent.iterdir()) == []
    assert jobs(window).offer is None  # nothing to open


def test_a_demo_over_a_desk_with_data_is_refused_and_the_file_kept(
    qtbot: QtBot,
    window: MainWindow,
    demo_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = tmp_path / "other.sqlite3"
    other.write_bytes(demo_file.read_bytes())
    before = other.read_bytes()
    answer_files(monkeypatch, other)
    monkeypatch.setattr(QInputDialog, "getInt", staticmethod(lambda *_a, **_k: (50, True)))
    outcome = finish(qtbot, trigger(window, "create_demo"))
    assert outcome.state == FAILED
    notice = jobs(window).notice
    assert notice is not None and "уже есть данные" in notice.text()
    assert other.read_bytes() == before
    notice.accept()


# -- demo, then open it; switching databases ----------------------------------------------------


def test_a_new_demo_desk_is_offered_and_opened_in_place_of_the_current_one(
    qtbot: QtBot,
    window: MainWindow,
    desk_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "made.sqlite3"
    answer_files(monkeypatch, target)
    monkeypatch.setattr(QInputDialog, "getInt", staticmethod(lambda *_a, **_k: (150, True)))
    outcome = finish(qtbot, trigger(window, "create_demo"))
    assert (outcome.state, outcome.count) == (DONE, 150)
    offer = jobs(window).offer
    assert offer is not None and offer.isVisible() and "150" in offer.text()
    old_writer = window.writer
    offer.button(QMessageBox.StandardButton.Yes).click()
    job = jobs(window).job
    assert job is not None
    outcome = finish(qtbot, job)
    assert outcome.state == DONE
    shows(qtbot, window, open_ids(target))
    assert window.writer is not old_writer
    assert window.actions_ is not None and window.actions_.writer is window.writer
    assert window.desk is not None and window.desk.db.engine.url.database == str(target)


def test_switch_database_shows_the_other_desks_tickets(
    qtbot: QtBot, window: MainWindow, desk_file: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.sqlite3"
    generate(other, 150, seed=5, now=NOW, workers=0)
    assert open_ids(other) != open_ids(desk_file)
    assert window.model is not None and list(window.model.ids) == open_ids(desk_file)
    job = window.switch_database(other)
    assert job.dialog.isVisible()
    assert finish(qtbot, job).state == DONE
    shows(qtbot, window, open_ids(other))
    assert settings.load().database == str(other)  # the next start opens this desk
    assert len(window.findChildren(data_jobs.DataJobs)) == 1  # the menus were built once
    assert finish(qtbot, window.switch_database(desk_file)).state == DONE  # and back again
    shows(qtbot, window, open_ids(desk_file))


def test_cancelled_or_refused_opening_stays_on_the_current_database(
    qtbot: QtBot,
    window: MainWindow,
    desk_file: Path,
    demo_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = tmp_path / "elsewhere" / "other.sqlite3"
    other.parent.mkdir()
    other.write_bytes(demo_file.read_bytes())
    before = other.read_bytes()
    arrived, opened = threading.Event(), threading.Event()
    real_check = main_window.check_sqlite_file

    def slow_check(path: Path) -> None:  # the read-only checks of a large file
        real_check(path)
        arrived.set()
        assert opened.wait(WAIT / 1000)

    monkeypatch.setattr(main_window, "check_sqlite_file", slow_check)
    desk, writer = window.desk, window.writer
    job = window.switch_database(other)
    try:
        qtbot.waitUntil(arrived.is_set, timeout=WAIT)
        job.dialog.cancel_button.click()
    finally:
        opened.set()
    assert finish(qtbot, job).state == CANCELLED
    assert window.desk is desk and window.writer is writer
    assert other.read_bytes() == before
    assert sorted(p.name for p in other.parent.iterdir()) == ["other.sqlite3"]  # no -wal

    monkeypatch.setattr(main_window, "check_sqlite_file", real_check)
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\x13" * 8000)
    damaged = corrupt.read_bytes()
    with qtbot.waitSignal(window.database_failed, timeout=WAIT) as failed:
        job = window.switch_database(corrupt)
    assert finish(qtbot, job).state == FAILED
    assert "не изменён" in failed.args[0]
    assert corrupt.read_bytes() == damaged
    assert window.desk is desk and window.writer is writer
    notice = window.findChildren(QMessageBox)[-1]
    assert notice.isVisible() and "не изменён" in notice.text()
    notice.accept()
    with qtbot.waitSignal(window.queueLoaded, timeout=WAIT):  # the old desk still answers
        window.run_query(window.query)
