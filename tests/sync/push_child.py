"""A workstation that syncs with a real server and dies by SIGKILL right after the server
answered its push: `python -m tests.sync.push_child LOCAL_FILE URL LOGIN PASSWORD WHEN`.

WHEN is `before_ack` (the server committed the batch, nothing of its answer is stored here:
a lost acknowledgement) or `in_ack` (the answer is written in the local transaction, which
never commits).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from opdesk.clock import SystemClock
from opdesk.store.database import open_local
from opdesk.sync import outbox, state
from opdesk.sync.engine import SyncEngine
from opdesk.sync.transport import HttpServer
from tests.sync.support import pack


def main(local_file: str, url: str, login: str, password: str, when: str) -> None:
    db = open_local(Path(local_file))
    http = HttpServer(url)
    http.login(login, password, state.client_id(db), training=False)
    real = outbox.acknowledge

    def acknowledge(*args: Any) -> Any:
        if when == "before_ack":
            os.kill(os.getpid(), signal.SIGKILL)
        done = real(*args)
        os.kill(os.getpid(), signal.SIGKILL)
        return done

    outbox.acknowledge = acknowledge  # type: ignore[assignment]
    SyncEngine(db, http, pack(), SystemClock()).sync_once()
    print("not killed", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:6])
