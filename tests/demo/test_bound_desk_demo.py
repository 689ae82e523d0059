"""`opdesk demo` never fills a workstation's database bound to a shared desk's server, not even
with --force: the demo tickets would never reach the server (its check would sweep them), and
replacing the file would drop the ops still waiting for the server. Refused before anything is
written, with the reason and another file to use; the database is left byte for byte."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from opdesk.demo import DemoError, generate
from tests.transfer.bound_support import bind, files, opdesk, says_why

NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize("force", [False, True])
def test_a_demo_over_a_bound_database_is_refused(tmp_path: Path, force: bool) -> None:
    path = tmp_path / "workstation.sqlite3"
    bind(path)
    before = files(path)
    with pytest.raises(DemoError) as refused:
        generate(path, 20, seed=1, now=NOW, force=force, workers=0)
    says_why(refused.value.message_ru, refused.value.message_en)
    assert "демо" in refused.value.message_ru and "другом файле" in refused.value.message_ru
    assert "another file" in refused.value.message_en
    assert "--force" not in refused.value.message_ru.split("(")[0]  # force is no way out here
    assert files(path) == before
    assert not [p for p in tmp_path.iterdir() if p.is_dir()]  # no desk was built beside it


def test_opdesk_demo_force_refuses_a_bound_database(tmp_path: Path) -> None:
    path = tmp_path / "workstation.sqlite3"
    bind(path)
    before = files(path)
    done = opdesk("demo", "--tickets", "20", "--db", str(path), "--force", "--quiet")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "демо-база готова" not in done.stdout
    says_why(done.stderr, done.stderr)
    assert files(path) == before


def test_an_unbound_database_is_still_replaced_with_force(tmp_path: Path) -> None:
    path = tmp_path / "lone.sqlite3"
    generate(path, 5, seed=1, now=NOW, workers=0)
    summary = generate(path, 12, seed=2, now=NOW, force=True, workers=0)
    assert summary.tickets == 12
