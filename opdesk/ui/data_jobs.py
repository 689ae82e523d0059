"""The File menu's data jobs: import and export of tickets, a new demo desk, another database.

Each job runs off the GUI thread behind a window-modal progress dialog (done of total and a
Cancel that really stops the job: the domain functions take `report` and `cancelled`, see
opdesk.progress). A cancelled job changes nothing — an import rolls its transaction back, an
export leaves no file, a demo generation removes its half-made file — and the dialog closes
only once the job has really ended, so what it then says is true.

Where each job runs, and why:

* Import writes into the open database, so it runs as a job on the window's *writer* thread.
  SQLite allows one writer at a time: queued with the operator's commands, in order, the import
  never meets a lock, whereas on a thread of its own a command arriving during a long import
  would wait out the busy timeout (5 s) and fail. The queue keeps reading meanwhile (WAL).
* Export only reads: it runs on the window's job pool with a connection of its own (one
  consistent snapshot), so neither the queue's reads nor the commands wait for it. It writes
  the tickets of the current filter (what the queue shows, in its order) or, with «Экспорт
  всех заявок…», every ticket.
* Demo generation writes a new file nobody has open: the job pool too, in-process (workers=0)
  because forking worker processes from a threaded Qt application is unsafe.
* Opening another database: MainWindow.switch_database, with the same dialog.

Progress crosses threads as a queued signal, throttled in the worker (a few a second, always
at a change of phase and at the end), so a million-row job does not flood the event loop.
Every dialog here is opened with `open()`, never `exec()`: the event loop keeps running.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from opdesk.demo import DemoError, generate
from opdesk.progress import Cancelled
from opdesk.services import Desk
from opdesk.store.database import DatabaseError
from opdesk.store.local_writes import SharedDeskRefusal
from opdesk.transfer import ImportRefused, export_file, import_file
from opdesk.transfer.check import Problem
from opdesk.ui.jobs import Job, Report

if TYPE_CHECKING:
    from opdesk.ui.main_window import MainWindow

log = logging.getLogger(__name__)

DONE, CANCELLED, REFUSED, FAILED = "done", "cancelled", "refused", "failed"
EVERY = 0.1  # seconds between progress signals of one phase
DEMO_TICKETS = 10_000  # the count offered for a new demo desk (as `opdesk demo`)
DEMO_MAX = 2_000_000
SHOWN_PROBLEMS = 1000  # a refused file lists this many problems, then says how many more
TICKET_FILES = "*.jsonl *.csv"
DATABASE_FILES = "*.sqlite3 *.sqlite *.db"


@dataclass(frozen=True)
class Outcome:
    """How a job ended, as plain values for the GUI thread."""

    state: str  # DONE, CANCELLED, REFUSED or FAILED
    count: int = 0  # tickets imported, exported or generated
    problems: tuple[Problem, ...] = ()  # REFUSED: every bad row of the file
    message: str = ""  # FAILED: for the person, in Russian …
    message_en: str = ""  # … and in English (the same text where the cause gave only one)
    value: Any = None  # DONE: what the work returned; FAILED: the refusal, if one


def guarded(work: Callable[[], Any]) -> Outcome:
    """Run `work` on the worker thread and turn the endings a person can act on into an
    Outcome; anything else is a bug and propagates (logged with its traceback by the thread)."""
    try:
        value = work()
    except Cancelled:
        return Outcome(CANCELLED)
    except ImportRefused as exc:
        return Outcome(REFUSED, problems=tuple(exc.problems))
    except (DemoError, DatabaseError, SharedDeskRefusal) as exc:
        return Outcome(FAILED, message=exc.message_ru, message_en=exc.message_en, value=exc)
    except (OSError, ValueError) as exc:  # an unwritable folder, a filter the store refuses
        log.warning("data job refused: %s", exc, exc_info=True)
        return Outcome(FAILED, message=str(exc), message_en=str(exc))
    count = value if isinstance(value, int) else getattr(value, "tickets", 0)
    return Outcome(DONE, count=count, value=value)


def english(window: MainWindow) -> bool:
    """Whether the interface speaks English: domain messages (problems of a file, refusals)
    come in both languages and are shown in the one chosen in the settings."""
    return getattr(window.prefs, "language", "ru") == "en"


def said(window: MainWindow, outcome: Outcome) -> str:
    """A failed job's message in the interface's language."""
    return outcome.message_en if english(window) and outcome.message_en else outcome.message


def number(value: int) -> str:
    """Thousands grouped with a narrow space, as the queue's count."""
    return f"{value:,}".replace(",", "\u202f")


# -- the progress dialog ----------------------------------------------------------------------


class JobDialog(QDialog):
    """Window-modal progress of one job: what it does, done of total, and Cancel.

    Cancel (the button, Esc or the close box) asks the job to stop and keeps the dialog up,
    saying so, until the job has ended: closing at once would let the person act on a
    database or a file the job is still undoing."""

    cancelRequested = Signal()

    def __init__(self, parent: QWidget, title: str, text: str) -> None:
        super().__init__(parent)
        self.setObjectName("dataJobDialog")
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(460)
        self.label = QLabel(text, self)
        self.label.setObjectName("jobText")
        self.label.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("jobProgress")
        self.bar.setRange(0, 0)  # busy until the first report says how much there is
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.buttons)
        self.cancelling = False
        self._finished = False

    @property
    def cancel_button(self) -> Any:
        return self.buttons.button(QDialogButtonBox.StandardButton.Cancel)

    def show_progress(self, text: str, done: int, total: int) -> None:
        if not self.cancelling and text:
            self.label.setText(text)
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        else:
            self.bar.setRange(0, 0)

    def reject(self) -> None:
        if self._finished:
            super().reject()
            return
        if not self.cancelling:
            self.cancelling = True
            self.cancel_button.setEnabled(False)
            self.label.setText(self.tr("Отменяю… Уже сделанное будет отменено."))
            self.cancelRequested.emit()

    def finish(self) -> None:
        """The job has ended: close for good."""
        self._finished = True
        self.done(QDialog.DialogCode.Accepted)


class DataJob(QObject):
    """One running job: its dialog, progress and the cancel flag across threads, and its
    outcome back on the GUI thread (`ended`).

    `report` and `cancelled` are called on the worker thread (they are what the domain
    functions take); everything else runs on the GUI thread."""

    progressed = Signal(int, int)  # done, total (0: not known yet)
    ended = Signal(object)  # Outcome

    def __init__(
        self,
        parent: QWidget,
        title: str,
        text: str,
        describe: Callable[[int, int], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self._stop = threading.Event()
        self._last = (float("-inf"), -1)  # when, and with which total, progress was last sent
        self.describe = describe
        self.outcome: Outcome | None = None
        self.pooled: Job | None = None
        self.dialog = JobDialog(parent, title, text)
        self.dialog.cancelRequested.connect(self.cancel)
        self.progressed.connect(self._progressed)
        self.dialog.open()

    # -- the worker's side -------------------------------------------------------------------
    def report(self, done: int, total: int) -> None:
        moment = time.monotonic()
        at, last_total = self._last
        if total == last_total and done != total and moment - at < EVERY:
            return
        self._last = (moment, total)
        self.progressed.emit(done, total)

    def cancelled(self) -> bool:
        return self._stop.is_set()

    # -- the GUI's side ----------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.outcome is None

    def cancel(self) -> None:
        self._stop.set()

    def _progressed(self, done: int, total: int) -> None:
        if self.outcome is None:
            text = self.describe(done, total) if self.describe else ""
            self.dialog.show_progress(text, done, total)

    def end(self, outcome: object) -> None:
        if self.outcome is not None:
            return
        assert isinstance(outcome, Outcome)
        self.outcome = outcome
        self.dialog.finish()
        self.ended.emit(outcome)

    def fail(self, message: str) -> None:
        self.end(Outcome(FAILED, message=message))


# -- the menu ---------------------------------------------------------------------------------


class ProblemsDialog(QDialog):
    """The rows that stopped an import, each with its line, so the file can be fixed."""

    def __init__(
        self, parent: QWidget, file: Path, problems: tuple[Problem, ...], english: bool = False
    ) -> None:
        super().__init__(parent)
        self.english = english
        self.setObjectName("importProblems")
        self.setWindowTitle(self.tr("Импорт отклонён"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(760, 420)
        head = QLabel(
            self.tr(
                "Файл {file} не импортирован: в нём ошибки ({count}). В базу ничего не "
                "записано. Исправьте строки и повторите импорт."
            ).format(file=file.name, count=number(len(problems))),
            self,
        )
        head.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("problemList")
        self.text.setReadOnly(True)
        lines = [self.line(p) for p in problems[:SHOWN_PROBLEMS]]
        if len(problems) > SHOWN_PROBLEMS:
            more = number(len(problems) - SHOWN_PROBLEMS)
            lines.append(self.tr("…и ещё {count}").format(count=more))
        self.text.setPlainText("\n".join(lines))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.text)
        layout.addWidget(buttons)

    def line(self, p: Problem) -> str:
        message = p.message_en if self.english else p.message_ru
        if p.line == 0:
            return self.tr("Файл: {message}").format(message=message)
        return self.tr("Строка {line}, {field}: {message}").format(
            line=p.line, field=p.field, message=message
        )


class DataJobs(QObject):
    """The File menu's data actions for one window; keeps the running job and the last
    dialog it showed (the tests read them)."""

    def __init__(self, window: MainWindow, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.job: DataJob | None = None
        self.notice: QMessageBox | None = None
        self.problems: ProblemsDialog | None = None
        self.offer: QMessageBox | None = None
        self.actions: dict[str, QAction] = {}
        for name, title, slot in (
            ("open_database", self.tr("Открыть базу…"), self.open_database),
            ("create_demo", self.tr("Создать демо-базу…"), self.create_demo),
            ("", "", None),
            ("import", self.tr("Импорт заявок…"), self.import_tickets),
            ("export", self.tr("Экспорт…"), self.export_tickets),
            ("export_all", self.tr("Экспорт всех заявок…"), self.export_all),
            ("", "", None),
        ):
            if slot is None:
                menu.addSeparator()
                continue
            action = menu.addAction(title)
            action.setObjectName(f"action_{name}")
            action.triggered.connect(lambda _checked=False, run=slot: run())
            self.actions[name] = action
        self.actions["export"].setToolTip(
            self.tr("Заявки текущего фильтра, в порядке очереди (JSON Lines или CSV)")
        )
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The window closing cancels a running job: closing joins the database threads, and
        a long import should stop (and roll back) rather than be waited for."""
        if watched is self.window and event.type() == QEvent.Type.Close and self._busy():
            assert self.job is not None
            self.job.cancel()
        return False

    # -- helpers ---------------------------------------------------------------------------
    def _busy(self) -> bool:
        return self.job is not None and self.job.running

    def _start(
        self, title: str, text: str, describe: Callable[[int, int], str] | None = None
    ) -> DataJob:
        job = DataJob(self.window, title, text, describe)
        self.job = job
        return job

    def _folder(self) -> str:
        """File dialogs start next to the open database (where a person keeps such files)."""
        current = self._database()
        return str(current.parent) if current else str(Path.home())

    def _database(self) -> Path | None:
        desk = self.window.desk
        name = desk.db.engine.url.database if desk is not None else None
        return Path(name).resolve() if name else None

    def _is_database(self, path: Path) -> bool:
        current = self._database()
        return current is not None and path.resolve() == current

    def _tell(self, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
        self.notice = tell(self.window, icon, title, text)
        return self.notice

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 15000)

    # -- import ------------------------------------------------------------------------------
    def import_tickets(self) -> DataJob | None:
        """Ask for a JSONL or CSV file and import it as a job on the writer thread."""
        w = self.window
        writer = w.writer
        if writer is None or self._busy():
            return None
        name, _chosen = QFileDialog.getOpenFileName(
            w,
            self.tr("Импорт заявок"),
            self._folder(),
            self.tr("Заявки ({files});;JSON Lines (*.jsonl);;CSV (*.csv);;Все файлы (*)").format(
                files=TICKET_FILES
            ),
        )
        if not name:
            return None
        file = Path(name)
        fmt = "csv" if file.suffix.lower() == ".csv" else "jsonl"
        now, pack = w.clock.now(), w.pack
        job = self._start(
            self.tr("Импорт заявок"),
            self.tr("Импорт из {file}…").format(file=file.name),
            self._import_text,
        )

        def work(desk: Desk) -> Outcome:
            return guarded(
                lambda: import_file(
                    desk.db, file, fmt, now, pack, report=job.report, cancelled=job.cancelled
                )
            )

        job.ended.connect(lambda outcome: self._imported(file, outcome))
        writer.submit(work, job.end, job.fail)
        return job

    def _import_text(self, done: int, total: int) -> str:
        """The import checks and writes in one pass and reports KiB of the file read."""
        if total == 0:
            return self.tr("Импорт: строка {line}").format(line=number(done))
        return self.tr("Импорт: прочитано {percent} % файла ({done} из {total} КБ)").format(
            percent=done * 100 // total, done=number(done), total=number(total)
        )

    def _imported(self, file: Path, outcome: Outcome) -> None:
        w = self.window
        if outcome.state == DONE:
            w.run_query(w.query)
            w.refresh_counts()
            self._status(
                self.tr("Импортировано заявок: {count} из {file}").format(
                    count=number(outcome.count), file=file.name
                )
            )
        elif outcome.state == REFUSED:
            self.problems = ProblemsDialog(w, file, outcome.problems, english(w))
            self.problems.open()
        elif outcome.state == CANCELLED:
            self._status(self.tr("Импорт отменён: база не изменена"))
        elif isinstance(outcome.value, SharedDeskRefusal):
            # Not a problem of the file: this database is a shared desk's workstation. Why,
            # then what to do instead, apart: the second is what the operator acts on.
            refused = outcome.value
            en = english(w)
            box = self._tell(
                QMessageBox.Icon.Warning,
                self.tr("Импорт на рабочем месте общего стола"),
                self.tr("Файл {file} не импортирован: {message}").format(
                    file=file.name, message=refused.why_en if en else refused.why_ru
                )
                + ".",
            )
            box.setInformativeText(refused.instead_en if en else refused.instead_ru)
        else:
            self._tell(
                QMessageBox.Icon.Critical,
                self.tr("Импорт не выполнен"),
                self.tr("Файл {file} не импортирован, база не изменена.\n{message}").format(
                    file=file.name, message=said(w, outcome)
                ),
            )

    # -- export ------------------------------------------------------------------------------
    def export_all(self) -> DataJob | None:
        return self.export_tickets(everything=True)

    def export_tickets(self, everything: bool = False) -> DataJob | None:
        """Ask for a file and write the current filter's tickets (or all) on the job pool."""
        w = self.window
        desk = w.desk
        if desk is None or self._busy():
            return None
        title = self.tr("Экспорт всех заявок") if everything else self.tr("Экспорт заявок")
        name, chosen = QFileDialog.getSaveFileName(
            w,
            title,
            str(Path(self._folder()) / "tickets.jsonl"),
            "JSON Lines (*.jsonl);;CSV (*.csv)",
        )
        if not name:
            return None
        file = Path(name)
        suffix = file.suffix.lower()
        fmt = "csv" if suffix == ".csv" or (suffix != ".jsonl" and "csv" in chosen) else "jsonl"
        if self._is_database(file):
            self._tell(
                QMessageBox.Icon.Warning,
                title,
                self.tr("Это файл открытой базы; выберите другой файл. Ничего не записано."),
            )
            return None
        query = None if everything else self._query_json()
        db, now = desk.db, w.clock.now()
        job = self._start(
            title, self.tr("Экспорт в {file}…").format(file=file.name), self._export_text
        )

        def work(_report: object) -> Outcome:
            return guarded(
                lambda: export_file(
                    db, file, fmt, now, query, report=job.report, cancelled=job.cancelled
                )
            )

        job.ended.connect(lambda outcome: self._exported(file, outcome))
        run_pooled(w, work, job)
        return job

    def _query_json(self) -> str:
        """The queue's filter as the store takes it; «Мои» becomes the person at the desk."""
        w = self.window
        q = w.query
        if q.owner == "mine" and w.person is not None:
            q = dataclasses.replace(q, owner=w.person.id)
        return q.to_json()

    def _export_text(self, done: int, total: int) -> str:
        return self.tr("Выгружаю заявки: {done} из {total}").format(
            done=number(done), total=number(total)
        )

    def _exported(self, file: Path, outcome: Outcome) -> None:
        if outcome.state == DONE:
            self._status(
                self.tr("Выгружено заявок: {count} в {file}").format(
                    count=number(outcome.count), file=file
                )
            )
        elif outcome.state == CANCELLED:
            self._status(self.tr("Экспорт отменён: файл не записан"))
        else:
            self._tell(
                QMessageBox.Icon.Critical,
                self.tr("Экспорт не выполнен"),
                self.tr("Файл {file} не записан.\n{message}").format(
                    file=file.name, message=said(self.window, outcome)
                ),
            )

    # -- demo and opening --------------------------------------------------------------------
    def create_demo(self) -> DataJob | None:
        """Ask for a new file and a ticket count, generate, then offer to open the desk."""
        w = self.window
        if self._busy():
            return None
        title = self.tr("Создать демо-базу")
        name, _chosen = QFileDialog.getSaveFileName(
            w,
            title,
            str(Path(self._folder()) / "demo.sqlite3"),
            self.tr("База OpDesk ({files});;Все файлы (*)").format(files=DATABASE_FILES),
        )
        if not name:
            return None
        count, ok = QInputDialog.getInt(
            w, title, self.tr("Сколько заявок создать?"), DEMO_TICKETS, 1, DEMO_MAX, 1000
        )
        if not ok:
            return None
        path = Path(name)
        if self._is_database(path):
            self._tell(
                QMessageBox.Icon.Warning,
                title,
                self.tr("Это открытая сейчас база; выберите новый файл. Ничего не изменено."),
            )
            return None
        now = w.clock.now()
        job = self._start(
            title,
            self.tr("Создаю демо-базу {file}…").format(file=path.name),
            self._demo_text,
        )

        def work(_report: object) -> Outcome:
            return guarded(
                lambda: generate(
                    path, count, now=now, workers=0, report=job.report, cancelled=job.cancelled
                )
            )

        job.ended.connect(lambda outcome: self._demo_made(path, outcome))
        run_pooled(w, work, job)
        return job

    def _demo_text(self, done: int, total: int) -> str:
        if done >= total:
            return self.tr("Строю индексы…")
        return self.tr("Создаю заявки: {done} из {total}").format(
            done=number(done), total=number(total)
        )

    def _demo_made(self, path: Path, outcome: Outcome) -> None:
        if outcome.state == DONE:
            box = QMessageBox(
                QMessageBox.Icon.Question,
                self.tr("Демо-база создана"),
                self.tr("Демо-база {path} создана: заявок {count}. Открыть её сейчас?").format(
                    path=path, count=number(outcome.count)
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                self.window,
            )
            box.setObjectName("openDemoOffer")
            box.setWindowModality(Qt.WindowModality.WindowModal)
            box.finished.connect(lambda _r: self._offer_answered(box, path))
            box.open()
            self.offer = box
        elif outcome.state == CANCELLED:
            self._status(self.tr("Создание демо-базы отменено: файл удалён"))
        else:
            message = said(self.window, outcome)
            if isinstance(outcome.value, DemoError):  # its text names the CLI's --force
                message = self.tr(
                    "В файле {path} уже есть данные; он не изменён. Выберите новый файл."
                ).format(path=path)
            self._tell(QMessageBox.Icon.Critical, self.tr("Демо-база не создана"), message)

    def _offer_answered(self, box: QMessageBox, path: Path) -> None:
        if box.clickedButton() is box.button(QMessageBox.StandardButton.Yes):
            self.job = self.window.switch_database(path)

    def open_database(self) -> DataJob | None:
        """Ask for a database file and switch the window to it (MainWindow.switch_database)."""
        w = self.window
        if self._busy():
            return None
        name, _chosen = QFileDialog.getOpenFileName(
            w,
            self.tr("Открыть базу"),
            self._folder(),
            self.tr("База OpDesk ({files});;Все файлы (*)").format(files=DATABASE_FILES),
        )
        if not name:
            return None
        self.job = w.switch_database(Path(name))
        return self.job


def run_pooled(window: MainWindow, work: Callable[[Report], Outcome], job: DataJob) -> None:
    """Run `work` on the window's job pool, its result delivered to `job`.

    The pool's Job is made and connected here before it starts (a job finishing before its
    signals were connected would end in silence) and kept on `job` while it runs."""
    pooled = Job(work)
    pooled.signals.finished.connect(job.end)
    pooled.signals.failed.connect(job.fail)
    job.pooled = pooled
    window.runner.pool.start(pooled)


def install(window: MainWindow, menu: QMenu) -> DataJobs:
    """Add the data actions to the File menu (before whatever follows them)."""
    return DataJobs(window, menu)


def tell(window: QWidget, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
    """A window-modal message that does not block the event loop (opened, not exec'd)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, window)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.open()
    return box
