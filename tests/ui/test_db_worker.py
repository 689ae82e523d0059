"""The window's database threads: results on the GUI thread, a newer job of the same key
supersedes the older (skipped, or told to stop and its result dropped)."""

from __future__ import annotations

import threading
from pathlib import Path

from pytestqt.qtbot import QtBot

from opdesk.clock import FixedClock
from opdesk.regulations.pack import load_default_pack
from opdesk.services import Desk
from opdesk.store.database import open_local
from opdesk.ui.db_worker import DbThread
from tests.ui.conftest import NOW


def test_a_newer_job_of_a_key_stops_the_running_one_and_drops_its_result(
    qtbot: QtBot, desk_file: Path
) -> None:
    db = open_local(desk_file)
    thread = DbThread("test", Desk(db, load_default_pack(), FixedClock(NOW)))
    started, submitted = threading.Event(), threading.Event()
    seen: list[bool] = []
    delivered: list[str] = []

    def slow(_desk: Desk) -> str:
        started.set()
        submitted.wait(10)
        seen.append(thread.running_is_stale())  # what a long read asks between batches
        return "old"

    try:
        thread.submit(slow, delivered.append, key="ids")
        assert started.wait(10)
        assert not thread.running_is_stale()  # asked from elsewhere: nothing runs stale yet
        thread.submit(lambda _d: "new", delivered.append, key="ids")
        submitted.set()
        qtbot.waitUntil(lambda: delivered == ["new"], timeout=10_000)
        assert seen == [True]  # the running job learned it was superseded
        thread.submit(lambda _d: "other", delivered.append, key="counts")
        qtbot.waitUntil(lambda: delivered == ["new", "other"], timeout=10_000)
    finally:
        thread.stop()
        db.close()
