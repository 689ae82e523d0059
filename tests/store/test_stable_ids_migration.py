"""Migration 0008 re-keys an existing desk's departments and people to their stable ids,
moving every row that points at them, and leaves no broken foreign key."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from opdesk.models.base import stable_id
from opdesk.store import migrate
from opdesk.store.database import open_local, sqlite_engine


def test_an_old_desk_is_re_keyed_with_its_pointers(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = sqlite_engine(path)
    migrate.upgrade(engine, "0007")
    engine.dispose()
    old = {name: uuid.uuid4().hex for name in ("oe", "opp", "ivanova")}
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("INSERT INTO departments VALUES (?, 'oe', 'ОЭ')", (old["oe"],))
        conn.execute("INSERT INTO departments VALUES (?, 'opp', 'ОПП')", (old["opp"],))
        conn.execute(
            "INSERT INTO people (id, login, name, role, department_id) "
            "VALUES (?, 'ivanova', 'Иванова', 'operator', ?)",
            (old["ivanova"], old["opp"]),
        )
    open_local(path).close()  # migrates to the head
    with sqlite3.connect(path) as conn:
        depts = dict(conn.execute("SELECT code, id FROM departments"))
        person = conn.execute("SELECT id, department_id FROM people").fetchone()
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    assert depts == {
        "oe": stable_id("department", "oe").hex,
        "opp": stable_id("department", "opp").hex,
    }
    assert person == (stable_id("person", "ivanova").hex, stable_id("department", "opp").hex)
    assert broken == []
