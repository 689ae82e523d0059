"""A first main window: the regulation pack at a glance (statuses, rules, change log).

The queue, filter panel and detail view of step 3 replace this; until then the window proves
the pack loads and shows what the desk's regulation says, in Russian.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from opdesk.regulations.pack import Pack


class MainWindow(QMainWindow):
    def __init__(self, pack: Pack) -> None:
        super().__init__()
        self.pack = pack
        self.setWindowTitle(f"OpDesk — {pack.name}")
        self.resize(1100, 700)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        header = QLabel(f"<b>{pack.name}</b> · версия {pack.version} · правил: {len(pack.rules)}")
        header.setObjectName("packHeader")
        layout.addWidget(header)
        self.tabs = QTabWidget(central)
        self.tabs.addTab(self._statuses_view(), "Статусы")
        self.tabs.addTab(self._rules_view(), "Правила")
        self.tabs.addTab(self._changelog_view(), "Изменения регламента")
        layout.addWidget(self.tabs)
        self.setCentralWidget(central)
        quit_action = QAction("Выход", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.menuBar().addMenu("&Файл").addAction(quit_action)
        self.statusBar().showMessage(f"Пакет регламентов: {pack.file.name}")

    def _tree(self, headers: list[str]) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setHeaderLabels(headers)
        tree.setRootIsDecorated(False)
        tree.setUniformRowHeights(True)
        return tree

    def _statuses_view(self) -> QTreeWidget:
        tree = self._tree(["Статус", "Стадия", "Часы SLA", "Правила"])
        tree.setObjectName("statusesTree")
        clock = {"runs": "идут", "paused": "пауза", "stopped": "остановлены"}
        for st in self.pack.statuses.values():
            stage = "текущий уровень" if st.stage == "*" else self.pack.stages.name(st.stage)
            rules = ", ".join(r.id for r in st.rules)
            tree.addTopLevelItem(QTreeWidgetItem([st.name, stage, clock[st.clock], rules]))
        for col in range(4):
            tree.resizeColumnToContents(col)
        return tree

    def _rules_view(self) -> QTreeWidget:
        tree = self._tree(["ID", "Правило", "Источник"])
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
        tree = self._tree(["Дата", "Автор", "Правила", "Изменение"])
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
