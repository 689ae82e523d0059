"""The filter panel: saved filters with live counts, the quick search and every queue field.

It only produces `TicketQuery` values (the store turns them into SQL); counts arrive from the
reader thread. Typing is debounced, and a newer query supersedes the older one in the reader,
so the window never waits for a search the operator has already changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from opdesk.regulations.pack import Pack
from opdesk.store.filters import SLA_STATES, TicketQuery
from opdesk.store.saved_filters import built_in

ANY = "— любой —"
SLA_NAMES = {"breached": "просрочено", "at_risk": "под угрозой", "paused": "пауза", "ok": "в срок"}
CLIENT_CATEGORIES = ("VIP", "Важный", "обычный")
DEBOUNCE_MS = 200


class FilterPanel(QWidget):
    queryChanged = Signal(object)  # TicketQuery
    saveRequested = Signal(str, object)  # name, TicketQuery

    def __init__(self, pack: Pack, now: dt.datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pack = pack
        self.setObjectName("filterPanel")
        self._base = TicketQuery(open_only=True)
        self._saved: dict[str, TicketQuery] = {}
        self._builtin = built_in(now, pack.calendar.tz)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.search = QLineEdit(self)
        self.search.setObjectName("quickSearch")
        self.search.setPlaceholderText("Поиск: номер, телефон, клиент, слова (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        layout.addWidget(QLabel("Сохранённые фильтры"))
        self.list = QListWidget(self)
        self.list.setObjectName("savedFilters")
        layout.addWidget(self.list, 1)
        self.fields = self._field_form()
        layout.addLayout(self.fields)
        buttons = QHBoxLayout()
        self.reset = QPushButton("Сбросить", self)
        self.save = QPushButton("Сохранить фильтр…", self)
        buttons.addWidget(self.reset)
        buttons.addWidget(self.save)
        layout.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._emit)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._emit)
        self.list.currentItemChanged.connect(self._picked)
        self.reset.clicked.connect(self._reset)
        self.save.clicked.connect(self._ask_name)
        self._fill_list()

    # -- widgets -------------------------------------------------------------------------------
    def _combo(self, name: str, items: list[tuple[str, Any]]) -> QComboBox:
        box = QComboBox(self)
        box.setObjectName(name)
        box.addItem(ANY, None)
        for text, value in items:
            box.addItem(text, value)
        box.currentIndexChanged.connect(lambda _i: self._emit())
        return box

    def _field_form(self) -> QFormLayout:
        pack = self.pack
        form = QFormLayout()
        self.process = self._combo("fProcess", [(p.name, p.id) for p in pack.processes.values()])
        self.status = self._combo("fStatus", [(s.name, s.id) for s in pack.statuses.values()])
        self.stage = self._combo("fStage", [(pack.stages.name(s), s) for s in pack.stages.names])
        self.priority = self._combo("fPriority", [(p, p) for p in pack.sla.priorities])
        self.category = self._combo("fCategory", [(c, c) for c in pack.sla.categories])
        self.client = self._combo("fClient", [(c, c) for c in CLIENT_CATEGORIES])
        self.sla = self._combo("fSla", [(SLA_NAMES[s], s) for s in SLA_STATES])
        self.owner = self._combo("fOwner", [("мои", "mine"), ("без владельца", "unassigned")])
        self.open_only = QCheckBox("только открытые", self)
        self.open_only.setObjectName("fOpen")
        self.open_only.setChecked(True)
        self.open_only.toggled.connect(lambda _c: self._emit())
        for label, widget in (
            ("Процесс", self.process), ("Статус", self.status), ("Уровень", self.stage),
            ("Приоритет", self.priority), ("Категория", self.category),
            ("Клиент", self.client), ("SLA", self.sla), ("Владелец", self.owner),
        ):  # fmt: skip
            form.addRow(label, widget)
        form.addRow("", self.open_only)
        return form

    def _fill_list(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for name in (*self._builtin, *self._saved):
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.list.addItem(item)
        self.list.blockSignals(False)

    # -- filters -------------------------------------------------------------------------------
    def filters(self) -> dict[str, TicketQuery]:
        return {**self._builtin, **self._saved}

    def set_saved(self, saved: dict[str, TicketQuery]) -> None:
        self._saved = dict(saved)
        current = self.list.currentItem()
        name = current.data(Qt.ItemDataRole.UserRole) if current else None
        self._fill_list()
        if name:
            self.select(name)

    def set_counts(self, counts: dict[str, int]) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            name = item.data(Qt.ItemDataRole.UserRole)
            count = counts.get(name)
            item.setText(name if count is None else f"{name}  ({count:,})".replace(",", "\u202f"))

    def select(self, name: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentRow(i)
                return

    def _picked(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is None:
            return
        query = self.filters().get(item.data(Qt.ItemDataRole.UserRole))
        if query is None:
            return
        self._base = query
        self._show_fields(query)
        self._emit()

    def _show_fields(self, q: TicketQuery) -> None:
        for box, values in (
            (self.process, q.processes), (self.status, q.statuses), (self.stage, q.stages),
            (self.priority, q.priorities), (self.category, q.categories),
            (self.client, q.client_categories), (self.sla, q.sla),
        ):  # fmt: skip
            box.blockSignals(True)
            box.setCurrentIndex(max(0, box.findData(values[0])) if len(values) == 1 else 0)
            box.blockSignals(False)
        self.owner.blockSignals(True)
        self.owner.setCurrentIndex(max(0, self.owner.findData(q.owner)))
        self.owner.blockSignals(False)
        self.open_only.blockSignals(True)
        self.open_only.setChecked(q.open_only)
        self.open_only.blockSignals(False)

    def _reset(self) -> None:
        self.list.setCurrentRow(-1)
        self._base = TicketQuery(open_only=True)
        self._show_fields(self._base)
        self.search.clear()
        self._emit()

    def query(self) -> TicketQuery:
        """The current filter: the chosen saved filter, narrowed by the fields and the text."""
        q = self._base

        def one(box: QComboBox, current: tuple[str, ...]) -> tuple[str, ...]:
            value = box.currentData()
            if value is None:
                return current if len(current) > 1 else ()
            return (value,)

        owner = self.owner.currentData()
        if owner is None and isinstance(q.owner, str):
            owner = None  # the field says "any"
        elif owner is None:
            owner = q.owner
        return dataclasses.replace(
            q,
            processes=one(self.process, q.processes),
            statuses=one(self.status, q.statuses),
            stages=one(self.stage, q.stages),
            priorities=one(self.priority, q.priorities),
            categories=one(self.category, q.categories),
            client_categories=one(self.client, q.client_categories),
            sla=one(self.sla, q.sla),
            owner=owner,
            open_only=self.open_only.isChecked(),
            text=self.search.text().strip(),
        )

    def _emit(self) -> None:
        self._timer.stop()
        self.queryChanged.emit(self.query())

    def _ask_name(self) -> None:
        name, ok = QInputDialog.getText(self, "Сохранить фильтр", "Название фильтра:")
        if ok and name.strip():
            self.saveRequested.emit(name.strip(), self.query())
