"""The detail view of the selected ticket: header, client card with the client's other tickets
(U-02), the timeline of history and comments, outgoing requests with their reminders (U-06),
linked tickets and the SLA per stage. It shows a `TicketView` (plain values) and nothing
else; every change goes through an action of the main window."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QProgressBar,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from opdesk.regulations.pack import Pack
from opdesk.services.views import TicketView

COMMENT_KINDS = {
    "note": "заметка",
    "call_result": "итог звонка",
    "callback_attempt": "попытка перезвона",
    "client_reply": "ответ клиента",
    "reply": "ответ клиенту",
}
EVENT_KINDS = {
    "created": "создана",
    "status": "статус",
    "action": "действие",
    "reason": "причина",
    "field": "поле",
    "comment": "комментарий",
    "outgoing": "исходящий запрос",
    "outgoing_answer": "ответ отдела",
    "closure": "отчёт о закрытии",
    "confirmation": "подтверждение",
    "transfer": "передача",
    "process": "процесс",
    "imported": "импорт",
}
SLA_STATES = {
    "running": "идёт",
    "paused": "пауза",
    "breached": "просрочено",
    "met": "выполнено в срок",
    "not_started": "не начат",
    "uncontrolled": "не контролируется",
    "not_set": "срок не задан исполнителем",
}


class DetailView(QScrollArea):
    ticketActivated = Signal(int)  # a linked or client ticket was double-clicked

    def __init__(self, pack: Pack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pack = pack
        self.setObjectName("detailView")
        self.setWidgetResizable(True)
        body = QWidget(self)
        self.layout_ = QVBoxLayout(body)
        self.title = QLabel("Выберите заявку в очереди", body)
        self.title.setObjectName("detailTitle")
        self.title.setWordWrap(True)
        self.layout_.addWidget(self.title)
        self.header = QFormLayout()
        self.layout_.addLayout(self.header)
        self.sla_box = QGroupBox("SLA по этапам", body)
        self.sla_layout = QVBoxLayout(self.sla_box)
        self.layout_.addWidget(self.sla_box)
        self.timeline = self._tree("timeline", ["Когда", "Что", "Кто", "Подробности"])
        self.layout_.addWidget(self._group("История и комментарии", self.timeline), 2)
        self.outgoing = self._tree("outgoing", ["Отдел", "Отправлен", "Напоминание", "Ответ"])
        self.layout_.addWidget(self._group("Исходящие запросы (U-06)", self.outgoing))
        self.client_tickets = self._tree("clientTickets", ["Номер", "Создана", "Статус", "Тема"])
        self.layout_.addWidget(self._group("Другие заявки клиента (U-02)", self.client_tickets))
        self.links = self._tree("links", ["Номер", "Связь", "Статус", "Тема"])
        self.layout_.addWidget(self._group("Связанные заявки", self.links))
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
        tree.itemDoubleClicked.connect(self._activate)
        return tree

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
        return flow.status_name(known) if flow else known.name

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
        if view is None:
            self.title.setText("Выберите заявку в очереди")
            self.sla_box.setVisible(False)
            return
        d = view.detail
        mark = {"VIP": " ★ VIP", "Важный": " ◆ Важный"}.get(d.client_category, "")
        self.title.setText(f"<b>{d.number}</b> · {view.status_name}{mark}<br>{d.subject}")
        client = d.client_name or "—"
        if d.client is not None:
            extra = ", ".join(x for x in (d.client.city, d.client.group, d.client.mobile) if x)
            client = f"{client} ({extra})" if extra else client
        for label, value in (
            ("Процесс", view.process_name),
            ("Статус", view.status_name + (f" · {view.stage_name}" if view.stage_name else "")),
            ("Приоритет", d.priority),
            ("Категория", d.category or "—"),
            ("Классификация", " | ".join(x for x in (d.theme, d.type, d.subtheme) if x) or "—"),
            ("Клиент", client),
            ("Телефон", d.contact_phone or "—"),
            ("Владелец", d.owner_name or "—"),
            ("Отдел", d.department_name or "—"),
            ("Создана", self._when(d.created_at)),
            ("Уведомления", "включены" if d.notify_client else "«Не уведомлять» (P-09)"),
        ):
            value_label = QLabel(value)
            value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value_label.setWordWrap(True)
            self.header.addRow(label, value_label)
        self._fill_sla(view)
        for e in d.timeline:
            if e.source == "event" and e.kind == "comment":
                continue  # the comment itself follows
            if e.source == "comment":
                what = COMMENT_KINDS.get(e.kind, e.kind)
                text = e.text if len(e.text) < 400 else e.text[:400] + "…"
            else:
                what = EVENT_KINDS.get(e.kind, e.kind)
                old, new = e.old, e.new
                if e.kind in ("status", "action"):
                    old, new = self._status_name(d.process, old), self._status_name(d.process, new)
                text = " → ".join(x for x in (old, new) if x) or e.field
            self.timeline.addTopLevelItem(QTreeWidgetItem([self._when(e.at), what, e.actor, text]))
        for o in d.outgoing:
            answer = f"{self._when(o.answered_at)}: {o.answer}" if o.answered_at else "нет ответа"
            self.outgoing.addTopLevelItem(
                QTreeWidgetItem(
                    [o.department, self._when(o.sent_at), self._when(o.reminder_at), answer]
                )
            )
        for c in d.client_tickets:
            item = QTreeWidgetItem([c.number, self._when(c.created_at), c.status, c.subject])
            item.setData(0, Qt.ItemDataRole.UserRole, c.id)
            self.client_tickets.addTopLevelItem(item)
        for link in d.links:
            item = QTreeWidgetItem([link.number, link.kind, link.status, link.subject])
            item.setData(0, Qt.ItemDataRole.UserRole, link.id)
            self.links.addTopLevelItem(item)
        for tree in (self.timeline, self.outgoing, self.client_tickets, self.links):
            for col in range(tree.columnCount() - 1):
                tree.resizeColumnToContents(col)

    def _fill_sla(self, view: TicketView) -> None:
        self.sla_box.setVisible(True)
        if not view.sla:
            note = QLabel("SLA-планы (B-05) к процессу этой заявки не применяются")
            self.sla_layout.addWidget(note)
            return
        for bar in view.sla:
            line = QProgressBar(self.sla_box)
            line.setObjectName(f"sla_{bar.stage}")
            line.setRange(0, 100)
            line.setValue(min(100, int(bar.percent or 0)))
            state = SLA_STATES.get(bar.state, bar.state)
            due = f", срок {self._when(bar.due_at)}" if bar.due_at else ""
            paused = f", пауза {bar.paused_minutes} мин" if bar.paused_minutes else ""
            line.setFormat(f"{bar.name}: {state}{due}{paused}")
            line.setTextVisible(True)
            line.setToolTip(bar.reason)
            self.sla_layout.addWidget(line)
