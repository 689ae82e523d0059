"""`make screenshots` end to end: tools/screenshots.py starts its own Xvfb, renders the window
through xcb on a small demo desk and saves every picture; each one has the expected size and
is a real picture, not a blank single-colour image. The step-6 screens are among them: the
closing checklist with items missing and filled, the reply-template picker with its reason and
the new request during a call. So are the shared desk's, against a live `opdesk server` over a
real PostgreSQL that the script starts and, at the end, stops: the login, the window online
after a sync, a take the server refused (who took the ticket first), the sync status dialog
and an import refused on the workstation."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[2]
WINDOW = (1400, 860)
WHOLE_WINDOW = (
    "01-queue-filter-selected.png",
    "02-refusal-panel.png",
    "03-bulk-results.png",
    "04-english.png",
    "08-checklist-missing.png",
    "09-checklist-filled.png",
    "12-login-dialog.png",
    "13-shared-desk-online.png",
    "14-refused-take.png",
    "16-import-refused.png",
    "17-text-conflict-merge.png",
)
PARTS = (
    "05-detail-view.png",
    "06-shortcuts.png",
    "07-filter-panel.png",
    "10-template-picker.png",
    "11-new-request.png",
    "15-sync-status.png",
)


def english_available() -> bool:
    """The script renders 04 only where the English translator can be installed."""
    try:
        from opdesk.ui import i18n
    except ImportError:
        return False
    return i18n.catalogue("en").is_file()


def colours(image: QImage) -> int:
    """Distinct colours on a grid of every 4th pixel."""
    return len(
        {image.pixel(x, y) for x in range(0, image.width(), 4) for y in range(0, image.height(), 4)}
    )


def test_screenshots_script_saves_every_picture_through_xcb(
    qapp: QApplication, demo_file: Path, tmp_path: Path
) -> None:
    assert shutil.which("Xvfb"), "Xvfb is missing: `make system-deps` installs it (xvfb)"
    out = tmp_path / "shots"
    home = tmp_path / "home"
    env = {**os.environ, "OPDESK_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "screenshots.py"), "--xvfb", "--out", str(out),
         "--demo", str(demo_file), "--size", f"{WINDOW[0]}x{WINDOW[1]}"],
        capture_output=True, text=True, env=env, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "platform xcb" in done.stdout
    assert "Xvfb stopped" in done.stdout
    english = english_available()
    expected = [n for n in WHOLE_WINDOW if english or n != "04-english.png"] + list(PARTS)
    if not english:
        assert "04-english.png skipped" in done.stdout
    for name in expected:
        path = out / name
        assert path.is_file(), f"{name} was not saved\n{done.stdout}"
        image = QImage(str(path))
        assert not image.isNull(), f"{name} does not read as an image"
        if name in WHOLE_WINDOW:
            assert (image.width(), image.height()) == WINDOW, name
        else:
            assert image.width() >= 300 and image.height() >= 300, name
        assert colours(image) > 50, f"{name} is blank or nearly so"
    # the step-6 screens show what they are meant to: the script checks the widgets and says so
    assert re.search(r"checklist СЗ-\d+: missing .*\bcause\b", done.stdout), done.stdout
    assert "new request: Будет создано 2 обращения" in done.stdout
    assert re.search(r"template picker СЗ-\d+: interim_weekend", done.stdout), done.stdout
    missing = QImage(str(out / "08-checklist-missing.png"))
    filled = QImage(str(out / "09-checklist-filled.png"))
    assert missing != filled, "the filled checklist looks the same as the one with items missing"
    # the shared desk: a live server, the other workstation first, this one told who and why
    assert re.search(r"shared desk online: В сети · \d\d:\d\d:\d\d", done.stdout), done.stdout
    assert "shared desk: refused ['take']" in done.stdout
    assert re.search(r"refused take: Сервер отклонил «Взять в работу» \(СЗ-\d+\): Заявку уже "
                     r"взял в работу Петров А\. В\.$", done.stdout, re.M), done.stdout  # fmt: skip
    assert "import refused: Файл tickets-from-another-desk.jsonl не импортирован" in done.stdout
    # … and everything it started is gone: the server process, PostgreSQL, the X server
    assert "PostgreSQL stopped and removed" in done.stdout
    server_pid = re.search(r"opdesk server running on \S+ \(pid (\d+)\)", done.stdout)
    assert server_pid is not None, done.stdout
    with contextlib.suppress(ProcessLookupError):
        os.kill(int(server_pid.group(1)), 0)
        raise AssertionError(f"the opdesk server (pid {server_pid.group(1)}) is still running")
    # the script's own OPDESK_HOME is a temporary one; nothing was written to ours either
    assert not home.exists() or not any(home.rglob("settings.json"))
