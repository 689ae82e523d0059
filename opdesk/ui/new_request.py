"""«Новое обращение (звонок)»: a service request composed during the dialogue (001, S-01…S-09).

The dialog is non-modal because the operator works the call in it while glancing at the queue
and at the caller's earlier tickets (double-click opens one in the card). The phone comes first:
the client and their open and recent tickets are looked up on the reader thread as the number
is typed (debounced), so a related request is seen before a new one is made. Everything the
regulation decides — the cascade's levels, the product S-04 requires, the type S-05/S-06
resolve, one request or two (S-02) — comes from the engine through `services.intake_call`,
judged live on the GUI thread (pure functions of the pack, microseconds), and judged again by
the command on the writer thread, which alone writes.
"""

from __future__ import annotations

import dataclasses
import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPushButton,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from opdesk.errors import EngineError
from opdesk.regulations.classify import resulting_type
from opdesk.regulations.questions import Question
from opdesk.regulations.request_plan import RequestPlan
from opdesk.regulations.rules import Reason
from opdesk.services import CommandResult, Desk
from opdesk.services.intake_call import (
    CallCheck,
    CallDraft,
    CallTicket,
    ClientMatch,
    RegisteredRequest,
    classification_options,
    find_client_by_phone,
    judge_call,
    register_call,
    registered_requests,
)
from opdesk.ui.i18n import pick
from opdesk.ui.panels import reasons_html

if TYPE_CHECKING:
    from opdesk.ui.main_window import MainWindow

LOOKUP_DELAY_MS = 300  # the lookup waits for a pause in typing, not for every digit
SHORTCUT = "Ctrl+N"
# Question.compensation values (S-02): the pack's second-request rules match on them
COMPENSATIONS = ("", "компенсация", "корректировка")
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
        self.resize(820, 860)
        self.match: ClientMatch | None = None
        self.questions: list[Question] = [Question("", "")]
        self.check: CallCheck | None = None
        self.created: Created | None = None
        self._loading = False
        self._lookup = QTimer(self)
        self._lookup.setSingleShot(True)
        self._lookup.setInterval(LOOKUP_DELAY_MS)
        self._lookup.timeout.connect(self._look_up)
        layout = QVBoxLayout(self)
        layout.addWidget(self._caller_box())
        layout.addWidget(self._questions_box(), 1)
        self.plan_line = self._label("planLine", wrap=True)
        self.reasons = QTextBrowser(self)
        self.reasons.setObjectName("reasons")
        self.reasons.setMaximumHeight(130)
        self.result_line = self._label("resultLine", wrap=True)
        self.result_line.setTextFormat(Qt.TextFormat.RichText)
        for w in (self.plan_line, self.reasons, self.result_line):
            layout.addWidget(w)
        layout.addLayout(self._buttons())
        self._load_question(0)

    # -- building ------------------------------------------------------------------------------
    def _label(self, name: str, wrap: bool = False) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(wrap)
        return label

    def _caller_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Кто звонит (S-03: номер, по которому обращается клиент)"), self)
        form = QFormLayout(box)
        self.phone = QLineEdit(box)
        self.phone.setObjectName("phone")
        self.phone.setPlaceholderText("+7 916 123-45-67")
        self.phone.textEdited.connect(lambda _t: (self._lookup.start(), self._sync()))
        form.addRow(self.tr("Телефон"), self.phone)
        self.client_line = self._label("clientInfo", wrap=True)
        form.addRow(self.tr("Клиент"), self.client_line)
        self.tickets = QTreeWidget(box)
        self.tickets.setObjectName("clientTickets")
        self.tickets.setHeaderLabels(
            [self.tr("Номер"), self.tr("Создана"), self.tr("Статус"), self.tr("Суть")]
        )
        self.tickets.setRootIsDecorated(False)
        self.tickets.setUniformRowHeights(True)
        self.tickets.setMaximumHeight(170)
        self.tickets.setToolTip(self.tr("Двойной щелчок открывает заявку в карточке"))
        self.tickets.itemDoubleClicked.connect(self._open_ticket)
        form.addRow(self.tr("Открытые и недавние"), self.tickets)
        self.subject = QLineEdit(box)
        self.subject.setObjectName("subject")
        self.subject.setPlaceholderText(self.tr("по умолчанию — тема и подтема"))
        form.addRow(self.tr("Суть обращения"), self.subject)
        self._show_client(None)
        return box

    def _questions_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Вопросы клиента (S-02, S-06: одно обращение на звонок)"), self)
        outer = QVBoxLayout(box)
        row = QHBoxLayout()
        outer.addLayout(row, 1)
        side = QVBoxLayout()
        self.list = QListWidget(box)
        self.list.setObjectName("questions")
        self.list.currentRowChanged.connect(self._load_question)
        side.addWidget(self.list, 1)
        add = QPushButton(self.tr("Добавить вопрос"), box)
        add.setObjectName("addQuestion")
        add.clicked.connect(self._add_question)
        self.remove = QPushButton(self.tr("Удалить вопрос"), box)
        self.remove.setObjectName("removeQuestion")
        self.remove.clicked.connect(self._remove_question)
        side.addWidget(add)
        side.addWidget(self.remove)
        row.addLayout(side, 1)
        form = QFormLayout()
        self.theme, self.type, self.subtheme, self.product = (
            self._combo(n) for n in ("theme", "type", "subtheme", "product")
        )
        self.product_label = QLabel(self.tr("Продукт"), box)
        form.addRow(self.tr("Тема"), self.theme)
        form.addRow(self.tr("Тип"), self.type)
        form.addRow(self.tr("Подтема"), self.subtheme)
        form.addRow(self.product_label, self.product)
        self.number = self._line("number", self.tr("если клиент спрашивает о другом номере"))
        form.addRow(self.tr("Номер вопроса"), self.number)
        self.justified = self._check("justified", self.tr("Жалоба обоснована"), True)
        self.geocoded = self._check("geocoded", self.tr("СЗ требуется геокодировать"))
        self.asr = self._check("asrReconnect", self.tr("Услуга переподключается в АСР"))
        self.main_check = self._check("mainSubtheme", self.tr("Основная подтема (S-06)"))
        for w in (self.justified, self.geocoded, self.asr, self.main_check):
            form.addRow("", w)
        self.compensation = self._combo("compensation")
        for value, text in zip(
            COMPENSATIONS, ("—", self.tr("компенсация"), self.tr("корректировка")), strict=True
        ):
            self.compensation.addItem(text, value)
        form.addRow(self.tr("Компенсация / корректировка"), self.compensation)
        self.content = self._line("contentNumber", self.tr("контент-номер, о котором вопрос"))
        form.addRow(self.tr("Контент-номер"), self.content)
        self.incident = self._line("massIncident", self.tr("номер МИ, если СЗ привязан к МИ"))
        form.addRow(self.tr("Массовый инцидент"), self.incident)
        self.claim = self._check("claimNeeded", self.tr("Нужна претензия в ГОП"))
        form.addRow("", self.claim)
        row.addLayout(form, 2)
        # below the form, full width: a wrapped label in a form row is clipped to one line
        self.type_line = self._label("typeLine", wrap=True)
        outer.addWidget(self.type_line)
        self.theme.addItem(self.tr("— выберите тему —"), "")
        for name in classification_options(self.pack).themes:
            self.theme.addItem(name, name)
        self.theme.currentIndexChanged.connect(self._theme_changed)
        self.type.currentIndexChanged.connect(lambda _i: self._sync())
        return box

    def _combo(self, name: str) -> QComboBox:
        box = QComboBox(self)
        box.setObjectName(name)
        if name in ("subtheme", "product", "compensation"):
            box.currentIndexChanged.connect(lambda _i: self._sync())
        return box

    def _line(self, name: str, hint: str) -> QLineEdit:
        line = QLineEdit(self)
        line.setObjectName(name)
        line.setPlaceholderText(hint)
        line.textEdited.connect(lambda _t: self._sync())
        return line

    def _check(self, name: str, text: str, checked: bool = False) -> QCheckBox:
        box = QCheckBox(text, self)
        box.setObjectName(name)
        box.setChecked(checked)
        box.toggled.connect(lambda _c: self._sync())
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
        self.clientShown.emit(match)

    def _ticket_item(self, t: CallTicket, bold: QFont) -> QTreeWidgetItem:
        created = t.created_at.astimezone(self.pack.calendar.tz).strftime("%d.%m.%Y %H:%M")
        what = t.subject or t.classification
        item = QTreeWidgetItem([t.number, created, t.status_name, what])
        item.setData(0, Qt.ItemDataRole.UserRole, t.id)
        item.setToolTip(3, t.classification)
        if t.is_open:
            for col in range(4):
                item.setFont(col, bold)
        return item

    def _open_ticket(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        self.main.go_to(int(item.data(0, Qt.ItemDataRole.UserRole)))

    # -- the questions and the cascade ---------------------------------------------------------
    def _add_question(self) -> None:
        current = self.questions[self.list.currentRow()] if self.questions else None
        self.questions.append(Question(current.theme if current else "", ""))
        self._refresh_list()
        self.list.setCurrentRow(len(self.questions) - 1)

    def _remove_question(self) -> None:
        row = self.list.currentRow()
        if len(self.questions) <= 1 or row < 0:
            return
        del self.questions[row]
        self._refresh_list()
        self.list.setCurrentRow(min(row, len(self.questions) - 1))
        self._load_question(self.list.currentRow())  # the row number may not have changed

    def _refresh_list(self) -> None:
        self.list.blockSignals(True)
        current = self.list.currentRow()
        self.list.clear()
        for i, q in enumerate(self.questions):
            parts = [p for p in (q.theme, q.type, q.subtheme, q.product) if p]
            text = " | ".join(parts) or self.tr("(не классифицирован)")
            self.list.addItem(f"{i + 1}. {text}")
        self.list.setCurrentRow(max(0, min(current, len(self.questions) - 1)))
        self.list.blockSignals(False)
        self.remove.setEnabled(len(self.questions) > 1)

    def _load_question(self, row: int) -> None:
        if not 0 <= row < len(self.questions):
            return
        q = self.questions[row]
        self._loading = True
        try:
            _choose(self.theme, q.theme)
            self._fill_theme(q.theme)
            _choose(self.type, q.type)
            self._fill_subthemes(q)
            _choose(self.subtheme, q.subtheme)
            _choose(self.product, q.product)
            self.number.setText(q.number)
            self.content.setText(q.content_number)
            self.incident.setText(q.mass_incident)
            _choose(self.compensation, q.compensation)
            for box, value in (
                (self.justified, q.justified), (self.geocoded, q.geocoded),
                (self.asr, q.asr_reconnect), (self.main_check, q.main),
                (self.claim, q.claim_needed),
            ):  # fmt: skip
                box.setChecked(value)
        finally:
            self._loading = False
        self._refresh_list()
        self._sync()

    def _theme_changed(self, _index: int) -> None:
        if self._loading:
            return
        self._loading = True
        try:
            self._fill_theme(str(self.theme.currentData() or ""))
        finally:
            self._loading = False
        self._sync()

    def _fill_theme(self, theme: str) -> None:
        """Theme → the theme's types, in priority order, and its products (S-04, S-05)."""
        options = classification_options(self.pack, theme)
        kept_type, kept_product = self.type.currentData(), self.product.currentData()
        _refill(self.type, self.tr("— тип —"), options.types, kept_type)
        _refill(self.product, "—", options.products, kept_product)
        self.product.setEnabled(bool(options.products))
        required = self.tr("Продукт *") if options.product_required else self.tr("Продукт")
        self.product_label.setText(required)
        self.product_label.setToolTip(
            self.tr("S-04: для темы «{theme}» продукт обязателен").format(theme=theme)
            if options.product_required
            else ""
        )
        font = self.product_label.font()
        font.setBold(options.product_required)
        self.product_label.setFont(font)

    def _fill_subthemes(self, q: Question) -> None:
        """Subthemes of the type the regulation resolves for the question (S-05): a complaint
        solved by re-connecting in АСР is classified under «Заявка»."""
        effective, _why = self._resolved(q)
        options = classification_options(self.pack, q.theme, effective or q.type)
        _refill(
            self.subtheme, self.tr("— подтема —"), options.subthemes, self.subtheme.currentData()
        )

    def _resolved(self, q: Question) -> tuple[str, tuple[Reason, ...]]:
        """The question's type after S-05's corrections ("" = not registered), and why."""
        c = self.pack.classification
        if c.theme(q.theme) is None or q.type not in c.types:
            return q.type, ()
        try:
            decision = resulting_type(c, [q])
        except EngineError:
            return q.type, ()
        # judged alone, the question is the engine's «вопрос №1» whatever its row: drop that
        alone = tuple(
            dataclasses.replace(r, detail=r.detail.removeprefix("вопрос №1: "))
            for r in decision.reasons
        )
        return decision.types[0], alone

    def _question(self) -> Question:
        def data(box: QComboBox) -> str:
            return str(box.currentData() or "")

        return Question(
            theme=data(self.theme), type=data(self.type), subtheme=data(self.subtheme),
            product=data(self.product), number=self.number.text().strip(),
            main=self.main_check.isChecked(), justified=self.justified.isChecked(),
            geocoded=self.geocoded.isChecked(), asr_reconnect=self.asr.isChecked(),
            content_number=self.content.text().strip(), compensation=data(self.compensation),
            mass_incident=self.incident.text().strip(), claim_needed=self.claim.isChecked(),
        )  # fmt: skip

    def _sync(self) -> None:
        """The editor's question into the list, then the type line and the live plan."""
        if self._loading:
            return
        row = self.list.currentRow()
        if not 0 <= row < len(self.questions):
            return
        self._loading = True
        try:
            q = self._question()
            self._fill_subthemes(q)
            q = dataclasses.replace(q, subtheme=str(self.subtheme.currentData() or ""))
        finally:
            self._loading = False
        self.questions[row] = q
        self._refresh_list()
        self._show_type(q)
        self._show_plan()

    def _show_type(self, q: Question) -> None:
        effective, why = self._resolved(q)
        if not q.type:
            self.type_line.setText("")
        elif not effective:
            self.type_line.setText(
                self.tr("Вопрос не регистрируется: {why}").format(why=_brief(why))
            )
        elif effective != q.type:
            self.type_line.setText(
                self.tr("Тип по регламенту: «{type}» — {why}").format(
                    type=effective, why=_brief(why)
                )
            )
        else:
            self.type_line.setText(self.tr("Тип: «{type}»").format(type=effective))

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
                    rules=ids, why=_brief(verdict.reasons[:1], rule=False)
                )
            )
            self.plan_line.setStyleSheet("color: #c62828")
        self.reasons.setHtml(reasons_html(verdict.reasons))

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
        self.result_line.setText(html.escape(message))

    def _registered(self, created: Created) -> None:
        result, made = created
        if not result.ok:
            self.create.setEnabled(True)
            self.create_close.setEnabled(True)
            self.reasons.setHtml(reasons_html(result.reasons))
            self.result_line.setText(self.tr("<b>Не создано</b>: регламент не разрешает."))
            self.main.refusals.show_refusal(self.tr("Новое обращение"), result.reasons)
            self.refused.emit(result)
            return
        self.created = created
        self.reasons.setHtml(reasons_html(result.reasons))
        self.result_line.setText("<br>".join(self._made_line(r) for r in made))
        self.main.after_commands(set(result.ticket_ids))
        if result.created_id is not None:
            self._open_when_listed(result.created_id)
        self.registered.emit(created)

    def _made_line(self, r: RegisteredRequest) -> str:
        text = (
            f"<b>{html.escape(r.number)}</b> «{html.escape(r.type)}» — {html.escape(r.status_name)}"
        )
        if r.linked_to:
            text += self.tr(", связан с {number} (S-02)").format(number=html.escape(r.linked_to))
        if r.edit_until is not None:
            until = r.edit_until.astimezone(self.pack.calendar.tz).strftime("%H:%M")
            text += self.tr("; редактирование возможно до {time} (S-09)").format(time=until)
        return text

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
        self.created, self.questions = None, [Question("", "")]
        for line in (self.phone, self.subject):
            line.clear()
        self._show_client(None)
        self.result_line.clear()
        self.create.setEnabled(True)
        self.create_close.setEnabled(True)
        self._refresh_list()
        self.list.setCurrentRow(0)
        self._load_question(0)
        self.phone.setFocus()


def _choose(box: QComboBox, value: str) -> None:
    box.setCurrentIndex(max(0, box.findData(value)))


def _refill(box: QComboBox, placeholder: str, values: tuple[str, ...], keep: Any) -> None:
    box.blockSignals(True)
    box.clear()
    box.addItem(placeholder, "")
    for v in values:
        box.addItem(v, v)
    _choose(box, str(keep or ""))
    box.blockSignals(False)


def _brief(reasons: tuple[Reason, ...], rule: bool = True) -> str:
    """Reasons in one line: the detail about this call (else the rule's text), by rule."""
    return "; ".join(
        (f"{r.rule}: " if rule and r.rule else "")
        + pick(r.detail or r.text, r.detail_en or r.text_en)
        for r in reasons
    )


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
