"""The detail view of the selected ticket: header, client card with the client's other tickets
(U-02), the timeline of history and comments, outgoing requests with their reminders (U-06),
linked tickets and the SLA per stage. It shows a `TicketView` (plain values) and nothing
else; every change goes through an action of the main window."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from opdesk.regulations.pack import Pack
from opdesk.services.views import TicketView
from opdesk.store.reading import PersonInfo
from opdesk.ui.conflict_merge import ConflictList
from opdesk.ui.i18n import pick, translated
from opdesk.ui.panels import reasons_text

COMMENT_KINDS = {
    "note": QT_TRANSLATE_NOOP("DetailView", "заметка"),
    "call_result": QT_TRANSLATE_NOOP("DetailView", "итог звонка"),
    "callback_attempt": QT_TRANSLATE_NOOP("DetailView", "попытка перезвона"),
    "client_reply": QT_TRANSLATE_NOOP("DetailView", "ответ клиента"),
    "reply": QT_TRANSLATE_NOOP("DetailView", "ответ клиенту"),
}
EVENT_KINDS = {
    "created": QT_TRANSLATE_NOOP("DetailView", "создана"),
    "status": QT_TRANSLATE_NOOP("DetailView", "статус"),
    "action": QT_TRANSLATE_NOOP("DetailView", "действие"),
    "reason": QT_TRANSLATE_NOOP("DetailView", "причина"),
    "field": QT_TRANSLATE_NOOP("DetailView", "поле"),
    "comment": QT_TRANSLATE_NOOP("DetailView", "комментарий"),
    "outgoing": QT_TRANSLATE_NOOP("DetailView", "исходящий запрос"),
    "outgoing_answer": QT_TRANSLATE_NOOP("DetailView", "ответ отдела"),
    "closure": QT_TRANSLATE_NOOP("DetailView", "отчёт о закрытии"),
    "confirmation": QT_TRANSLATE_NOOP("DetailView", "подтверждение"),
    "transfer": QT_TRANSLATE_NOOP("DetailView", "передача"),
    "process": QT_TRANSLATE_NOOP("DetailView", "процесс"),
    "imported": QT_TRANSLATE_NOOP("DetailView", "импорт"),
}
BAR_COLOURS = {"breached": "#d9534f", "paused": "#9aa5b1", "met": "#5cb85c", "running": "#4a90d9"}
LINK_KINDS = {
    "related": QT_TRANSLATE_NOOP("DetailView", "связанная"),
    "second_request": QT_TRANSLATE_NOOP("DetailView", "второе обращение"),
    "outgoing": QT_TRANSLATE_NOOP("DetailView", "исходящий запрос"),
}
CLOCKED = ("running", "paused", "breached", "met")
SLA_STATES = {
    "running": QT_TRANSLATE_NOOP("DetailView", "идёт"),
    "paused": QT_TRANSLATE_NOOP("DetailView", "пауза"),
    "breached": QT_TRANSLATE_NOOP("DetailView", "просрочено"),
    "met": QT_TRANSLATE_NOOP("DetailView", "выполнено в срок"),
    "not_started": QT_TRANSLATE_NOOP("DetailView", "не начат"),
    "uncontrolled": QT_TRANSLATE_NOOP("DetailView", "не контролируется"),
    "not_set": QT_TRANSLATE_NOOP("DetailView", "срок не задан исполнителем"),
}


def short_name(full: str) -> str:
    """«Кузьмин Данил Олегович» → «Кузьмин Д. О.»: the history's «Кто» stays narrow."""
    parts = full.split()
    if len(parts) < 2 or not all(p[:1].isupper() for p in parts):
        return full  # a login, «client», a company
    return " ".join([parts[0], *(f"{p[0]}." for p in parts[1:3])])


class DetailView(QScrollArea):
    """Why header fields are edited in place: changing a priority or category is frequent
    work, and the card is where the operator reads them. Each edit is a request
    (`fieldEdited`) the window runs as the same `set_fields` command the Ctrl+Shift+F form
    uses; the card changes only when the refreshed view comes back, so a refused edit
    shows the refusal and leaves the old value."""

    ticketActivated = Signal(int)  # a linked or client ticket was double-clicked
    fieldEdited = Signal(int, str, object)  # ticket id, set_fields keyword, new value

    def __init__(self, pack: Pack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pack = pack
        self.setObjectName("detailView")
        self.setWidgetResizable(True)
        # The card follows the pane's width (labels wrap) instead of growing past it.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget(self)
        self.layout_ = QVBoxLayout(body)
        self.title = QLabel(self.tr("Выберите заявку в очереди"), body)
        self.title.setObjectName("detailTitle")
        self.title.setWordWrap(True)
        self.layout_.addWidget(self.title)
        # U-09: an outgoing request past its reminder, at the top of the card; its text is set
        # on every shown view by the reply-template picker (template_picker.show_reminder)
        self.reminder = QLabel(body)
        self.reminder.setObjectName("outgoingReminder")
        self.reminder.setWordWrap(True)
        self.reminder.setVisible(False)
        self.layout_.addWidget(self.reminder)
        self.header = QFormLayout()
        self.header.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.header.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.header.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.layout_.addLayout(self.header)
        self.conflicts = ConflictList(body)  # sync conflicts: above the fold when there are any
        self.layout_.addWidget(self.conflicts)
        self.editors: dict[str, QWidget] = {}
        self.names: dict[str, str] = {}  # login → name, for the history's «Кто»
        self.sla_box = QGroupBox(self.tr("SLA по этапам"), body)
        self.sla_layout = QVBoxLayout(self.sla_box)
        self.sla_layout.setSpacing(2)
        self.layout_.addWidget(self.sla_box)
        # three columns: the card is a narrow pane, and "what" reads best with its details
        self.timeline = self._tree("timeline", [self.tr("Когда"), self.tr("Кто"), self.tr("Что")])
        self.layout_.addWidget(self._group(self.tr("История и комментарии"), self.timeline), 2)
        self.outgoing = self._tree(
            "outgoing",
            [self.tr("Отдел"), self.tr("Отправлен"), self.tr("Напоминание"), self.tr("Ответ")],
        )
        self.outgoing_box = self._group(self.tr("Исходящие запросы (U-06)"), self.outgoing)
        self.layout_.addWidget(self.outgoing_box)
        self.client_tickets = self._tree(
            "clientTickets",
            [self.tr("Номер"), self.tr("Создана"), self.tr("Статус"), self.tr("Тема")],
        )
        self.client_box = self._group(self.tr("Другие заявки клиента (U-02)"), self.client_tickets)
        self.layout_.addWidget(self.client_box)
        self.links = self._tree(
            "links", [self.tr("Номер"), self.tr("Связь"), self.tr("Статус"), self.tr("Тема")]
        )
        self.links_box = self._group(self.tr("Связанные заявки"), self.links)
        self.layout_.addWidget(self.links_box)
        self.timeline.setMinimumHeight(220)
        self.setWidget(body)
        self.view: TicketView | None = None
        self.show_view(None)

    def _group(self, title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox(title, self)
        QVBoxLayout(box).addWidget(widget)
        return box

    def _tree(self, name: str, headers: list[str]) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setObjectName(name)
        tree.setHeaderLabels(headers)
        tree.setRootIsDecorated(False)
        tree.setUniformRowHeights(True)
        tree.setAlternatingRowColors(True)
        tree.setMinimumWidth(0)
        tree.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        tree.setMinimumHeight(90)
        tree.itemDoubleClicked.connect(self._activate)
        return tree

    def set_directory(self, people: list[PersonInfo]) -> None:
        """Names for the logins of the history (the card shows people, not accounts)."""
        self.names = {p.login: p.name for p in people}

    def _department_name(self, code: str) -> str:
        dep = self.pack.departments.find(code) if code else None
        return dep.name if dep else code

    def _activate(self, item: QTreeWidgetItem, _column: int) -> None:
        tid = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(tid, int):
            self.ticketActivated.emit(tid)

    def _when(self, moment: dt.datetime | None) -> str:
        if moment is None:
            return "—"
        return moment.astimezone(self.pack.calendar.tz).strftime("%d.%m.%Y %H:%M")

    def _status_name(self, process: str, status: str) -> str:
        flow, known = self.pack.processes.get(process), self.pack.statuses.get(status)
        if known is None:
            return status
        return pick(flow.status_name(known) if flow else known.name, known.name_en)

    def show_view(self, view: TicketView | None) -> None:
        self.view = view
        while self.header.rowCount():
            self.header.removeRow(0)
        for tree in (self.timeline, self.outgoing, self.client_tickets, self.links):
            tree.clear()
        while self.sla_layout.count():
            item = self.sla_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.conflicts.show_view(view, self._when, self.names)
        if view is None:
            self.title.setText(self.tr("Выберите заявку в очереди"))
            for box in (self.sla_box, self.outgoing_box, self.client_box, self.links_box):
                box.setVisible(False)
            return
        d = view.detail
        mark = {"VIP": " ★ VIP", "Важный": " ◆ " + self.tr("Важный")}.get(d.client_category, "")
        status_name = self._status_name(d.process, d.status)
        flow = self.pack.processes.get(d.process)
        process_name = pick(view.process_name, flow.name_en if flow else "")
        self.title.setText(f"<b>{d.number}</b> · {status_name}{mark}<br>{d.subject}")
        client = d.client_name or "—"
        if d.client is not None:
            extra = ", ".join(x for x in (d.client.city, d.client.group, d.client.mobile) if x)
            client = f"{client} ({extra})" if extra else client
        editors = self._editors(view)
        for label, value in (
            (self.tr("Процесс"), process_name),
            (
                self.tr("Статус"),
                status_name
                + (f" · {view.stage_name}" if view.stage_name not in ("", status_name) else ""),
            ),
            (self.tr("Приоритет"), editors["priority"]),
            (self.tr("Категория"), editors["category"]),
            (self.tr("Тип"), editors["type"]),
            (self.tr("Классификация"), " | ".join(x for x in (d.theme, d.subtheme) if x) or "—"),
            (self.tr("Клиент"), client),
            (self.tr("Телефон"), d.contact_phone or "—"),
            (self.tr("Владелец"), d.owner_name or "—"),
            (self.tr("Отдел"), d.department_name or "—"),
            (self.tr("Создана"), self._when(d.created_at)),
            (self.tr("Уведомления"), editors["notify_client"]),
        ):
            if isinstance(value, QWidget):
                self.header.addRow(label, value)
                continue
            value_label = QLabel(value)
            value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value_label.setWordWrap(True)
            self.header.addRow(label, value_label)
        if (window := self._edit_window(view)) is not None:
            self.header.addRow(self.tr("Редактирование"), window)
        self._fill_sla(view)
        for e in d.timeline:
            if e.source == "event" and e.kind == "comment":
                continue  # the comment itself follows
            if e.source == "comment":
                what = translated("DetailView", COMMENT_KINDS.get(e.kind, e.kind))
                text = e.text if len(e.text) < 400 else e.text[:400] + "…"
            else:
                what = translated("DetailView", EVENT_KINDS.get(e.kind, e.kind))
                old, new = e.old, e.new
                if e.kind in ("status", "action"):
                    old, new = self._status_name(d.process, old), self._status_name(d.process, new)
                    if old == new and e.stage:  # a change of level: the status stays
                        new = f"{new} · {self.pack.stages.name(e.stage)}"
                elif e.kind == "transfer":
                    old, new = self._department_name(old), self._department_name(new)
                text = " → ".join(x for x in (old, new) if x) or e.field
            full = self.names.get(e.actor, e.actor)
            entry = f"{what}: {text}" if text else what
            item = QTreeWidgetItem([self._when(e.at), short_name(full), entry])
            item.setToolTip(1, full)
            item.setToolTip(2, entry)
            self.timeline.addTopLevelItem(item)
        for o in d.outgoing:
            answer = (
                f"{self._when(o.answered_at)}: {o.answer}"
                if o.answered_at
                else self.tr("нет ответа")
            )
            self.outgoing.addTopLevelItem(
                QTreeWidgetItem(
                    [
                        self._department_name(o.department),
                        self._when(o.sent_at),
                        self._when(o.reminder_at),
                        answer,
                    ]
                )
            )
        for c in d.client_tickets:
            status = self.pack.statuses.get(c.status)
            name = pick(status.name, status.name_en) if status else c.status
            item = QTreeWidgetItem([c.number, self._when(c.created_at), name, c.subject])
            item.setData(0, Qt.ItemDataRole.UserRole, c.id)
            self.client_tickets.addTopLevelItem(item)
        for link in d.links:
            status = self.pack.statuses.get(link.status)
            name = pick(status.name, status.name_en) if status else link.status
            kind = translated("DetailView", LINK_KINDS.get(link.kind, link.kind))
            item = QTreeWidgetItem([link.number, kind, name, link.subject])
            item.setData(0, Qt.ItemDataRole.UserRole, link.id)
            self.links.addTopLevelItem(item)
        # an empty list is no pane: the card keeps its room for what this ticket has
        self.outgoing_box.setVisible(bool(d.outgoing))
        self.client_box.setVisible(bool(d.client_tickets))
        self.links_box.setVisible(bool(d.links))
        for tree in (self.timeline, self.outgoing, self.client_tickets, self.links):
            for col in range(tree.columnCount() - 1):
                tree.resizeColumnToContents(col)
                # a long name must not push the details (the last column) out of the pane
                tree.setColumnWidth(col, min(tree.columnWidth(col), 160))

    def _edit_window(self, view: TicketView) -> QLabel | None:
        """S-09: a closed ticket says until when it can still be changed (its process's
        window after closing), or that only reopening changes it now."""
        d = view.detail
        flow = self.pack.processes.get(d.process)
        status = self.pack.statuses.get(d.status)
        if flow is None or status is None or not flow.is_terminal(status.id):
            return None
        window = flow.edit_after_close
        if window.minutes == 0 or d.closed_at is None:
            text = self.tr("только после возобновления ({rule})").format(rule=window.rule.id)
        else:
            until = self._when(d.closed_at + dt.timedelta(minutes=window.minutes))
            text = (
                self.tr("возможно до {until} ({rule})")
                if view.editable
                else self.tr("окно закрылось в {until} ({rule})")
            ).format(until=until, rule=window.rule.id)
        label = QLabel(text)
        label.setObjectName("editWindow")
        label.setToolTip(reasons_text(view.edit_reasons))
        return label

    def _editors(self, view: TicketView) -> dict[str, QWidget]:
        """Priority, category, type and «Не уведомлять» as editors; disabled, with the rules
        that forbid it on hover, where the pack does not let this person edit the ticket."""
        d, tid = view.detail, view.detail.id
        priority = QComboBox()
        for p in self.pack.sla.priorities:
            priority.addItem(p, p)
        if priority.findData(d.priority) < 0:
            priority.addItem(d.priority, d.priority)
        priority.setCurrentIndex(priority.findData(d.priority))
        priority.setObjectName("edit_priority")
        priority.activated.connect(
            lambda _i: self._edited(tid, "priority", d.priority, priority.currentData())
        )
        category = QComboBox()
        category.addItem("—", "")
        for c in self.pack.sla.categories:
            category.addItem(c, c)
        if d.category and category.findData(d.category) < 0:
            category.addItem(d.category, d.category)
        category.setCurrentIndex(max(0, category.findData(d.category or "")))
        category.setObjectName("edit_category")
        category.activated.connect(
            lambda _i: self._edited(tid, "category", d.category or "", category.currentData())
        )
        kind = QLineEdit(d.type)
        kind.setObjectName("edit_type")
        kind.setPlaceholderText(self.tr("тип обращения (U-03)"))
        kind.editingFinished.connect(lambda: self._edited(tid, "type", d.type, kind.text().strip()))
        quiet = QCheckBox(self.tr("«Не уведомлять» клиента (P-09)"))
        quiet.setObjectName("edit_notify")
        quiet.setChecked(not d.notify_client)
        quiet.clicked.connect(
            lambda checked: self._edited(tid, "notify_client", d.notify_client, not checked)
        )
        self.editors = {"priority": priority, "category": category, "type": kind,
                        "notify_client": quiet}  # fmt: skip
        why = reasons_text(view.edit_reasons)
        for box in (priority, category):  # long category names must not widen the card
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(12)
        for editor in self.editors.values():
            editor.setEnabled(view.editable)
            editor.setToolTip("" if view.editable else why)
        return self.editors

    def _edited(self, tid: int, field: str, old: Any, new: Any) -> None:
        if new != old and (field != "category" or new):
            self.fieldEdited.emit(tid, field, new)

    def _fill_sla(self, view: TicketView) -> None:
        self.sla_box.setVisible(True)
        if not view.sla:
            note = QLabel(self.tr("SLA-планы (B-05) к процессу этой заявки не применяются"))
            note.setWordWrap(True)
            self.sla_layout.addWidget(note)
            return
        for bar in view.sla:
            # The words above the bar, wrapped: a bar's own text never wraps and would widen
            # the card past its pane.
            state = translated("DetailView", SLA_STATES.get(bar.state, bar.state))
            due = self.tr(", срок {when}").format(when=self._when(bar.due_at)) if bar.due_at else ""
            paused = (
                self.tr(", пауза {n} мин").format(n=bar.paused_minutes)
                if bar.paused_minutes
                else ""
            )
            stage = QWidget(self.sla_box)
            lines = QVBoxLayout(stage)
            lines.setContentsMargins(0, 0, 0, 4)
            lines.setSpacing(1)
            words = QLabel(f"{bar.name}: {state}{due}{paused}", stage)
            words.setObjectName(f"sla_{bar.stage}_text")
            words.setWordWrap(True)
            lines.addWidget(words)
            stage.setToolTip(bar.reason)
            if bar.state in CLOCKED:  # a stage with no clock running has no bar to fill
                line = QProgressBar(stage)
                line.setObjectName(f"sla_{bar.stage}")
                line.setRange(0, 100)
                full = bar.state == "met"  # done in time: the whole stage, in green
                line.setValue(100 if full else min(100, int(bar.percent or 0)))
                line.setTextVisible(False)
                line.setFixedHeight(8)
                line.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
                if colour := BAR_COLOURS.get(bar.state):
                    line.setStyleSheet(f"QProgressBar::chunk {{ background: {colour}; }}")
                lines.addWidget(line)
            self.sla_layout.addWidget(stage)
