"""Demo generation reports its progress and, when cancelled, leaves no file behind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from opdesk.demo import generate, load
from opdesk.progress import Cancelled

NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)


def _into(seen: list[tuple[int, int]]) -> Callable[[int, int], None]:
    return lambda done, total: seen.append((done, total))


def test_reports_tickets_loaded_up_to_the_total(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    generate(tmp_path / "d.sqlite3", 300, seed=4, now=NOW, workers=0, report=_into(seen))
    assert seen[0] == (0, 300) and seen[-1] == (300, 300)
    assert all(t == 300 for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


@pytest.mark.parametrize("workers", [0, 2])
def test_a_cancel_after_the_first_chunk_removes_the_half_made_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """Small chunks so that a few hundred tickets make several; with worker processes the
    pool is shut down on the way out (the run returns instead of generating the rest)."""
    monkeypatch.setattr(load, "CHUNK", 100)
    path = tmp_path / "demo.sqlite3"
    seen: list[tuple[int, int]] = []
    existed: list[bool] = []

    def cancelled() -> bool:
        existed.append(any(tmp_path.glob(f".{path.name}.demo-*")))
        return seen[-1][0] > 0

    with pytest.raises(Cancelled):
        generate(
            path,
            1000,
            seed=4,
            now=NOW,
            workers=workers,
            report=_into(seen),
            cancelled=cancelled,
        )
    assert seen[-1] == (100, 1000)  # stopped after the first chunk of ten
    assert existed[-1]  # the desk was half made beside the target …
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # … and is gone, staging too


def test_a_cancel_before_anything_is_written(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    with pytest.raises(Cancelled):
        generate(path, 300, now=NOW, workers=0, cancelled=lambda: True)
    assert not path.exists()
