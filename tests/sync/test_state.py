"""The workstation's sync state: one client id for the life of the database file, whatever
restarts it; a refresh asked for twice is merged into one."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

from opdesk.store.database import open_local
from opdesk.sync import state
from opdesk.sync.state import Refresh

ROOT = Path(__file__).resolve().parents[2]


def test_the_client_id_is_made_once_and_survives_restarts(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    db = open_local(path)
    first = state.client_id(db)
    assert first.version == 7  # uuid7: time-ordered, like every id the workstation makes
    assert state.client_id(db) == first
    db.close()
    db = open_local(path)
    assert state.client_id(db) == first
    db.close()
    script = "import sys; from pathlib import Path; from opdesk.store.database import open_local;"
    script += (
        " from opdesk.sync import state; print(state.client_id(open_local(Path(sys.argv[1]))))"
    )
    other = subprocess.run([sys.executable, "-c", script, str(path)], cwd=ROOT,
                           capture_output=True, text=True, check=True)  # fmt: skip
    assert uuid.UUID(other.stdout.strip()) == first
    assert state.client_id(open_local(tmp_path / "other.sqlite")) != first


def test_a_new_database_starts_from_nothing(tmp_path: Path) -> None:
    status = state.load(open_local(tmp_path / "ws.sqlite"))
    assert (status.server_id, status.cursor, status.last_op) == (None, 0, 0)
    assert not status.training and status.refresh is None


def test_training_and_server_binding_are_kept(tmp_path: Path) -> None:
    db = open_local(tmp_path / "ws.sqlite")
    state.set_training(db, True)
    server = uuid.uuid4()
    with db.transaction() as s:
        state.bind_server(s, server)
        state.set_cursor(s, 42)
        state.set_last_op(s, 7)
    status = state.load(db)
    assert status.training and status.server_id == server
    assert (status.cursor, status.last_op) == (42, 7)


def test_refreshes_merge_and_clear(tmp_path: Path) -> None:
    db = open_local(tmp_path / "ws.sqlite")
    a, b = uuid.uuid4(), uuid.uuid4()
    with db.transaction() as s:
        state.request_refresh(s, Refresh(90, frozenset({a}), sweep=False))
        merged = state.request_refresh(s, Refresh(40, frozenset({b}), sweep=True))
    assert merged == Refresh(40, frozenset({a, b}), sweep=True)
    assert state.load(db).refresh == merged
    with db.transaction() as s:
        everything = state.request_refresh(s, Refresh(0, None, sweep=True))
    assert everything == Refresh(0, None, sweep=True)
    with db.transaction() as s:
        state.clear_refresh(s)
    assert state.load(db).refresh is None
