"""Background jobs: database and file work runs on a thread pool, never on the GUI thread.

A job is a plain function `work(report) -> result`; it reports progress through `report(done,
total)` and returns a plain value. Signals carry only plain Python values back to the GUI
thread, and widgets are touched only in the slots connected there.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

Report = Callable[[int, int], None]


class JobSignals(QObject):
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)


class Job(QRunnable):
    def __init__(self, work: Callable[[Report], Any]) -> None:
        super().__init__()
        self.work = work
        self.signals = JobSignals()
        self.setAutoDelete(False)

    def run(self) -> None:
        try:
            result = self.work(lambda done, total: self.signals.progress.emit(done, total))
        except Exception as exc:  # the message goes to the operator; details to the log
            traceback.print_exc()
            self.signals.failed.emit(str(exc))
        else:
            self.signals.finished.emit(result)


class JobRunner(QObject):
    """Keeps references to running jobs (Qt must not delete them under our feet)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # one writer for SQLite
        self._jobs: set[Job] = set()

    def start(self, work: Callable[[Report], Any]) -> Job:
        job = Job(work)
        self._jobs.add(job)
        job.signals.finished.connect(lambda _=None, j=job: self._jobs.discard(j))
        job.signals.failed.connect(lambda _=None, j=job: self._jobs.discard(j))
        self.pool.start(job)
        return job

    def wait(self) -> None:
        self.pool.waitForDone()
