"""The regulation pack at a glance: processes with their statuses, the rules, the change log
(U-10) — what the desk's regulation says, in Russian, one dialog away (Help → Регламент)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from opdesk.regulations.pack import Pack


class PackView(QDialog):
    def __init__(self, pack: Pack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pack = pack
        self.setObjectName("packView")
        self.setWindowTitle(self.tr("Регламент — {name}").format(name=pack.name))
        self.resize(1000, 640)
        layout = QVBoxLayout(self)
        header = QLabel(
            f"<b>{pack.name}</b> · "
            + self.tr("версия {version} · правил: {rules}").format(
                version=pack.version, rules=len(pack.rules)
            )
        )
        header.setObjectName("packHeader")
        layout.addWidget(header)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._statuses_view(), self.tr("Процессы и статусы"))
        self.tabs.addTab(self._rules_view(), self.tr("Правила"))
        self.tabs.addTab(self._changelog_view(), self.tr("Изменения регламента"))
        layout.addWidget(self.tabs)

    def _tree(self, headers: list[str]) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setHeaderLabels(headers)
        tree.setRootIsDecorated(False)
        tree.setUniformRowHeights(True)
        return tree

    def _statuses_view(self) -> QTreeWidget:
        """The processes (one per document), each with its statuses under the document's
        own names, what their SLA clock does and which end the ticket."""
        tree = self._tree(
            [
                self.tr("Процесс / статус"),
                self.tr("Стадия"),
                self.tr("Часы SLA"),
                self.tr("Правила"),
            ]
        )
        tree.setObjectName("statusesTree")
        tree.setRootIsDecorated(True)
        clock = {
            "runs": self.tr("идут"),
            "paused": self.tr("пауза"),
            "stopped": self.tr("остановлены"),
        }
        for process in self.pack.processes.values():
            top = QTreeWidgetItem([process.name, process.source.title, "", process.rule.id])
            for sid in process.statuses:
                st = self.pack.statuses[sid]
                stage = (
                    self.tr("текущий уровень")
                    if st.stage == "*"
                    else self.pack.stages.name(st.stage)
                )
                if not process.levels and st.stage in (*self.pack.stages.order, "*"):
                    stage = "—"
                ends = " " + self.tr("(окончательный)") if process.is_terminal(sid) else ""
                rules = ", ".join(r.id for r in st.rules)
                item = QTreeWidgetItem(
                    [process.status_name(st) + ends, stage, clock[st.clock], rules]
                )
                top.addChild(item)
            tree.addTopLevelItem(top)
        tree.expandAll()
        for col in range(4):
            tree.resizeColumnToContents(col)
        return tree

    def _rules_view(self) -> QTreeWidget:
        tree = self._tree([self.tr("ID"), self.tr("Правило"), self.tr("Источник")])
        tree.setObjectName("rulesTree")
        tree.setWordWrap(True)
        for rule in self.pack.rules.values():
            item = QTreeWidgetItem([rule.id, rule.text, rule.source.title])
            item.setToolTip(1, rule.text)
            tree.addTopLevelItem(item)
        tree.setColumnWidth(0, 60)
        tree.setColumnWidth(1, 700)
        return tree

    def _changelog_view(self) -> QTreeWidget:
        tree = self._tree(
            [self.tr("Дата"), self.tr("Автор"), self.tr("Правила"), self.tr("Изменение")]
        )
        tree.setObjectName("changelogTree")
        for e in self.pack.changelog:
            item = QTreeWidgetItem(
                [e.date.strftime("%d.%m.%Y"), e.author, ", ".join(e.rules), e.change]
            )
            item.setToolTip(3, e.change)
            item.setTextAlignment(0, Qt.AlignmentFlag.AlignTop)
            tree.addTopLevelItem(item)
        for col in range(3):
            tree.resizeColumnToContents(col)
        return tree
