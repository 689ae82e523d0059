"""«Закрытие заявки»: the closing checklist of the selected ticket at the operator's hand
(000, C-01…C-11) — every item the engine returns, the closure report typed in place, the
client's confirmation and the delayed-closure template where the pack asks for them, and
«Закрыть» enabled only when the close would be carried out.

Why a dock with a live verdict: the operator fills the report while on the phone; each change
is judged on the reader thread (`closing_view` with the unsaved draft, under a key so a newer
keystroke supersedes an older one), so the list turns green item by item and the window never
waits. Saving and closing run on the writer thread through `save_closing` /
`close_with_report`, the same guarded path as any other close.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDate, QDateTime, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDockWidget,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from opdesk.regulations.snapshot import Actor
from opdesk.services import (
    ClosingView,
    ClosureDraft,
    CommandResult,
    ConfirmationDraft,
    Desk,
    SparePart,
    close_with_report,
    closing_view,
    save_closing,
)
from opdesk.services.views import TicketView
from opdesk.store.reading import people
from opdesk.ui.i18n import pick, translated
from opdesk.ui.panels import reasons_html, reasons_text, source_name

if TYPE_CHECKING:
    from opdesk.ui.main_window import MainWindow

SHORTCUT = "Ctrl+Shift+C"
EVALUATE_AFTER_MS = 150  # a pause in typing, then one judgement on the reader thread
COLOURS = {"satisfied": "#2e7d32", "missing": "#c62828", "n/a": "#757575"}
MARKS = {"satisfied": "✓", "missing": "✗", "n/a": "—"}
KINDS = {
    "verbal": QT_TRANSLATE_NOOP("ChecklistPanel", "устное"),
    "electronic": QT_TRANSLATE_NOOP("ChecklistPanel", "электронное"),
}
Command = Callable[[Desk, Actor, int, ClosureDraft], CommandResult]
ITEM_ID = Qt.ItemDataRole.UserRole
ITEM_STATE = Qt.ItemDataRole.UserRole + 1


def install(window: MainWindow) -> ChecklistPanel:
    """The dock (hidden until asked for) and its action in the «Заявка» menu."""
    panel = ChecklistPanel(window)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, panel)
    panel.hide()
    window.addAction(panel.open_action)
    menu = _ticket_menu(window)
    if menu is not None:
        menu.addSeparator()
        menu.addAction(panel.open_action)
    return panel


def _ticket_menu(window: MainWindow) -> QMenu | None:
    """The menu holding «Взять в работу»: found by its action, whatever the language."""
    take = window.actions_.actions["take"] if window.actions_ is not None else None
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and take in menu.actions():
            return menu
    return None


def _person_names(desk: Desk) -> list[str]:
    with desk.db.engine.connect() as conn:
        return [p.name for p in people(conn)]


class ChecklistPanel(QDockWidget):
    evaluated = Signal(object)  # ClosingView: a verdict is shown
    finished = Signal(object)  # CommandResult of a save or a close

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.main = window
        self.tz = window.pack.calendar.tz
        self.ticket_id: int | None = None
        self.view: ClosingView | None = None
        self.names: list[str] = []
        self._dirty = self._loading = self._busy = False
        self.setObjectName("closingPanel")
        self.setWindowTitle(self.tr("Закрытие заявки"))
        self.open_action = QAction(self.tr("Закрыть заявку (чек-лист)…"), window)
        self.open_action.setObjectName("action_closing")
        self.open_action.setShortcut(QKeySequence(SHORTCUT))
        self.open_action.triggered.connect(self.open_for_current)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(EVALUATE_AFTER_MS)
        self._timer.timeout.connect(self.evaluate)
        self._build()
        window.viewShown.connect(self._view_shown)
        self.visibilityChanged.connect(lambda shown: shown and self._sync())

    # -- widgets -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.body = QWidget(self)
        layout = QVBoxLayout(self.body)
        self.header = self._label("closingHeader")
        self.scheme_refusal = self._label("closingSchemeRefusal")
        self.scheme_refusal.setStyleSheet(f"color: {COLOURS['missing']}")
        self.items = QTreeWidget(self.body)
        self.items.setObjectName("closingItems")
        self.items.setHeaderLabels(["", self.tr("Правило"), self.tr("Пункт и источник")])
        self.items.setRootIsDecorated(False)
        self.items.setWordWrap(True)
        self.items.setMinimumHeight(260)
        layout.addWidget(self.header)
        layout.addWidget(self.scheme_refusal)
        layout.addWidget(self.items)
        layout.addWidget(self._report())
        layout.addWidget(self._flags())
        layout.addWidget(self._confirmation())
        layout.addWidget(self._delay())
        # the footer stays in sight below the scrolling form: what is missing, and the buttons
        frame = QWidget(self)
        outer = QVBoxLayout(frame)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(frame)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)
        self.missing = QTextBrowser(frame)
        self.missing.setObjectName("closingMissing")
        self.missing.setMaximumHeight(130)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Сохранить"), frame)
        self.save_button.setObjectName("closingSave")
        self.save_button.clicked.connect(self.save)
        self.close_button = QPushButton(self.tr("Закрыть"), frame)
        self.close_button.setObjectName("closingClose")
        self.close_button.clicked.connect(self.close_ticket)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.missing)
        outer.addLayout(buttons)
        self.setWidget(frame)
        self.body.setEnabled(False)
        self.save_button.setEnabled(False)
        self.close_button.setEnabled(False)

    def _label(self, name: str) -> QLabel:
        label = QLabel(self.body)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        return label

    def _text(self, name: str, lines: int = 3) -> QPlainTextEdit:
        edit = QPlainTextEdit(self.body)
        edit.setObjectName(name)
        edit.setMaximumHeight(18 * lines + 12)
        edit.textChanged.connect(self._edited)
        return edit

    def _moment_edit(self, name: str) -> QDateTimeEdit:
        edit = QDateTimeEdit(self.body)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd.MM.yyyy HH:mm")
        edit.dateTimeChanged.connect(self._edited)
        return edit

    def _check(self, name: str, text: str) -> QCheckBox:
        box = QCheckBox(text, self.body)
        box.setObjectName(name)
        box.toggled.connect(self._edited)
        return box

    def _report(self) -> QGroupBox:
        group = QGroupBox(self.tr("Отчёт о закрытии (C-04)"), self.body)
        form = QFormLayout(group)
        self.cause = self._text("closingCause")
        self.actions_done = self._text("closingActions")
        self.performers = QListWidget(group)
        self.performers.setObjectName("closingPerformers")
        self.performers.setMaximumHeight(110)
        self.performers.itemChanged.connect(self._edited)
        self.completed_set = self._check("closingCompletedSet", self.tr("указано"))
        self.completed_at = self._moment_edit("closingCompletedAt")
        self.time_spent = QSpinBox(group)
        self.time_spent.setObjectName("closingTimeSpent")
        self.time_spent.setRange(-1, 100_000)
        self.time_spent.setSpecialValueText("—")
        self.time_spent.setSuffix(self.tr(" мин"))
        self.time_spent.valueChanged.connect(self._edited)
        self.parts_used = self._check("closingPartsUsed", self.tr("Использован ЗИП"))
        self.parts = QTableWidget(0, 2, group)
        self.parts.setObjectName("closingParts")
        self.parts.setHorizontalHeaderLabels([self.tr("ЗИП"), self.tr("Количество")])
        self.parts.horizontalHeader().setStretchLastSection(True)
        self.parts.setMaximumHeight(110)
        add, remove = QPushButton("+", group), QPushButton("−", group)
        add.setObjectName("closingPartAdd")
        add.clicked.connect(lambda: self._add_part(SparePart("", 1)))
        remove.clicked.connect(self._remove_part)
        when, parts = QHBoxLayout(), QHBoxLayout()
        when.addWidget(self.completed_set)
        when.addWidget(self.completed_at, 1)
        for w in (self.parts_used, add, remove):
            parts.addWidget(w)
        form.addRow(self.tr("Причина аварии"), self.cause)
        form.addRow(self.tr("Выполненные действия"), self.actions_done)
        form.addRow(self.tr("Исполнители"), self.performers)
        form.addRow(self.tr("Время выполнения"), when)
        form.addRow(self.tr("Затраченное время"), self.time_spent)
        form.addRow(parts)
        form.addRow(self.parts)
        return group

    def _flags(self) -> QGroupBox:
        group = QGroupBox(self.tr("Отметки и проверки"), self.body)
        form = QFormLayout(group)
        self.handed = self._check("closingHanded", self.tr("Заявка переведена на отдел «ОПП»"))
        self.permanent = self._check("closingPermanent", self.tr("Постоянная схема; указал отдел"))
        self.recorded_by = QComboBox(group)
        self.recorded_by.setObjectName("closingRecordedBy")
        self.recorded_by.addItem("—", "")
        for dep in self.main.pack.lists.get("responsible_departments", ()):
            self.recorded_by.addItem(dep, dep)
        self.recorded_by.currentIndexChanged.connect(self._edited)
        self.needs_closing = self._check(
            "closingNeedsClosing", self.tr("В заявке указано, что её требуется закрыть")
        )
        self.paid = self._check("closingPaid", self.tr("Платная заявка"))
        self.arm = self._check("closingArm", self.tr("Проведена по АРМу: кто и когда"))
        self.arm_by = QLineEdit(group)
        self.arm_by.setObjectName("closingArmBy")
        self.arm_by.textChanged.connect(self._edited)
        self.arm_at = self._moment_edit("closingArmAt")
        self.checked = self._check(
            "closingChecked", self.tr("Проверено выполнение действий ответственным сотрудником")
        )
        self.escalation = self._check(
            "closingEscalation", self.tr("Выполнена эскалация по закрытию заявки VIP")
        )
        scheme, arm = QHBoxLayout(), QHBoxLayout()
        scheme.addWidget(self.permanent)
        scheme.addWidget(self.recorded_by)
        for w in (self.arm, self.arm_by, self.arm_at):
            arm.addWidget(w)
        for row in (self.handed, scheme, self.needs_closing, self.paid, arm, self.checked):
            form.addRow(row)
        form.addRow(self.escalation)
        return group

    def _confirmation(self) -> QGroupBox:
        self.confirm = QGroupBox(self.tr("Подтверждение клиента получено"), self.body)
        self.confirm.setObjectName("closingConfirmation")
        self.confirm.setCheckable(True)
        self.confirm.toggled.connect(self._edited)
        form = QFormLayout(self.confirm)
        self.confirm_note = self._label("closingConfirmationNote")
        self.confirm_kind = QComboBox(self.confirm)
        self.confirm_kind.setObjectName("closingConfirmKind")
        self.confirm_kind.currentIndexChanged.connect(self._edited)
        self.confirm_by = QLineEdit(self.confirm)
        self.confirm_by.setObjectName("closingConfirmBy")
        self.confirm_by.textChanged.connect(self._edited)
        self.confirm_at = self._moment_edit("closingConfirmAt")
        form.addRow(self.confirm_note)
        form.addRow(self.tr("Вид"), self.confirm_kind)
        form.addRow(self.tr("Кто подтвердил"), self.confirm_by)
        form.addRow(self.tr("Когда"), self.confirm_at)
        self.confirm.hide()
        return self.confirm

    def _delay(self) -> QGroupBox:
        group = QGroupBox(self.tr("Закрытие затягивается из-за клиента (C-11)"), self.body)
        form = QFormLayout(group)
        self.delay_case = QComboBox(group)
        self.delay_case.setObjectName("closingDelayCase")
        self.delay_case.currentIndexChanged.connect(self._case_changed)
        self.template = QPlainTextEdit(group)
        self.template.setObjectName("closingTemplate")
        self.template.setReadOnly(True)
        self.template.setMaximumHeight(100)
        self.copy_button = QPushButton(self.tr("Копировать шаблон"), group)
        self.copy_button.setObjectName("closingCopy")
        self.copy_button.clicked.connect(self.copy_template)
        self.template_sent = self._check(
            "closingTemplateSent", self.tr("Клиент проинформирован по шаблону")
        )
        self.delay_note = self._label("closingDelayNote")
        self.comment = self._text("closingComment")
        sent = QHBoxLayout()
        sent.addWidget(self.copy_button)
        sent.addWidget(self.template_sent, 1)
        form.addRow(self.tr("Случай"), self.delay_case)
        form.addRow(self.template)
        form.addRow(sent)
        form.addRow(self.delay_note)
        form.addRow(self.tr("Комментарий о закрытии"), self.comment)
        return group

    # -- following the selected ticket ---------------------------------------------------------
    def open_for_current(self) -> None:
        """The «Заявка» menu's action: show the panel for the current ticket."""
        shown = self.isVisible()
        self.show()
        self.raise_()
        if shown:
            self._sync()
        self.cause.setFocus()

    def _view_shown(self, _view: TicketView | None) -> None:
        if self.isVisible():
            self._sync()

    def _sync(self) -> None:
        """Follow the window's current ticket; the operator's unsaved edits of the same
        ticket are kept and judged again (the ticket may have changed under them)."""
        current = self.main.current
        tid = current.detail.id if current is not None else None
        if tid != self.ticket_id or not self._dirty or self.view is None:
            self.load(tid)
        else:
            self._timer.start()

    def load(self, ticket_id: int | None) -> None:
        """Read the ticket's saved state and verdict; the form starts from it."""
        self._timer.stop()
        self.ticket_id, self.view, self._dirty = ticket_id, None, False
        self.body.setEnabled(False)
        reader = self.main.reader
        if ticket_id is None or reader is None:
            self.header.setText(self.tr("Выберите заявку в очереди."))
            self.items.clear()
            return
        if not self.names:
            reader.submit(_person_names, self._names_arrived)
        actor = self.main.actor()
        reader.submit(
            lambda desk: closing_view(desk, actor, ticket_id, None),
            self._loaded, self._failed, key="closing",
        )  # fmt: skip

    def _names_arrived(self, names: list[str]) -> None:
        self.names = names

    def _loaded(self, view: ClosingView | None) -> None:
        if view is None or view.ticket_id != self.ticket_id:
            return
        self._fill(view)
        self._show(view)

    def _failed(self, message: str) -> None:
        self._busy = False
        self.main.statusBar().showMessage(message, 8000)

    # -- the draft -----------------------------------------------------------------------------
    def _edited(self, *_args: object) -> None:
        if self._loading or self.view is None:
            return
        self._dirty = True
        self._update_delay()
        self._timer.start()

    def _case_changed(self) -> None:
        """Another C-11 case: its own template has not been sent yet."""
        if not self._loading:
            self.template_sent.setChecked(False)
        self._edited()

    def evaluate(self) -> None:
        """Judge the unsaved draft on the reader thread; nothing is written."""
        reader, tid = self.main.reader, self.ticket_id
        if reader is None or tid is None or self.view is None:
            return
        draft, actor = self.draft(), self.main.actor()
        reader.submit(
            lambda desk: closing_view(desk, actor, tid, draft), self._show, self._failed,
            key="closing",
        )  # fmt: skip

    def draft(self) -> ClosureDraft:
        stored = self.view.stored if self.view is not None else ClosureDraft()
        arm = self.arm.isChecked()
        return ClosureDraft(
            cause=self.cause.toPlainText(),
            actions=self.actions_done.toPlainText(),
            performers=tuple(
                item.text() for item in self._performer_items()
                if item.checkState() == Qt.CheckState.Checked
            ),
            completed_at=self._moment(self.completed_at, stored.completed_at)
            if self.completed_set.isChecked() else None,
            time_spent_minutes=None if self.time_spent.value() < 0 else self.time_spent.value(),
            spare_parts_used=self.parts_used.isChecked(),
            spare_parts=self._parts() if self.parts_used.isChecked() else (),
            comment=self.comment.toPlainText(),
            responsible_actions_checked=self.checked.isChecked(),
            escalation_done=self.escalation.isChecked(),
            handed_to_opp=self.handed.isChecked(),
            scheme_permanent=self.permanent.isChecked(),
            scheme_recorded_by=str(self.recorded_by.currentData() or ""),
            needs_closing=self.needs_closing.isChecked(),
            paid=self.paid.isChecked(),
            arm_processed_by=self.arm_by.text().strip() if arm else "",
            arm_processed_at=self._moment(self.arm_at, stored.arm_processed_at) if arm else None,
            closing_delay=str(self.delay_case.currentData() or ""),
            template_sent=self.template_sent.isChecked() and self.template_sent.isEnabled(),
            confirmation=ConfirmationDraft(
                str(self.confirm_kind.currentData() or ""), self.confirm_by.text().strip(),
                self._moment(self.confirm_at, None),
            ) if not self.confirm.isHidden() and self.confirm.isChecked() else None,
        )  # fmt: skip

    def _performer_items(self) -> list[QListWidgetItem]:
        return [self.performers.item(i) for i in range(self.performers.count())]

    def _parts(self) -> tuple[SparePart, ...]:
        out = []
        for row in range(self.parts.rowCount()):
            name, quantity = self.parts.cellWidget(row, 0), self.parts.cellWidget(row, 1)
            assert isinstance(name, QLineEdit) and isinstance(quantity, QSpinBox)
            out.append(SparePart(name.text().strip(), quantity.value()))
        return tuple(out)

    def _add_part(self, part: SparePart) -> None:
        row = self.parts.rowCount()
        self.parts.insertRow(row)
        name, quantity = QLineEdit(part.name, self.parts), QSpinBox(self.parts)
        name.setObjectName(f"closingPartName{row}")
        quantity.setObjectName(f"closingPartQuantity{row}")
        quantity.setRange(0, 100_000)
        quantity.setValue(part.quantity)
        name.textChanged.connect(self._edited)
        quantity.valueChanged.connect(self._edited)
        self.parts.setCellWidget(row, 0, name)
        self.parts.setCellWidget(row, 1, quantity)
        self._edited()

    def _remove_part(self) -> None:
        row = self.parts.currentRow() if self.parts.currentRow() >= 0 else self.parts.rowCount() - 1
        if row >= 0:
            self.parts.removeRow(row)
            self._edited()

    def _moment(self, edit: QDateTimeEdit, stored: dt.datetime | None) -> dt.datetime:
        """The edit's moment in the desk's time zone; the stored one while the minute shown is
        unchanged (the edit has no seconds: an untouched field must not count as an edit)."""
        d, t = edit.date(), edit.time()
        shown = dt.datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=self.tz)
        if stored is not None and stored.astimezone(self.tz).replace(second=0, microsecond=0) == (
            shown
        ):
            return stored
        return shown

    def _set_moment(self, edit: QDateTimeEdit, moment: dt.datetime | None) -> None:
        m = (moment or self.main.clock.now()).astimezone(self.tz)
        edit.setDateTime(QDateTime(QDate(m.year, m.month, m.day), QTime(m.hour, m.minute)))

    def _fill(self, view: ClosingView) -> None:
        """The form from the saved state (signals of the widgets ignored meanwhile)."""
        s = view.stored
        self._loading = True
        try:
            self.cause.setPlainText(s.cause)
            self.actions_done.setPlainText(s.actions)
            self.performers.clear()
            for name in dict.fromkeys([*self.names, *s.performers]):
                item = QListWidgetItem(name, self.performers)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                checked = name in s.performers
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.completed_set.setChecked(s.completed_at is not None)
            self._set_moment(self.completed_at, s.completed_at)
            self.time_spent.setValue(-1 if s.time_spent_minutes is None else s.time_spent_minutes)
            self.parts_used.setChecked(s.spare_parts_used)
            self.parts.setRowCount(0)
            for part in s.spare_parts:
                self._add_part(part)
            self.comment.setPlainText(s.comment)
            self.checked.setChecked(s.responsible_actions_checked)
            self.escalation.setChecked(s.escalation_done)
            self.handed.setChecked(s.handed_to_opp)
            self.handed.setEnabled(not s.handed_to_opp)  # handing back is another command
            self.permanent.setChecked(s.scheme_permanent)
            self.recorded_by.setCurrentIndex(
                max(0, self.recorded_by.findData(s.scheme_recorded_by))
            )
            self.needs_closing.setChecked(s.needs_closing)
            self.paid.setChecked(s.paid)
            self.arm.setChecked(bool(s.arm_processed_by))
            self.arm_by.setText(s.arm_processed_by or self.main.actor().login)
            self._set_moment(self.arm_at, s.arm_processed_at)
            self.confirm.setChecked(False)
            self.confirm_by.clear()
            self._set_moment(self.confirm_at, None)
            self.delay_case.clear()
            self.delay_case.addItem(self.tr("— не затягивается —"), "")
            for case in view.delay_cases:
                self.delay_case.addItem(case.name, case.kind)
            self.delay_case.setCurrentIndex(max(0, self.delay_case.findData(s.closing_delay)))
            self.template_sent.setChecked(s.template_sent)
            self.view = view
            self._update_delay()
        finally:
            self._loading = False

    def _update_delay(self) -> None:
        """The chosen C-11 case: its filled template to copy, or the comment it requires."""
        kind = str(self.delay_case.currentData() or "")
        cases = self.view.delay_cases if self.view is not None else ()
        case = next((c for c in cases if c.kind == kind), None)
        self.template.setPlainText(case.text if case else "")
        has_text = case is not None and not case.comment_only
        for w in (self.template, self.copy_button, self.template_sent):
            w.setEnabled(has_text)
        self.template.setVisible(has_text)
        if case is not None and case.comment_only:
            note = self.tr("Шаблона нет: закройте с комментарием (обязателен).")
            self.comment.setPlaceholderText(case.comment)
        elif case is not None:
            note = self.tr("Отправьте клиенту шаблон и напишите комментарий о закрытии.")
            self.comment.setPlaceholderText("")
        else:
            note = ""
        self.delay_note.setText(html.escape(note))

    def copy_template(self) -> None:
        QGuiApplication.clipboard().setText(self.template.toPlainText())
        self.main.statusBar().showMessage(self.tr("Шаблон скопирован"), 4000)

    # -- the verdict ---------------------------------------------------------------------------
    def _show(self, view: ClosingView | None) -> None:
        if view is None or view.ticket_id != self.ticket_id:
            return
        self.view = view
        scheme = pick(view.scheme_name, view.scheme_name_en)
        head = f"<b>{html.escape(view.number)}</b> — {html.escape(view.status_name)}"
        self.header.setText(f"{head}<br>{html.escape(scheme)}" if scheme else head)
        self.scheme_refusal.setVisible(bool(view.scheme_reasons))
        self.scheme_refusal.setText(
            "<b>" + self.tr("Закрытие невозможно") + "</b>" + reasons_html(view.scheme_reasons)
        )
        self._show_items(view)
        self._show_confirmation(view)
        self.escalation.setVisible(bool(view.escalation) or self.escalation.isChecked())
        self.missing.setHtml(self._missing_html(view))
        self.close_button.setText(self._close_name(view))
        self.close_button.setToolTip(reasons_text(view.reasons))
        self.body.setEnabled(True)
        self._enable_buttons()
        self.evaluated.emit(view)

    def _missing_html(self, view: ClosingView) -> str:
        """Why «Закрыть» is disabled: each missing item by its rule ID (the list above gives
        the rule's source), then in full whatever else refuses (the status, the scheme)."""
        if view.can_close:
            ready = html.escape(self.tr("Все пункты выполнены: заявку можно закрыть."))
            return f"<b style='color:{COLOURS['satisfied']}'>{ready}</b>"
        title = html.escape(self.tr("«{name}» недоступно:").format(name=self._close_name(view)))
        lines = "".join(
            f"<li><b>{html.escape(i.rule)}</b> {html.escape(pick(i.text, i.text_en))}</li>"
            for i in view.missing
        )
        return f"<b>{title}</b><ul style='margin:0'>{lines}</ul>{reasons_html(view.others)}"

    def _close_name(self, view: ClosingView) -> str:
        return pick(view.close_name, view.close_name_en) or self.tr("Закрыть")

    def _enable_buttons(self) -> None:
        view = self.view
        editable = view is not None and view.applies and view.editable
        for group in self.body.findChildren(QGroupBox):
            group.setEnabled(editable)
        valid = view is not None and not view.problems
        self.save_button.setEnabled(editable and valid and not self._busy)
        self.close_button.setEnabled(view is not None and view.can_close and not self._busy)

    def _show_items(self, view: ClosingView) -> None:
        """The rows are updated in place while the items stay the same (every keystroke
        brings a verdict: the list must not jump back to its top)."""
        same = [str(self.items.topLevelItem(i).data(0, ITEM_ID)) for i in range(
            self.items.topLevelItemCount())] == [i.id for i in view.items]  # fmt: skip
        if not same:
            self.items.clear()
        for n, item in enumerate(view.items):
            state = "missing" if item.missing else "satisfied" if item.satisfied else "n/a"
            text = f"{pick(item.text, item.text_en)}\n{source_name(item.source)}"
            row = self.items.topLevelItem(n) if same else QTreeWidgetItem(self.items)
            for col, value in enumerate((MARKS[state], item.rule, text)):
                row.setText(col, value)
                row.setForeground(col, QColor(COLOURS[state]))
            row.setToolTip(2, text)
            row.setData(0, ITEM_ID, item.id)
            row.setData(0, ITEM_STATE, state)
        if not same:
            self.items.resizeColumnToContents(0)
            self.items.resizeColumnToContents(1)

    def _show_confirmation(self, view: ClosingView) -> None:
        """Offered only where the pack requires it (C-07 verbal, C-08 electronic)."""
        kinds = [n.key for n in view.confirmation]
        self.confirm.setVisible(bool(kinds))
        if [self.confirm_kind.itemData(i) for i in range(self.confirm_kind.count())] != kinds:
            self._loading = True
            self.confirm_kind.clear()
            for kind in kinds:
                self.confirm_kind.addItem(translated("ChecklistPanel", KINDS.get(kind, kind)), kind)
            self._loading = False
        why = [f"{i.rule} {pick(i.text, i.text_en)}" for n in view.confirmation for i in n.items]
        done = [
            self.tr("получено: {kind}, {by}, {at}").format(
                kind=translated("ChecklistPanel", KINDS.get(c.kind, c.kind)), by=c.by,
                at=c.at.astimezone(self.tz).strftime("%d.%m.%Y %H:%M") if c.at else "—",
            )
            for c in view.confirmations
        ]  # fmt: skip
        self.confirm_note.setText("<br>".join(html.escape(x) for x in (*why, *done)))

    def states(self) -> dict[str, str]:
        """Item id → satisfied | missing | n/a, as shown (for the tests and screenshots)."""
        out = {}
        for i in range(self.items.topLevelItemCount()):
            row = self.items.topLevelItem(i)
            out[str(row.data(0, ITEM_ID))] = str(row.data(0, ITEM_STATE))
        return out

    # -- commands ------------------------------------------------------------------------------
    def save(self) -> None:
        self._run(self.tr("Сохранение отчёта о закрытии"), save_closing)

    def close_ticket(self) -> None:
        if self.view is not None and self.view.can_close:
            self._run(self._close_name(self.view), close_with_report)

    def _run(self, title: str, command: Command) -> None:
        writer, tid = self.main.writer, self.ticket_id
        if writer is None or tid is None or self.view is None:
            return
        draft, actor = self.draft(), self.main.actor()
        self._busy = True
        self._enable_buttons()
        writer.submit(
            lambda desk: command(desk, actor, tid, draft),
            lambda result: self._done(title, result), self._failed,
        )  # fmt: skip

    def _done(self, title: str, result: CommandResult) -> None:
        self._busy = False
        if not result.ok:
            self.main.refusals.show_refusal(title, result.reasons)
        if result.ticket_ids:
            self._dirty = False  # saved: the refreshed ticket fills the form again
            self.main.after_commands(set(result.ticket_ids))
        else:
            self._enable_buttons()
            self._timer.start()
        self.finished.emit(result)
