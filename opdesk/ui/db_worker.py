"""Database threads for the window: one reader and one writer, each with its own connection.

Why threads of our own rather than the pool: SQLite connections belong to the thread that
opened them, and commands must run one at a time in order (one writer), while the queue's
reads must never wait for a command. Jobs are plain functions of a `Desk` that return plain
values; the result comes back on the GUI thread through a queued signal, where the caller's
callback runs — widgets are never touched from a worker.

A job may carry a `key`: a newer job with the same key supersedes the older one, which is
skipped if it has not started and whose result is dropped if it has — so typing in the
search box never shows a stale result and never queues up work.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from opdesk.services import Desk

log = logging.getLogger(__name__)
Work = Callable[[Desk], Any]
Done = Callable[[Any], None]
Failed = Callable[[str], None]


@dataclass
class _Job:
    id: int
    key: str
    generation: int
    work: Work
    done: Done | None
    failed: Failed | None


class DbThread(QObject):
    """A thread running jobs one after another, results delivered on the GUI thread."""

    finished = Signal(int, object)  # job id, result
    crashed = Signal(int, str)  # job id, message
    busy = Signal(bool)
    _ids = itertools.count(1)

    def __init__(self, name: str, desk: Desk, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.desk = desk
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._latest: dict[str, int] = {}
        self._pending: dict[int, _Job] = {}
        self._lock = threading.Lock()
        self._running: _Job | None = None
        self.finished.connect(self._deliver)
        self.crashed.connect(self._fail)
        self._thread = threading.Thread(target=self._run, name=f"opdesk-{name}", daemon=True)
        self._thread.start()

    def submit(
        self, work: Work, done: Done | None = None, failed: Failed | None = None, key: str = ""
    ) -> int:
        """Queue `work(desk)`; `done(result)` or `failed(message)` runs on the GUI thread."""
        job_id = next(self._ids)
        with self._lock:
            generation = self._latest.get(key, 0) + 1 if key else 0
            if key:
                self._latest[key] = generation
        job = _Job(job_id, key, generation, work, done, failed)
        self._pending[job_id] = job
        self._queue.put(job)
        return job_id

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def running_is_stale(self) -> bool:
        """Asked by a job's work on this thread: has a newer job of its key been submitted?
        A long read (a million ids) stops early then; its result would be dropped anyway."""
        job = self._running
        return job is not None and self._stale(job)

    def _stale(self, job: _Job) -> bool:
        with self._lock:
            return bool(job.key) and self._latest.get(job.key) != job.generation

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            if self._stale(job):
                self.finished.emit(job.id, _SKIPPED)
                continue
            self.busy.emit(True)
            self._running = job
            try:
                result = job.work(self.desk)
            except Exception as exc:
                log.exception("%s job failed", self.name)
                self.crashed.emit(job.id, f"{type(exc).__name__}: {exc}")
            else:
                self.finished.emit(job.id, result)
            finally:
                self._running = None
                self.busy.emit(not self._queue.empty())

    @Slot(int, object)
    def _deliver(self, job_id: int, result: object) -> None:
        job = self._pending.pop(job_id, None)
        if job is None or result is _SKIPPED or self._stale(job) or job.done is None:
            return
        job.done(result)

    @Slot(int, str)
    def _fail(self, job_id: int, message: str) -> None:
        job = self._pending.pop(job_id, None)
        if job is not None and job.failed is not None:
            job.failed(message)


class _Skipped:
    pass


_SKIPPED = _Skipped()
