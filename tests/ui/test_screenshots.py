"""`make screenshots` end to end: tools/screenshots.py starts its own Xvfb, renders the window
through xcb on a small demo desk and saves every picture; each one has the expected size and
is a real picture, not a blank single-colour image. The step-6 screens are among them: the
closing checklist with items missing and filled, the reply-template picker with its reason and
the new request during a call."""

from __future__ import annotations

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
)
PARTS = (
    "05-detail-view.png",
    "06-shortcuts.png",
    "07-filter-panel.png",
    "10-template-picker.png",
    "11-new-request.png",
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
    # the script's own OPDESK_HOME is a temporary one; nothing was written to ours either
    assert not home.exists() or not any(home.rglob("settings.json"))
