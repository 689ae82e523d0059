"""«Новое обращение (звонок)»: a service request composed during the dialogue (001, S-01…S-09).

The dialog is non-modal because the operator works the call in it while glancing at the queue
and at the caller's earlier tickets (double-click opens one in the card). The phone comes first:
the client and their open and recent tickets are looked up on the reader thread as the number
is typed (debounced), so a related request is seen before a new one is made. Everything the
regulation decides — the cascade's levels, the product S-04 requires, the type S-05/S-06
resolve, one request or two (S-02) — comes from the engine through `services.intake_call`,
judged live on the GUI thread (pure functions of the pack, microseconds), and judged again by
the command on the writer thread, which alone writes.

This module holds the dialog (the caller and their tickets, the plan and its reasons, creating)
and the Ctrl+N action `install` adds to the window; the questions and their cascade are edited
in `opdesk.ui.question_editor`. Laid out for a 1366×768 screen: the caller across the top, the
questions beside the plan below, at most DEFAULT_SIZE and never more than the screen's free area.
"""

from __future__ import annotations

import dataclasses
import html
import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from opdesk.regulations.questions import Question
from opdesk.regulations.request_plan import RequestPlan
from opdesk.services import CommandResult, Desk
from opdesk.services.intake_call import (
    CallCheck,
    CallDraft,
    CallTicket,
    ClientMatch,
    RegisteredRequest,
    find_client_by_phone,
    judge_call,
    register_call,
    registered_requests,
)
from opdesk.ui.i18n import pick
from opdesk.ui.panels import reasons_html
from opdesk.ui.question_editor import QuestionEditor, brief

if TYPE_CHECKING:
    from opdesk.ui.main_window import MainWindow

LOOKUP_DELAY_MS = 300  # the lookup waits for a pause in typing, not for every digit
SHORTCUT = "Ctrl+N"
# The dialog is made for a 1366×768 screen: at most this big by default, and never bigger than
# the screen's free area less a window frame (the title bar the window manager adds).
DEFAULT_SIZE = QSize(1120, 680)
FRAME_ALLOWANCE = QSize(16, 48)
TICKET_ROWS = (4, 6)  # the caller's tickets: rows shown at least and at most (then it scrolls)
REASONS_LINES = 3  # the reasons box is at least this many lines tall, else as its text
Created = tuple[CommandResult, tuple[RegisteredRequest, ...]]


class NewRequestDialog(QDialog):
    clientShown = Signal(object)  # ClientMatch | None, once the lookup's answer is on screen
    registered = Signal(object)  # Created: the command's result and the requests it made
    refused = Signal(object)  # CommandResult: the regulation refused, nothing was written

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.main = window
        self.pack = window.pack
        self.setObjectName("newRequestDialog")
        self.setWindowTitle(self.tr("Новое обращение (звонок)"))
        self.setModal(False)
        self.match: ClientMatch | None = None
        self.check: CallCheck | None = None
        self.created: Created | None = None
        self._lookup = QTimer(self)
        self._lookup.setSingleShot(True)
        self._lookup.setInterval(LOOKUP_DELAY_MS)
        self._lookup.timeout.connect(self._look_up)
        # the caller across the top; below, the questions beside the plan and its reasons (the
        # plan's column is as tall as the editor, room for the reasons in full). On a screen too
        # small for all of it, it scrolls, the buttons stay in sight.
        body = QWidget(self)
        body.setObjectName("newRequestBody")
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._caller_box())
        self.editor = QuestionEditor(self.pack, body)
        self.split = QSplitter(Qt.Orientation.Horizontal, body)
        self.split.setObjectName("newRequestSplit")
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.editor)
        self.split.addWidget(self._plan_box())
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 1)
        column.addWidget(self.split, 1)
        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("newRequestScroll")
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(self._buttons())
        # the editor's fields, reached as the dialog's by the tests and the screenshots script
        e = self.editor
        self.theme, self.type, self.subtheme, self.product = e.theme, e.type, e.subtheme, e.product
        self.compensation, self.product_label = e.compensation, e.product_label
        self.editor.changed.connect(self._show_plan)
        self._show_plan()
        self._fit_reasons()
        self.resize(self.default_size())

    @property
    def questions(self) -> list[Question]:
        return self.editor.questions

    def default_size(self) -> QSize:
        """DEFAULT_SIZE, within the free area of the main window's screen."""
        screen = self.main.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return DEFAULT_SIZE
        free = screen.availableGeometry().size() - FRAME_ALLOWANCE
        return DEFAULT_SIZE.boundedTo(free).expandedTo(self.minimumSizeHint().boundedTo(free))

    # -- building ------------------------------------------------------------------------------
    def _label(self, name: str, wrap: bool = False) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(wrap)
        return label

    def _caller_box(self) -> QGroupBox:
        """The phone, the client found by it and the subject beside the client's tickets."""
        box = QGroupBox(self.tr("Кто звонит (S-03: номер, по которому обращается клиент)"), self)
        row = QHBoxLayout(box)
        form = QFormLayout()
        self.phone = QLineEdit(box)
        self.phone.setObjectName("phone")
        self.phone.setPlaceholderText("+7 916 123-45-67")
        self.phone.textEdited.connect(lambda _t: (self._lookup.start(), self._show_plan()))
        form.addRow(self.tr("Телефон"), self.phone)
        self.client_line = self._label("clientInfo", wrap=True)
        form.addRow(self.tr("Клиент"), self.client_line)
        self.subject = QLineEdit(box)
        self.subject.setObjectName("subject")
        self.subject.setPlaceholderText(self.tr("по умолчанию — тема и подтема"))
        form.addRow(self.tr("Суть обращения"), self.subject)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addStretch(1)
        row.addLayout(left, 1)
        tickets = QVBoxLayout()
        tickets.addWidget(QLabel(self.tr("Открытые и недавние"), box))
        self.tickets = QTreeWidget(box)
        self.tickets.setObjectName("clientTickets")
        self.tickets.setHeaderLabels(
            [self.tr("Номер"), self.tr("Создана"), self.tr("Статус"), self.tr("Суть")]
        )
        self.tickets.setRootIsDecorated(False)
        self.tickets.setUniformRowHeights(True)
        self.tickets.header().setStretchLastSection(True)  # «Суть» takes what the rest leave
        # no horizontal scroll bar over the last row: «Суть» is elided, its tooltip is whole
        self.tickets.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tickets.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.tickets.setToolTip(self.tr("Двойной щелчок открывает заявку в карточке"))
        self.tickets.itemDoubleClicked.connect(self._open_ticket)
        tickets.addWidget(self.tickets)
        tickets.addStretch(1)
        row.addLayout(tickets, 2)
        self._show_client(None)
        return box

    def _plan_box(self) -> QGroupBox:
        """What the regulation makes of the call now, and the rules why, as tall as their text
        up to the column's height (beyond, the reasons scroll)."""
        box = QGroupBox(self.tr("Что будет создано"), self)
        column = QVBoxLayout(box)
        self.plan_line = self._label("planLine", wrap=True)
        column.addWidget(self.plan_line)
        # what was created, under the plan (empty until then)
        self.result_line = self._label("resultLine", wrap=True)
        self.result_line.setTextFormat(Qt.TextFormat.RichText)
        self.result_line.setVisible(False)
        column.addWidget(self.result_line)
        self.reasons = QTextBrowser(box)
        self.reasons.setObjectName("reasons")
        self.reasons.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.reasons.document().documentLayout().documentSizeChanged.connect(self._fit_reasons)
        column.addWidget(self.reasons, 1)
        column.addStretch(0)
        return box

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.create = QPushButton(self.tr("Создать"), self)
        self.create.setObjectName("create")
        self.create.setDefault(True)
        self.create.clicked.connect(lambda: self.submit(close_at_end=False))
        self.create_close = QPushButton(self.tr("Создать и закрыть по окончанию диалога"), self)
        self.create_close.setObjectName("createAndClose")
        self.create_close.setToolTip(
            self.tr(
                "S-09: статус «Закрыт по окончанию диалога»; изменить обращение можно в течение "
                "5 минут после закрытия. Связанная «Заявка» на компенсацию/корректировку "
                "остаётся открытой: по ней компенсацию ещё проводят."
            )
        )
        self.create_close.clicked.connect(lambda: self.submit(close_at_end=True))
        self.again = QPushButton(self.tr("Следующий звонок"), self)
        self.again.setObjectName("reset")
        self.again.clicked.connect(self.reset)
        done = QPushButton(self.tr("Закрыть"), self)
        done.setObjectName("closeDialog")
        done.clicked.connect(self.close)
        row.addWidget(self.create)
        row.addWidget(self.create_close)
        row.addStretch(1)
        row.addWidget(self.again)
        row.addWidget(done)
        return row

    # -- the caller ------------------------------------------------------------------------------
    def _look_up(self) -> None:
        reader = self.main.reader
        if reader is None:
            return
        phone = self.phone.text()

        def work(desk: Desk) -> ClientMatch | None:
            return find_client_by_phone(desk, phone)

        reader.submit(work, self._show_client, self._lookup_failed, key="new_request_client")

    def _lookup_failed(self, message: str) -> None:
        failed = self.tr("Поиск клиента не выполнен: {m}").format(m=message)
        self.client_line.setText(html.escape(failed))

    def _show_client(self, match: ClientMatch | None) -> None:
        self.match = match
        self.tickets.clear()
        if match is None:
            digits = sum(ch.isdigit() for ch in self.phone.text())
            self.client_line.setText(
                self.tr("клиент не найден — обращение будет зарегистрировано на номер")
                if digits >= 5
                else self.tr("введите номер телефона")
            )
        else:
            c = match.client
            parts = [c.name, c.category, c.city, c.group]
            counts = self.tr("открытых: {open}, недавних закрытых: {recent}").format(
                open=len(match.open_tickets), recent=len(match.recent_tickets)
            )
            who = html.escape(" · ".join(p for p in parts if p))
            self.client_line.setText(f"<b>{who}</b> — {html.escape(counts)}")
            bold = QFont()
            bold.setBold(True)
            for t in (*match.open_tickets, *match.recent_tickets):
                self.tickets.addTopLevelItem(self._ticket_item(t, bold))
            for col in range(3):
                self.tickets.resizeColumnToContents(col)
        self._fit_tickets()
        self.clientShown.emit(match)

    def _fit_tickets(self) -> None:
        """Whole rows only: the list is as tall as its tickets (TICKET_ROWS bound it), so no
        row is cut at the bottom; more tickets scroll a row at a time."""
        tree = self.tickets
        count = tree.topLevelItemCount()
        row = tree.sizeHintForRow(0) if count else 0
        if row <= 0:
            row = tree.fontMetrics().height() + 4
        low, high = TICKET_ROWS
        rows = max(low, min(count, high))
        tree.setFixedHeight(tree.header().sizeHint().height() + rows * row + 2 * tree.frameWidth())

    def _ticket_item(self, t: CallTicket, bold: QFont) -> QTreeWidgetItem:
        created = t.created_at.astimezone(self.pack.calendar.tz).strftime("%d.%m.%Y %H:%M")
        what = t.subject or t.classification
        item = QTreeWidgetItem([t.number, created, self.status_name(t), what])
        item.setData(0, Qt.ItemDataRole.UserRole, t.id)
        whole = "\n".join(dict.fromkeys(p for p in (t.subject, t.classification) if p))
        item.setToolTip(3, whole)
        if t.is_open:
            for col in range(4):
                item.setFont(col, bold)
        return item

    def status_name(self, t: CallTicket) -> str:
        """The status as the ticket's process names it (the service looked that up: the portal
        process says «Closed», as its document does), in English where the interface is."""
        status = self.pack.statuses.get(t.status)
        return pick(t.status_name, status.name_en if status is not None else "")

    def _open_ticket(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        self.main.go_to(int(item.data(0, Qt.ItemDataRole.UserRole)))

    # -- the plan ------------------------------------------------------------------------------
    def draft(self, close_at_end: bool = False) -> CallDraft:
        client = self.match.client_id if self.match is not None else None
        return CallDraft(
            phone=self.phone.text().strip(),
            questions=tuple(self.questions),
            client_id=client,
            subject=self.subject.text().strip(),
            close_at_end=close_at_end,
        )

    def _show_plan(self) -> None:
        self.check = judge_call(self.pack, self.draft())
        verdict, plan = self.check.verdict, self.check.plan
        if verdict.allowed and plan is not None:
            self.plan_line.setText(self._plan_text(plan))
            self.plan_line.setStyleSheet("")
        else:
            ids = ", ".join(dict.fromkeys(r.rule for r in verdict.reasons if r.rule))
            self.plan_line.setText(
                self.tr("Пока создать нельзя ({rules}): {why}").format(
                    rules=ids, why=brief(verdict.reasons[:1], rule=False)
                )
            )
            self.plan_line.setStyleSheet("color: #c62828")
        self.reasons.setHtml(reasons_html(verdict.reasons))

    def _fit_reasons(self) -> None:
        """No taller than the text (the column's room beyond that stays blank), at least
        REASONS_LINES lines; called whenever the text or the width changes its height. The
        text is measured beside a scroll bar: measured at the whole width, a box just that tall
        would keep the bar it showed while squeezed (and the last line under it)."""
        box, doc = self.reasons, self.reasons.document()
        probe = doc.clone(box)
        bar = box.verticalScrollBar().sizeHint().width()
        probe.setTextWidth(max(1, box.contentsRect().width() - bar))
        text = math.ceil(probe.size().height())
        probe.deleteLater()
        low = REASONS_LINES * box.fontMetrics().lineSpacing() + math.ceil(2 * doc.documentMargin())
        margins = box.contentsMargins()
        frame = margins.top() + margins.bottom()
        box.setMinimumHeight(low + frame)
        box.setMaximumHeight(max(low, text) + frame)

    def _plan_text(self, plan: RequestPlan) -> str:
        c = self.pack.classification
        merge_rules = (c.merge_rule.id, c.priority_rule.id)  # why several questions, one type
        items = []
        for req in plan.requests:
            if req.link_to is not None:
                rules = ", ".join(dict.fromkeys(r.rule for r in req.reasons))
                items.append(
                    self.tr("связанное «{type}» к №{n} ({rules})").format(
                        type=req.type, n=req.link_to + 1, rules=rules
                    )
                )
            else:
                item = f"«{req.theme} | {req.type} | {req.subtheme}»"
                merged = [r.rule for r in req.reasons if r.rule in merge_rules]
                items.append(item + (f" ({', '.join(dict.fromkeys(merged))})" if merged else ""))
        listed = items[0] if len(items) == 1 else ", ".join(items[:-1]) + self.tr(" и ") + items[-1]
        text = self.tr("Будет создано {count} {noun}: {items}").format(
            count=len(plan.requests), noun=self._noun(len(plan.requests)), items=listed
        )
        if plan.not_registered:
            dropped = ", ".join(f"№{i + 1}" for i in plan.not_registered)
            text += self.tr("; не регистрируются вопросы {list}").format(list=dropped)
        return text

    def _noun(self, n: int) -> str:
        if n % 10 == 1 and n % 100 != 11:
            return self.tr("обращение")
        if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
            return self.tr("обращения")
        return self.tr("обращений")

    # -- creating ------------------------------------------------------------------------------
    def submit(self, close_at_end: bool) -> None:
        """Register the call on the writer thread; the command judges the draft again, so what
        is written is exactly what the regulation allows at that moment."""
        writer = self.main.writer
        if writer is None:
            return
        draft, actor = self.draft(close_at_end), self.main.actor()
        pending = self._lookup.isActive()  # the phone changed and its client is not known yet
        if pending:
            self._lookup.stop()
            self._look_up()  # the card catches up while the writer looks the client up itself

        def work(desk: Desk) -> Created:
            nonlocal draft
            if pending:  # the client of the phone as typed, not of the one before the edit
                match = find_client_by_phone(desk, draft.phone)
                draft = dataclasses.replace(draft, client_id=match.client_id if match else None)
            result = register_call(desk, actor, draft)
            made = registered_requests(desk, result.ticket_ids) if result.ok else ()
            return result, made

        self.create.setEnabled(False)
        self.create_close.setEnabled(False)
        writer.submit(work, self._registered, self._failed)

    def _failed(self, message: str) -> None:
        self.create.setEnabled(True)
        self.create_close.setEnabled(True)
        self._result(html.escape(message))

    def _result(self, text: str) -> None:
        self.result_line.setText(text)
        self.result_line.setVisible(bool(text))

    def _registered(self, created: Created) -> None:
        result, made = created
        if not result.ok:
            self.create.setEnabled(True)
            self.create_close.setEnabled(True)
            self.reasons.setHtml(reasons_html(result.reasons))
            self._result(self.tr("<b>Не создано</b>: регламент не разрешает."))
            self.main.refusals.show_refusal(self.tr("Новое обращение"), result.reasons)
            self.refused.emit(result)
            return
        self.created = created
        self.reasons.setHtml(reasons_html(result.reasons))
        self._result("<br>".join(self._made_line(r) for r in made))
        self.main.after_commands(set(result.ticket_ids))
        if result.created_id is not None:
            self._open_when_listed(result.created_id)
        self.registered.emit(created)

    def _made_line(self, r: RegisteredRequest) -> str:
        status = html.escape(self.registered_status(r))
        text = f"<b>{html.escape(r.number)}</b> «{html.escape(r.type)}» — {status}"
        if r.linked_to:
            text += self.tr(", связан с {number} (S-02)").format(number=html.escape(r.linked_to))
        if r.edit_until is not None:
            until = r.edit_until.astimezone(self.pack.calendar.tz).strftime("%H:%M")
            text += self.tr("; редактирование возможно до {time} (S-09)").format(time=until)
        return text

    def registered_status(self, r: RegisteredRequest) -> str:
        """A made request's status as its process names it (the service's name), in English
        through the status that name belongs to."""
        for process in self.pack.processes.values():
            for sid in process.statuses:
                status = self.pack.statuses[sid]
                if process.status_name(status) == r.status_name:
                    return pick(r.status_name, status.name_en)
        return r.status_name

    def _open_when_listed(self, ticket_id: int) -> None:
        """The queue lists the new tickets after its next query; then the first one is opened
        (a request closed at once is outside the open-tickets filter: its card opens alone)."""
        window = self.main

        def listed(_count: int) -> None:
            window.queueLoaded.disconnect(listed)
            window.go_to(ticket_id)

        window.queueLoaded.connect(listed)
        window.run_query(window.query)

    def reset(self) -> None:
        """A clean form for the next call."""
        self._lookup.stop()
        self.created = None
        for line in (self.phone, self.subject):
            line.clear()
        self._show_client(None)
        self._result("")
        self.create.setEnabled(True)
        self.create_close.setEnabled(True)
        self.editor.reset()  # one blank question; the plan is judged again
        self.phone.setFocus()


class NewRequest(QObject):
    """Owns the window-wide Ctrl+N action and the one dialog it opens."""

    def __init__(self, window: MainWindow, menu: QMenu | None) -> None:
        super().__init__(window)
        self.setObjectName("newRequest")
        self.window_ = window
        self.dialog: NewRequestDialog | None = None
        self.action = QAction(self.tr("Новое обращение (звонок)…"), window)
        self.action.setObjectName("action_new_request")
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.action.triggered.connect(self.open)
        window.addAction(self.action)  # the shortcut works wherever the focus is in the window
        if menu is not None:
            first = menu.actions()[0] if menu.actions() else None
            menu.insertAction(first, self.action)
            if first is not None:
                menu.insertSeparator(first)

    def open(self) -> NewRequestDialog:
        """Show the dialog (one per window: the operator is on one call), phone first."""
        if self.dialog is None:
            self.dialog = NewRequestDialog(self.window_)
        elif self.dialog.created is not None:
            self.dialog.reset()
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        self.dialog.phone.setFocus()
        return self.dialog


def install(window: MainWindow) -> NewRequest:
    """Add «Новое обращение (звонок)…» (Ctrl+N) at the top of the «Заявка» menu: the menu
    holding the status submenu, found by that rather than by its translated title (and not by
    the submenu's `menuAction()`, which the toolbar's status button takes over)."""
    menu = None
    if window.actions_ is not None:
        status = window.actions_.status_menu
        for action in window.menuBar().actions():
            sub = action.menu()
            if isinstance(sub, QMenu) and any(a.menu() is status for a in sub.actions()):
                menu = sub
    return NewRequest(window, menu)
