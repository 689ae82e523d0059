"""The operator's workstation: filter panel, queue and detail view in splitters (the
arrangement of Thunderbird's three panes), with the actions in a menu and a toolbar.

The window composes the parts and wires them; each part lives in its own module. Every
database read goes to the reader thread and every command to the writer thread; answers come
back as plain values, so the window never waits and never touches a row object.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from array import array
from pathlib import Path

from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTableView,
)

from opdesk import paths, services, settings
from opdesk.clock import Clock
from opdesk.progress import checkpoint
from opdesk.regulations.pack import Pack
from opdesk.regulations.snapshot import Actor
from opdesk.services import Desk
from opdesk.services.views import TicketView, ticket_view
from opdesk.store import query as queries
from opdesk.store import saved_filters
from opdesk.store.database import check_sqlite_file
from opdesk.store.filters import TicketQuery
from opdesk.store.reading import DepartmentInfo, PersonInfo, departments, people
from opdesk.sync.credentials import TokenStore
from opdesk.ui import data_jobs
from opdesk.ui.actions import SHORTCUTS, TicketActions
from opdesk.ui.database_job import DEMO_TICKETS, Opened
from opdesk.ui.db_worker import DbThread
from opdesk.ui.detail_view import DetailView
from opdesk.ui.filter_panel import FilterPanel
from opdesk.ui.jobs import JobRunner
from opdesk.ui.panels import PersonDialog, RefusalPanel, ShortcutsDialog, role_name
from opdesk.ui.queue_model import COLUMNS, QueueModel
from opdesk.ui.settings_dialog import SettingsDialog
from opdesk.ui.shared_desk import SharedDesk, open_workstation
from opdesk.ui.sync_status import SyncStatus

log = logging.getLogger(__name__)
ROW_HEIGHT = 22
FIRST_SCREEN = 120  # rows shown before the complete list arrives


class MainWindow(QMainWindow):
    database_opened = Signal(object)  # Opened
    database_failed = Signal(str)
    queueLoaded = Signal(int)  # tickets in the queue (the complete list)
    firstScreen = Signal(int)  # the first screen of a new filter is shown
    viewShown = Signal(object)  # TicketView | None
    countsShown = Signal(object)  # dict[str, int]

    def __init__(
        self,
        pack: Pack,
        clock: Clock,
        prefs: settings.Settings | None = None,
        tokens: TokenStore | None = None,  # None: the OS keyring, else memory (opened lazily)
    ) -> None:
        super().__init__()
        self.pack, self.clock = pack, clock
        self.prefs = prefs or settings.Settings()
        self.desk: Desk | None = None
        self.reader: DbThread | None = None  # first screens, rows, the ticket card
        self.lister: DbThread | None = None  # complete id lists and counts (the slow reads)
        self.writer: DbThread | None = None
        self.person: PersonInfo | None = None
        self.current: TicketView | None = None
        self.person_dialog: PersonDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self._counted = False
        self._query_seq = self._first_seq = self._full_seq = 0
        self.query = TicketQuery(open_only=True)
        self.setWindowTitle("OpDesk")
        self.resize(1400, 860)
        self.filters = FilterPanel(pack, clock.now(), self)
        self.table = QTableView(self)
        self.table.setObjectName("queue")
        self.detail = DetailView(pack, self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.inner = QSplitter(
            Qt.Orientation.Vertical if self.prefs.detail_below else Qt.Orientation.Horizontal,
            self,
        )
        self.inner.setObjectName("queueSplitter")
        self.inner.addWidget(self.table)
        self.inner.addWidget(self.detail)
        self.splitter.addWidget(self.filters)
        self.splitter.addWidget(self.inner)
        self.splitter.setSizes([250, 1150])
        self.inner.setSizes([760, 390])
        self.setCentralWidget(self.splitter)
        self.refusals = RefusalPanel(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.refusals)
        self._status_bar()
        self.shared = SharedDesk(self, self.sync_label, tokens)  # the server: shared_desk.py
        self.runner = JobRunner(self)
        self.model: QueueModel | None = None
        self.actions_: TicketActions | None = None
        self.merge_dialog: QDialog | None = None  # the last text merge opened (conflict_merge)
        self.filters.queryChanged.connect(self.run_query)
        self.filters.saveRequested.connect(self._save_filter)
        self.detail.ticketActivated.connect(self.go_to)
        QShortcut(QKeySequence("Ctrl+F"), self, self._focus_search)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.table.setFocus)
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.table, self.detail.setFocus)
        self._clock_timer = QTimer(self)
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start(30_000)

    # -- chrome ------------------------------------------------------------------------------
    def _status_bar(self) -> None:
        bar = self.statusBar()
        self.who = QLabel("—", self)
        self.who.setObjectName("personLabel")
        self.counts_label = QLabel("", self)
        self.counts_label.setObjectName("queueCount")
        self.sync_label = SyncStatus(self.pack.calendar.tz, self)
        self.clock_label = QLabel("", self)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        for w in (self.who, self.counts_label, self.sync_label, self.clock_label, self.progress):
            bar.addPermanentWidget(w)
        self._tick()

    def _tick(self) -> None:
        now = self.clock.now().astimezone(self.pack.calendar.tz)
        self.clock_label.setText(now.strftime("%d.%m.%Y %H:%M"))

    def _menus(self, actions: TicketActions) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&Файл"))
        prefs_action = file_menu.addAction(self.tr("Настройки…"))
        prefs_action.setObjectName("action_settings")
        prefs_action.setShortcut(QKeySequence("Ctrl+,"))
        prefs_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        prefs_action.triggered.connect(self.open_settings)
        file_menu.addSeparator()
        self.shared.install_menu(file_menu)  # the server: log in, sync now, log out
        self.data_jobs = data_jobs.install(self, file_menu)
        quit_action = file_menu.addAction(self.tr("Выход"))
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        ticket = bar.addMenu(self.tr("&Заявка"))
        ticket.addMenu(actions.status_menu)
        for name, _keys, _title in SHORTCUTS:
            if name != "status":
                ticket.addAction(actions.actions[name])
        view = bar.addMenu(self.tr("&Вид"))
        refresh = view.addAction(self.tr("Обновить"))
        refresh.setShortcut(QKeySequence("F5"))
        refresh.triggered.connect(lambda: (self.run_query(self.query), self.refresh_counts()))
        flip = view.addAction(self.tr("Карточка снизу / справа"))
        flip.triggered.connect(self._flip_detail)
        view.addAction(self.refusals.toggleViewAction())
        help_menu = bar.addMenu(self.tr("&Справка"))
        help_menu.addAction(self.tr("Клавиатурные сокращения"), self._show_shortcuts)
        help_menu.addAction(self.tr("Регламент…"), self._show_pack)
        help_menu.addAction(self.tr("О программе"), self._about)
        tools = self.addToolBar(self.tr("Действия"))
        tools.setObjectName("actionsToolbar")
        tools.addAction(actions.actions["take"])
        status_button = QAction(self.tr("Сменить статус"), self)
        status_button.setMenu(actions.status_menu)
        status_button.triggered.connect(actions.actions["status"].trigger)
        tools.addAction(status_button)
        for name in ("comment", "call", "escalate", "outgoing", "answer"):
            tools.addAction(actions.actions[name])

    def _flip_detail(self) -> None:
        vertical = self.inner.orientation() == Qt.Orientation.Horizontal
        self.inner.setOrientation(
            Qt.Orientation.Vertical if vertical else Qt.Orientation.Horizontal
        )
        self.prefs = dataclasses.replace(self.prefs, detail_below=vertical)
        settings.save(self.prefs)

    def _focus_search(self) -> None:
        self.filters.search.setFocus()
        self.filters.search.selectAll()

    def _show_shortcuts(self) -> None:
        ShortcutsDialog(self.shortcut_rows(), self).exec()

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """Every action with a key, read from the menus and the window itself (so a screen
        added later lists its own), then the keys that are not actions."""
        rows: list[tuple[str, str]] = []
        seen: set[str] = set()

        def add(action: QAction) -> None:
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys and keys not in seen:
                seen.add(keys)
                rows.append((keys, action.text().replace("&", "")))

        def walk(actions: list[QAction]) -> None:
            for action in actions:
                menu = action.menu()
                if menu is not None:
                    walk(menu.actions())
                else:
                    add(action)

        walk(self.actions())
        walk(self.menuBar().actions())
        return [
            *rows,
            ("Ctrl+F", self.tr("Поиск")), ("↑ ↓ PgUp PgDn", self.tr("Движение по очереди")),
            ("Enter", self.tr("В карточку заявки")), ("Esc", self.tr("Назад в очередь")),
        ]  # fmt: skip

    def _show_pack(self) -> None:
        from opdesk.ui.pack_view import PackView

        PackView(self.pack, self).exec()

    def _about(self) -> None:
        from opdesk import __version__
        from opdesk.logs import log_file

        db = self.desk.db.engine.url.database if self.desk else "—"
        QMessageBox.about(
            self,
            self.tr("О программе OpDesk"),
            f"<b>OpDesk</b> {__version__}<br>"
            + self.tr("Регламент: {pack} ({file})<br>База: {db}<br>Журнал: {logs}").format(
                pack=self.pack.name, file=self.pack.file.name, db=db, logs=log_file().parent
            ),
        )

    # -- database ------------------------------------------------------------------------------
    def open_database(self, path: Path, demo_tickets: int = DEMO_TICKETS) -> None:
        """Open (and on first start fill with demo data) the local database off the GUI thread."""
        self.progress.show()
        self.statusBar().showMessage(self.tr("Открываю локальную базу…"))
        server = self.prefs.server
        job = self.runner.start(lambda _r: open_workstation(path, self.clock, demo_tickets, server))
        job.signals.finished.connect(self._opened)
        job.signals.failed.connect(self._open_failed)

    def _opened(self, opened: Opened) -> None:
        self.progress.hide()
        # a shared desk's server gives the final numbers: new ones here are provisional
        self.desk = Desk(opened.db, self.pack, self.clock,
                         provisional_numbers=bool(self.prefs.server.strip()))  # fmt: skip
        self.reader = DbThread("reader", self.desk, self)
        self.lister = DbThread("lister", self.desk, self)
        self.writer = DbThread("writer", self.desk, self)
        self.writer.busy.connect(lambda busy: self.progress.setVisible(busy))
        if self.model is not None:  # switch_database: the widgets stay, the threads are new
            self._rebind_database()
        else:
            self.model = QueueModel(self.pack, self.reader, self.clock.now)
            self.model.sortRequested.connect(self._sort)
            self._setup_table()
            self.actions_ = TicketActions(
                self, self.pack, self.writer, self.actor, self.selected, lambda: self.current,
                self.refusals,
            )  # fmt: skip
            self.actions_.changed.connect(self.after_commands)
            self.detail.fieldEdited.connect(self._edit_field)
            self._menus(self.actions_)
            from opdesk.ui import new_request  # Ctrl+N: a service request during a call (001)

            self.new_request = new_request.install(self)
            from opdesk.ui import template_picker  # Ctrl+R: reply by template (U-08, U-09)

            self.template_picker = template_picker.install(self)
            from opdesk.ui import checklist_panel  # Ctrl+Shift+C: the closing checklist (000)

            self.checklist = checklist_panel.install(self)
            from opdesk.ui import conflict_merge  # the card's sync conflicts and their merge

            conflict_merge.install(self)
            self._restore_layout()
        opened_text = (
            self.tr("База открыта (созданы демо-данные): {path}")
            if opened.generated
            else self.tr("База открыта: {path}")
        )
        self.statusBar().showMessage(opened_text.format(path=opened.path), 8000)
        self.database_opened.emit(opened)
        self.reload_directory()
        self.shared.attach()

    def reload_directory(self) -> None:
        """The people and departments again (a sync may bring the person at this desk)."""
        if self.reader is not None:
            self.reader.submit(_directory, self._directory_arrived, self._query_failed)

    def _directory_arrived(self, found: tuple[list[PersonInfo], list[DepartmentInfo]]) -> None:
        everyone, deps = found
        self.filters.set_directory(everyone, deps)
        self.detail.set_directory(everyone)
        self._choose_person(everyone)

    def _open_failed(self, message: str) -> None:
        self.progress.hide()
        self.statusBar().showMessage(self.tr("База не открыта"))
        self.database_failed.emit(message)
        if self.isVisible():
            QMessageBox.critical(self, self.tr("OpDesk — база данных"), message)

    def switch_database(self, path: Path) -> data_jobs.DataJob:
        """Open `path` in place of the current database, with a progress dialog and Cancel;
        the window keeps working meanwhile.

        The current database stays in use until the new one is open, so a cancel or a refused
        file (corrupt, foreign, from a newer OpDesk) leaves the window where it was — on the
        previous database, or on none. The job first runs the read-only checks (the slow part
        on a large file; never a byte written) and stops there if cancelled, so the file is
        not touched. Once opening has begun — a migration, or demo data for an empty file as
        at the first start — it is never interrupted halfway; a cancelled result is closed
        unused. Then the three database threads are retired and the old database closed
        (`_retire_database`), and `_opened`, the first start's path, takes the new one.
        """
        job = data_jobs.DataJob(
            self,
            self.tr("Открытие базы"),
            self.tr("Проверяю и открываю базу {path}…").format(path=path),
        )
        clock, server = self.clock, self.prefs.server

        def steps() -> Opened:
            check_sqlite_file(path)
            checkpoint(0, 0, None, job.cancelled)
            return open_workstation(path, clock, DEMO_TICKETS, server)

        job.ended.connect(lambda outcome: self._switched(job, outcome))
        data_jobs.run_pooled(self, lambda _report: data_jobs.guarded(steps), job)
        return job

    def _switched(self, job: data_jobs.DataJob, outcome: data_jobs.Outcome) -> None:
        if outcome.state == data_jobs.DONE and job.cancelled():
            outcome.value.db.close()  # Cancel came once the file was already open
        if outcome.state == data_jobs.DONE and not job.cancelled():
            self._retire_database()
            self._opened(outcome.value)
            # the next start opens the desk the operator chose, not the previous one
            self.prefs = dataclasses.replace(self.prefs, database=str(outcome.value.path))
            settings.save(self.prefs)
        elif outcome.state in (data_jobs.DONE, data_jobs.CANCELLED):
            self.statusBar().showMessage(self.tr("Открытие базы отменено"), 8000)
        else:
            message = data_jobs.said(self, outcome)
            self.statusBar().showMessage(self.tr("База не открыта"), 8000)
            self.database_failed.emit(message)
            data_jobs.tell(
                self, QMessageBox.Icon.Critical, self.tr("OpDesk — база данных"), message
            )

    def _retire_database(self) -> None:
        """Stop the three database threads and close the database, off the GUI thread.

        Off the GUI thread because a thread finishing a long read must not freeze the window;
        their signals are blocked first, so a late answer about the old database never lands
        in the window built over the new one. A plain daemon thread rather than the job pool:
        it reports nothing back (deleteLater is thread-safe), so quitting right after a switch
        leaves no pool job emitting into a window being torn down."""
        self.shared.stop()  # it syncs the old database: stopped before the file is closed
        old = [t for t in (self.reader, self.lister, self.writer) if t is not None]
        db = self.desk.db if self.desk is not None else None
        for thread in old:
            thread.blockSignals(True)
        self.reader = self.lister = self.writer = None
        self.desk = None

        def retire() -> None:
            for thread in old:
                thread.stop()  # waits up to 10 s for the job it is running
                if not thread._thread.is_alive():  # one still running keeps its QObject
                    thread.deleteLater()
            if db is not None:
                db.close()

        threading.Thread(target=retire, name="opdesk-retire-db", daemon=True).start()

    def _rebind_database(self) -> None:
        """The same widgets over another database: a fresh queue model on the new reader, the
        actions on the new writer, nothing of the old database shown or cached."""
        assert self.reader is not None and self.writer is not None
        assert self.model is not None and self.actions_ is not None
        old_model, old_selection = self.model, self.table.selectionModel()
        header = self.table.horizontalHeader()
        columns = header.saveState()  # widths and order survive the new model
        self.model = QueueModel(self.pack, self.reader, self.clock.now)
        self.model.sortRequested.connect(self._sort)
        self.table.setModel(self.model)
        header.restoreState(columns)
        self.table.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self._load_view(cur.row())
        )
        old_selection.deleteLater()
        old_model.deleteLater()
        self.actions_.writer = self.writer
        self._counted = False  # the badges are counted afresh for the new database
        self._show_view(None)

    def _setup_table(self) -> None:
        t = self.table
        assert self.model is not None
        t.setModel(self.model)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        t.setSortingEnabled(False)
        t.setWordWrap(False)
        t.setAlternatingRowColors(True)
        t.verticalHeader().setVisible(False)
        t.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        t.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = t.horizontalHeader()
        header.setSectionsMovable(True)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(1, Qt.SortOrder.DescendingOrder)  # newest first, as the query
        header.sectionClicked.connect(self._header_clicked)
        for col, width in enumerate((100, 125, 170, 170, 85, 120, 105, 120, 80, 100)):
            t.setColumnWidth(col, width)
        t.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._load_view(cur.row()))

    # -- person ------------------------------------------------------------------------------
    def _choose_person(self, everyone: list[PersonInfo]) -> None:
        """The remembered person, or ask once (a window-modal dialog that does not block the
        event loop); the choice is saved in the settings."""
        chosen = next((p for p in everyone if p.login == self.prefs.person), None)
        if chosen is not None or not everyone:
            self.set_person(chosen)
            return
        dialog = PersonDialog(everyone, self)
        self.person_dialog = dialog

        def picked(_result: int) -> None:
            person = next((p for p in everyone if p.login == dialog.login()), everyone[0])
            self.prefs = dataclasses.replace(self.prefs, person=person.login)
            settings.save(self.prefs)
            self.set_person(person)

        dialog.finished.connect(picked)
        dialog.open()

    def set_person(self, person: PersonInfo | None) -> None:
        self.person = person
        role = role_name(person.role) if person else ""
        who = f"{person.name} ({role})" if person else "—"
        self.who.setText(who)
        self.setWindowTitle(f"OpDesk — {who}")
        self._load_saved()
        self.run_query(self.filters.query())
        if self._counted:  # «Мои» is someone else's now (or someone's at last)
            self.refresh_counts()

    # -- settings ------------------------------------------------------------------------------
    def open_settings(self) -> None:
        """File → Settings: the people are read on the reader thread (as for the person
        choice), then the dialog opens window-modal without blocking the event loop."""
        if self.reader is None:
            return
        self.reader.submit(lambda desk: _people(desk), self._show_settings, self._query_failed)

    def _show_settings(self, everyone: list[PersonInfo]) -> None:
        dialog = SettingsDialog(self.prefs, everyone, self)
        self.settings_dialog = dialog

        def done(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                self.apply_settings(dialog.values(), everyone)

        dialog.finished.connect(done)
        dialog.open()

    def apply_settings(self, chosen: settings.Settings, everyone: list[PersonInfo]) -> None:
        """Save what the dialog chose; the person changes at once, the language and the
        database on the next start (the widgets and the open database are built once)."""
        before = self.prefs
        # Merge only the dialog's fields: the layout flag may have changed while it was open.
        self.prefs = dataclasses.replace(
            self.prefs,
            person=chosen.person,
            language=chosen.language,
            database=chosen.database,
            server=chosen.server,
        )
        settings.save(self.prefs)
        if self.prefs.server != before.server:
            self.shared.settings_changed()  # at once: the runner needs no restart
        if self.prefs.person != before.person:
            self.set_person(next((p for p in everyone if p.login == self.prefs.person), None))
        if (self.prefs.language, self.prefs.database) != (before.language, before.database):
            self.statusBar().showMessage(
                self.tr("Настройки сохранены; язык и база данных применятся после перезапуска"),
                15000,
            )
        else:
            self.statusBar().showMessage(self.tr("Настройки сохранены"), 5000)

    def actor(self) -> Actor:
        """The person at the desk as the engine knows them: login, role, department name."""
        p = self.person
        if p is None:
            return Actor("", "operator")
        dep = self.pack.departments.find(p.department) if p.department else None
        return Actor(p.login, p.role, dep.name if dep else p.department)

    # -- queue ---------------------------------------------------------------------------------
    def run_query(self, q: TicketQuery) -> None:
        """The first screen of `q` first (a fraction of a millisecond in SQL), painted at once;
        the complete ordered id list follows in the same reader and replaces it."""
        if self.reader is None or self.model is None:
            return
        self.query = q
        self._show_sort(q)
        me = self.person.id if self.person else None
        now = self.clock.now()
        self._query_seq += 1
        seq = self._query_seq
        keep = self.selected_ids()
        top = self.table.rowAt(0)
        top_id = self.model.ticket_id(top) if 0 <= top < len(self.model.ids) else None

        def first(desk: Desk) -> array[int]:
            with desk.db.engine.connect() as conn:
                return queries.first_ids(conn, q, now, FIRST_SCREEN, me=me, pack=desk.pack)

        lister = self.lister
        assert lister is not None

        def work(desk: Desk) -> array[int]:
            with desk.db.engine.connect() as conn:
                return queries.ids(
                    conn, q, now, me=me, pack=desk.pack, stop=lister.running_is_stale
                )

        self.reader.submit(
            first, lambda ids: self._first_arrived(seq, ids, keep, top_id), key="first"
        )
        assert self.lister is not None
        self.lister.submit(
            work, lambda ids: self._ids_arrived(seq, ids, keep, top_id), self._query_failed,
            key="ids",
        )  # fmt: skip
        if not self._counted:  # the badges are counted once here, then after every command
            self._counted = True
            self.refresh_counts()

    def _query_failed(self, message: str) -> None:
        self.statusBar().showMessage(
            self.tr("Фильтр не выполнен: {message}").format(message=message), 8000
        )

    def _first_arrived(
        self, seq: int, ids: array[int], keep: list[int], top_id: int | None
    ) -> None:
        if seq != self._query_seq or self._full_seq == seq or self.model is None:
            return
        self._first_seq = seq
        self.model.set_ids(ids)
        self._reselect(keep, top_id)
        self.firstScreen.emit(len(ids))

    def _ids_arrived(self, seq: int, ids: array[int], keep: list[int], top_id: int | None) -> None:
        assert self.model is not None
        if seq != self._query_seq:
            return  # a newer filter is on its way
        self._full_seq = seq
        keep = self.selected_ids() or keep  # a row chosen since the first screen stays chosen
        self.model.set_ids(ids)
        self._reselect(keep, top_id)
        if self._first_seq != seq:  # the complete list came first: it is the first screen
            self._first_seq = seq
            self.firstScreen.emit(len(ids))
        count = f"{len(ids):,}".replace(",", "\u202f")
        self.counts_label.setText(self.tr("В очереди: {count}").format(count=count))
        self.queueLoaded.emit(len(ids))

    def _reselect(self, keep: list[int], top_id: int | None) -> None:
        assert self.model is not None
        sel = self.table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        first = True
        for tid in keep:
            row = self.model.row_of(tid)
            if row < 0:
                continue
            index = self.model.index(row, 0)
            if first:
                sel.setCurrentIndex(index, flags | QItemSelectionModel.SelectionFlag.Clear)
                first = False
            else:
                sel.select(index, flags)
        if top_id is not None and (row := self.model.row_of(top_id)) >= 0:
            self.table.scrollTo(
                self.model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop
            )
        if first:
            self._load_view(-1)

    def _show_sort(self, q: TicketQuery) -> None:
        """The header's arrow follows the query's order (a saved filter sorts by due date, a
        restored header state may remember another column), none where no column shows it."""
        fields = [field for _title, field in COLUMNS]
        column = fields.index(q.sort) if q.sort in fields else -1
        order = Qt.SortOrder.DescendingOrder if q.descending else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(column, order)

    def _header_clicked(self, column: int) -> None:
        assert self.model is not None
        order = self.table.horizontalHeader().sortIndicatorOrder()
        self.model.sort(column, order)

    def _sort(self, field: str, descending: bool) -> None:
        self.run_query(dataclasses.replace(self.query, sort=field, descending=descending))

    def refresh_counts(self) -> None:
        if self.lister is None:
            return
        me = self.person.id if self.person else None
        # «Мои» is nobody's until the person is known (a shared desk's first start: its people
        # come with the first sync): counted then, it would fail every badge's count.
        filters = {name: q for name, q in self.filters.filters().items()
                   if me is not None or q.owner != "mine"}  # fmt: skip
        now = self.clock.now()

        def work(desk: Desk) -> dict[str, int]:
            with desk.db.engine.connect() as conn:
                return queries.counts(conn, filters, now, me=me, pack=desk.pack)

        self.lister.submit(work, self._counts_arrived, key="counts")

    def _counts_arrived(self, counts: dict[str, int]) -> None:
        self.filters.set_counts(counts)
        self.countsShown.emit(counts)

    def _load_saved(self) -> None:
        def work(desk: Desk) -> dict[str, TicketQuery]:
            with desk.db.engine.connect() as conn:
                return saved_filters.saved(conn)

        def arrived(saved: dict[str, TicketQuery]) -> None:
            self.filters.set_saved(saved)
            if saved and self._counted:
                self.refresh_counts()  # the operators' own filters get their badges too

        if self.reader is not None:
            self.reader.submit(work, arrived)

    def _save_filter(self, name: str, q: TicketQuery) -> None:
        if self.writer is None:
            return

        def work(desk: Desk) -> None:
            with desk.db.transaction() as s:
                saved_filters.save(s, name, q)

        self.writer.submit(work, lambda _r: self._load_saved())

    # -- selection and detail --------------------------------------------------------------
    def _selected_rows(self) -> list[int]:
        if self.model is None:
            return []
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [r for r in rows if 0 <= r < len(self.model.ids)]

    def selected_ids(self) -> list[int]:
        model = self.model
        return [] if model is None else [model.ticket_id(r) for r in self._selected_rows()]

    def selected(self) -> list[tuple[int, str]]:
        """(id, number) of the selection, straight from its rows: no search through the ids."""
        model, out = self.model, []
        for row in self._selected_rows():
            assert model is not None
            cached, tid = model.cached(row), model.ticket_id(row)
            out.append((tid, cached.number if cached else str(tid)))
        return out

    def _load_view(self, row: int) -> None:
        if self.reader is None or self.model is None or not 0 <= row < len(self.model.ids):
            self._show_view(None)
            return
        tid = self.model.ticket_id(row)
        actor = self.actor()
        self.reader.submit(lambda desk: ticket_view(desk, actor, tid), self._show_view, key="view")

    def _show_view(self, view: TicketView | None) -> None:
        self.current = view
        self.detail.show_view(view)
        self.viewShown.emit(view)

    def _edit_field(self, ticket_id: int, field: str, value: object) -> None:
        """An edit in the card's header: the same `set_fields` command as the fields form."""
        if self.actions_ is None or self.current is None:
            return
        number = self.current.detail.number
        self.actions_.run(
            self.tr("Поля"),
            lambda desk, actor, tid: services.set_fields(desk, actor, tid, **{field: value}),
            [(ticket_id, number)],
        )

    def go_to(self, ticket_id: int) -> None:
        """Open a ticket (a linked one, the client's other one) even if the filter hides it."""
        assert self.model is not None
        row = self.model.row_of(ticket_id)
        if row >= 0:
            self.table.selectRow(row)
            return
        actor = self.actor()
        self.reader.submit(  # type: ignore[union-attr]
            lambda desk: ticket_view(desk, actor, ticket_id), self._show_view, key="view"
        )

    def after_commands(self, changed: set[int], *, local: bool = True) -> None:
        """Only the changed rows are refetched; the detail and the counts are refreshed.
        `local`: a command here (its op is for the server soon), not a sync's changes."""
        assert self.model is not None
        if local:
            self.shared.local_change()
        self.model.refresh(changed)
        if self.current is not None and self.current.detail.id in changed:
            tid = self.current.detail.id
            actor = self.actor()
            # by id, not by row: a ticket opened from a link may be outside the filter
            self.reader.submit(  # type: ignore[union-attr]
                lambda desk: ticket_view(desk, actor, tid), self._show_view, key="view"
            )
        self.refresh_counts()

    # -- layout memory -------------------------------------------------------------------------
    def _layout_settings(self) -> QSettings:
        return QSettings(str(paths.config_dir() / "window.ini"), QSettings.Format.IniFormat)

    def _restore_layout(self) -> None:
        s = self._layout_settings()
        for key, restore in (
            ("geometry", self.restoreGeometry),
            ("splitter", self.splitter.restoreState),
            ("inner", self.inner.restoreState),
            ("header", self.table.horizontalHeader().restoreState),
        ):
            value = s.value(key)
            if isinstance(value, QByteArray):
                restore(value)

    def closeEvent(self, event: object) -> None:
        s = self._layout_settings()
        s.setValue("geometry", self.saveGeometry())
        s.setValue("splitter", self.splitter.saveState())
        s.setValue("inner", self.inner.saveState())
        s.setValue("header", self.table.horizontalHeader().saveState())
        s.sync()
        self.shared.stop()
        for thread in (self.reader, self.lister, self.writer):
            if thread is not None:
                thread.stop()
        super().closeEvent(event)  # type: ignore[arg-type]


def _people(desk: Desk) -> list[PersonInfo]:
    with desk.db.engine.connect() as conn:
        return people(conn)


def _directory(desk: Desk) -> tuple[list[PersonInfo], list[DepartmentInfo]]:
    with desk.db.engine.connect() as conn:
        return people(conn), departments(conn)
