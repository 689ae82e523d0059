"""«Новое обращение (звонок)» in the real window on the demo desk (001: S-02, S-04, S-09)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from opdesk.services.views import TicketView
from opdesk.ui import i18n
from opdesk.ui.main_window import MainWindow
from opdesk.ui.new_request import DEFAULT_SIZE, FRAME_ALLOWANCE, TICKET_ROWS, NewRequestDialog
from tests.ui.conftest import NOW, sql

WAIT = 30_000


def open_dialog(qtbot: QtBot, window: MainWindow) -> NewRequestDialog:
    """Ctrl+N from the queue, as the operator presses it."""
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    qtbot.keyClick(window.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.new_request.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    return dialog


def caller(desk_file: Path) -> tuple[str, str, int, int]:
    """A demo client with open tickets: their phone, name, open and closed ticket counts."""
    phone, name, open_, closed = sql(
        desk_file,
        "SELECT contact_phone, client_name, sum(is_open), sum(NOT is_open) FROM tickets "
        "WHERE client_id IS NOT NULL GROUP BY client_id HAVING sum(is_open) > 0 "
        "ORDER BY count(*) DESC, client_id LIMIT 1",
    )[0]
    return str(phone), str(name), int(str(open_)), int(str(closed))


def type_phone(qtbot: QtBot, dialog: NewRequestDialog, typed: str) -> None:
    with qtbot.waitSignal(dialog.clientShown, timeout=WAIT):
        qtbot.keyClicks(dialog.phone, typed)


def pick(box: QComboBox, value: str) -> None:
    index = box.findData(value)
    assert index >= 0, f"{value!r} is not offered by {box.objectName()}"
    box.setCurrentIndex(index)


def classify(dialog: NewRequestDialog, theme: str, type_: str, subtheme: str) -> None:
    pick(dialog.theme, theme)
    pick(dialog.type, type_)
    pick(dialog.subtheme, subtheme)


def count_tickets(desk_file: Path) -> int:
    return int(str(sql(desk_file, "SELECT count(*) FROM tickets")[0][0]))


def test_ctrl_n_opens_the_dialog_and_the_phone_shows_the_clients_tickets(
    qtbot: QtBot, window: MainWindow, desk_file: Path
) -> None:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Заявка")
    assert menu.actions()[0] is window.new_request.action
    assert window.new_request.action.shortcut().toString() == "Ctrl+N"
    dialog = open_dialog(qtbot, window)
    assert dialog.windowTitle() == "Новое обращение (звонок)" and not dialog.isModal()
    assert dialog.phone.hasFocus() or dialog.focusWidget() is dialog.phone
    phone, name, open_, closed = caller(desk_file)
    digits = "".join(ch for ch in phone if ch.isdigit())
    type_phone(qtbot, dialog, "8" + digits[1:])  # typed unlike the stored «+7 9xx …»
    assert dialog.match is not None and dialog.match.client.name == name
    assert name in dialog.client_line.text()
    assert len(dialog.match.open_tickets) == min(open_, 20)
    assert dialog.tickets.topLevelItemCount() == min(open_, 20) + min(closed, 10)
    first = dialog.tickets.topLevelItem(0)
    wanted = int(first.data(0, Qt.ItemDataRole.UserRole))
    with qtbot.waitSignal(window.viewShown, timeout=WAIT) as shown:
        dialog.tickets.itemDoubleClicked.emit(first, 0)
    view: TicketView = shown.args[0]
    assert view.detail.id == wanted and view.detail.number == first.text(0)
    # the same key again brings the same dialog back
    again = open_dialog(qtbot, window)
    assert again is dialog


def test_s04_a_missing_product_is_refused_with_the_rule_and_nothing_created(
    qtbot: QtBot, window: MainWindow, desk_file: Path
) -> None:
    dialog = open_dialog(qtbot, window)
    type_phone(qtbot, dialog, caller(desk_file)[0])
    classify(dialog, "Услуги", "Заявка", "Подключение услуги")
    assert dialog.product_label.text() == "Продукт *"  # S-04 marks it required
    assert "S-04" in dialog.plan_line.text()
    before = count_tickets(desk_file)
    with qtbot.waitSignal(dialog.refused, timeout=WAIT) as refused:
        dialog.create.click()
    assert refused.args[0].rule_ids == ("S-04",)
    assert window.refusals.isVisible()
    text = window.refusals.browser.toPlainText()
    assert "S-04" in text and "обязателен продукт" in text and "Ничего не изменено" in text
    assert "S-04" in dialog.reasons.toPlainText() and dialog.create.isEnabled()
    assert count_tickets(desk_file) == before
    # with the product the same request is created
    pick(dialog.product, "Goodok")
    assert dialog.plan_line.text().startswith("Будет создано 1 обращение")
    with qtbot.waitSignal(dialog.registered, timeout=WAIT):
        dialog.create.click()
    assert count_tickets(desk_file) == before + 1


def test_s02_a_compensation_creates_two_linked_tickets_seen_in_the_queue(
    qtbot: QtBot, window: MainWindow, desk_file: Path
) -> None:
    dialog = open_dialog(qtbot, window)
    phone = caller(desk_file)[0]
    type_phone(qtbot, dialog, phone)
    classify(dialog, "Связь и интернет", "Жалоба", "Нет связи")
    pick(dialog.compensation, "компенсация")
    plan = dialog.plan_line.text()
    assert plan.startswith("Будет создано 2 обращения") and "связанное «Заявка»" in plan
    assert "S-02" in plan
    with qtbot.waitSignal(dialog.registered, timeout=WAIT) as registered:
        dialog.create.click()
    result, made = registered.args[0]
    assert result.ok and len(made) == 2
    first, second = made
    assert (second.type, second.linked_to) == ("Заявка", first.number)
    # the queue lists both, then the new request is opened in the card
    qtbot.waitUntil(
        lambda: window.current is not None and window.current.detail.id == first.id,
        timeout=WAIT,
    )
    view = window.current
    assert view is not None
    assert [(x.number, x.kind) for x in view.detail.links] == [(second.number, "second_request")]
    assert window.model is not None
    assert window.model.row_of(first.id) >= 0 and window.model.row_of(second.id) >= 0
    links = sql(
        desk_file,
        "SELECT a.number, b.number, l.kind FROM ticket_links l "
        "JOIN tickets a ON a.uuid = l.ticket_id JOIN tickets b ON b.uuid = l.linked_id "
        "WHERE a.id = ?",
        second.id,
    )
    assert links == [(second.number, first.number, "second_request")]
    assert sql(desk_file, "SELECT contact_phone FROM tickets WHERE id = ?", first.id) == [(phone,)]
    assert "связан с" in dialog.result_line.text() and not dialog.create.isEnabled()


def test_s09_created_and_closed_shows_until_when_it_can_be_edited(
    qtbot: QtBot, window: MainWindow, desk_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = open_dialog(qtbot, window)
    type_phone(qtbot, dialog, caller(desk_file)[0])
    classify(dialog, "Баланс и платежи", "Консультация", "Состояние баланса")
    with qtbot.waitSignal(dialog.registered, timeout=WAIT) as registered:
        dialog.create_close.click()
    _result, (made,) = registered.args[0]
    assert made.status_name == "Закрыт по окончанию диалога"
    assert dialog.registered_status(made) == made.status_name
    assert made.status_name in dialog.result_line.text() and dialog.result_line.isVisible()
    until = (NOW + dt.timedelta(minutes=5)).astimezone(window.pack.calendar.tz)
    assert f"редактирование возможно до {until:%H:%M} (S-09)" in dialog.result_line.text()
    assert sql(desk_file, "SELECT status, is_open FROM tickets WHERE id = ?", made.id) == [
        ("closed", 0)
    ]
    with monkeypatch.context() as english:  # the status as the pack names it in English
        english.setattr(i18n, "_language", "en")
        assert dialog.registered_status(made) == window.pack.statuses["closed"].name_en
    # closed at once, it is outside the open-tickets queue: its card opens all the same
    qtbot.waitUntil(
        lambda: window.current is not None and window.current.detail.id == made.id,
        timeout=WAIT,
    )
    assert window.current is not None and window.current.editable
    # «Следующий звонок»: a blank form, one unclassified question, no client, no result
    dialog.again.click()
    assert dialog.phone.text() == "" and dialog.match is None
    assert dialog.tickets.topLevelItemCount() == 0 and not dialog.result_line.isVisible()
    assert [dialog.editor.list.item(i).text() for i in range(dialog.editor.list.count())] == [
        "1. (не классифицирован)"
    ]
    assert dialog.theme.currentData() == "" and dialog.plan_line.text().startswith("Пока")


def test_the_dialog_fits_the_screen_and_shows_whole_rows_and_whole_texts(
    qtbot: QtBot, window: MainWindow, desk_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = open_dialog(qtbot, window)
    # made for 1366×768, and never taller or wider than the screen's free area
    assert DEFAULT_SIZE.height() <= 700 and DEFAULT_SIZE.width() <= 1366 - FRAME_ALLOWANCE.width()
    free = dialog.screen().availableGeometry().size() - FRAME_ALLOWANCE
    assert dialog.height() <= min(DEFAULT_SIZE.height(), free.height())
    assert dialog.width() <= min(DEFAULT_SIZE.width(), free.width())
    type_phone(qtbot, dialog, caller(desk_file)[0])
    classify(dialog, "Связь и интернет", "Жалоба", "Нет связи")
    pick(dialog.compensation, "компенсация")
    # the question's item is whole: wrapped within the list's width, the text in its tooltip
    questions = dialog.editor.list
    item = questions.item(0)
    assert item.text() == "1. Связь и интернет | Жалоба | Нет связи"
    assert item.toolTip() == item.text() and questions.wordWrap()
    assert questions.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    assert questions.visualItemRect(item).width() <= questions.viewport().width()
    # the caller's tickets: whole rows only, «Суть» stretched with the whole text in a tooltip
    tree = dialog.tickets
    count = tree.topLevelItemCount()
    assert count > 0
    low, high = TICKET_ROWS
    assert tree.viewport().height() == max(low, min(count, high)) * tree.sizeHintForRow(0)
    assert tree.header().stretchLastSection() and tree.headerItem().text(3) == "Суть"
    assert tree.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    for i in range(count):
        row = tree.topLevelItem(i)
        assert row.text(3) and row.text(3) in row.toolTip(3)
    # the statuses as each ticket's process names them (the pack's English in English)
    pack = window.pack
    for i in range(count):
        row = tree.topLevelItem(i)
        ((process, status),) = sql(
            desk_file, "SELECT process, status FROM tickets WHERE number = ?", row.text(0)
        )
        named = pack.processes[str(process)].status_name(pack.statuses[str(status)])
        assert row.text(2) == named
    ticket = dialog.match.open_tickets[0] if dialog.match is not None else None
    assert ticket is not None
    with monkeypatch.context() as english:
        english.setattr(i18n, "_language", "en")
        assert dialog.status_name(ticket) == pack.statuses[ticket.status].name_en
    # at the default size (the screenshot's, here wider than the test's screen allows) nothing
    # scrolls: the caller, the questions and the reasons that explain the plan are whole
    dialog.resize(DEFAULT_SIZE)
    reasons = dialog.reasons
    assert reasons.toPlainText().count("S-02") == 2  # one request a call; the compensation
    qtbot.waitUntil(
        lambda: (
            dialog.size() == DEFAULT_SIZE
            and reasons.document().size().height() <= reasons.viewport().height()
            and not reasons.verticalScrollBar().isVisible()
        ),
        timeout=WAIT,
    )
    assert not dialog.scroll.verticalScrollBar().isVisible()
    assert reasons.height() == reasons.maximumHeight()  # as tall as its text, no taller
    # a smaller screen still takes it: the body scrolls rather than the window growing
    assert dialog.minimumSizeHint().height() <= 400
