"""Opening the desk's database sweeps what a killed demo run left beside it (issue 10 #5)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from opdesk.clock import FixedClock
from opdesk.ui.database_job import open_desk_database
from tests.ui.conftest import NOW


def test_opening_removes_a_dead_runs_folder_and_keeps_a_live_one(desk_file: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead = desk_file.parent / f".{desk_file.name}.demo-{int(gone.stdout)}-abcd"
    (dead / "chunks").mkdir(parents=True)
    live = desk_file.parent / f".{desk_file.name}.demo-{os.getpid()}-efgh"
    live.mkdir()
    opened = open_desk_database(desk_file, FixedClock(NOW))
    try:
        assert not opened.generated
        assert not dead.exists() and live.exists()
    finally:
        opened.db.close()
