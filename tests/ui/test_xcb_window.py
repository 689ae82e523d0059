"""The window on a real X11 platform (xcb under Xvfb), not only offscreen: `make run` must
work on an operator's desktop, and the xcb plugin needs system libraries the offscreen one
does not (a missing one once made the window fail to start on X11 only)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from opdesk import settings
from opdesk.clock import SystemClock
from opdesk.regulations.pack import load_default_pack
from opdesk.ui.main_window import MainWindow

app = QApplication(sys.argv)
window = MainWindow(load_default_pack(), SystemClock(), settings.Settings(person="ilin.k"))
window.show()
window.open_database(Path(sys.argv[1]) / "desk.sqlite3", demo_tickets=300)
loaded = []

def shoot():
    image = window.grab().toImage()
    image.save(sys.argv[2])
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    print(app.platformName(), image.width(), image.height(), len(colours), loaded[-1])
    app.quit()

window.queueLoaded.connect(lambda n: (loaded.append(n), QTimer.singleShot(800, shoot)))
QTimer.singleShot(100_000, app.quit)
sys.exit(app.exec())
"""


def test_main_window_renders_through_xcb_on_a_virtual_x_server(tmp_path: Path) -> None:
    xvfb = shutil.which("Xvfb")
    assert xvfb, "Xvfb is missing: tools/system-deps.sh installs it (package xvfb)"
    read, write = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as fd:
            display = fd.readline().strip()
        assert display, "Xvfb did not report a display"
        env = {
            **os.environ,
            "DISPLAY": f":{display}",
            "QT_QPA_PLATFORM": "xcb",
            "OPDESK_HOME": str(tmp_path),
        }
        shot = tmp_path / "window.png"
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(tmp_path), str(shot)],
            capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        platform, width, height, colours, queued = done.stdout.split()[-5:]
        assert platform == "xcb"
        assert int(width) >= 800 and int(height) >= 500
        assert int(colours) > 5, "the window rendered blank"
        assert int(queued) > 0, "the queue stayed empty"
        assert shot.stat().st_size > 5000
    finally:
        server.terminate()
        server.wait(timeout=10)
