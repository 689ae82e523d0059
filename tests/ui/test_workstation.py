"""The operator's workstation end to end, as a real Qt application (offscreen) on a temporary
demo desk: person, filters, queue, detail view and actions through the command layer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from opdesk import services, settings
from opdesk.clock import FixedClock
from opdesk.regulations.pack import load_default_pack
from opdesk.services.views import TicketView
from opdesk.ui import panels
from opdesk.ui.main_window import MainWindow
from opdesk.ui.queue_model import COLUMNS
from tests.ui.conftest import NOW, sql


def choose(qtbot: QtBot, window: MainWindow, **fields: str) -> None:
    """Set filter fields (combo data values) and wait for the queue."""
    panel = window.filters
    boxes = {"process": panel.process, "status": panel.status}
    for name, value in fields.items():
        box = boxes[name]
        with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
            box.setCurrentIndex(box.findData(value))


def select_ids(qtbot: QtBot, window: MainWindow, ids: list[int]) -> TicketView:
    assert window.model is not None
    sel = window.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    with qtbot.waitSignal(window.viewShown, timeout=30_000) as shown:
        for i, tid in enumerate(ids):
            row = window.model.row_of(tid)
            assert row >= 0, f"ticket {tid} is not in the queue"
            index = window.model.index(row, 0)
            if i == 0:
                sel.setCurrentIndex(index, flags | QItemSelectionModel.SelectionFlag.Clear)
            else:
                sel.select(index, flags)
    view: TicketView = shown.args[0]
    return view


def run_action(qtbot: QtBot, window: MainWindow, name: str) -> TicketView:
    assert window.actions_ is not None
    with qtbot.waitSignal(window.viewShown, timeout=30_000) as shown:
        window.actions_.actions[name].trigger()
    view: TicketView = shown.args[0]
    return view


def answer_forms(monkeypatch: pytest.MonkeyPatch, values: dict[str, Any]) -> None:
    """The next input forms are answered with `values` (no modal dialog in a test)."""
    monkeypatch.setattr(panels.FormDialog, "exec", lambda self: 1)
    monkeypatch.setattr(panels.FormDialog, "values", lambda self: dict(values))


def test_queue_model_passes_the_model_tester(window: MainWindow, qtmodeltester: Any) -> None:
    qtmodeltester.check(window.model)


def test_queue_rows_arrive_for_the_visible_window_with_headers(
    qtbot: QtBot, window: MainWindow, desk_file: Path
) -> None:
    model = window.model
    assert model is not None
    open_ids = [r[0] for r in sql(desk_file, "SELECT id FROM tickets WHERE is_open "
                                  "ORDER BY created_at DESC, id DESC")]  # fmt: skip
    assert list(model.ids) == open_ids  # the default filter: open tickets, newest first
    qtbot.waitUntil(lambda: model.cached(0) is not None, timeout=10_000)
    number, _created, status = sql(
        desk_file, "SELECT number, created_at, status FROM tickets WHERE id = ?", open_ids[0]
    )[0]
    assert model.data(model.index(0, 0)) == number
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Номер"
    assert model.headerData(9, Qt.Orientation.Horizontal) == "SLA"
    assert model.columnCount() == len(COLUMNS) and model.rowCount() == len(open_ids)
    shown_status = model.data(model.index(0, 5))
    assert shown_status and shown_status != status  # the document's name, not the status id
    # a header click sorts in SQL: number ascending
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        model.sort(0, Qt.SortOrder.AscendingOrder)
    assert list(model.ids) == [
        r[0] for r in sql(desk_file, "SELECT id FROM tickets WHERE is_open ORDER BY number, id")
    ]


def test_the_person_is_chosen_once_and_remembered(
    qtbot: QtBot, desk_file: Path, operator_login: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = MainWindow(load_default_pack(), FixedClock(NOW), settings.Settings())
    qtbot.addWidget(w)
    w.open_database(desk_file)
    qtbot.waitUntil(lambda: w.person_dialog is not None and w.person_dialog.isVisible(),
                    timeout=60_000)  # fmt: skip
    dialog = w.person_dialog
    assert dialog is not None and dialog.list.count() > 0
    for i in range(dialog.list.count()):
        if dialog.list.item(i).data(Qt.ItemDataRole.UserRole) == operator_login:
            dialog.list.setCurrentRow(i)
    with qtbot.waitSignal(w.queueLoaded, timeout=60_000):
        dialog.accept()
    assert settings.load().person == operator_login
    assert w.actor().login == operator_login and w.actor().department == "ОПП"
    assert "оператор" in w.who.text() and w.windowTitle().startswith("OpDesk — ")
    w.close()


def test_u01_u07_u06_u05_take_call_outgoing_hold_and_a_refusal(
    qtbot: QtBot, window: MainWindow, desk_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    created: list[int] = []
    assert window.writer is not None
    window.writer.submit(
        lambda desk: services.create_ticket(
            desk, window.actor(), channel="email", subject="Не приходят письма"
        ),
        lambda result: created.append(result.created_id),
    )
    qtbot.waitUntil(lambda: bool(created), timeout=30_000)
    choose(qtbot, window, process="helpdesk", status="new")
    assert window.model is not None
    tid = created[0]
    view = select_ids(qtbot, window, [tid])
    assert view.status_name == "Новая"
    offers = {o.action: o for o in view.actions}
    assert offers["take"].allowed and not offers["resolve"].allowed
    assert offers["resolve"].reasons  # the greyed one says why
    taken = run_action(qtbot, window, "take")
    assert taken.status_name == "В работе" and taken.detail.owner_login == window.actor().login
    # «Мои» now lists it
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        window.filters.select("Мои")
    assert tid in list(window.model.ids)
    select_ids(qtbot, window, [tid])
    answer_forms(
        monkeypatch, {"kind": "call_result", "text": "Клиент подтвердил адрес", "reached": False}
    )
    called = run_action(qtbot, window, "call")
    assert any(e.kind == "call_result" and "адрес" in e.text for e in called.detail.timeline)
    # «На удержании» before an outgoing request: refused with U-05, nothing changed
    window.actions_.transition("hold", "На удержании")  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: window.refusals.isVisible(), timeout=10_000)
    assert "U-05" in window.refusals.browser.toPlainText()
    assert "Ничего не изменено" in window.refusals.browser.toPlainText()
    answer_forms(monkeypatch, {"dep": "tech"})
    sent = run_action(qtbot, window, "outgoing")
    request = sent.detail.outgoing[0]
    assert request.reminder_at - request.sent_at == dt.timedelta(hours=24)
    assert {o.action: o for o in sent.actions}["hold"].allowed
    with qtbot.waitSignal(window.viewShown, timeout=30_000) as held:
        window.actions_.transition("hold", "На удержании")  # type: ignore[union-attr]
    assert held.args[0].status_name == "На удержании"
    status = sql(desk_file, "SELECT status FROM tickets WHERE id = ?", tid)[0][0]
    assert status == "on_hold"


def test_status_menu_offers_transitions_and_greys_the_refused_with_their_rule(
    qtbot: QtBot, window: MainWindow
) -> None:
    choose(qtbot, window, process="csn", status="new")
    view = select_ids(qtbot, window, [window.model.ticket_id(0)])  # type: ignore[union-attr]
    assert view.process_name.startswith("Тикет CSN")
    menu = window.actions_.status_menu  # type: ignore[union-attr]
    menu.aboutToShow.emit()
    items = {a.objectName(): a for a in menu.actions()}
    assert items["transition_take"].isEnabled()
    resolve = items["transition_resolve"]
    assert not resolve.isEnabled() and "B-02" in resolve.toolTip()


def test_bulk_close_goes_ticket_by_ticket_and_lists_refusals(
    qtbot: QtBot, window: MainWindow, desk_file: Path
) -> None:
    calls = [r[0] for r in sql(desk_file, "SELECT id FROM tickets WHERE process = 'call_request' "
                                "AND status = 'in_progress' ORDER BY id LIMIT 2")]  # fmt: skip
    outage = [r[0] for r in sql(desk_file, "SELECT id FROM tickets WHERE process = 'outage' "
                                 "AND status = 'resolved' ORDER BY id LIMIT 1")]  # fmt: skip
    assert len(calls) == 2 and len(outage) == 1
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        window.filters.select("Все")
    select_ids(qtbot, window, [*calls, *outage])
    actions = window.actions_
    assert actions is not None
    actions.transition("close", "Закрыть")
    qtbot.waitUntil(lambda: actions.last_bulk is not None, timeout=30_000)
    bulk = actions.last_bulk
    assert bulk is not None and "Выполнено 2 из 3" in bulk.summary
    refused = [bulk.tree.topLevelItem(i) for i in range(3)]
    texts = [(item.text(1), item.text(2)) for item in refused]
    assert sum(1 for verdict, _ in texts if verdict == "отказ") == 1
    reason = next(why for verdict, why in texts if verdict == "отказ")
    assert "C-" in reason  # the outage ticket's closing checklist
    closed = sql(desk_file, f"SELECT status FROM tickets WHERE id IN ({calls[0]}, {calls[1]})")
    assert {r[0] for r in closed} == {"closed"}
