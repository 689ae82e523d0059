"""The closing checklist at the operator's hand (000, C-01…C-11), end to end on the demo desk:
the responsible engineer takes and resolves an outage ticket, the ОПП operator opens
«Закрытие заявки» (Ctrl+Shift+C), sees what is missing with its rule IDs, fills the report and
the client's confirmation — each change judged live, nothing saved — and closes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QMenu, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from opdesk import services
from opdesk.regulations.snapshot import Actor
from opdesk.services import ClosingView, CommandResult, Desk
from opdesk.store.reading import PersonInfo, people
from opdesk.ui.checklist_panel import (
    CARD_WIDTH,
    DOCK_WIDTH,
    ChecklistPanel,
    WrapCheckBox,
    performer_order,
)
from opdesk.ui.main_window import MainWindow
from tests.ui.conftest import sql
from tests.ui.test_workstation import run_action, select_ids

REPORT_ITEMS = ("cause", "actions", "performers", "completed_at")


def type_text(widget: QWidget | None, text: str) -> None:
    """Type `text` key by key. Not `qtbot.keyClicks`: QTest's keyClicks aborts on a
    non-Latin-1 character (qasciikey.cpp), and operators type Russian."""
    assert widget is not None
    for char in text:
        press = QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, char)
        QApplication.sendEvent(widget, press)


def on_writer(qtbot: QtBot, window: MainWindow, work: Any) -> Any:
    """Run `work(desk)` on the window's writer thread and wait for its answer."""
    got: list[Any] = []
    assert window.writer is not None
    window.writer.submit(work, got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=30_000)
    return got[0]


def everyone(qtbot: QtBot, window: MainWindow) -> list[PersonInfo]:
    def work(desk: Desk) -> list[PersonInfo]:
        with desk.db.engine.connect() as conn:
            return people(conn)

    found: list[PersonInfo] = on_writer(qtbot, window, work)
    return found


def engineer(qtbot: QtBot, window: MainWindow) -> PersonInfo:
    """A responsible employee of department ТО (C-01, C-03) from the demo desk."""
    found = everyone(qtbot, window)
    return next(p for p in found if p.department == "to" and p.role == "operator")


def performer_names(panel: ChecklistPanel) -> list[str]:
    return [panel.performers.item(i).text() for i in range(panel.performers.count())]


def one_line(widget: QWidget) -> int:
    """The height of one line of text in `widget`, with a frame's and margins' slack."""
    return widget.fontMetrics().lineSpacing() + 16


def outage_ticket(qtbot: QtBot, window: MainWindow, name: str, **client: Any) -> int:
    """A new outage ticket (000) registered by the ОПП operator for a new client."""
    actor = window.actor()

    def work(desk: Desk) -> CommandResult:
        cid = services.add_client(desk, name, **{"mobile": "+79161234567", **client})
        return services.create_ticket(
            desk, actor, process="outage", subject="Нет связи на узле", client_id=cid
        )

    created: CommandResult = on_writer(qtbot, window, work)
    assert created.ok and created.created_id is not None, created.message()
    return created.created_id


def resolved_by(qtbot: QtBot, window: MainWindow, tid: int, who: PersonInfo) -> None:
    """The responsible employee's part (take, «Выполнена») through the commands."""
    actor = Actor(who.login, who.role, "ТО")

    def work(desk: Desk) -> tuple[bool, bool]:
        taken = services.take(desk, actor, tid)
        return taken.ok, services.transition(desk, actor, tid, "resolve").ok

    assert on_writer(qtbot, window, work) == (True, True)


def show_ticket(qtbot: QtBot, window: MainWindow, tid: int) -> None:
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        window.run_query(window.query)
    select_ids(qtbot, window, [tid])


def open_panel(qtbot: QtBot, window: MainWindow) -> tuple[ChecklistPanel, ClosingView]:
    """«Заявка» → «Закрыть заявку (чек-лист)…» (Ctrl+Shift+C) for the current ticket."""
    action = window.findChild(QAction, "action_closing")
    assert action is not None and action.shortcut().toString() == "Ctrl+Shift+C"
    menus = [m for m in window.menuBar().findChildren(QMenu) if action in m.actions()]
    assert menus and window.actions_ is not None
    assert window.actions_.actions["take"] in menus[0].actions()  # the «Заявка» menu
    panel: ChecklistPanel = window.checklist  # type: ignore[attr-defined]
    with qtbot.waitSignal(panel.evaluated, timeout=30_000) as shown:
        action.trigger()
    assert panel.isVisible()
    view: ClosingView = shown.args[0]
    return panel, view


def closure_rows(desk_file: Path, tid: int) -> list[tuple[object, ...]]:
    return sql(
        desk_file,
        "SELECT r.cause FROM closure_reports r JOIN tickets t ON t.uuid = r.ticket_id "
        "WHERE t.id = ?",
        tid,
    )


def test_c01_c11_operator_takes_sees_the_missing_items_fills_the_report_and_closes(
    qtbot: QtBot, window: MainWindow, desk_file: Path
) -> None:
    tid = outage_ticket(qtbot, window, "ООО Важный клиент", category="Важный")
    operator, resp = window.person, engineer(qtbot, window)
    assert operator is not None
    # the responsible ТО engineer at the same desk takes and resolves it (U-01, C-03)
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        window.set_person(resp)
    select_ids(qtbot, window, [tid])
    assert run_action(qtbot, window, "take").status_name == "В работе"
    assert window.actions_ is not None
    with qtbot.waitSignal(window.viewShown, timeout=30_000):
        window.actions_.transition("resolve", "Выполнена")
    # the ОПП operator closes
    with qtbot.waitSignal(window.queueLoaded, timeout=30_000):
        window.set_person(operator)
    qtbot.waitUntil(
        lambda: window.current is not None and window.current.detail.id == tid, timeout=30_000
    )
    panel, view = open_panel(qtbot, window)
    assert view.ticket_id == tid and view.status_name == "Выполнена"
    states = panel.states()
    assert states["resolved_by_responsible"] == "satisfied"  # C-03 by ТО
    assert {k for k, v in states.items() if v == "missing"} == {
        "handed_to_opp", "permanent_scheme", *REPORT_ITEMS, "needs_closing",
        "verbal_confirmation", "actions_checked",
    }  # fmt: skip
    assert states["spare_parts"] == "n/a" and states["vip_escalation"] == "n/a"
    assert not panel.close_button.isEnabled()
    missing = panel.missing.toPlainText()
    for rule in ("C-01", "C-02", "C-04", "C-06", "C-07", "C-10"):
        assert rule in missing
    assert "Указана причина аварии" in missing
    # the footer is as tall as its list: every missing item in sight, no scrolling
    footer = panel.missing
    assert footer.height() == footer.content_height(footer.width()) <= footer.cap
    assert footer.verticalScrollBar().maximum() == 0
    # «Исполнители»: the owner (who took and resolved it) first, then the owner's department
    # (ТО), then the other responsible one (ОЭ, C-03), then everyone else
    names = performer_names(panel)
    department = {p.name: p.department for p in everyone(qtbot, window)}
    assert names[0] == resp.name and len(names) == len(department)
    ranks = [
        0 if n == resp.name else 1 if department[n] == "to" else 2 if department[n] == "oe" else 3
        for n in names
    ]
    assert ranks == sorted(ranks) and {1, 2, 3} <= set(ranks)
    # «Важный»: the verbal confirmation is offered (C-07); not a VIP: no escalation (C-09)
    assert not panel.confirm.isHidden() and panel.escalation.isHidden()
    # the report, typed: judged live, nothing saved
    type_text(panel.cause, "Обрыв кабеля на участке УС-12")
    qtbot.waitUntil(lambda: panel.states()["cause"] == "satisfied", timeout=10_000)
    assert closure_rows(desk_file, tid) == []
    panel.actions_done.setPlainText("Замена патч-корда")
    for i in range(panel.performers.count()):
        if panel.performers.item(i).text() == resp.name:
            panel.performers.item(i).setCheckState(Qt.CheckState.Checked)
    panel.completed_set.setChecked(True)
    panel.time_spent.setValue(90)
    panel.handed.setChecked(True)
    panel.permanent.setChecked(True)
    panel.recorded_by.setCurrentIndex(panel.recorded_by.findData("ОЭ"))
    panel.needs_closing.setChecked(True)
    panel.checked.setChecked(True)
    panel.confirm.setChecked(True)
    type_text(panel.confirm_by, "Петров П.П.")
    qtbot.waitUntil(panel.close_button.isEnabled, timeout=10_000)
    assert "missing" not in panel.states().values()
    assert closure_rows(desk_file, tid) == []  # still nothing written
    # nothing missing: the footer collapses to one green line
    assert footer.toPlainText().strip() == "✓ Всё готово к закрытию"
    assert 0 < footer.height() <= one_line(footer)
    with qtbot.waitSignal(panel.finished, timeout=30_000) as done:
        qtbot.mouseClick(panel.close_button, Qt.MouseButton.LeftButton)
    result: CommandResult = done.args[0]
    assert result.ok and result.command == "close", result.message()
    assert sql(desk_file, "SELECT status, is_open FROM tickets WHERE id = ?", tid) == [
        ("closed", 0)
    ]
    assert closure_rows(desk_file, tid) == [("Обрыв кабеля на участке УС-12",)]
    assert sql(
        desk_file,
        "SELECT c.kind FROM confirmations c JOIN tickets t ON t.uuid = c.ticket_id WHERE t.id = ?",
        tid,
    ) == [("verbal",)]
    # the window follows: the card and the panel show the closed ticket
    qtbot.waitUntil(
        lambda: window.current is not None and window.current.status_name == "Закрыта",
        timeout=30_000,
    )
    qtbot.waitUntil(lambda: panel.view is not None and not panel.view.editable, timeout=10_000)
    assert not panel.close_button.isEnabled()


def test_live_verdict_flips_items_and_the_button_without_saving(
    qtbot: QtBot, window: MainWindow, desk_file: Path
) -> None:
    tid = outage_ticket(qtbot, window, "ООО Ромашка")
    resolved_by(qtbot, window, tid, engineer(qtbot, window))
    show_ticket(qtbot, window, tid)
    panel, view = open_panel(qtbot, window)
    assert not view.can_close and panel.confirm.isHidden()  # mobile on file: no C-07
    # the ticket's owner, who took and resolved it, is the first performer offered
    assert panel.performers.item(0).text() == engineer(qtbot, window).name
    before = sql(desk_file, "SELECT count(*) FROM events")
    panel.actions_done.setPlainText("Перезапуск порта")
    panel.performers.item(0).setCheckState(Qt.CheckState.Checked)
    for box in (panel.completed_set, panel.handed, panel.permanent, panel.needs_closing,
                panel.checked):  # fmt: skip
        box.setChecked(True)
    panel.recorded_by.setCurrentIndex(panel.recorded_by.findData("ОЭ"))
    qtbot.waitUntil(lambda: panel.states().get("actions_checked") == "satisfied", timeout=10_000)
    assert panel.states()["cause"] == "missing" and not panel.close_button.isEnabled()
    type_text(panel.cause, "Авария")
    qtbot.waitUntil(panel.close_button.isEnabled, timeout=10_000)
    assert "C-04" not in panel.missing.toPlainText()
    panel.cause.clear()
    qtbot.waitUntil(lambda: not panel.close_button.isEnabled(), timeout=10_000)
    assert panel.states()["cause"] == "missing" and "C-04" in panel.missing.toPlainText()
    type_text(panel.cause, "Авария на узле")
    qtbot.waitUntil(panel.close_button.isEnabled, timeout=10_000)
    # C-04: a spare-part line needs a quantity above zero
    add = panel.findChild(QPushButton, "closingPartAdd")
    assert add is not None
    assert not add.isEnabled() and panel.parts.isHidden()  # until ЗИП is used
    panel.parts_used.setChecked(True)
    qtbot.waitUntil(lambda: panel.states()["spare_parts"] == "missing", timeout=10_000)
    assert add.isEnabled() and not panel.parts.isHidden()
    add.click()
    type_text(panel.parts.cellWidget(0, 0), "SFP-модуль")
    qtbot.waitUntil(lambda: panel.states()["spare_parts"] == "satisfied", timeout=10_000)
    assert panel.close_button.isEnabled()
    # C-11: the client objects: the filled template to copy, and a closing comment required
    panel.delay_case.setCurrentIndex(panel.delay_case.findData("objects"))
    qtbot.waitUntil(lambda: not panel.close_button.isEnabled(), timeout=10_000)
    assert panel.template.toPlainText().startswith("Уважаемый клиент.")
    panel.copy_button.click()
    assert QGuiApplication.clipboard().text() == panel.template.toPlainText()
    panel.template_sent.setChecked(True)
    type_text(panel.comment, "Клиент против закрытия, проблем на нашей стороне нет")
    qtbot.waitUntil(panel.close_button.isEnabled, timeout=10_000)
    # C-11 case 1: the template carries this ticket's number
    panel.delay_case.setCurrentIndex(panel.delay_case.findData("monitoring"))
    qtbot.waitUntil(lambda: view.number in panel.template.toPlainText(), timeout=10_000)
    assert not panel.template_sent.isChecked()  # another case: its template is not sent yet
    panel.template_sent.setChecked(True)
    assert sql(desk_file, "SELECT count(*) FROM events") == before  # nothing was saved
    assert closure_rows(desk_file, tid) == []
    # «Сохранить» keeps the report without closing; the form starts again from what is saved
    with qtbot.waitSignal(panel.finished, timeout=30_000) as saved:
        panel.save_button.click()
    assert saved.args[0].ok, saved.args[0].message()
    assert closure_rows(desk_file, tid) == [("Авария на узле",)]
    assert sql(desk_file, "SELECT status FROM tickets WHERE id = ?", tid) == [("resolved",)]
    qtbot.waitUntil(
        lambda: panel.view is not None and panel.view.stored.template_sent, timeout=10_000
    )
    assert panel.close_button.isEnabled() and panel.draft() == panel.view.stored


def test_c08_a_client_whose_scheme_is_not_filled_in_is_refused_with_the_explanation(
    qtbot: QtBot, window: MainWindow
) -> None:
    tid = outage_ticket(qtbot, window, "ПАО Сбербанк, отделение 12", group_name="Сбербанк")
    resolved_by(qtbot, window, tid, engineer(qtbot, window))
    show_ticket(qtbot, window, tid)
    panel, view = open_panel(qtbot, window)
    assert view.scheme == "sberbank" and not view.can_close
    assert not panel.scheme_refusal.isHidden()
    refusal = panel.scheme_refusal.text()
    assert "C-08" in refusal and "не заполнена" in refusal and "Сбербанка" in refusal
    assert panel.states() == {} and not panel.close_button.isEnabled()
    assert panel.items.isHidden()  # no items to list: no empty frame either
    with qtbot.waitSignal(panel.evaluated, timeout=10_000) as again:
        type_text(panel.cause, "Обрыв")
    assert not again.args[0].can_close and not panel.close_button.isEnabled()


def test_the_dock_opens_beside_the_card_and_its_form_fits_the_dock(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.resize(1400, 860)  # the size it opens at (the tests' saved layout may differ)
    tid = outage_ticket(qtbot, window, "ООО Важный клиент", category="Важный")
    resolved_by(qtbot, window, tid, engineer(qtbot, window))
    show_ticket(qtbot, window, tid)
    card = window.detail.width()
    panel, _view = open_panel(qtbot, window)
    # ~420 px at the right, and the ticket card keeps its width (the queue gives the room)
    qtbot.waitUntil(lambda: abs(panel.width() - DOCK_WIDTH) <= 8, timeout=10_000)
    assert window.dockWidgetArea(panel) == Qt.DockWidgetArea.RightDockWidgetArea
    assert window.detail.width() >= min(card, CARD_WIDTH)
    # the form fits that width: long check-box texts wrap, nothing scrolls sideways
    assert panel.form_scroll.horizontalScrollBar().maximum() == 0
    assert panel.body.minimumSizeHint().width() <= panel.form_scroll.viewport().width()
    assert isinstance(panel.checked, WrapCheckBox)
    assert panel.checked.height() >= panel.checked.heightForWidth(panel.checked.width())
    # every checklist item whole (its text and its source line), without a scroll of its own
    assert not isinstance(panel.items, QAbstractScrollArea)
    assert panel.items.findChildren(QAbstractScrollArea) == []
    assert len(panel.items.rows) == len(panel.states()) > 0
    for _mark, _rule, text in panel.items.rows:
        assert text.height() >= text.heightForWidth(text.width())
        assert "документ 000" in text.text()
    # «Исполнители» shows whole rows
    rows = panel.performers.height() - 2 * panel.performers.frameWidth()
    assert rows % panel.performers.sizeHintForRow(0) == 0
    # a click on a wrapped box's text ticks it, as on a plain check box's text
    box = panel.handed
    assert not box.isChecked()
    with qtbot.waitSignal(panel.evaluated, timeout=10_000):
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.label.geometry().center())
    assert box.isChecked()
    qtbot.waitUntil(lambda: panel.states()["handed_to_opp"] == "satisfied", timeout=10_000)
    # АРМ: who and when are enabled only when «Проведена по АРМу» is ticked; a login fits
    assert not panel.arm.isChecked()
    assert not panel.arm_by.isEnabled() and not panel.arm_at.isEnabled()
    panel.arm.setChecked(True)
    assert panel.arm_by.isEnabled() and panel.arm_at.isEnabled()
    assert panel.arm_by.width() >= panel.arm_by.fontMetrics().horizontalAdvance("kuzmin.d.o.")
    panel.arm.setChecked(False)
    assert not panel.arm_by.isEnabled() and panel.draft().arm_processed_by == ""
    # ЗИП: compact «+»/«−», enabled only when ЗИП is used; the table shown only then, its
    # name column wide and the quantity narrow
    add, remove = panel.part_add, panel.part_remove
    assert max(add.width(), remove.width()) <= 40
    assert not add.isEnabled() and not remove.isEnabled() and panel.parts.isHidden()
    panel.parts_used.setChecked(True)
    assert add.isEnabled() and not remove.isEnabled() and not panel.parts.isHidden()
    add.click()
    add.click()
    assert panel.parts.rowCount() == 2 and remove.isEnabled()
    header = panel.parts.horizontalHeader()
    assert header.sectionSize(0) > 2 * header.sectionSize(1)
    shown = panel.parts.viewport().height()
    assert shown >= panel.parts.rowHeight(0) + panel.parts.rowHeight(1)
    remove.click()
    remove.click()
    assert panel.parts.rowCount() == 0 and not remove.isEnabled()
    panel.parts_used.setChecked(False)
    assert not add.isEnabled() and panel.parts.isHidden()


def test_performers_the_owner_and_the_responsible_departments_first() -> None:
    def person(login: str, name: str, role: str, department: str) -> PersonInfo:
        return PersonInfo(uuid4(), login, name, role, department)

    found = [
        person("a", "Абрамов", "lead", "opp"),
        person("b", "Борисова", "operator", "oe"),
        person("c", "Васильев", "operator", "to"),
        person("d", "Гусев", "admin", ""),
        person("e", "Егоров", "operator", "to"),
        person("f", "Алексеев", "operator", "oe"),
    ]
    order = performer_order(found, "c", ["to"], ["oe", "to"])
    assert [p.login for p in order] == ["c", "e", "f", "b", "a", "d"]
    # no owner and no department of the ticket: the responsible departments, then the rest
    order = performer_order(found, "", [], ["oe", "to"])
    assert [p.login for p in order] == ["f", "b", "c", "e", "a", "d"]
