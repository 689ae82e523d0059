"""The filter panel: saved filters with live counts, the quick search and every queue field.

It only produces `TicketQuery` values (the store turns them into SQL); counts arrive from the
reader thread. Typing is debounced, and a newer query supersedes the older one in the reader,
so the window never waits for a search the operator has already changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
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
from opdesk.store.reading import DepartmentInfo, PersonInfo
from opdesk.store.saved_filters import built_in
from opdesk.ui.i18n import pick, translated

# Module-level texts are source strings marked for lupdate; they are translated where shown.
ANY = QT_TRANSLATE_NOOP("FilterPanel", "— любой —")
SLA_NAMES = {
    "breached": QT_TRANSLATE_NOOP("FilterPanel", "просрочено"),
    "at_risk": QT_TRANSLATE_NOOP("FilterPanel", "под угрозой"),
    "paused": QT_TRANSLATE_NOOP("FilterPanel", "пауза"),
    "ok": QT_TRANSLATE_NOOP("FilterPanel", "в срок"),
}
CLIENT_CATEGORIES = ("VIP", "Важный", "обычный")  # values stored in the database
# The built-in filters are keyed by their Russian names (`saved_filters.built_in`, the store's
# names, also what the tests select); the list shows them translated. The operators' own
# filters are shown as they named them.
BUILT_IN_TITLES = {
    "Мои": QT_TRANSLATE_NOOP("FilterPanel", "Мои"),
    "Новые": QT_TRANSLATE_NOOP("FilterPanel", "Новые"),
    "Просрочено": QT_TRANSLATE_NOOP("FilterPanel", "Просрочено"),
    "Под угрозой": QT_TRANSLATE_NOOP("FilterPanel", "Под угрозой"),
    "VIP и Важные": QT_TRANSLATE_NOOP("FilterPanel", "VIP и Важные"),
    "Ждут клиента": QT_TRANSLATE_NOOP("FilterPanel", "Ждут клиента"),
    "Ждут смежный отдел > 24 ч": QT_TRANSLATE_NOOP("FilterPanel", "Ждут смежный отдел > 24 ч"),
    "Закрыты сегодня": QT_TRANSLATE_NOOP("FilterPanel", "Закрыты сегодня"),
    "Все": QT_TRANSLATE_NOOP("FilterPanel", "Все"),
}
DEBOUNCE_MS = 200
NO_DATE = QDate(2000, 1, 1)  # the date fields' "not set" value, shown as "—"


class FilterPanel(QWidget):
    queryChanged = Signal(object)  # TicketQuery
    saveRequested = Signal(str, object)  # name, TicketQuery

    def __init__(self, pack: Pack, now: dt.datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pack = pack
        self.setObjectName("filterPanel")
        self._base = TicketQuery(open_only=True)
        self._saved: dict[str, TicketQuery] = {}
        self._counts: dict[str, int] = {}  # the last badges, kept when the list is rebuilt
        self._builtin = built_in(now, pack.calendar.tz)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.search = QLineEdit(self)
        self.search.setObjectName("quickSearch")
        self.search.setPlaceholderText(self.tr("Поиск: номер, телефон, клиент, слова (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.saved_label = QLabel(self.tr("Сохранённые фильтры"), self)
        layout.addWidget(self.saved_label)
        self.list = QListWidget(self)
        self.list.setObjectName("savedFilters")
        layout.addWidget(self.list)
        self.fields = self._field_form()
        layout.addLayout(self.fields)
        buttons = QHBoxLayout()
        self.reset = QPushButton(self.tr("Сбросить"), self)
        self.save = QPushButton(self.tr("Сохранить фильтр…"), self)
        buttons.addWidget(self.reset)
        buttons.addWidget(self.save)
        layout.addLayout(buttons)
        layout.addStretch(1)
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
        # long names (categories, processes) must not widen the panel: the popup shows them
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(10)
        box.addItem(translated("FilterPanel", ANY), None)
        for text, value in items:
            box.addItem(text, value)
        box.currentIndexChanged.connect(lambda _i: self._emit())
        return box

    def _field_form(self) -> QFormLayout:
        pack = self.pack
        form = QFormLayout()
        self.process = self._combo(
            "fProcess", [(pick(p.name, p.name_en), p.id) for p in pack.processes.values()]
        )
        self.status = self._combo(
            "fStatus", [(pick(s.name, s.name_en), s.id) for s in pack.statuses.values()]
        )
        self.stage = self._combo("fStage", [(pack.stages.name(s), s) for s in pack.stages.names])
        self.priority = self._combo("fPriority", [(p, p) for p in pack.sla.priorities])
        self.category = self._combo("fCategory", [(c, c) for c in pack.sla.categories])
        self.client = self._combo("fClient", [(c, c) for c in CLIENT_CATEGORIES])
        self.sla = self._combo(
            "fSla", [(translated("FilterPanel", SLA_NAMES[s]), s) for s in SLA_STATES]
        )
        self.owner = self._combo(
            "fOwner", [(self.tr("мои"), "mine"), (self.tr("без владельца"), "unassigned")]
        )
        self.department = self._combo("fDepartment", [])
        self.created_from = self._date("fCreatedFrom")
        self.created_to = self._date("fCreatedTo")
        dates = QHBoxLayout()
        dates.addWidget(self.created_from, 1)
        dates.addWidget(QLabel("…", self))
        dates.addWidget(self.created_to, 1)
        self.open_only = QCheckBox(self.tr("только открытые"), self)
        self.open_only.setObjectName("fOpen")
        self.open_only.setChecked(True)
        self.open_only.toggled.connect(lambda _c: self._emit())
        for label, widget in (
            (self.tr("Процесс"), self.process), (self.tr("Статус"), self.status),
            (self.tr("Уровень"), self.stage), (self.tr("Приоритет"), self.priority),
            (self.tr("Категория"), self.category), (self.tr("Клиент"), self.client),
            (self.tr("SLA"), self.sla), (self.tr("Владелец"), self.owner),
            (self.tr("Отдел"), self.department),
        ):  # fmt: skip
            form.addRow(label, widget)
        form.addRow(self.tr("Создана"), dates)
        form.addRow("", self.open_only)
        return form

    def _date(self, name: str) -> QDateEdit:
        """A day of the created range; "—" (the minimum) means the range is open there."""
        edit = QDateEdit(self)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd.MM.yyyy")
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText("—")
        edit.setDate(NO_DATE)
        edit.dateChanged.connect(lambda _d: self._timer.start())
        return edit

    def set_directory(self, people: list[PersonInfo], departments: list[DepartmentInfo]) -> None:
        """The people and departments of the desk for the owner and department fields (ids as
        text: a combo finds its data by value, and UUID objects do not compare as such)."""
        for box, items in (
            (self.owner, [(p.name, str(p.id)) for p in people]),
            (self.department, [(d.name, str(d.id)) for d in departments]),
        ):
            box.blockSignals(True)
            keep = box.currentData()
            fixed = 3 if box is self.owner else 1  # "any", and the owner's "mine"/"unassigned"
            while box.count() > fixed:
                box.removeItem(fixed)
            for text, value in items:
                box.addItem(text, value)
            box.setCurrentIndex(max(0, box.findData(keep)))
            box.blockSignals(False)

    def _fill_list(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for name in (*self._builtin, *self._saved):
            item = QListWidgetItem(self.title(name))
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.list.addItem(item)
        self.list.blockSignals(False)
        if self._counts:
            self.set_counts(self._counts)  # saved filters arriving late keep the badges
        # as tall as its filters (up to 16; then it scrolls), the room below stays free
        rows = min(max(self.list.count(), 1), 16)
        self.list.setFixedHeight(rows * self.list.sizeHintForRow(0) + 2 * self.list.frameWidth())

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
        self._counts = dict(counts)
        for i in range(self.list.count()):
            item = self.list.item(i)
            name = item.data(Qt.ItemDataRole.UserRole)
            count = counts.get(name)
            title = self.title(name)
            item.setText(title if count is None else f"{title}  ({count:,})".replace(",", "\u202f"))

    def title(self, name: str) -> str:
        """A filter's name as shown: a built-in one translated, the operator's own as typed."""
        if name in self._saved or name not in BUILT_IN_TITLES:
            return name
        return translated("FilterPanel", BUILT_IN_TITLES[name])

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
        for box, value in ((self.owner, q.owner), (self.department, q.department)):
            box.blockSignals(True)
            box.setCurrentIndex(max(0, box.findData(None if value is None else str(value))))
            box.blockSignals(False)
        tz = self.pack.calendar.tz
        last_day = q.created_to - dt.timedelta(microseconds=1) if q.created_to else None
        for edit, moment in ((self.created_from, q.created_from), (self.created_to, last_day)):
            edit.blockSignals(True)
            day = moment.astimezone(tz).date() if moment else None
            edit.setDate(QDate(day.year, day.month, day.day) if day else NO_DATE)
            edit.blockSignals(False)
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
        department = self.department.currentData() or q.department
        created_from, created_to = self._day_start(self.created_from), None
        if (to := self._day_start(self.created_to)) is not None:
            created_to = to + dt.timedelta(days=1)  # the whole last day (the bound is exclusive)
        if created_from and created_to and created_from >= created_to:
            created_to = created_from + dt.timedelta(days=1)  # a reversed range: its first day
        return dataclasses.replace(
            q,
            department=department,
            created_from=created_from or q.created_from,
            created_to=created_to or q.created_to,
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

    def _day_start(self, edit: QDateEdit) -> dt.datetime | None:
        """Midnight of the chosen day on the desk's calendar, None for "—"."""
        day = edit.date()
        if day == NO_DATE:
            return None
        local = dt.datetime(day.year(), day.month(), day.day(), tzinfo=self.pack.calendar.tz)
        return local.astimezone(dt.UTC)

    def _emit(self) -> None:
        self._timer.stop()
        self.queryChanged.emit(self.query())

    def _ask_name(self) -> None:
        name, ok = QInputDialog.getText(
            self, self.tr("Сохранить фильтр"), self.tr("Название фильтра:")
        )
        if ok and name.strip():
            self.saveRequested.emit(name.strip(), self.query())
