"""The shared desk in the status bar: a button saying online or offline, when the last sync
was, how many ops wait to be sent and how many the server refused — and, on a click, a
small panel with the last refused ops, each with its reason in words.

Why a refusal is told here and not in a dialog: it arrives in the background, seconds or
hours after the command (an offline workstation learns it when it is back), while the
operator is busy with another ticket; a modal box would interrupt them. The status bar
turns red and says it at once, the panel keeps the list until the window closes.

Only plain values come in (`Synced`, counts, texts); the widget never asks anything itself.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from opdesk.sync.engine import RefusedOp
from opdesk.ui.i18n import pick, translated
from opdesk.ui.sync_runner import Synced

KEPT = 50  # refused ops the panel lists
LOCAL, SIGNED_OUT, RELOGIN, SIGNED_IN, ONLINE, OFFLINE, FAILED = (
    "local", "signed_out", "relogin", "signed_in", "online", "offline", "failed",
)  # fmt: skip
# What each op is called in the operator's words (the command layer's op names).
OPS = {
    "take": QT_TRANSLATE_NOOP("SyncStatus", "Взять в работу"),
    "escalate": QT_TRANSLATE_NOOP("SyncStatus", "Эскалировать"),
    "close": QT_TRANSLATE_NOOP("SyncStatus", "Закрыть"),
    "reopen": QT_TRANSLATE_NOOP("SyncStatus", "Переоткрыть"),
    "cancel": QT_TRANSLATE_NOOP("SyncStatus", "Отменить"),
    "transition": QT_TRANSLATE_NOOP("SyncStatus", "Смена статуса"),
    "change_process": QT_TRANSLATE_NOOP("SyncStatus", "Смена процесса"),
    "set_fields": QT_TRANSLATE_NOOP("SyncStatus", "Поля заявки"),
    "hand_over": QT_TRANSLATE_NOOP("SyncStatus", "Передать в отдел"),
    "add_comment": QT_TRANSLATE_NOOP("SyncStatus", "Комментарий"),
    "send_outgoing": QT_TRANSLATE_NOOP("SyncStatus", "Исходящий запрос в отдел"),
    "record_answer": QT_TRANSLATE_NOOP("SyncStatus", "Ответ отдела"),
    "fill_closure": QT_TRANSLATE_NOOP("SyncStatus", "Отчёт о закрытии"),
    "record_confirmation": QT_TRANSLATE_NOOP("SyncStatus", "Подтверждение клиента"),
    "save_closing": QT_TRANSLATE_NOOP("SyncStatus", "Закрытие заявки"),
    "close_with_report": QT_TRANSLATE_NOOP("SyncStatus", "Закрытие с отчётом"),
    "send_reply": QT_TRANSLATE_NOOP("SyncStatus", "Ответ клиенту"),
    "create_ticket": QT_TRANSLATE_NOOP("SyncStatus", "Новая заявка"),
    "register_call": QT_TRANSLATE_NOOP("SyncStatus", "Обращение (звонок)"),
}


def op_title(name: str) -> str:
    return translated("SyncStatus", OPS[name]) if name in OPS else name


@dataclass(frozen=True)
class RefusedLine:
    """One refused op as the panel lists it (the texts already in the interface language)."""

    at: dt.datetime
    tickets: str
    action: str
    reason: str
    headline: str = ""  # the reason's first words, for the status bar's one line ("": reason)


def reason_words(op: RefusedOp, taken_by: str = "") -> str:
    """Why the server refused `op`, in the interface language, each reason with its rule;
    a refused take first names who has the ticket now (first come on the server)."""
    words = "; ".join(
        pick(r.message_ru, r.message_en) + (f" ({r.rule})" if r.rule else "") for r in op.reasons
    )
    first = taken_words(op, taken_by)
    return f"{first} {words}".strip() if first else words


def taken_words(op: RefusedOp, taken_by: str) -> str:
    """A refused take's first words: who has the ticket now ("" for other refusals)."""
    if op.name != "take" or not taken_by:
        return ""
    first = QCoreApplication.translate("SyncStatus", "Заявку уже взял в работу {name}.")
    return first.format(name=taken_by.rstrip("."))  # «Петров А. В.», not «Петров А. В..»


def headline(op: RefusedOp, taken_by: str = "") -> str:
    """What the status bar's one line says of a refusal: who has the ticket (a take), else
    the first reason alone; the panel keeps every reason with its rule in full."""
    first = taken_words(op, taken_by)
    if first or not op.reasons:
        return first
    reason = op.reasons[0]
    return pick(reason.message_ru, reason.message_en) + (f" ({reason.rule})" if reason.rule else "")


class SyncStatus(QToolButton):
    """The status bar's sync button (see the module docstring)."""

    syncRequested = Signal()
    loginRequested = Signal()

    def __init__(self, tz: dt.tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncState")
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.tz = tz
        self.state = LOCAL
        self.server = ""
        self.why = ""  # the last error in words
        self.busy = False
        self.last_ok: dt.datetime | None = None
        self.waiting = 0
        self.refused_total = 0
        self.unmerged = 0  # this person's text conflicts waiting for a merge on their cards
        self.diverged: tuple[str, ...] = ()
        self.refused: deque[RefusedLine] = deque(maxlen=KEPT)
        self.panel: SyncPanel | None = None
        self.clicked.connect(self.show_panel)
        self._render()

    # -- what the window tells it --------------------------------------------------------
    def set_local(self) -> None:
        self.state, self.server, self.why = LOCAL, "", ""
        self._render()

    def set_signed_out(self, server: str, why: str = "") -> None:
        """No session: never logged in here (why empty) or the server asked to log in again."""
        self.state, self.server, self.why = (RELOGIN if why else SIGNED_OUT), server, why
        self.busy = False
        self._render()

    def set_signed_in(self, server: str) -> None:
        self.state, self.server, self.why = SIGNED_IN, server, ""  # until the first sync ends
        self._render()

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._render()

    def set_waiting(self, waiting: int) -> None:
        self.waiting = waiting
        self._render()

    def show_synced(self, synced: Synced, me: str = "") -> list[RefusedLine]:
        """Take in one sync's report (`me`: the login at this desk); returns the refused ops
        it added (newest last)."""
        report, self.busy = synced.report, False
        self.waiting = report.waiting
        error = report.error
        if error is None:
            self.state, self.why, self.last_ok = ONLINE, "", synced.at
        else:
            self.state = OFFLINE if report.offline else FAILED
            self.why = pick(error.message_ru, error.message_en)
        self.diverged = report.diverged
        self.unmerged = synced.open_conflicts.get(me, 0)
        added = []
        for op in report.refused:
            numbers = ", ".join(synced.numbers.get(key, "—") for key in op.tickets) or "—"
            owners = [synced.owners.get(key, ("", "")) for key in op.tickets]
            taken_by = ", ".join(name for login, name in owners if login and login != me)
            line = RefusedLine(synced.at, numbers, op_title(op.name), reason_words(op, taken_by),
                               headline(op, taken_by))  # fmt: skip
            added.append(line)
        self.refused.extend(added)
        self.refused_total += len(added)
        self._render()
        return added

    # -- showing ---------------------------------------------------------------------------
    def moment(self, at: dt.datetime | None) -> str:
        return at.astimezone(self.tz).strftime("%H:%M:%S") if at is not None else "—"

    def summary(self) -> str:
        if self.state == LOCAL:
            return self.tr("Синхронизация: локально")
        if self.state == SIGNED_OUT:
            text = self.tr("Сервер: вход не выполнен")
        elif self.state == RELOGIN:
            text = self.tr("Сервер: войдите снова")
        elif self.state == SIGNED_IN:
            text = self.tr("Сервер: вход выполнен, синхронизация…")
        elif self.state == ONLINE:
            text = self.tr("В сети · {at}").format(at=self.moment(self.last_ok))
        elif self.state == OFFLINE:
            text = self.tr("Нет связи · последняя синхронизация {at}").format(
                at=self.moment(self.last_ok)
            )
        else:
            text = self.tr("Ошибка синхронизации")
        if self.waiting:
            text += " · " + self.tr("ждут отправки: {n}").format(n=self.waiting)
        if self.refused_total:
            text += " · " + self.tr("отклонено сервером: {n}").format(n=self.refused_total)
        if self.unmerged:
            text += " · " + self.tr("конфликтов к объединению: {n}").format(n=self.unmerged)
        if self.diverged:
            text += " · " + self.tr("расхождение с сервером")
        return ("⟳ " if self.busy else "") + text

    def _render(self) -> None:
        self.setText(self.summary())
        self.setToolTip(self.why or self.tr("Нажмите, чтобы увидеть подробности синхронизации"))
        alarm = bool(self.refused_total or self.unmerged or self.diverged) or self.state in (
            FAILED,
            RELOGIN,
        )
        self.setStyleSheet("QToolButton { color: #c62828; }" if alarm else "")
        if self.panel is not None and self.panel.isVisible():
            self.panel.fill(self)

    def show_panel(self) -> None:
        if self.panel is None:
            self.panel = SyncPanel(self.window())
            self.panel.sync_button.clicked.connect(self.syncRequested)
            self.panel.login_button.clicked.connect(self.loginRequested)
        self.panel.fill(self)
        self.panel.show()
        self.panel.raise_()


class SyncPanel(QDialog):
    """Non-modal: the operator reads it while working on, and it follows new syncs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncPanel")
        self.setWindowTitle(self.tr("Синхронизация с сервером"))
        self.setModal(False)
        self.resize(820, 380)
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setObjectName("syncSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        self.caption = QLabel(self.tr("Последние операции, отклонённые сервером (на этом "
                                      "рабочем месте они отменены):"), self)  # fmt: skip
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("syncRefusals")
        self.tree.setHeaderLabels(
            [self.tr("Время"), self.tr("Заявка"), self.tr("Действие"), self.tr("Причина")]
        )
        self.tree.setRootIsDecorated(False)
        self.tree.setWordWrap(True)
        for column, width in enumerate((70, 110, 150)):
            self.tree.setColumnWidth(column, width)
        layout.addWidget(self.tree, 1)
        # the chosen refusal's reason in full: a rule says what to do, read it whole
        self.details = QLabel(self)
        self.details.setObjectName("syncRefusalDetails")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.details)
        self.tree.currentItemChanged.connect(
            lambda item, _previous: self.details.setText(item.text(3) if item else "")
        )
        row = QHBoxLayout()
        self.sync_button = QPushButton(self.tr("Синхронизировать сейчас"), self)
        self.login_button = QPushButton(self.tr("Войти на сервер…"), self)
        row.addWidget(self.sync_button)
        row.addWidget(self.login_button)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.hide)
        row.addWidget(close)
        layout.addLayout(row)

    def fill(self, status: SyncStatus) -> None:
        lines = [status.summary().removeprefix("⟳ ")]
        if status.server:
            lines.append(self.tr("Сервер: {server}").format(server=status.server))
        last = status.moment(status.last_ok)
        lines.append(self.tr("Последняя синхронизация: {at}").format(at=last))
        lines.append(self.tr("Ждут отправки: {n}").format(n=status.waiting))
        if status.why:
            lines.append(self.tr("Причина: {why}").format(why=status.why))
        if status.diverged:
            lines.append(self.tr("Не совпадают с сервером: {tables}").format(
                tables=", ".join(status.diverged)))  # fmt: skip
        self.summary.setText("\n".join(lines))
        self.sync_button.setEnabled(status.state not in (LOCAL, SIGNED_OUT, RELOGIN))
        self.tree.clear()
        for line in reversed(status.refused):  # newest first
            item = QTreeWidgetItem([status.moment(line.at), line.tickets, line.action, line.reason])
            item.setToolTip(3, line.reason)
            self.tree.addTopLevelItem(item)
        if self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        for widget in (self.caption, self.tree, self.details):
            widget.setVisible(bool(status.refused))
