"""Sync conflicts on the ticket's card, and the manual merge of a long text.

DESIGN.md: "long texts keep the server value and offer the local one for a manual merge.
Conflicts are recorded, never silent." The server records each conflict on its ticket
(models.conflict); this module shows them on the card — a text the server kept with the one it
did not take, an op the server refused and why — and offers «Объединить…» for a text still
waiting: a dialog with the text as it stands, the text that was not taken, and an editable
result (starting from the standing text, with buttons to take either whole). Saving runs the
`resolve_conflict` command on the writer thread, like every other change, so the merge is an
op the server judges too (a merge racing another edit becomes a conflict of its own).

Why a dialog and not an inline editor: the two texts are compared side by side, often long
(a cause and the actions taken), and the card is a narrow pane.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from opdesk.regulations.snapshot import Actor
from opdesk.services import CommandResult, Desk, resolve_conflict
from opdesk.services.views import ConflictLine, TicketView
from opdesk.ui.i18n import pick, translated
from opdesk.ui.sync_status import op_title

if TYPE_CHECKING:
    from opdesk.ui.main_window import MainWindow

FIELDS = {
    "subject": QT_TRANSLATE_NOOP("ConflictList", "Тема"),
    "cause": QT_TRANSLATE_NOOP("ConflictList", "Причина"),
    "actions": QT_TRANSLATE_NOOP("ConflictList", "Выполненные действия"),
    "comment": QT_TRANSLATE_NOOP("ConflictList", "Комментарий закрытия"),
}
OPEN_COLOUR = "#c62828"


def field_name(field: str) -> str:
    return translated("ConflictList", FIELDS[field]) if field in FIELDS else field


def short(text: str, limit: int = 60) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


class ConflictList(QGroupBox):
    """The card's «Конфликты синхронизации»: hidden while the ticket has none. One wrapped
    line per conflict (the card is a narrow pane: a table's columns were cut off), newest
    last, and «Объединить…» beside each text still waiting for a merge."""

    mergeRequested = Signal(object)  # the ConflictLine to merge

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Конфликты синхронизации"), parent)
        self.setObjectName("conflictBox")
        self.rows_ = QVBoxLayout(self)
        self.rows_.setSpacing(6)
        self.lines: list[ConflictLine] = []
        self.labels: list[QLabel] = []
        self.merge_buttons: list[QPushButton] = []  # one per open conflict, in order
        self.setVisible(False)

    def show_view(
        self, view: TicketView | None, when: Callable[[dt.datetime | None], str],
        names: Mapping[str, str],
    ) -> None:  # fmt: skip
        while self.rows_.count():
            item = self.rows_.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.lines = list(view.conflicts) if view is not None else []
        self.labels, self.merge_buttons = [], []
        for line in self.lines:
            row = QWidget(self)
            layout = QHBoxLayout(row)
            layout.setContentsMargins(0, 0, 0, 0)
            who = html.escape(names.get(line.person, line.person))
            head = f"<b>{when(line.at)}</b> · {who}"
            colour = f' style="color:{OPEN_COLOUR}"' if line.open else ""
            text = (f"{head}<br><span{colour}>{html.escape(self._what(line))}: "
                    f"{html.escape(self._outcome(line, names))}</span>")  # fmt: skip
            label = QLabel(text, row)
            label.setObjectName("conflictLine")
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setToolTip(self._details(line))
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            layout.addWidget(label, 1)
            self.labels.append(label)
            if line.open:
                button = QPushButton(self.tr("Объединить…"), row)
                button.setObjectName("mergeConflict")
                button.setToolTip(self.tr("Сравнить тексты и сохранить объединённый"))
                button.clicked.connect(
                    lambda _=False, chosen=line: self.mergeRequested.emit(chosen)
                )
                layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
                self.merge_buttons.append(button)
            self.rows_.addWidget(row)
        self.setVisible(bool(self.lines))

    def _what(self, line: ConflictLine) -> str:
        if line.kind == "text":
            return self.tr("«{field}» изменили одновременно").format(field=field_name(line.field))
        return self.tr("«{op}» отклонено сервером").format(op=op_title(line.op_name))

    def _outcome(self, line: ConflictLine, names: Mapping[str, str]) -> str:
        if line.kind != "text":
            return "; ".join(pick(ru, en) + (f" ({rule})" if rule else "")
                             for rule, ru, en in line.reasons) or "—"  # fmt: skip
        if line.resolved_at is None:
            return self.tr("оставлен текст сервера, ваш ждёт объединения")
        who = names.get(line.resolved_by, line.resolved_by)
        return self.tr("объединено ({who})").format(who=who)

    def _details(self, line: ConflictLine) -> str:
        if line.kind != "text":
            return self._outcome(line, {})
        return self.tr("Оставлен: {kept}\nНе принят: {other}").format(
            kept=short(line.server_value, 300), other=short(line.local_value, 300)
        )


class MergeDialog(QDialog):
    """Two texts side by side and the result being written (see the module docstring)."""

    def __init__(self, line: ConflictLine, number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mergeDialog")
        self.line = line
        field = field_name(line.field)
        self.setWindowTitle(self.tr("Объединение: {number} · {field}").format(
            number=number, field=field))  # fmt: skip
        intro = QLabel(self.tr(
            "Поле «{field}» изменили на двух рабочих местах. Сервер оставил текст, который "
            "пришёл первым; второй сохранён здесь. Соберите итоговый текст и сохраните его."
        ).format(field=field), self)  # fmt: skip
        intro.setWordWrap(True)
        self.standing = self._text(line.current, "standingText")
        self.other = self._text(line.local_value, "otherText")
        self.result = QPlainTextEdit(line.current, self)
        self.result.setObjectName("mergedText")
        take_standing = QPushButton(self.tr("Взять этот текст ↓"), self)
        take_standing.setObjectName("takeStanding")
        take_standing.clicked.connect(lambda: self.result.setPlainText(line.current))
        take_other = QPushButton(self.tr("Взять этот текст ↓"), self)
        take_other.setObjectName("takeOther")
        take_other.clicked.connect(lambda: self.result.setPlainText(line.local_value))
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("Сейчас в заявке (сервер):"), self), 0, 0)
        grid.addWidget(QLabel(self.tr("Не принятый текст:"), self), 0, 1)
        grid.addWidget(self.standing, 1, 0)
        grid.addWidget(self.other, 1, 1)
        grid.addWidget(take_standing, 2, 0, Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(take_other, 2, 1, Qt.AlignmentFlag.AlignLeft)
        buttons = QDialogButtonBox(self)
        self.save = buttons.addButton(
            self.tr("Сохранить объединение"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save.setObjectName("saveMerge")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(QLabel(self.tr("Итоговый текст:"), self))
        layout.addWidget(self.result)
        layout.addWidget(buttons)
        self.resize(760, 520)

    def _text(self, text: str, name: str) -> QPlainTextEdit:
        box = QPlainTextEdit(text, self)
        box.setObjectName(name)
        box.setReadOnly(True)
        return box

    def merged(self) -> str:
        return self.result.toPlainText()


def install(window: MainWindow) -> None:
    """Wire the card's conflict list to the merge dialog and the writer thread."""

    def ask(line: ConflictLine) -> None:
        view = window.current
        actions = window.actions_
        if view is None or actions is None:
            return
        dialog = MergeDialog(line, view.detail.number, window)
        window.merge_dialog = dialog  # kept for tests and for a second look

        def save() -> None:
            value, base = dialog.merged(), {line.field: line.current}

            def command(desk: Desk, actor: Actor, tid: int) -> CommandResult:
                return resolve_conflict(desk, actor, tid, line.id, value, base)

            actions.run(
                QCoreApplication.translate("ConflictList", "Объединение текста"),
                command,
                [(view.detail.id, view.detail.number)],
            )

        dialog.accepted.connect(save)
        dialog.open()

    window.detail.conflicts.mergeRequested.connect(ask)
