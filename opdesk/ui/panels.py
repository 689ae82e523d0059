"""Small windows of the workstation: the refusal panel, the bulk result list, the person
choice, a generic input form for commands, the keyboard map and About."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from opdesk.regulations.rules import Reason
from opdesk.services import CommandResult
from opdesk.store.reading import PersonInfo
from opdesk.ui.i18n import pick, translated

# Role → its name, in the source language; `role_name` translates at use time.
ROLES = {
    "operator": QT_TRANSLATE_NOOP("Roles", "оператор"),
    "lead": QT_TRANSLATE_NOOP("Roles", "руководитель"),
    "trainer": QT_TRANSLATE_NOOP("Roles", "тренер"),
    "admin": QT_TRANSLATE_NOOP("Roles", "админ"),
}


def role_name(role: str) -> str:
    """A role's name in the interface language (an unknown role shows as its id)."""
    return translated("Roles", ROLES[role]) if role in ROLES else role


SEED_FILE = re.compile(r"\s*\((\d{3})_[0-9a-f]+\.txt\)")


def source_name(source: str) -> str:
    """The document a rule comes from as the operator knows it: «Работа с тикетом клиента,
    документ 002» rather than the seed's file name with its content hash."""
    return SEED_FILE.sub(
        lambda m: QCoreApplication.translate("Reasons", ", документ {n}").format(n=m.group(1)),
        source,
    )


def reasons_html(reasons: Sequence[Reason]) -> str:
    """Rule ID, the rule's text, the detail about this ticket and the source — in the
    interface language (the pack carries both; the source is the Russian document's)."""
    out = []
    for r in reasons:
        text, more = pick(r.text, r.text_en), pick(r.detail, r.detail_en)
        rule = f"<b>{html.escape(r.rule)}</b> " if r.rule else ""
        detail = f"<br>{html.escape(more)}" if more else ""
        source = f"<br><i>{html.escape(source_name(r.source))}</i>" if r.source else ""
        out.append(f"<p>{rule}{html.escape(text)}{detail}{source}</p>")
    return "".join(out)


def reasons_text(reasons: Sequence[Reason]) -> str:
    """One line a reason, as `Reason.as_text` but in the interface language."""
    lines = []
    for r in reasons:
        more = pick(r.detail, r.detail_en)
        tail = f" — {more}" if more else ""
        lines.append(f"[{r.rule}] {pick(r.text, r.text_en)}{tail} ({source_name(r.source)})")
    return "\n".join(lines)


class RefusalPanel(QDockWidget):
    """Why the last command was refused; non-modal, stays open while the operator works."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Отказ регламента"))
        self.setObjectName("refusalPanel")
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("refusalText")
        self.setWidget(self.browser)
        self.hide()

    def show_refusal(self, title: str, reasons: Sequence[Reason]) -> None:
        self.browser.setHtml(
            "<h3>"
            + self.tr("{title}: не выполнено").format(title=html.escape(title))
            + "</h3>"
            + reasons_html(reasons)
            + "<p>"
            + self.tr("Ничего не изменено.")
            + "</p>"
        )
        self.show()
        self.raise_()


class BulkResults(QDialog):
    """What a bulk action did to each ticket: done, or refused and why."""

    def __init__(
        self, title: str, results: Sequence[tuple[str, CommandResult]], parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("bulkResults")
        self.setWindowTitle(self.tr("{title}: результат").format(title=title))
        self.setModal(False)
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("bulkSummary")
        layout.addWidget(self.summary_label)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(
            [self.tr("Заявка"), self.tr("Результат"), self.tr("Правила и причины")]
        )
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        # the chosen line's reasons in full below: a rule says what to do, read it whole
        self.details = QTextBrowser(self)
        self.details.setObjectName("bulkDetails")
        self.details.setMaximumHeight(160)
        self._reasons: list[Sequence[Reason]] = []
        done = 0
        for number, result in results:
            done += result.ok
            verdict = self.tr("выполнено") if result.ok else self.tr("отказ")
            why = reasons_text(result.reasons) if result.reasons else result.message()
            item = QTreeWidgetItem([number, verdict, "" if result.ok else why])
            item.setForeground(1, QColor("#2e7d32" if result.ok else "#c62828"))
            item.setToolTip(2, why)
            self.tree.addTopLevelItem(item)
            self._reasons.append(() if result.ok else result.reasons)
        self.tree.resizeColumnToContents(0)
        self.tree.resizeColumnToContents(1)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.details)
        self.tree.currentItemChanged.connect(self._show_reasons)
        refused = next((i for i, r in enumerate(results) if not r[1].ok), 0)
        if results:
            self.tree.setCurrentItem(self.tree.topLevelItem(refused))
        self.summary = self.tr("Выполнено {done} из {total}; отказов {refused}").format(
            done=done, total=len(results), refused=len(results) - done
        )
        self.summary_label.setText(f"<b>{html.escape(self.summary)}</b>")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.setWindowTitle(f"{title}: {self.summary}")

    def _show_reasons(self, item: QTreeWidgetItem | None, _previous: object = None) -> None:
        row = self.tree.indexOfTopLevelItem(item) if item is not None else -1
        reasons = self._reasons[row] if 0 <= row < len(self._reasons) else ()
        self.details.setHtml(reasons_html(reasons) if reasons else "")


class PersonDialog(QDialog):
    """Who is at the desk (step 8 replaces this with a login)."""

    def __init__(self, people: Sequence[PersonInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("personDialog")
        self.setWindowTitle(self.tr("Кто работает за этим местом?"))
        self.resize(420, 480)
        layout = QVBoxLayout(self)
        self.list = QListWidget(self)
        for p in people:
            department = p.department or self.tr("без отдела")
            item = QListWidgetItem(f"{p.name} — {role_name(p.role)}, {department}")
            item.setData(Qt.ItemDataRole.UserRole, p.login)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _i: self.accept())
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def login(self) -> str:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else ""


@dataclass
class Field:
    key: str
    label: str
    kind: str = "text"  # text | multiline | choice | check
    choices: Sequence[tuple[str, object]] = field(default_factory=tuple)
    value: object = None


class FormDialog(QDialog):
    """A small form for a command's input; `values()` after `exec()`."""

    def __init__(self, title: str, fields: Sequence[Field], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("formDialog")
        self.setWindowTitle(title)
        self.resize(480, 200)
        self.widgets: dict[str, QWidget] = {}
        layout = QFormLayout(self)
        for f in fields:
            widget: QWidget
            if f.kind == "multiline":
                widget = QPlainTextEdit(self)
                widget.setPlainText(str(f.value or ""))
            elif f.kind == "choice":
                widget = QComboBox(self)
                for text, value in f.choices:
                    widget.addItem(text, value)
                if f.value is not None:
                    widget.setCurrentIndex(max(0, widget.findData(f.value)))
            elif f.kind == "check":
                widget = QCheckBox(f.label, self)
                widget.setChecked(bool(f.value))
            else:
                widget = QLineEdit(self)
                widget.setText(str(f.value or ""))
            widget.setObjectName(f"field_{f.key}")
            self.widgets[f.key] = widget
            layout.addRow("" if f.kind == "check" else f.label, widget)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)

    def values(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for key, w in self.widgets.items():
            if isinstance(w, QPlainTextEdit):
                out[key] = w.toPlainText()
            elif isinstance(w, QComboBox):
                out[key] = w.currentData()
            elif isinstance(w, QCheckBox):
                out[key] = w.isChecked()
            elif isinstance(w, QLineEdit):
                out[key] = w.text()
        return out


class ShortcutsDialog(QDialog):
    def __init__(self, rows: Sequence[tuple[str, str]], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(self.tr("Клавиатурные сокращения"))
        self.resize(520, 520)
        layout = QVBoxLayout(self)
        tree = QTreeWidget(self)
        tree.setHeaderLabels([self.tr("Клавиши"), self.tr("Действие")])
        tree.setRootIsDecorated(False)
        for keys, what in rows:
            tree.addTopLevelItem(QTreeWidgetItem([keys, what]))
        tree.resizeColumnToContents(0)
        layout.addWidget(tree)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
