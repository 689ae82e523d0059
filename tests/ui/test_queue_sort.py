"""The header's sort arrow shows the order the SQL sorted in (issue 8: a header click
re-sorts in SQL), including a saved filter's own order."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from opdesk.ui.main_window import MainWindow
from opdesk.ui.queue_model import COLUMNS


def _column(field: str) -> int:
    return [f for _t, f in COLUMNS].index(field)


def test_sort_arrow_follows_the_query(qtbot: QtBot, window: MainWindow) -> None:
    header = window.table.horizontalHeader()
    assert header.sortIndicatorSection() == _column("created_at")  # newest first, as the SQL
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        window.filters.select("Просрочено")  # sorted by due moment, earliest first
    assert header.sortIndicatorSection() == _column("sla_due_at")
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    assert window.model is not None
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        window.model.sort(_column("client_name"), Qt.SortOrder.AscendingOrder)
    assert window.query.sort == "client_name" and not window.query.descending
    assert header.sortIndicatorSection() == _column("client_name")
    model = window.model
    model.data(model.index(0, 0))  # asks for the first rows
    shown = range(min(5, model.rowCount()))
    assert len(shown) >= 2
    qtbot.waitUntil(lambda: all(model.cached(r) is not None for r in shown), timeout=30_000)
    names = [model.cached(r).client_name for r in shown]  # type: ignore[union-attr]
    assert names == sorted(names)  # the rows came back in the SQL's order
