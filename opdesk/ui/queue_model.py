"""The ticket queue as a Qt table model: the ordered ids of every matching ticket, and the rows
of the visible window only (the arrangement of Anki's browser).

Why: a million tickets must never become a million Python objects or a million-row fetch.
The store answers a filter with an `array('q')` of ids (8 bytes a ticket); `data()` asks for
a row it has not got, the reader thread fetches the window around it (a few hundred µs), and
`dataChanged` repaints those rows. Until then the row shows its place holder for a frame.
Sorting is a new query (SQL sorts), never `QSortFilterProxyModel`.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from opdesk.regulations.pack import Pack
from opdesk.services import Desk
from opdesk.store.rows import TicketRow, fetch_rows, outgoing_overdue
from opdesk.ui.db_worker import DbThread
from opdesk.ui.i18n import language, pick, translated

Index = QModelIndex | QPersistentModelIndex
WINDOW_BEFORE, WINDOW_AFTER = 40, 120  # rows fetched around the first missing one
CACHE_ROWS = 3000

# (header, TicketQuery sort field or ""); headers are source texts, translated in headerData
COLUMNS: tuple[tuple[str, str], ...] = (
    (QT_TRANSLATE_NOOP("QueueModel", "Номер"), "number"),
    (QT_TRANSLATE_NOOP("QueueModel", "Создана"), "created_at"),
    (QT_TRANSLATE_NOOP("QueueModel", "Клиент"), "client_name"),
    (QT_TRANSLATE_NOOP("QueueModel", "Тема / категория"), "category"),
    (QT_TRANSLATE_NOOP("QueueModel", "Приоритет"), "priority_rank"),
    (QT_TRANSLATE_NOOP("QueueModel", "Статус"), "status"),
    (QT_TRANSLATE_NOOP("QueueModel", "Уровень"), ""),
    (QT_TRANSLATE_NOOP("QueueModel", "Владелец"), ""),
    (QT_TRANSLATE_NOOP("QueueModel", "Отдел"), ""),
    (QT_TRANSLATE_NOOP("QueueModel", "SLA"), "sla_due_at"),
)
SLA_COLOURS = {
    "ok": QColor("#dff0d8"),
    "at_risk": QColor("#fcf0c8"),
    "breached": QColor("#f5c6c6"),
    "paused": QColor("#dde3ea"),
}
SLA_WORDS = {
    "ok": QT_TRANSLATE_NOOP("QueueModel", "в срок"),
    "at_risk": QT_TRANSLATE_NOOP("QueueModel", "под угрозой"),
    "breached": QT_TRANSLATE_NOOP("QueueModel", "просрочено"),
    "paused": QT_TRANSLATE_NOOP("QueueModel", "пауза"),
}
MARK = {"VIP": "★ ", "Важный": "◆ "}
REMINDER_MARK = "⚑ "  # U-09: an outgoing request past its reminder; the follow-up flag of mail


class QueueModel(QAbstractTableModel):
    """Ordered ids plus a windowed LRU cache of `TicketRow`s, fetched on the reader thread."""

    rowsFetched = Signal(int)  # how many rows arrived (tests and the benchmark wait on it)
    sortRequested = Signal(str, bool)  # TicketQuery sort field, descending

    def __init__(self, pack: Pack, reader: DbThread, now: Callable[[], dt.datetime]) -> None:
        super().__init__()
        self.pack = pack
        self.reader = reader
        self.now = now
        self.ids: array[int] = array("q")
        self._cache: OrderedDict[int, TicketRow] = OrderedDict()
        self._asked: set[int] = set()
        self._status_names: dict[tuple[str, str, str], str] = {}
        self._sort = ("created_at", True)

    # -- the ids -----------------------------------------------------------------------------
    def set_ids(self, ids: array[int]) -> None:
        """A new result: every id in queue order. Cached rows of tickets still listed stay."""
        self.beginResetModel()
        self.ids = ids
        self._asked.clear()
        self.endResetModel()

    def row_of(self, ticket_id: int) -> int:
        try:
            return self.ids.index(ticket_id)
        except ValueError:
            return -1

    def ticket_id(self, row: int) -> int:
        return int(self.ids[row])

    def cached(self, row: int) -> TicketRow | None:
        return self._cache.get(int(self.ids[row])) if 0 <= row < len(self.ids) else None

    def refresh(self, ticket_ids: Iterable[int]) -> None:
        """Commands changed these tickets: forget their rows and fetch them again."""
        rows = []
        for tid in ticket_ids:
            self._cache.pop(tid, None)
            self._asked.discard(tid)
            row = self.row_of(tid)
            if row >= 0:
                rows.append(row)
        for row in rows:
            self._fetch_around(row, 0, 1)

    # -- Qt model ------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return translated("QueueModel", COLUMNS[section][0])
        if role == Qt.ItemDataRole.ToolTipRole and not COLUMNS[section][1]:
            return self.tr("Не сортируется")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.ids):
            return None
        tid = int(self.ids[index.row()])
        row = self._cache.get(tid)
        if row is None:
            if role == Qt.ItemDataRole.DisplayRole:
                self._fetch_around(index.row(), WINDOW_BEFORE, WINDOW_AFTER)
                return "…" if index.column() == 0 else ""
            return None
        self._cache.move_to_end(tid)
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == 9:
            return self._sla_tooltip(row)
        if role == Qt.ItemDataRole.ToolTipRole and column == 5:
            return self._reminder_tooltip(row)
        if role == Qt.ItemDataRole.BackgroundRole and column == 9:
            state = sla_state(row, self.now())
            return QBrush(SLA_COLOURS[state]) if state else None
        if role == Qt.ItemDataRole.UserRole:
            return tid
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """A header click: SQL sorts (a new query), the model only asks for it."""
        if not 0 <= column < len(COLUMNS) or not COLUMNS[column][1]:
            return
        field = COLUMNS[column][1]
        self._sort = (field, order == Qt.SortOrder.DescendingOrder)
        self.sortRequested.emit(*self._sort)

    # -- rows ----------------------------------------------------------------------------------
    def _fetch_around(self, row: int, before: int, after: int) -> None:
        lo, hi = max(0, row - before), min(len(self.ids), row + after)
        wanted = [int(i) for i in self.ids[lo:hi] if i not in self._cache and i not in self._asked]
        if not wanted:
            return
        self._asked.update(wanted)

        def work(desk: Desk) -> list[TicketRow]:
            with desk.db.engine.connect() as conn:
                return fetch_rows(conn, wanted)

        self.reader.submit(work, self._arrived, lambda _msg: self._asked.difference_update(wanted))

    def _arrived(self, rows: list[TicketRow]) -> None:
        for r in rows:
            self._cache[r.id] = r
            self._asked.discard(r.id)
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)
        if not rows:
            return
        positions = [self.row_of(r.id) for r in rows]
        positions = [p for p in positions if p >= 0]
        if positions:
            top = self.index(min(positions), 0)
            bottom = self.index(max(positions), len(COLUMNS) - 1)
            self.dataChanged.emit(top, bottom)
        self.rowsFetched.emit(len(rows))

    def _status_name(self, row: TicketRow) -> str:
        key = (row.process, row.status, language())
        name = self._status_names.get(key)
        if name is None:
            process = self.pack.processes.get(row.process)
            status = self.pack.statuses.get(row.status)
            if status is None:
                name = row.status
            else:
                russian = process.status_name(status) if process else status.name
                name = pick(russian, status.name_en)
            self._status_names[key] = name
        return name

    def _text(self, row: TicketRow, column: int) -> str:
        if column == 0:
            return row.number
        if column == 1:
            return local(self.pack, row.created_at)
        if column == 2:
            return MARK.get(row.client_category, "") + (row.client_name or row.contact_phone)
        if column == 3:
            return row.theme or row.category or row.subject
        if column == 4:
            return row.priority
        if column == 5:
            overdue = outgoing_overdue(row, self.now())
            return (REMINDER_MARK if overdue else "") + self._status_name(row)
        if column == 6:
            return self.pack.stages.name(row.stage) if row.stage else "—"
        if column == 7:
            return row.owner_name or ""
        if column == 8:
            return row.department_name or ""
        return self._sla_text(row)

    def _sla_text(self, row: TicketRow) -> str:
        now = self.now()
        state = sla_state(row, now)
        if not state:
            return ""
        if state == "paused" or row.sla_due_at is None:
            return translated("QueueModel", SLA_WORDS[state])
        left = working_left(self.pack, now, row.sla_due_at)
        sign = "−" if left < 0 else ""
        return f"{sign}{duration(abs(left))}"

    def _reminder_tooltip(self, row: TicketRow) -> str | None:
        if not outgoing_overdue(row, self.now()):
            return None
        return self.tr(
            "Смежный отдел не ответил: напоминание по исходящему запросу — {when} (U-06, "
            "U-09). Сообщите клиенту по шаблону «ответ от коллег ещё не получили» (Ctrl+R)"
        ).format(when=local(self.pack, row.outgoing_reminder_at))

    def _sla_tooltip(self, row: TicketRow) -> str:
        state = sla_state(row, self.now())
        if not state:
            return self.tr("SLA не применяется к процессу этой заявки")
        due = local(self.pack, row.sla_due_at) if row.sla_due_at else "—"
        return self.tr("SLA: {state}; срок этапа — {due} (рабочее время)").format(
            state=translated("QueueModel", SLA_WORDS[state]), due=due
        )


def sla_state(row: TicketRow, now: dt.datetime) -> str:
    """ok / at_risk / breached / paused, as the queue filters define them ("" = no SLA)."""
    if row.sla_breached or (row.sla_due_at is not None and row.sla_due_at <= now and
                            not row.sla_paused):  # fmt: skip
        return "breached"
    if row.sla_paused:
        return "paused"
    if row.sla_due_at is None:
        return ""
    if row.sla_risk_at is not None and row.sla_risk_at <= now:
        return "at_risk"
    return "ok"


def working_left(pack: Pack, now: dt.datetime, due: dt.datetime) -> int:
    """Working seconds from `now` to `due` (negative when overdue), on the pack's calendar."""
    from opdesk.errors import EngineError

    cal = pack.calendar
    a, b = int(now.timestamp()), int(due.timestamp())
    try:
        return cal.ordinal(b) - cal.ordinal(a)
    except EngineError:  # outside the calendar's years: wall time is the honest fallback
        return b - a


def duration(seconds: int) -> str:
    minutes = seconds // 60
    days, rest = divmod(minutes, 8 * 60)  # a working day of the 8/5 calendar
    hours, mins = divmod(rest, 60)
    if days:
        return QCoreApplication.translate("QueueModel", "{days} р.д. {hours} ч").format(
            days=days, hours=hours
        )
    if hours:
        return QCoreApplication.translate("QueueModel", "{hours} ч {mins:02d} мин").format(
            hours=hours, mins=mins
        )
    return QCoreApplication.translate("QueueModel", "{mins} мин").format(mins=mins)


def local(pack: Pack, moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(pack.calendar.tz).strftime("%d.%m.%Y %H:%M")
