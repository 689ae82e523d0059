"""The window's «Импорт заявок…» on a workstation of a shared desk (a database bound to its
server) is refused and said in the operator's language: the tickets would never reach the
server, so nothing is written and the operator is told where to import instead."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from opdesk import settings
from opdesk.clock import FixedClock
from opdesk.regulations.pack import load_default_pack
from opdesk.store.local_writes import SharedDeskRefusal
from opdesk.ui.data_jobs import FAILED
from opdesk.ui.main_window import MainWindow
from tests.transfer.bound_support import bind, files, says_why
from tests.ui.conftest import NOW, sql

WAIT = 60_000


@pytest.mark.parametrize("language", ["ru", "en"])
def test_import_on_a_bound_workstation_is_refused_in_the_operators_language(
    qtbot: QtBot,
    demo_file: Path,
    exported: Path,
    operator_login: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
) -> None:
    path = tmp_path / "workstation.sqlite3"
    shutil.copy(demo_file, path)
    bind(path)  # as its first sync did: the server's tickets are here, the desk is bound
    tickets = sql(path, "SELECT count(*) FROM tickets")
    prefs = settings.Settings(person=operator_login, language=language)
    window = MainWindow(load_default_pack(), FixedClock(NOW), prefs)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.queueLoaded, timeout=WAIT):
        window.open_database(path)
    answer = staticmethod(lambda *_a, **_k: (str(exported), ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", answer)
    before = files(path)
    jobs = window.data_jobs
    jobs.actions["import"].trigger()
    job = jobs.job
    assert job is not None
    qtbot.waitUntil(lambda: job.outcome is not None, timeout=WAIT)
    assert job.outcome is not None and job.outcome.state == FAILED
    refused = job.outcome.value
    assert isinstance(refused, SharedDeskRefusal)
    says_why(refused.message_ru, refused.message_en)
    notice = jobs.notice
    assert notice is not None and notice.isVisible()
    assert notice.icon() == QMessageBox.Icon.Warning
    assert exported.name in notice.text()
    # why in the text, what to do instead apart from it
    if language == "en":
        assert refused.why_en in notice.text() and "shared server" in notice.text()
        assert notice.informativeText() == refused.instead_en
        assert "does not sync" in notice.informativeText()
        assert "administrator" in notice.informativeText()
    else:
        assert refused.why_ru in notice.text() and "общего сервера" in notice.text()
        assert notice.informativeText() == refused.instead_ru
        assert "не синхронизируется" in notice.informativeText()
        assert "администратор" in notice.informativeText()
    notice.accept()
    window.close()
    assert sql(path, "SELECT count(*) FROM tickets") == tickets
    assert files(path) == before
