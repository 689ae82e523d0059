"""Progress and cancellation of long jobs (demo generation, import, export).

A text progress bar for the CLI, on stderr. No extra dependency: one carriage-return line with
percent, rate and ETA, redrawn at most a few times a second so that drawing never costs
measurable time in a million-row loop. Time comes from an injected monotonic function (tests
pass a fake one).

For any caller (the desktop's progress dialog, a test): a long job takes an optional
`report(done, total)` and an optional `cancelled()`, both plain callables, and calls
`checkpoint` between units of work. They live here, at the bottom of the layers, so the data
jobs above can offer them without knowing Qt, and the window can offer a Cancel button without
knowing the jobs' insides. `total` 0 means "not known yet" (an import reading its file).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

WIDTH = 28
Report = Callable[[int, int], None]
Cancel = Callable[[], bool]


class Cancelled(Exception):
    """The person stopped a long job; whatever it had written is undone (rolled back, or the
    half-made file removed), so a cancelled job changes nothing."""

    def __init__(self) -> None:
        super().__init__("отменено / cancelled")


def checkpoint(
    done: int, total: int, report: Report | None = None, cancelled: Cancel | None = None
) -> None:
    """Report progress, then stop by raising `Cancelled` if the caller asked to.

    Report first: a caller that waits for a report to press Cancel (a test) sees its press
    honoured at this very checkpoint."""
    if report is not None:
        report(done, total)
    if cancelled is not None and cancelled():
        raise Cancelled()


class Progress:
    def __init__(
        self,
        stream: TextIO | None,
        total: int,
        label: str,
        unit: str = "",
        clock: Callable[[], float] = time.monotonic,
        every: float = 0.2,
    ) -> None:
        self.stream, self.total, self.label, self.unit = stream, max(total, 1), label, unit
        self.clock, self.every = clock, every
        self.start = clock()
        self.shown = -every
        self.done = 0

    def update(self, done: int, force: bool = False) -> None:
        self.done = done
        if self.stream is None:
            return
        now = self.clock()
        if not force and now - self.shown < self.every:
            return
        self.shown = now
        elapsed = max(now - self.start, 1e-9)
        share = min(done / self.total, 1.0)
        rate = done / elapsed
        eta = (self.total - done) / rate if rate > 0 else 0.0
        filled = int(share * WIDTH)
        bar = "█" * filled + "░" * (WIDTH - filled)
        counts = f"{done:,}/{self.total:,}{self.unit}  {rate:,.0f}/с".replace(",", " ")
        self.stream.write(
            f"\r{self.label}: [{bar}] {share * 100:5.1f}%  {counts}  осталось / ETA {_clock(eta)} "
        )
        self.stream.flush()

    def finish(self, note: str = "") -> float:
        """Draw the final line and end it; returns the seconds the job took."""
        elapsed = self.clock() - self.start
        if self.stream is not None:
            self.update(self.total, force=True)
            self.stream.write(f" {_clock(elapsed)} {note}\n")
            self.stream.flush()
        return elapsed


def _clock(seconds: float) -> str:
    s = int(seconds + 0.5)
    return f"{s // 60}:{s % 60:02d}"
