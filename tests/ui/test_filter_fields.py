"""The filter panel's department, owner and created-range fields (issue 8: every
`TicketQuery` field): each narrows the queue to exactly what the database holds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from opdesk.regulations.pack import load_default_pack
from opdesk.store.filters import TicketQuery
from opdesk.ui.filter_panel import FilterPanel
from opdesk.ui.main_window import MainWindow
from tests.ui.conftest import NOW, sql


def _ids(window: MainWindow) -> set[int]:
    assert window.model is not None
    return {int(i) for i in window.model.ids}


def test_department_owner_and_created_range_narrow_the_queue(
    qtbot: QtBot, window: MainWindow, desk_file: Path
) -> None:
    panel = window.filters
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        panel.select("Все")
    qtbot.waitUntil(lambda: panel.department.count() > 1, timeout=10_000)
    busiest = "GROUP BY x.id ORDER BY count(*) DESC"
    dep_id, dep_name = sql(desk_file, "SELECT x.id, x.name FROM departments x JOIN tickets t "
                           f"ON t.department_id = x.id {busiest}")[0]  # fmt: skip
    index = panel.department.findText(str(dep_name))
    assert index > 0
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        panel.department.setCurrentIndex(index)
    expected = {r[0] for r in sql(desk_file, "SELECT id FROM tickets WHERE department_id = ?",
                                  dep_id)}  # fmt: skip
    assert expected and _ids(window) == expected

    owner_id, owner_name = sql(desk_file, "SELECT x.id, x.name FROM people x JOIN tickets t "
                               f"ON t.owner_id = x.id {busiest}")[0]  # fmt: skip
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        panel.owner.setCurrentIndex(panel.owner.findText(str(owner_name)))
    both = {r[0] for r in sql(desk_file, "SELECT id FROM tickets WHERE department_id = ? AND "
                              "owner_id = ?", dep_id, owner_id)}  # fmt: skip
    assert _ids(window) == both

    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        panel.department.setCurrentIndex(0)
        panel.owner.setCurrentIndex(0)
    # created on one day of the desk's calendar (Moscow, UTC+3): the whole day, nothing else
    latest = str(sql(desk_file, "SELECT max(created_at) FROM tickets")[0][0])
    moment = dt.datetime.fromisoformat(latest).replace(tzinfo=dt.UTC)
    day = (moment + dt.timedelta(hours=3)).date()
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) - dt.timedelta(hours=3)
    end = start + dt.timedelta(days=1)
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        panel.created_from.setDate(QDate(day.year, day.month, day.day))
        panel.created_to.setDate(QDate(day.year, day.month, day.day))
    assert (window.query.created_from, window.query.created_to) == (start, end)
    on_day = {r[0] for r in sql(desk_file, "SELECT id FROM tickets WHERE created_at >= ? AND "
                                "created_at < ?", f"{start:%Y-%m-%d %H:%M:%S}",
                                f"{end:%Y-%m-%d %H:%M:%S}")}  # fmt: skip
    assert on_day and _ids(window) == on_day


def test_badges_survive_the_saved_filters_arriving_late(qtbot: QtBot) -> None:
    """The operator's own filters may arrive after the first count: the list is rebuilt then,
    and the built-in filters' counts must not vanish until the next recount."""
    panel = FilterPanel(load_default_pack(), NOW)
    qtbot.addWidget(panel)
    panel.set_counts({"Мои": 3, "Все": 1200})
    panel.set_saved({"Мой VIP": TicketQuery(client_categories=("VIP",))})
    texts = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert texts[0] == "Мои  (3)" and texts[-1] == "Мой VIP"
    assert "Все  (1\u202f200)" in texts
