"""A first main window: the regulation pack at a glance (statuses, rules, change log).

The queue, filter panel and detail view of step 3 replace this; until then the window proves
the pack loads and shows what the desk's regulation says, in Russian.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from opdesk.clock import Clock
from opdesk.regulations.pack import Pack
from opdesk.ui.database_job import DEMO_TICKETS, DatabaseSummary, open_and_summarise
from opdesk.ui.jobs import JobRunner


class MainWindow(QMainWindow):
    database_opened = Signal(object)  # DatabaseSummary
    database_failed = Signal(str)

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
        self.tabs.addTab(self._database_view(), "База данных")
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
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: opening, checking, migrating, generating
        self.progress.setMaximumWidth(200)
        self.progress.hide()
        self.statusBar().addPermanentWidget(self.progress)
        self.runner = JobRunner(self)

    # -- database (worker thread) --------------------------------------------------------------
    def _database_view(self) -> QWidget:
        box = QWidget()
        self.db_form = QFormLayout(box)
        self.db_path = QLabel("—")
        self.db_path.setObjectName("dbPath")
        self.db_form.addRow("Файл базы:", self.db_path)
        self.db_counts: dict[str, QLabel] = {}
        return box

    def open_database(self, path: Path, clock: Clock, demo_tickets: int = DEMO_TICKETS) -> None:
        """Open (and on first start fill with demo data) the local database off the GUI thread."""
        self.progress.show()
        self.statusBar().showMessage("Открываю локальную базу…")
        job = self.runner.start(lambda _report: open_and_summarise(path, clock, demo_tickets))
        job.signals.finished.connect(self._database_ready)
        job.signals.failed.connect(self._database_failed)

    def _database_ready(self, summary: DatabaseSummary) -> None:
        self.progress.hide()
        self.db_path.setText(summary.path)
        for name, value in summary.counts.items():
            label = self.db_counts.get(name)
            if label is None:
                label = QLabel()
                label.setObjectName(f"count:{name}")
                self.db_counts[name] = label
                self.db_form.addRow(f"{name}:", label)
            label.setText(f"{value:,}".replace(",", " "))
        note = " (созданы демо-данные)" if summary.generated else ""
        self.statusBar().showMessage(f"База открыта{note}: {summary.path}")
        self.database_opened.emit(summary)

    def _database_failed(self, message: str) -> None:
        self.progress.hide()
        self.statusBar().showMessage("База не открыта")
        self.database_failed.emit(message)
        if self.isVisible():
            QMessageBox.critical(self, "OpDesk — база данных", message)

    def _tree(self, headers: list[str]) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setHeaderLabels(headers)
        tree.setRootIsDecorated(False)
        tree.setUniformRowHeights(True)
        return tree

    def _statuses_view(self) -> QTreeWidget:
        """The processes (one per document), each with its statuses under the document's
        own names, what their SLA clock does and which end the ticket."""
        tree = self._tree(["Процесс / статус", "Стадия", "Часы SLA", "Правила"])
        tree.setObjectName("statusesTree")
        tree.setRootIsDecorated(True)
        clock = {"runs": "идут", "paused": "пауза", "stopped": "остановлены"}
        for process in self.pack.processes.values():
            top = QTreeWidgetItem([process.name, process.source.title, "", process.rule.id])
            for sid in process.statuses:
                st = self.pack.statuses[sid]
                stage = "текущий уровень" if st.stage == "*" else self.pack.stages.name(st.stage)
                if not process.levels and st.stage in (*self.pack.stages.order, "*"):
                    stage = "—"
                ends = " (окончательный)" if process.is_terminal(sid) else ""
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
