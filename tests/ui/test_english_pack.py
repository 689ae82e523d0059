"""In English the regulation speaks English where the pack has it (statuses, processes,
transitions, rule texts) — a refusal in a language the operator chose not to read helps no one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from opdesk.ui.main_window import MainWindow
from opdesk.ui.queue_model import COLUMNS
from tests.ui.conftest import sql
from tests.ui.test_i18n import english, qm_dir  # noqa: F401  (fixtures)
from tests.ui.test_workstation import select_ids


@pytest.mark.usefixtures("english")
def test_statuses_transitions_and_refusals_in_english(
    qtbot: QtBot, window: MainWindow, desk_file: Path
) -> None:
    tid = sql(desk_file, "SELECT id FROM tickets WHERE process = 'csn' AND status = "
              "'in_progress' ORDER BY id LIMIT 1")[0][0]  # fmt: skip
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        window.filters.select("Все")
    view = select_ids(qtbot, window, [int(tid)])  # type: ignore[call-overload]
    assert window.detail.title.text().split("·")[1].strip().startswith("In progress")
    model = window.model
    assert model is not None
    row = model.row_of(int(tid))
    status_column = [f for _t, f in COLUMNS].index("status")
    qtbot.waitUntil(lambda: model.cached(row) is not None, timeout=10_000)
    assert model.data(model.index(row, status_column), Qt.ItemDataRole.DisplayRole) == "In progress"
    actions = window.actions_
    assert actions is not None
    actions.status_menu.aboutToShow.emit()
    labels = {a.objectName(): a.text() for a in actions.status_menu.actions()}
    assert labels["transition_resolve"].startswith("Resolve")
    refused = next(o for o in view.actions if not o.allowed)
    tip = {a.objectName(): a.toolTip() for a in actions.status_menu.actions()}
    reason = refused.reasons[0]
    assert reason.text_en and reason.text_en in tip[f"transition_{refused.action}"]
    assert reason.text not in tip[f"transition_{refused.action}"]
