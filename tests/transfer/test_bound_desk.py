"""Writers without ops refuse a workstation's database bound to a shared desk's server.

An import (API and `opdesk import`) and the reference-data commands (`add_person`,
`add_client`, `ensure_departments`) write rows no op carries: on a bound database they would
never reach the server and its check would sweep them away. Each is refused before it writes,
says why and what to do instead, and leaves the database file byte for byte as it was; an
unbound database still imports.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from opdesk import services
from opdesk.clock import FixedClock
from opdesk.demo import generate
from opdesk.regulations.pack import Pack, load_default_pack
from opdesk.services.desk import Desk
from opdesk.store.database import open_local
from opdesk.store.local_writes import SERVER_KEY, SharedDeskRefusal
from opdesk.sync import state
from opdesk.transfer import export_file, import_file
from tests.transfer.bound_support import bind, files, opdesk, says_why

NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_default_pack()


@pytest.fixture(scope="module")
def tickets_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An export of a small demo desk: a good file any unbound desk imports."""
    folder = tmp_path_factory.mktemp("bound-import")
    demo = folder / "demo.sqlite3"
    generate(demo, 40, seed=7, now=NOW, workers=0)
    file = folder / "tickets.jsonl"
    db = open_local(demo)
    try:
        assert export_file(db, file, "jsonl", NOW) == 40
    finally:
        db.close()
    return file


def tickets(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM tickets").fetchone()[0])
    finally:
        conn.close()


def test_the_guard_reads_the_key_the_sync_binds_with() -> None:
    assert SERVER_KEY == state.SERVER_ID


def test_an_import_into_a_bound_database_is_refused_and_writes_nothing(
    tickets_file: Path, tmp_path: Path
) -> None:
    path = tmp_path / "workstation.sqlite3"
    bind(path)
    before = files(path)
    db = open_local(path)
    try:
        with pytest.raises(SharedDeskRefusal) as refused:
            import_file(db, tickets_file, "jsonl", NOW, workers=0)
    finally:
        db.close()
    says_why(refused.value.message_ru, refused.value.message_en)
    # what to do instead: a desk that does not sync, or the administrator (no server import)
    assert "импорт" in refused.value.message_ru
    assert "не синхронизируется" in refused.value.message_ru
    assert "администратор" in refused.value.message_ru
    assert "does not sync" in refused.value.message_en
    assert "administrator" in refused.value.message_en
    assert files(path) == before and tickets(path) == 0


def test_a_bound_desk_holding_tickets_is_refused_too(tickets_file: Path, tmp_path: Path) -> None:
    """The server's tickets pulled here do not make an import safe: its own would be swept."""
    source = tmp_path / "source.sqlite3"
    generate(source, 10, seed=2, now=NOW, workers=0)
    path = tmp_path / "workstation.sqlite3"
    shutil.copy(source, path)
    bind(path)
    before = files(path)
    db = open_local(path)
    try:
        with pytest.raises(SharedDeskRefusal):
            import_file(db, tickets_file, "jsonl", NOW, workers=0)
    finally:
        db.close()
    assert files(path) == before and tickets(path) == 10


def test_opdesk_import_refuses_a_bound_database(tickets_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "workstation.sqlite3"
    bind(path)
    before = files(path)
    done = opdesk("import", str(tickets_file), "--db", str(path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert str(path) in done.stderr
    says_why(done.stderr, done.stderr)
    assert "не синхронизируется" in done.stderr and "does not sync" in done.stderr
    assert "импортировано" not in done.stdout
    assert files(path) == before and tickets(path) == 0


def test_an_unbound_database_still_imports(tickets_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "lone.sqlite3"
    db = open_local(path)
    try:
        with db.transaction() as s:
            state.read(s)  # a client id alone (the window's look at the sync state) binds nothing
        assert import_file(db, tickets_file, "jsonl", NOW, workers=0) == 40
    finally:
        db.close()
    assert tickets(path) == 40
    done = opdesk("import", str(tickets_file), "--db", str(tmp_path / "other.sqlite3"))
    assert done.returncode == 0, done.stderr
    assert tickets(tmp_path / "other.sqlite3") == 40


def reference_counts(path: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(path)
    try:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
            for t in ("people", "clients", "departments")
        )
    finally:
        conn.close()


def test_reference_rows_are_refused_on_a_bound_database(pack: Pack, tmp_path: Path) -> None:
    """People and clients added straight to the tables carry no op either."""
    path = tmp_path / "workstation.sqlite3"
    bind(path)
    before = files(path)
    db = open_local(path)
    try:
        desk = Desk(db, pack, FixedClock(NOW))
        with pytest.raises(SharedDeskRefusal) as person:
            services.add_person(desk, "ivanova", "Иванова И.И.", "operator", "opp")
        with pytest.raises(SharedDeskRefusal) as client:
            services.add_client(desk, "ООО Ромашка", mobile="+79161234567")
        with pytest.raises(SharedDeskRefusal) as departments:
            services.ensure_departments(desk)
    finally:
        db.close()
    for refused in (person.value, client.value, departments.value):
        says_why(refused.message_ru, refused.message_en)
    assert "«ivanova»" in person.value.message_ru and "opdesk server add-person" in (
        person.value.message_ru
    )
    assert "«ООО Ромашка»" in client.value.message_ru
    assert "administrator" in client.value.message_en
    assert files(path) == before and reference_counts(path) == (0, 0, 0)


def test_reference_rows_go_in_on_an_unbound_database(pack: Pack, tmp_path: Path) -> None:
    """And on a bound one, the departments a pull already brought ask nothing to be written."""
    path = tmp_path / "lone.sqlite3"
    db = open_local(path)
    try:
        desk = Desk(db, pack, FixedClock(NOW))
        services.ensure_departments(desk)
        services.add_person(desk, "ivanova", "Иванова И.И.", "operator", "opp")
        services.add_client(desk, "ООО Ромашка", mobile="+79161234567")
        departments = reference_counts(path)[2]
        with db.transaction() as s:
            state.bind_server(s, state.read(s).client_id)  # any id: bound from now on
        services.ensure_departments(desk)  # nothing missing: nothing to refuse
    finally:
        db.close()
    assert reference_counts(path) == (1, 1, departments) and departments > 0
