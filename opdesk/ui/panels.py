"""Small windows of the workstation: the refusal panel, the bulk result list, the person
choice, a generic input form for commands, the keyboard map and About."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFormLayout,
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

ROLES = {"operator": "оператор", "lead": "руководитель", "trainer": "тренер", "admin": "админ"}


def reasons_html(reasons: Sequence[Reason]) -> str:
    """Rule ID, the rule's Russian text, the detail about this ticket and the source."""
    out = []
    for r in reasons:
        rule = f"<b>{html.escape(r.rule)}</b> " if r.rule else ""
        detail = f"<br>{html.escape(r.detail)}" if r.detail else ""
        source = f"<br><i>{html.escape(r.source)}</i>" if r.source else ""
        out.append(f"<p>{rule}{html.escape(r.text)}{detail}{source}</p>")
    return "".join(out)


def reasons_text(reasons: Sequence[Reason]) -> str:
    return "\n".join(r.as_text() for r in reasons)


class RefusalPanel(QDockWidget):
    """Why the last command was refused; non-modal, stays open while the operator works."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Отказ регламента", parent)
        self.setObjectName("refusalPanel")
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("refusalText")
        self.setWidget(self.browser)
        self.hide()

    def show_refusal(self, title: str, reasons: Sequence[Reason]) -> None:
        self.browser.setHtml(
            f"<h3>{html.escape(title)}: не выполнено</h3>{reasons_html(reasons)}"
            "<p>Ничего не изменено.</p>"
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
        self.setWindowTitle(f"{title}: результат")
        self.setModal(False)
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Заявка", "Результат", "Правила и причины"])
        self.tree.setRootIsDecorated(False)
        done = 0
        for number, result in results:
            done += result.ok
            verdict = "выполнено" if result.ok else "отказ"
            item = QTreeWidgetItem([number, verdict, "" if result.ok else result.message()])
            item.setToolTip(2, result.message())
            self.tree.addTopLevelItem(item)
        self.tree.resizeColumnToContents(0)
        self.tree.resizeColumnToContents(1)
        layout.addWidget(self.tree)
        self.summary = f"Выполнено {done} из {len(results)}; отказов {len(results) - done}"
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.setWindowTitle(f"{title}: {self.summary}")


class PersonDialog(QDialog):
    """Who is at the desk (step 8 replaces this with a login)."""

    def __init__(self, people: Sequence[PersonInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("personDialog")
        self.setWindowTitle("Кто работает за этим местом?")
        self.resize(420, 480)
        layout = QVBoxLayout(self)
        self.list = QListWidget(self)
        for p in people:
            role = ROLES.get(p.role, p.role)
            item = QListWidgetItem(f"{p.name} — {role}, {p.department or 'без отдела'}")
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
        self.setWindowTitle("Клавиатурные сокращения")
        self.resize(520, 520)
        layout = QVBoxLayout(self)
        tree = QTreeWidget(self)
        tree.setHeaderLabels(["Клавиши", "Действие"])
        tree.setRootIsDecorated(False)
        for keys, what in rows:
            tree.addTopLevelItem(QTreeWidgetItem([keys, what]))
        tree.resizeColumnToContents(0)
        layout.addWidget(tree)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
