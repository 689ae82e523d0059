"""What the tests of writers without ops share: a real SQLite desk marked bound to a server
(`state.bind_server`, as the first sync does), a picture of its files to prove that a refusal
left them as they were, and the words every refusal must say."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from opdesk.models import uuid7
from opdesk.store.database import open_local
from opdesk.sync import state

ROOT = Path(__file__).resolve().parents[2]
# Why (the rows would never reach the shared server) and that nothing was written, both languages.
REASON_RU = ("рабочее место общего стола", "никогда не", "до общего сервера", "Ничего не записано")
REASON_EN = ("shared desk", "would never reach the shared server", "Nothing was written")


def bind(path: Path) -> None:
    """Mark the database at `path` (made if missing) bound to a server, as a first sync does."""
    db = open_local(path)
    try:
        with db.transaction() as s:
            state.read(s)  # the client id, made on first use
            state.bind_server(s, uuid7())
    finally:
        db.close()


def files(path: Path) -> dict[str, str]:
    """The database file and its write-ahead log, by content hash: what holds the desk's data.
    (Not the `-shm`: SQLite's shared-memory index of the log, which any reader may make.)"""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal"))
        if p.is_file() and p.stat().st_size > 0
    }


def says_why(ru: str, en: str) -> None:
    for words in REASON_RU:
        assert words in ru, (words, ru)
    for words in REASON_EN:
        assert words in en, (words, en)


def opdesk(*args: str) -> subprocess.CompletedProcess[str]:
    """`opdesk ARGS` as a real process (the command line's own error handling included)."""
    return subprocess.run(
        [sys.executable, "-m", "opdesk.cli", *args],
        capture_output=True, text=True, timeout=180, check=False, cwd=ROOT,
    )  # fmt: skip
