"""The reply-template picker (U-08, U-09, C-11) and the 24-hour reminder on the ticket card.

Why a non-modal dialog: an operator writes the reply while reading the card and the client's
history (U-02), so the picker stays open beside the window and follows the ticket chosen in the
queue (its first line and its title name the ticket and its subject, so a reply never goes
to another one unnoticed).

It opens on the template the engine chose for this ticket and this moment of the desk's clock,
with the engine's reason in one line; the operator may pick another. The text is filled on the
reader thread (`services.reply_choice`) and stays editable; a placeholder left in («{department}»
when the ticket has no open outgoing request) is highlighted and blocks both copying and adding
— a blank must never reach a client. «Добавить в заявку как ответ» runs `services.send_reply` on
the writer thread; a status the template sets (an interim reply → «На удержании») goes through
the same guarded transition, and a refusal is shown in the refusal panel with nothing changed.

Opened with Ctrl+R («Заявка» → «Ответ по шаблону…»); `install` wires it into the window.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from opdesk.regulations.templates import PLACEHOLDER
from opdesk.services import CommandResult, Desk
from opdesk.services.replies import ReplyChoice, reply_choice, send_reply, unfilled
from opdesk.services.views import TicketView
from opdesk.store.rows import fetch_rows

if TYPE_CHECKING:
    from opdesk.ui.main_window import MainWindow

SHORTCUT = "Ctrl+R"
BLANK_COLOUR = QColor("#f5c6c6")
LIST_ROWS = (2, 8)  # the offered templates: rows shown at least and at most (then it scrolls)
REMINDER_STYLE = "background: #fcf0c8; border: 1px solid #e0c060; padding: 4px;"


class BlankHighlighter(QSyntaxHighlighter):
    """Marks every «{placeholder}» left in the reply, so the operator sees what to fill."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.blank = QTextCharFormat()
        self.blank.setBackground(BLANK_COLOUR)
        self.blank.setFontWeight(QFont.Weight.Bold)

    def highlightBlock(self, text: str) -> None:
        for m in PLACEHOLDER.finditer(text):
            self.setFormat(m.start(), m.end() - m.start(), self.blank)


class TemplatePicker(QDialog):
    """The engine's template for the current ticket, the other offers, and the reply."""

    choiceShown = Signal(object)  # ReplyChoice: the picker shows it (tests wait on it)
    replyAdded = Signal(object)  # CommandResult of «Добавить в заявку как ответ», ok or not

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.main = window
        self.setObjectName("templatePicker")
        self.setModal(False)
        self.setWindowTitle(self.tr("Ответ по шаблону"))
        self.resize(680, 480)
        self.ticket_id: int | None = None
        self.choice: ReplyChoice | None = None
        self._sending = False
        layout = QVBoxLayout(self)
        # the ticket the reply goes to, in the body: the title is not seen without a window
        # manager, and a reply must never go to another ticket unnoticed
        self.ticket_line = QLabel(self)
        self.ticket_line.setObjectName("templateTicket")
        self.ticket_line.setWordWrap(True)
        self.ticket_line.setTextFormat(Qt.TextFormat.RichText)
        self.ticket_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.ticket_line)
        self.reason = QLabel(self)
        self.reason.setObjectName("templateReason")
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.reason)
        self.list = QListWidget(self)
        self.list.setObjectName("templateList")
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        layout.addWidget(self.list)
        self.status_note = QLabel(self)
        self.status_note.setObjectName("templateStatus")
        self.status_note.setWordWrap(True)
        layout.addWidget(self.status_note)
        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("templatePreview")
        self.highlighter = BlankHighlighter(self.preview.document())
        layout.addWidget(self.preview, 1)
        self.blanks = QLabel(self)
        self.blanks.setObjectName("templateBlanks")
        self.blanks.setWordWrap(True)
        self.blanks.setStyleSheet("color: #a94442;")
        layout.addWidget(self.blanks)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton(self.tr("Копировать"), self)
        self.copy_button.setObjectName("templateCopy")
        self.add_button = QPushButton(self.tr("Добавить в заявку как ответ"), self)
        self.add_button.setObjectName("templateAdd")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.ActionRole)
        # text-only buttons alike: a style giving the standard «Закрыть» its icon (Fusion on
        # X11) has none for the two of ours
        for button in buttons.buttons():
            button.setIcon(QIcon())
        self.buttons = buttons
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.list.currentItemChanged.connect(self._picked)
        self.preview.textChanged.connect(self._check)
        self.copy_button.clicked.connect(self.copy)
        self.add_button.clicked.connect(self.add_reply)
        self._clear(self.tr("Выберите заявку в очереди"))

    def _fit_list(self) -> None:
        """The list as tall as its templates (LIST_ROWS bound it; more scroll), none when
        there are none."""
        count = self.list.count()
        self.list.setVisible(count > 0)
        if not count:
            return
        row = max(self.list.sizeHintForRow(i) for i in range(count))
        low, high = LIST_ROWS
        rows = max(low, min(count, high))
        self.list.setFixedHeight(rows * row + 2 * self.list.frameWidth())

    # -- reading -------------------------------------------------------------------------------
    def open_current(self) -> None:
        """Ctrl+R: the picker for the ticket on the card (shown, raised, focused)."""
        view = self.main.current
        if view is None:
            self.main.statusBar().showMessage(self.tr("Выберите заявку в очереди"), 5000)
            return
        self.load(view.detail.id)
        self.show()
        self.raise_()
        self.activateWindow()

    def load(self, ticket_id: int, template_id: str | None = None) -> None:
        """Ask the reader thread for the choice (a newer request supersedes an older one)."""
        reader = self.main.reader
        if reader is None:
            return
        self.ticket_id = ticket_id
        actor = self.main.actor()

        def work(desk: Desk) -> tuple[ReplyChoice, str]:
            choice = reply_choice(desk, actor, ticket_id, template_id)
            with desk.db.engine.connect() as conn:
                rows = fetch_rows(conn, [ticket_id])
            return choice, rows[0].subject if rows else ""

        reader.submit(work, self._arrived, self._failed, key="reply_choice")

    def follow(self, view: TicketView | None) -> None:
        """The card shows another ticket (or none): an open picker follows it. The same ticket
        shown again after a command (an outgoing request was sent: now there is a department
        to name) is read again too — unless the operator has edited the text."""
        if not self.isVisible():
            return
        choice = self.choice
        if view is None:
            self._clear(self.tr("Выберите заявку в очереди"))
        elif view.detail.id != self.ticket_id:
            self.load(view.detail.id)
        elif choice is not None and self.preview.toPlainText() == choice.text:
            picked = choice.template_id != choice.chosen_id  # the operator's own pick stays
            self.load(view.detail.id, choice.template_id if picked else None)

    def _arrived(self, read: tuple[ReplyChoice, str]) -> None:
        choice, subject = read
        if choice.ticket_id != self.ticket_id:
            return  # the card moved on meanwhile
        self.choice = choice
        self.setWindowTitle(self.tr("Ответ по шаблону — {number}").format(number=choice.number))
        number = f"<b>{html.escape(choice.number)}</b>"
        head = self.tr("Заявка {number}").format(number=number)
        self.ticket_line.setText(head + (f" — {html.escape(subject)}" if subject else ""))
        self.ticket_line.setToolTip(subject)
        self.ticket_line.setVisible(True)
        self.reason.setText(
            self.tr("<b>Регламент:</b> {reason}").format(reason=html.escape(choice.reason))
        )
        self.list.blockSignals(True)
        self.list.clear()
        for offer in choice.offers:
            label = f"{offer.name} ({offer.rule})"
            if offer.id == choice.chosen_id:
                label = self.tr("{label} — выбор регламента").format(label=label)
            item = QListWidgetItem(label, self.list)
            item.setData(Qt.ItemDataRole.UserRole, offer.id)
            if offer.id == choice.chosen_id:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            if offer.id == choice.template_id:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self._fit_list()
        offer = choice.offer
        self.status_note.setText(
            self.tr("После отправки статус заявки: «{status}» (U-05)").format(
                status=offer.sets_status
            )
            if offer is not None and offer.sets_status
            else ""
        )
        self.status_note.setVisible(bool(self.status_note.text()))
        self.preview.setReadOnly(not choice.template_id)
        self.preview.setPlainText(choice.text)
        self._check()
        self.choiceShown.emit(choice)

    def _failed(self, message: str) -> None:
        self._clear(self.tr("Шаблон не подобран: {message}").format(message=message))

    def _clear(self, why: str) -> None:
        self.choice = None
        self.ticket_id = None
        self.setWindowTitle(self.tr("Ответ по шаблону"))
        self.ticket_line.clear()
        self.ticket_line.setVisible(False)
        self.reason.setText(html.escape(why))
        self.list.blockSignals(True)
        self.list.clear()
        self.list.blockSignals(False)
        self._fit_list()
        self.status_note.setVisible(False)
        self.preview.setPlainText("")
        self.preview.setReadOnly(True)
        self._check()

    def _picked(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        """Another template: filled from the ticket again (the edits of the last one go)."""
        if item is None or self.ticket_id is None:
            return
        template_id = str(item.data(Qt.ItemDataRole.UserRole))
        if self.choice is None or template_id != self.choice.template_id:
            self.load(self.ticket_id, template_id)

    # -- the reply -----------------------------------------------------------------------------
    def text(self) -> str:
        return self.preview.toPlainText().strip()

    def _check(self) -> None:
        """A blank left in blocks copying and adding; the line below says which."""
        text = self.text()
        blanks = unfilled(text)
        ready = bool(text) and not blanks and self.choice is not None
        view, choice = self.main.current, self.choice
        # the card's verdict (S-09, P-08: a closed ticket) where it shows the same ticket
        editable = (
            view is None or choice is None or view.detail.id != choice.ticket_id or (view.editable)
        )
        sendable = ready and choice is not None and bool(choice.template_id)
        self.copy_button.setEnabled(ready)
        self.add_button.setEnabled(sendable and editable and not self._sending)
        names = ", ".join("{" + b + "}" for b in blanks)
        self.blanks.setText(
            self.tr(
                "Не заполнено: {names} — впишите вместо выделенного; отправка заблокирована"
            ).format(names=names)
            if blanks
            else ""
        )
        self.blanks.setVisible(bool(blanks))

    def copy(self) -> None:
        if not self.copy_button.isEnabled():
            return
        QGuiApplication.clipboard().setText(self.text())
        self.main.statusBar().showMessage(self.tr("Текст ответа скопирован"), 5000)

    def add_reply(self) -> None:
        """The reply into the ticket on the writer thread; the queue and card are refreshed."""
        choice, writer = self.choice, self.main.writer
        if not self.add_button.isEnabled() or choice is None or writer is None:
            return
        tid, template_id, text = choice.ticket_id, choice.template_id, self.text()
        actor = self.main.actor()
        self._sending = True
        self._check()

        def work(desk: Desk) -> CommandResult:
            return send_reply(desk, actor, tid, template_id, text)

        writer.submit(work, lambda result: self._added(choice, result), self._send_failed)

    def _added(self, choice: ReplyChoice, result: CommandResult) -> None:
        self._sending = False
        self._check()
        if result.ok:
            self.main.statusBar().showMessage(
                self.tr("Ответ добавлен в заявку {number}").format(number=choice.number), 8000
            )
            self.main.after_commands(set(result.ticket_ids))
            self.close()
        else:
            self.main.refusals.show_refusal(self.tr("Ответ по шаблону"), result.reasons)
        self.replyAdded.emit(result)

    def _send_failed(self, message: str) -> None:
        self._sending = False
        self._check()
        self.main.statusBar().showMessage(
            self.tr("Ответ не добавлен: {message}").format(message=message), 8000
        )


def show_reminder(window: MainWindow, view: TicketView | None) -> None:
    """U-09 on the card: the outgoing requests unanswered past their reminder (U-06), and what
    to do about it. Judged against the desk's clock, as the queue's mark is."""
    label = window.detail.reminder
    now = window.clock.now()
    late = [] if view is None else [
        o for o in view.detail.outgoing if o.answered_at is None and o.reminder_at <= now
    ]  # fmt: skip
    if not late:
        label.setVisible(False)
        label.clear()
        return
    when = min(o.reminder_at for o in late).astimezone(window.pack.calendar.tz)
    departments = ", ".join(dict.fromkeys(f"«{o.department}»" for o in late))
    label.setText(
        QCoreApplication.translate(
            "DetailView",
            "⚑ Смежный отдел не ответил за {hours} ч: {departments}, напоминание {when}. "
            "Сообщите клиенту по шаблону «ответ от коллег ещё не получили» (U-09) — {keys}",
        ).format(
            hours=window.pack.templates.reminder_hours,
            departments=departments,
            when=when.strftime("%d.%m.%Y %H:%M"),
            keys=SHORTCUT,
        )
    )
    label.setStyleSheet(REMINDER_STYLE)
    label.setVisible(True)


def _ticket_menu(window: MainWindow) -> QMenu | None:
    """The «Заявка» menu: the one holding «Взять в работу»."""
    actions = window.actions_
    if actions is None:
        return None
    take = actions.actions["take"]
    return next((m for m in window.menuBar().findChildren(QMenu) if take in m.actions()), None)


def install(window: MainWindow) -> TemplatePicker:
    """The picker, its action in the «Заявка» menu (Ctrl+R) and the card's reminder line."""
    picker = TemplatePicker(window)
    action = QAction(QCoreApplication.translate("TemplatePicker", "Ответ по шаблону…"), window)
    action.setObjectName("action_reply_template")
    action.setShortcut(QKeySequence(SHORTCUT))
    action.setToolTip(
        QCoreApplication.translate(
            "TemplatePicker", "Ответ клиенту по шаблону регламента (U-08, U-09, C-11)"
        )
    )
    action.triggered.connect(picker.open_current)
    window.addAction(action)
    menu = _ticket_menu(window)
    if menu is not None:
        menu.addSeparator()
        menu.addAction(action)
    window.viewShown.connect(lambda view: show_reminder(window, view))
    window.viewShown.connect(picker.follow)
    return picker
