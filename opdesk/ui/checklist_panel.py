"""«Закрытие заявки»: the closing checklist of the selected ticket at the operator's hand
(000, C-01…C-11) — every item the engine returns, the closure report typed in place, the
client's confirmation and the delayed-closure template where the pack asks for them, and
«Закрыть» enabled only when the close would be carried out.

Why a dock with a live verdict: the operator fills the report while on the phone; each change
is judged on the reader thread (`closing_view` with the unsaved draft, under a key so a newer
keystroke supersedes an older one), so the list turns green item by item and the window never
waits. Saving and closing run on the writer thread through `save_closing` /
`close_with_report`, the same guarded path as any other close.

Why this layout: the dock sits at the right beside the ticket card and opens ~420 px wide with
the card keeping its width (`ChecklistPanel._place`), so the form has to live in that width:
long check-box texts wrap (`WrapCheckBox`), labels stand above their fields, and nothing is
taller than its content — the checklist shows every item whole (`ChecklistItems`), the footer
of what is missing is as tall as its list (`FitBrowser`), fields that depend on a box (АРМ,
ЗИП) are enabled or shown only with it. The one scroll is the form's.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QDate,
    QDateTime,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTime,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QGuiApplication,
    QKeySequence,
    QPalette,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDockWidget,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QStyleOptionButton,
    QStylePainter,
    QTableWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from opdesk.regulations.checklist import ItemResult
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
from opdesk.store.reading import PersonInfo, people
from opdesk.ui.i18n import pick, translated
from opdesk.ui.panels import reasons_html, reasons_text, source_name

if TYPE_CHECKING:
    from opdesk.ui.main_window import MainWindow

SHORTCUT = "Ctrl+Shift+C"
EVALUATE_AFTER_MS = 150  # a pause in typing, then one judgement on the reader thread
COLOURS = {"satisfied": "#2e7d32", "missing": "#c62828", "n/a": "#757575"}
SOURCE_COLOUR = "#757575"
MARKS = {"satisfied": "✓", "missing": "✗", "n/a": "—"}
KINDS = {
    "verbal": QT_TRANSLATE_NOOP("ChecklistPanel", "устное"),
    "electronic": QT_TRANSLATE_NOOP("ChecklistPanel", "электронное"),
}
Command = Callable[[Desk, Actor, int, ClosureDraft], CommandResult]
# The dock's first width, and what the window keeps beside it (see `ChecklistPanel._place`).
DOCK_WIDTH = 420
DOCK_SHARE = 0.4  # of a narrower window
CARD_WIDTH = 360  # the ticket card keeps at least this when the dock opens …
QUEUE_WIDTH = 240  # … as long as the queue keeps this
MISSING_CAP = 0.35  # the «недоступно» footer grows with its list up to this part of the dock
MISSING_MIN_CAP = 120
PERFORMER_ROWS = 6  # «Исполнители» shows whole rows, never half of one
PART_ROWS = 4  # ЗИП lines shown before the table scrolls
LIST_INDENT = 22  # the footer's list, indented a bullet's width (Qt's 40 px wastes the dock)


def install(window: MainWindow) -> ChecklistPanel:
    """The dock (hidden until asked for) and its action in the «Заявка» menu.

    Docked on the right, where the operator's eye already is (the ticket card): the form is
    read beside the card it closes. It stays movable and floatable (a second screen), and the
    first time it is shown docked it takes `DOCK_WIDTH` while the card keeps its width: the
    queue gives the room (`ChecklistPanel._place`)."""
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


def _people(desk: Desk) -> list[PersonInfo]:
    with desk.db.engine.connect() as conn:
        return people(conn)


def performer_order(
    everyone: Iterable[PersonInfo],
    owner: str,
    ticket_deps: Iterable[str],
    responsible: Iterable[str],
) -> list[PersonInfo]:
    """«Исполнители», the likely ones first: the ticket's owner, the people of the ticket's
    own responsible department(s) (`ticket_deps`: the ticket's department and its owner's,
    codes), the people of the other responsible departments (the pack's
    `responsible_departments`, C-03), then everyone else; by name within each group."""
    ours, theirs = set(ticket_deps), set(responsible)

    def rank(p: PersonInfo) -> int:
        if owner and p.login == owner:
            return 0
        if p.department and p.department in ours:
            return 1
        return 2 if p.department and p.department in theirs else 3

    return sorted(everyone, key=lambda p: (rank(p), p.name, p.login))


class WrapCheckBox(QCheckBox):
    """A check box whose text wraps to the width it is given. A QCheckBox's text never wraps,
    and the long texts of the checklist (C-01, C-06, C-10 …) held the dock ~500 px wide; here
    the text is a word-wrapped label beside the indicator, transparent to the mouse, and a
    click anywhere on the box (the label too) toggles it as before."""

    def __init__(self, text: str, parent: QWidget) -> None:
        super().__init__(parent)
        style = self.style()
        metric = QStyle.PixelMetric
        indicator = style.pixelMetric(metric.PM_IndicatorHeight, None, self)
        self.indent = style.pixelMetric(metric.PM_IndicatorWidth, None, self) + (
            style.pixelMetric(metric.PM_CheckBoxLabelSpacing, None, self)
        )
        line = self.fontMetrics().height()
        self._line = max(indicator, line)  # the first line: the indicator is centred on it
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QHBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self._top = (self._line - line) // 2
        layout.setContentsMargins(self.indent, self._top, 0, 0)
        layout.addWidget(self.label)
        policy = self.sizePolicy()
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setText(text)

    def setText(self, text: str) -> None:
        self.label.setText(text)
        self.setAccessibleName(text)
        self.updateGeometry()

    def text(self) -> str:
        return self.label.text()

    def sizeHint(self) -> QSize:
        hint = self.label.sizeHint()
        return QSize(self.indent + hint.width(), max(self._line, self._top + hint.height()))

    def minimumSizeHint(self) -> QSize:
        hint = self.label.minimumSizeHint()
        return QSize(self.indent + hint.width(), max(self._line, self._top + hint.height()))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        text = self.label.heightForWidth(max(1, width - self.indent))
        return max(self._line, self._top + text)

    def hitButton(self, pos: QPoint) -> bool:
        return self.rect().contains(pos)

    def paintEvent(self, _event: object) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = ""
        option.rect = QRect(0, 0, self.width(), self._line)
        painter.drawControl(QStyle.ControlElement.CE_CheckBox, option)


class ChecklistItems(QFrame):
    """The checklist, each item whole: its mark, its rule and its text with the source line
    below, as word-wrapped labels in a grid sized to its content, scrolled with the rest of the
    form. Not a QTreeWidget: a tree's rows kept the height of their first layout (a wrapped
    text lost its source line behind «…») and the tree scrolled on its own inside the form."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("closingItems")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        self.grid = QGridLayout(self)
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(6)
        self.grid.setColumnStretch(2, 1)
        self.rows: list[tuple[QLabel, QLabel, QLabel]] = []
        self.ids: list[str] = []
        self.shown: dict[str, str] = {}  # item id → satisfied | missing | n/a
        self.hide()

    def clear(self) -> None:
        for row in self.rows:
            for label in row:
                self.grid.removeWidget(label)
                label.hide()
                label.deleteLater()
        self.rows, self.ids, self.shown = [], [], {}
        self.hide()

    def _label(self, name: str, wrap: bool) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(wrap)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return label

    def show_items(self, items: Sequence[ItemResult]) -> None:
        """The rows are updated in place while the items stay the same (every keystroke
        brings a verdict: the form must not jump)."""
        ids = [i.id for i in items]
        if ids != self.ids:
            self.clear()
            for n, item in enumerate(items):
                row = (
                    self._label(f"closingItemMark_{item.id}", False),
                    self._label(f"closingItemRule_{item.id}", False),
                    self._label(f"closingItemText_{item.id}", True),
                )
                for col, label in enumerate(row):
                    self.grid.addWidget(label, n, col)
                self.rows.append(row)
            self.ids = ids
        for item, (mark, rule, text) in zip(items, self.rows, strict=True):
            state = "missing" if item.missing else "satisfied" if item.satisfied else "n/a"
            colour = COLOURS[state]
            mark.setText(f"<b style='color:{colour}'>{MARKS[state]}</b>")
            rule.setText(f"<span style='color:{colour}'>{html.escape(item.rule)}</span>")
            text.setText(
                f"<span style='color:{colour}'>{html.escape(pick(item.text, item.text_en))}"
                f"</span><br><small style='color:{SOURCE_COLOUR}'>"
                f"{html.escape(source_name(item.source))}</small>"
            )
            self.shown[item.id] = state
        self.setVisible(bool(items))


class FitBrowser(QTextBrowser):
    """A text browser as tall as its text, up to `cap` pixels (then it scrolls): the
    «недоступно» footer lists every missing item, and takes one line when nothing is."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.cap = 200
        self.document().setIndentWidth(LIST_INDENT)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def content_height(self, width: int) -> int:
        """The height the text needs at `width` (the widget's, frame included)."""
        doc = self.document().clone(self)
        doc.setIndentWidth(self.document().indentWidth())
        doc.setTextWidth(max(1, width - 2 * self.frameWidth()))
        height = math.ceil(doc.size().height()) + 2 * self.frameWidth()
        doc.deleteLater()
        return height

    def fit(self) -> None:
        """As tall as the text; the scroll bar only when the text is taller than `cap` (a
        scroll bar left from a longer text would narrow the text and keep itself needed)."""
        height = self.content_height(self.width())
        policy = Qt.ScrollBarPolicy
        fits = height <= self.cap
        self.setVerticalScrollBarPolicy(
            policy.ScrollBarAlwaysOff if fits else policy.ScrollBarAsNeeded
        )
        self.setFixedHeight(min(height, self.cap))
        if fits:  # laid out again at the whole width (QTextEdit keeps the scroll bar's width)
            self.document().setTextWidth(self.width() - 2 * self.frameWidth())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit()


class ChecklistPanel(QDockWidget):
    evaluated = Signal(object)  # ClosingView: a verdict is shown
    finished = Signal(object)  # CommandResult of a save or a close

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.main = window
        self.tz = window.pack.calendar.tz
        self.ticket_id: int | None = None
        self.view: ClosingView | None = None
        self.everyone: list[PersonInfo] = []
        self.names: list[str] = []  # «Исполнители» in the order shown (performer_order)
        self._dep_of: dict[str, str] = {}  # a name of the list → its department code
        self.owner = ""  # the ticket's owner (login) and its departments (codes), for the order
        self.ticket_deps: tuple[str, ...] = ()
        self._dirty = self._loading = self._busy = False
        self._placed = False
        self._card = 0
        self.setObjectName("closingPanel")
        self.setWindowTitle(self.tr("Закрытие заявки"))
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
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

    # -- the dock's place in the window --------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        if not self._placed and not self.isFloating():
            # the card's width before the dock takes its room (the layout has not run yet)
            self._card = self.main.detail.width()
        super().showEvent(event)
        if not self._placed and not self.isFloating():
            self._placed = True
            QTimer.singleShot(0, self._place)

    def _place(self) -> None:
        """The first time the dock is shown docked: `DOCK_WIDTH` (less in a narrow window), and
        the ticket card beside it keeps its width (at least `CARD_WIDTH`) — the queue, whose
        selected row is all the operator needs while closing, gives the room. Left alone, the
        dock took its form's full width (~500 px) and the splitter squeezed the card to ~190 px,
        cutting its texts. Later the operator's own widths and placement are kept."""
        if self.isFloating() or not self.isVisible():
            return
        main = self.main
        width = max(min(DOCK_WIDTH, int(main.width() * DOCK_SHARE)), self.minimumSizeHint().width())
        main.resizeDocks([self], [width], Qt.Orientation.Horizontal)
        layout = main.layout()
        if layout is not None:  # the central widget takes its new width now, not next pass
            layout.activate()
        inner = main.inner  # the queue and the card; with the card below, nothing to give
        if inner.orientation() != Qt.Orientation.Horizontal or inner.indexOf(main.detail) != 1:
            return
        queue, shown = inner.sizes()
        card = min(max(self._card, CARD_WIDTH), queue + shown - QUEUE_WIDTH)
        if card > shown:
            inner.setSizes([queue + shown - card, card])

    # -- widgets -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.body = QWidget(self)
        layout = QVBoxLayout(self.body)
        self.header = self._label("closingHeader")
        self.scheme_refusal = self._label("closingSchemeRefusal")
        self.scheme_refusal.setStyleSheet(f"color: {COLOURS['missing']}")
        self.items = ChecklistItems(self.body)
        layout.addWidget(self.header)
        layout.addWidget(self.scheme_refusal)
        layout.addWidget(self.items)
        layout.addWidget(self._report())
        layout.addWidget(self._flags())
        layout.addWidget(self._confirmation())
        layout.addWidget(self._delay())
        layout.addStretch(1)  # a short form stays at the top; the groups keep their heights
        # the footer stays in sight below the scrolling form: what is missing, and the buttons
        frame = QWidget(self)
        outer = QVBoxLayout(frame)
        outer.setContentsMargins(0, 0, 0, 0)
        self.form_scroll = QScrollArea(frame)
        self.form_scroll.setObjectName("closingScroll")
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setWidget(self.body)
        self.missing = FitBrowser(frame)
        self.missing.setObjectName("closingMissing")
        self.missing.hide()
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
        outer.addWidget(self.form_scroll, 1)
        outer.addWidget(self.missing)
        outer.addLayout(buttons)
        self.setWidget(frame)
        self.body.setEnabled(False)
        self.save_button.setEnabled(False)
        self.close_button.setEnabled(False)
        self._update_dependent()

    def sizeHint(self) -> QSize:
        """Not the form's one-line width (~500 px): the dock's own (`_place` sets it too)."""
        return QSize(DOCK_WIDTH, super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.missing.cap = max(MISSING_MIN_CAP, int(self.height() * MISSING_CAP))
        if not self.missing.isHidden():
            self.missing.fit()

    def _label(self, name: str) -> QLabel:
        label = QLabel(self.body)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        return label

    def _text(self, name: str, lines: int = 3) -> QPlainTextEdit:
        edit = QPlainTextEdit(self.body)
        edit.setObjectName(name)
        edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
        edit.textChanged.connect(self._edited)
        return edit

    def _moment_edit(self, name: str) -> QDateTimeEdit:
        edit = QDateTimeEdit(self.body)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd.MM.yyyy HH:mm")
        edit.dateTimeChanged.connect(self._edited)
        return edit

    def _check(self, name: str, text: str, wrap: bool = True) -> QCheckBox:
        box = WrapCheckBox(text, self.body) if wrap else QCheckBox(text, self.body)
        box.setObjectName(name)
        box.toggled.connect(self._edited)
        return box

    def _combo(self, parent: QWidget, name: str) -> QComboBox:
        """A combo box as wide as the dock allows, not as its longest entry."""
        combo = QComboBox(parent)
        combo.setObjectName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(6)
        return combo

    def _report(self) -> QGroupBox:
        group = QGroupBox(self.tr("Отчёт о закрытии (C-04)"), self.body)
        form = QFormLayout(group)
        # labels above their fields: the texts get the dock's whole width
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.cause = self._text("closingCause")
        self.actions_done = self._text("closingActions")
        self.performers = QListWidget(group)
        self.performers.setObjectName("closingPerformers")
        self.performers.setUniformItemSizes(True)
        self.performers.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.performers.itemChanged.connect(self._edited)
        self._fit_performers()
        self.completed_set = self._check("closingCompletedSet", self.tr("указано"), wrap=False)
        self.completed_set.toggled.connect(self._update_dependent)
        self.completed_at = self._moment_edit("closingCompletedAt")
        self.time_spent = QSpinBox(group)
        self.time_spent.setObjectName("closingTimeSpent")
        self.time_spent.setRange(-1, 100_000)
        self.time_spent.setSpecialValueText("—")
        self.time_spent.setSuffix(self.tr(" мин"))
        self.time_spent.valueChanged.connect(self._edited)
        self.parts_used = self._check("closingPartsUsed", self.tr("Использован ЗИП"), wrap=False)
        self.parts_used.toggled.connect(self._update_dependent)
        self.parts = QTableWidget(0, 2, group)
        self.parts.setObjectName("closingParts")
        self.parts.setHorizontalHeaderLabels([self.tr("ЗИП"), self.tr("Количество")])
        header = self.parts.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.parts.verticalHeader().hide()
        self.parts.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.part_add, self.part_remove = QPushButton("+", group), QPushButton("−", group)
        self.part_add.setObjectName("closingPartAdd")
        self.part_add.setToolTip(self.tr("Добавить строку ЗИП"))
        self.part_add.clicked.connect(lambda: self._add_part(SparePart("", 1)))
        self.part_remove.setObjectName("closingPartRemove")
        self.part_remove.setToolTip(self.tr("Удалить строку ЗИП"))
        self.part_remove.clicked.connect(self._remove_part)
        when, parts = QHBoxLayout(), QHBoxLayout()
        when.addWidget(self.completed_set)
        when.addWidget(self.completed_at, 1)
        parts.addWidget(self.parts_used, 1)
        for button in (self.part_add, self.part_remove):
            side = button.sizeHint().height()
            button.setFixedSize(max(side, 28), side)  # compact: a sign, not a 145 px bar
            parts.addWidget(button)
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
        self.recorded_by = self._combo(group, "closingRecordedBy")
        self.recorded_by.addItem("—", "")
        for dep in self.main.pack.lists.get("responsible_departments", ()):
            self.recorded_by.addItem(dep, dep)
        self.recorded_by.currentIndexChanged.connect(self._edited)
        self.needs_closing = self._check(
            "closingNeedsClosing", self.tr("В заявке указано, что её требуется закрыть")
        )
        self.paid = self._check("closingPaid", self.tr("Платная заявка"))
        self.arm = self._check("closingArm", self.tr("Проведена по АРМу: кто и когда"))
        self.arm.toggled.connect(self._update_dependent)
        self.arm_by = QLineEdit(group)
        self.arm_by.setObjectName("closingArmBy")
        self.arm_by.setMinimumWidth(self.arm_by.fontMetrics().horizontalAdvance("m" * 14))
        self.arm_by.textChanged.connect(self._edited)
        self.arm_at = self._moment_edit("closingArmAt")
        self.checked = self._check(
            "closingChecked", self.tr("Проверено выполнение действий ответственным сотрудником")
        )
        self.escalation = self._check(
            "closingEscalation", self.tr("Выполнена эскалация по закрытию заявки VIP")
        )
        scheme, arm = QHBoxLayout(), QHBoxLayout()
        scheme.addWidget(self.permanent, 1, Qt.AlignmentFlag.AlignVCenter)
        scheme.addWidget(self.recorded_by)
        # who and when on a line of their own under the box, indented as its text
        indent = self.arm.indent if isinstance(self.arm, WrapCheckBox) else 0
        arm.setContentsMargins(indent, 0, 0, 0)
        arm.addWidget(self.arm_by, 1)
        arm.addWidget(self.arm_at)
        for row in (self.handed, scheme, self.needs_closing, self.paid, self.arm, arm):
            form.addRow(row)
        form.addRow(self.checked)
        form.addRow(self.escalation)
        return group

    def _confirmation(self) -> QGroupBox:
        self.confirm = QGroupBox(self.tr("Подтверждение клиента получено"), self.body)
        self.confirm.setObjectName("closingConfirmation")
        self.confirm.setCheckable(True)
        self.confirm.toggled.connect(self._edited)
        form = QFormLayout(self.confirm)
        self.confirm_note = self._label("closingConfirmationNote")
        self.confirm_kind = self._combo(self.confirm, "closingConfirmKind")
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
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.delay_case = self._combo(group, "closingDelayCase")
        self.delay_case.currentIndexChanged.connect(self._case_changed)
        self.template = QPlainTextEdit(group)
        self.template.setObjectName("closingTemplate")
        self.template.setReadOnly(True)
        self.template.setFixedHeight(100)
        self.copy_button = QPushButton(self.tr("Копировать шаблон"), group)
        self.copy_button.setObjectName("closingCopy")
        self.copy_button.clicked.connect(self.copy_template)
        self.template_sent = self._check(
            "closingTemplateSent", self.tr("Клиент проинформирован по шаблону")
        )
        self.delay_note = self._label("closingDelayNote")
        self.comment = self._text("closingComment")
        copy = QHBoxLayout()
        copy.addWidget(self.copy_button)
        copy.addStretch(1)
        form.addRow(self.tr("Случай"), self.delay_case)
        form.addRow(self.template)
        form.addRow(copy)
        form.addRow(self.template_sent)
        form.addRow(self.delay_note)
        form.addRow(self.tr("Комментарий о закрытии"), self.comment)
        return group

    def _fit_performers(self) -> None:
        """Whole rows only: `PERFORMER_ROWS` of them (fewer people: as many as there are)."""
        count = self.performers.count()
        row = self.performers.sizeHintForRow(0) if count else 0
        if row <= 0:
            row = self.performers.fontMetrics().height() + 4
        rows = min(max(count, 1), PERFORMER_ROWS)
        self.performers.setFixedHeight(row * rows + 2 * self.performers.frameWidth())

    def _update_dependent(self, *_args: object) -> None:
        """Fields that mean something only when their box is ticked are enabled only then: the
        АРМ's who and when, the completion time, the ЗИП buttons; the ЗИП table is shown only
        when ЗИП is used, as tall as its lines."""
        arm = self.arm.isChecked()
        self.arm_by.setEnabled(arm)
        self.arm_at.setEnabled(arm)
        self.completed_at.setEnabled(self.completed_set.isChecked())
        used = self.parts_used.isChecked()
        self.part_add.setEnabled(used)
        self.part_remove.setEnabled(used and self.parts.rowCount() > 0)
        self.parts.setVisible(used)
        header = self.parts.horizontalHeader().sizeHint().height()
        row = self.parts.verticalHeader().defaultSectionSize()
        rows = min(max(self.parts.rowCount(), 1), PART_ROWS)
        self.parts.setFixedHeight(header + row * rows + 2 * self.parts.frameWidth())

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
            self.missing.hide()
            return
        current = self.main.current
        detail = current.detail if current is not None else None
        if detail is not None and detail.id == ticket_id:
            self.owner = detail.owner_login
            self.ticket_deps = (detail.department_code,) if detail.department_code else ()
        else:
            self.owner, self.ticket_deps = "", ()
        if not self.everyone:
            reader.submit(_people, self._people_arrived)
        else:
            self._order_names()
        actor = self.main.actor()
        reader.submit(
            lambda desk: closing_view(desk, actor, ticket_id, None),
            self._loaded, self._failed, key="closing",
        )  # fmt: skip

    def _people_arrived(self, everyone: list[PersonInfo]) -> None:
        self.everyone = everyone
        self._order_names()

    def _responsible(self) -> list[str]:
        """Codes of the pack's responsible departments (named in C-03: ОЭ, ТО)."""
        deps = self.main.pack.departments
        found = (deps.find(n) for n in self.main.pack.lists.get("responsible_departments", ()))
        return [d.id for d in found if d is not None]

    def _order_names(self) -> None:
        """«Исполнители» for this ticket: its owner and the people of its responsible
        department(s) first (`performer_order`)."""
        responsible = self._responsible()
        owner_dep = next((p.department for p in self.everyone if p.login == self.owner), "")
        ours = [d for d in (*self.ticket_deps, owner_dep) if d and d in responsible]
        ordered = performer_order(self.everyone, self.owner, ours, responsible)
        self.names = [p.name for p in ordered]
        self._dep_of = {p.name: p.department for p in ordered}

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
        self._update_dependent()
        self._edited()

    def _remove_part(self) -> None:
        row = self.parts.currentRow() if self.parts.currentRow() >= 0 else self.parts.rowCount() - 1
        if row >= 0:
            self.parts.removeRow(row)
            self._update_dependent()
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
            deps = self.main.pack.departments
            for name in dict.fromkeys([*self.names, *s.performers]):
                item = QListWidgetItem(name, self.performers)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                checked = name in s.performers
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                code = self._dep_of.get(name, "")
                dep = deps.find(code) if code else None
                if dep is not None:
                    item.setToolTip(dep.full_name)
            self._fit_performers()
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
            self._update_dependent()
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
        self._show_missing(view)
        self.close_button.setText(self._close_name(view))
        self.close_button.setToolTip(reasons_text(view.reasons))
        self.body.setEnabled(True)
        self._enable_buttons()
        self.evaluated.emit(view)

    def _show_missing(self, view: ClosingView) -> None:
        """The footer as tall as its list (up to a part of the dock, then it scrolls); one
        green line, without a frame, when nothing is missing."""
        ready = view.can_close
        self.missing.setFrameShape(QFrame.Shape.NoFrame if ready else QFrame.Shape.StyledPanel)
        self.missing.viewport().setAutoFillBackground(not ready)  # a line on the dock itself
        self.missing.setHtml(self._missing_html(view))
        self.missing.show()
        self.missing.fit()

    def _missing_html(self, view: ClosingView) -> str:
        """Why «Закрыть» is disabled: each missing item by its rule ID (the list above gives
        the rule's source), then in full whatever else refuses (the status, the scheme)."""
        if view.can_close:
            ready = html.escape(self.tr("Всё готово к закрытию"))
            return f"<b style='color:{COLOURS['satisfied']}'>{MARKS['satisfied']} {ready}</b>"
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
        self.items.show_items(view.items)

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
        return dict(self.items.shown)

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
