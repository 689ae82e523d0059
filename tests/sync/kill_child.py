"""A workstation pulling from the real server database, run as its own process so that
test_kill.py can SIGKILL it: `python -m tests.sync.kill_child LOCAL_FILE DATABASE_URL LIMIT`.

It says where it is on stdout and waits there a moment, so the test can kill it exactly
there: `mid CURSOR` inside a batch's local transaction (rows written, cursor written, not yet
committed), `between CURSOR` after a commit and before asking for the next batch, and `done`
at the end.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from opdesk.server.migrate import open_server
from opdesk.sync import pulling
from tests.sync.support import DirectPull, sync_pull, workstation

PAUSE = 0.4


def main(local_file: str, url: str, limit: int) -> None:
    server = open_server(url)
    direct = DirectPull(server)
    real_pull, real_apply = direct.pull, pulling.apply_batch

    def pull(cursor: int, size: int) -> Any:
        print(f"between {cursor}", flush=True)
        time.sleep(PAUSE)
        return real_pull(cursor, size)

    def apply_batch(*args: Any, **kw: Any) -> Any:
        applied = real_apply(*args, **kw)
        print(f"mid {args[1].cursor}", flush=True)
        time.sleep(PAUSE)
        return applied

    direct.pull = pull  # type: ignore[method-assign]
    pulling.apply_batch = apply_batch  # type: ignore[assignment]
    local = workstation(Path(local_file))
    sync_pull(local, direct, limit=limit)
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
