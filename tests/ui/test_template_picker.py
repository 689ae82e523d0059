"""The reply-template picker (U-08, U-09) in the real window: it opens on the engine's choice for
the ticket and the desk's clock with the reason, blocks a reply with a blank left in, adds the
reply through the writer thread; and the 24-hour reminder shows in the queue and on the card."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from opdesk import services
from opdesk.clock import FixedClock
from opdesk.services import Desk
from opdesk.services.replies import ReplyChoice
from opdesk.ui.main_window import MainWindow
from opdesk.ui.queue_model import REMINDER_MARK
from opdesk.ui.template_picker import TemplatePicker
from tests.ui.conftest import sql
from tests.ui.test_workstation import answer_forms

MSK = ZoneInfo("Europe/Moscow")


def msk(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=MSK)  # type: ignore[misc]


def picker_of(window: MainWindow) -> TemplatePicker:
    picker = window.findChild(TemplatePicker)
    assert isinstance(picker, TemplatePicker)
    return picker


def new_ticket(qtbot: QtBot, window: MainWindow, *, outgoing: bool = True) -> int:
    """A help-desk ticket taken by the person at the desk, with an outgoing request to the
    technical department (U-06) — made on the writer thread, at the window's clock."""
    actor = window.actor()
    made: list[int] = []

    def work(desk: Desk) -> int:
        created = services.create_ticket(desk, actor, channel="email", subject="Не приходят письма")
        assert created.ok and created.created_id is not None
        assert services.take(desk, actor, created.created_id).ok
        if outgoing:
            assert services.send_outgoing(desk, actor, created.created_id, "tech").ok
        return created.created_id

    assert window.writer is not None
    window.writer.submit(work, made.append)
    qtbot.waitUntil(lambda: bool(made), timeout=30_000)
    return made[0]


def show_ticket(qtbot: QtBot, window: MainWindow, tid: int) -> None:
    """Select the ticket in the queue (queried again, so a new ticket is listed)."""
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        window.run_query(window.query)
    assert window.model is not None and window.model.row_of(tid) >= 0
    with qtbot.waitSignal(window.viewShown, timeout=30_000):
        window.go_to(tid)
    assert window.current is not None and window.current.detail.id == tid


def open_picker(qtbot: QtBot, window: MainWindow) -> ReplyChoice:
    picker = picker_of(window)
    action = window.findChild(QAction, "action_reply_template")
    assert isinstance(action, QAction)
    with qtbot.waitSignal(picker.choiceShown, timeout=30_000) as shown:
        action.trigger()
    choice: ReplyChoice = shown.args[0]
    return choice


def current_template(picker: TemplatePicker) -> str:
    item = picker.list.currentItem()
    return "" if item is None else str(item.data(Qt.ItemDataRole.UserRole))


def test_the_action_sits_in_the_ticket_menu_with_its_shortcut(window: MainWindow) -> None:
    action = window.findChild(QAction, "action_reply_template")
    assert isinstance(action, QAction) and action.shortcut().toString() == "Ctrl+R"
    assert window.actions_ is not None
    take = window.actions_.actions["take"]
    menus = [m for m in window.menuBar().findChildren(QMenu) if take in m.actions()]
    assert menus and action in menus[0].actions()


MOMENTS = (  # (Moscow time, the engine's template, words of the reason)
    (msk(2026, 11, 24, 16, 30), "interim_before_evening", "вторник 16:30, 24.11.2026 — рабочий"
     " день, до 17:00"),
    (msk(2026, 11, 24, 17, 30), "interim_evening", "вечер (с 17:00), следующий день рабочий"),
    (msk(2026, 11, 27, 18, 30), "interim_weekend", "пятница 18:30, 27.11.2026 — вечер перед"
     " нерабочим днём"),
    (msk(2026, 11, 28, 11, 0), "interim_weekend", "суббота 11:00, 28.11.2026 — нерабочий день"),
    (msk(2027, 1, 5, 12, 0), "interim_weekend", "Новогодние каникулы"),
)  # fmt: skip


def test_u08_the_picker_opens_on_the_engines_choice_with_its_reason_at_fixed_moments(
    qtbot: QtBot, window: MainWindow
) -> None:
    clock = window.clock
    assert isinstance(clock, FixedClock)
    picker = picker_of(window)
    for at, template, words in MOMENTS:
        clock.set(at - dt.timedelta(hours=1))  # the outgoing request an hour before
        tid = new_ticket(qtbot, window)
        clock.set(at)
        show_ticket(qtbot, window, tid)
        choice = open_picker(qtbot, window)
        assert picker.isVisible() and not picker.isModal()
        assert choice.chosen_id == template, at
        assert current_template(picker) == template
        assert words in picker.reason.text() and "U-08" in picker.reason.text()
        assert picker.preview.toPlainText().startswith(
            "Для того чтобы решить вопрос, мне надо подключить технический отдел."
        )
        assert picker.add_button.isEnabled() and not picker.blanks.isVisible()
        assert "На удержании" in picker.status_note.text()


def test_the_picker_names_the_ticket_and_sizes_its_list_to_the_templates(
    qtbot: QtBot, window: MainWindow
) -> None:
    tid = new_ticket(qtbot, window)
    show_ticket(qtbot, window, tid)
    choice = open_picker(qtbot, window)
    picker = picker_of(window)
    # the body names the ticket: the title is not seen without a window manager
    head = picker.ticket_line
    assert head.isVisible() and head.text().startswith(f"Заявка <b>{choice.number}</b>")
    assert head.text().endswith("— Не приходят письма") and head.toolTip() == "Не приходят письма"
    # the offers' list is as tall as its rows: none cut, no blank below them
    templates = picker.list
    count = templates.count()
    assert 2 <= count <= 8
    assert templates.viewport().height() == count * templates.sizeHintForRow(0)
    last = templates.visualItemRect(templates.item(count - 1))
    assert last.bottom() < templates.viewport().height()
    assert not templates.verticalScrollBar().isVisible()
    # the buttons alike: none has an icon (the standard «Закрыть» would have its own)
    texts = {b.text(): b.icon().isNull() for b in picker.buttons.buttons()}
    assert texts.keys() >= {"Копировать", "Добавить в заявку как ответ"} and all(texts.values())
    # no ticket on the card: no ticket named, no list
    picker.follow(None)
    assert not head.isVisible() and not templates.isVisible()


def test_another_template_can_be_picked_and_copied(qtbot: QtBot, window: MainWindow) -> None:
    tid = new_ticket(qtbot, window)
    show_ticket(qtbot, window, tid)
    open_picker(qtbot, window)  # Monday 13:00 in Moscow: before 17:00
    picker = picker_of(window)
    assert current_template(picker) == "interim_before_evening"
    row = next(
        i
        for i in range(picker.list.count())
        if picker.list.item(i).data(Qt.ItemDataRole.UserRole) == "interim_weekend"
    )
    with qtbot.waitSignal(picker.choiceShown, timeout=30_000) as shown:
        picker.list.setCurrentRow(row)
    assert shown.args[0].template_id == "interim_weekend"
    assert picker.preview.toPlainText().endswith("Вернемся с ответом в первый рабочий день")
    assert "выбор регламента" in picker.list.item(0).text()  # the engine's one stays marked
    picker.copy_button.click()
    assert QGuiApplication.clipboard().text() == picker.preview.toPlainText()


def test_a_blank_blocks_sending_and_a_refused_status_writes_nothing(
    qtbot: QtBot, window: MainWindow, desk_file: Path
) -> None:
    tid = new_ticket(qtbot, window, outgoing=False)  # no outgoing request: no department
    show_ticket(qtbot, window, tid)
    choice = open_picker(qtbot, window)
    picker = picker_of(window)
    assert choice.unfilled == ("department",)
    assert "{department}" in picker.preview.toPlainText()
    assert not picker.add_button.isEnabled() and not picker.copy_button.isEnabled()
    assert picker.blanks.isVisible() and "{department}" in picker.blanks.text()
    # typed in by hand, the reply could go, but «На удержании» needs the outgoing request (U-05)
    picker.preview.setPlainText(
        picker.preview.toPlainText().replace("{department}", "технический отдел")
    )
    assert picker.add_button.isEnabled() and not picker.blanks.isVisible()
    with qtbot.waitSignal(picker.replyAdded, timeout=30_000) as added:
        picker.add_button.click()
    assert not added.args[0].ok and "U-05" in added.args[0].rule_ids
    assert window.refusals.isVisible() and "U-05" in window.refusals.browser.toPlainText()
    number = choice.number
    replies = "SELECT count(*) FROM comments c JOIN tickets t ON t.uuid = c.ticket_id " \
              "WHERE t.number = ? AND c.kind = 'reply'"  # fmt: skip
    assert sql(desk_file, replies, number) == [(0,)]
    assert sql(desk_file, "SELECT status FROM tickets WHERE id = ?", tid) == [("in_progress",)]


def test_adding_as_reply_writes_the_comment_and_holds_the_ticket(
    qtbot: QtBot, window: MainWindow, desk_file: Path
) -> None:
    tid = new_ticket(qtbot, window)
    show_ticket(qtbot, window, tid)
    choice = open_picker(qtbot, window)
    picker = picker_of(window)
    with (
        qtbot.waitSignal(window.viewShown, timeout=30_000) as shown,
        qtbot.waitSignal(picker.replyAdded, timeout=30_000) as added,
    ):
        picker.add_button.click()
    assert added.args[0].ok and not picker.isVisible()
    stored = sql(
        desk_file,
        "SELECT c.text, c.template_id FROM comments c JOIN tickets t ON t.uuid = c.ticket_id "
        "WHERE t.id = ? AND c.kind = 'reply'",
        tid,
    )
    assert stored == [(choice.text, "interim_before_evening")]
    assert shown.args[0].status_name == "На удержании"
    assert any(e.kind == "reply" for e in shown.args[0].detail.timeline)


def test_u09_the_overdue_reminder_in_the_queue_on_the_card_and_in_the_picker(
    qtbot: QtBot, window: MainWindow
) -> None:
    model = window.model
    assert model is not None
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        window.filters.select("Ждут смежный отдел > 24 ч")
    assert len(model.ids) >= 1  # the demo desk has a help-desk ticket waiting since long
    qtbot.waitUntil(lambda: model.cached(0) is not None, timeout=10_000)
    status = model.index(0, 5)
    assert str(model.data(status)).startswith(REMINDER_MARK)
    assert "U-09" in str(model.data(status, Qt.ItemDataRole.ToolTipRole))
    tid = model.ticket_id(0)
    show_ticket(qtbot, window, tid)
    reminder = window.detail.reminder
    assert reminder.isVisible() and "не ответил" in reminder.text() and "U-09" in reminder.text()
    choice = open_picker(qtbot, window)
    assert choice.chosen_id == "department_no_answer" and choice.overdue
    assert "U-09" in picker_of(window).reason.text()
    assert picker_of(window).preview.toPlainText().startswith("Вопрос в работе, но ответ")
    # a ticket without an overdue request has neither the mark nor the card's line
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        window.filters.select("Все")
    qtbot.waitUntil(lambda: model.cached(0) is not None, timeout=10_000)
    row = model.cached(0)
    assert row is not None and row.outgoing_reminder_at is None
    assert not str(model.data(model.index(0, 5))).startswith(REMINDER_MARK)
    show_ticket(qtbot, window, row.id)
    assert not reminder.isVisible()


def test_an_open_picker_reads_again_when_the_ticket_gets_its_outgoing_request(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    tid = new_ticket(qtbot, window, outgoing=False)
    show_ticket(qtbot, window, tid)
    assert open_picker(qtbot, window).unfilled == ("department",)
    picker = picker_of(window)
    answer_forms(monkeypatch, {"dep": "app_developers"})
    with qtbot.waitSignal(picker.choiceShown, timeout=30_000) as shown:
        window.actions_.outgoing()  # type: ignore[union-attr]
    assert shown.args[0].unfilled == () and picker.add_button.isEnabled()
    assert "подключить разработчиков приложения." in picker.preview.toPlainText()
