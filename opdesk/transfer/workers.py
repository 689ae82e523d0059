"""Worker processes for a data job: tasks in, results out in the order given.

Why processes: the CPU work of an import (checking, building rows) and of an export (building
records, encoding them) is pure Python, and SQLite has one writer and one snapshot per
connection — the job's own process keeps the database, workers do the rest. Results come back
in task order (line numbers, the repeat check and the file's order depend on it), and at most
two tasks per worker are in flight, so memory stays flat whatever the job's size.

Why `fork` only in a single-threaded process: a `fork` beside other threads can copy a lock
some thread holds (the desktop runs data jobs on its writer thread), so there the workers come
from a fork server, which starts clean and imports the job's module once for all of them — at
the price of about 0.7 s of start-up, which `fork` (the command line) does not pay. With no
workers the tasks run in the job's own process, through the same functions.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.context import BaseContext
from typing import Any, Generic, TypeVar

WATCH_EVERY = 0.2  # seconds between a worker's looks at its parent
T = TypeVar("T")
R = TypeVar("R")


def cores_for(units: int, threshold: int) -> int:
    """Workers for a job of `units`: none below `threshold`, else one per core, at most 4."""
    cores = os.cpu_count() or 1
    return 0 if units < threshold or cores < 2 else min(cores, 4)


class Workers(Generic[T, R]):
    """`count` processes running `task` (a module-level function of `module`), each set up
    once by `setup(*args)`. A context manager: leaving it stops them, also on a cancel or an
    error. Started when made, so their start-up overlaps with what the job does next."""

    def __init__(
        self,
        count: int,
        module: str,
        task: Callable[[T], R],
        setup: Callable[..., None],
        args: tuple[Any, ...] = (),
    ) -> None:
        self.count, self.task = count, task
        self.pool: ProcessPoolExecutor | None = None
        if count <= 0:
            setup(*args)
            return
        context: BaseContext
        if threading.active_count() == 1:
            context = multiprocessing.get_context("fork")
        else:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([module])
        self.pool = ProcessPoolExecutor(
            count, mp_context=context, initializer=_start, initargs=(setup, args)
        )
        for _ in range(count):
            self.pool.submit(_warm)

    def __enter__(self) -> Workers[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def ordered(self, tasks: Iterable[T]) -> Iterator[R]:
        """The results of `tasks`, in their order."""
        if self.pool is None:
            for item in tasks:
                yield self.task(item)
            return
        pending: deque[Future[R]] = deque()
        for item in tasks:
            pending.append(self.pool.submit(self.task, item))
            if len(pending) >= 2 * self.count:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _warm() -> None:
    """A first task per worker: the pool starts its processes now, not at the first task."""


def _start(setup: Callable[..., None], args: tuple[Any, ...]) -> None:
    """A worker's start: its job's setup, and a watch on the process that made it.

    Why the watch: a job killed with SIGKILL cannot stop its workers, and a forked worker
    never sees the end of its task pipe (it holds a copy of the writing end itself), so it
    would wait for work forever. When its parent is gone (it is given another), it leaves."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_EVERY)
        os._exit(1)

    threading.Thread(target=watch, name="opdesk-parent-watch", daemon=True).start()
    setup(*args)
