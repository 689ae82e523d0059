"""A REAL `opdesk server run` process on loopback, over a fresh database of the test run's
PostgreSQL, for tests that talk to the server over HTTP (httpx) as a workstation does.

The database is made with `opdesk server init … --password-stdin` (the admin's way), the
server started with `python -m opdesk.cli server run URL --listen 127.0.0.1:PORT`, and the
tests wait until it answers `GET /v1/health`. Its stdout and stderr go to a log file that
tests may search (`log()`); restarts append to it.

Reuse: one process per test module is the intended use (starting one costs about two
seconds), through the module-scoped `live_server` fixture — import it into a test module
(`from tests.server.live import live_server  # noqa: F401`) — or through `running_server(…)`
for a server with its own options (`--session-lifetime 1`, `--workers 2`, …).

`add_person` writes the account directly with a cheap Argon2id hash (the server verifies a
hash with the parameters stored in it, then upgrades it to the production cost at the first
login), so adding people costs nothing; `stop()` ends the process with SIGTERM, `kill()` with
SIGKILL (process group: workers too), `start()` starts it again on the same port.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from opdesk.server import accounts
from tests.pg import PgServer, _free_port

ROOT = Path(__file__).resolve().parents[2]
ADMIN, ADMIN_PASSWORD = "admin", "admin-password-1"
START_TIMEOUT = 60.0
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=32, salt_len=16,
                       type=Type.ID)  # fmt: skip


def opdesk_server(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`python -m opdesk.cli server ARGS` run to its end (init, add-person, training, …)."""
    return subprocess.run(
        [sys.executable, "-m", "opdesk.cli", "server", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120,
        start_new_session=True,
    )  # fmt: skip


@dataclass
class LiveServer:
    """A server process on `url` serving the database `db_url` (see the module docstring)."""

    db_url: str
    workdir: Path
    port: int = field(default_factory=_free_port)
    options: Sequence[str] = ()
    process: subprocess.Popen[bytes] | None = None
    _engine: Engine | None = None

    @property
    def url(self) -> str:
        scheme = "https" if "--tls-cert" in self.options else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    @property
    def engine(self) -> Engine:
        """An engine on the server's database, for the tests' own looks at it."""
        if self._engine is None:
            self._engine = create_engine(self.db_url)
        return self._engine

    def start(self) -> None:
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError("the server is already running")
        command = [sys.executable, "-m", "opdesk.cli", "server", "run", self.db_url,
                   "--listen", f"127.0.0.1:{self.port}", *self.options]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
            )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"opdesk server exited with {self.process.returncode}:\n{self.log()[-3000:]}"
                )
            with contextlib.suppress(httpx.TransportError):
                # verify=False: a TLS test's certificate is checked by the test itself
                if httpx.get(f"{self.url}/v1/health", timeout=2, verify=False).status_code == 200:
                    return
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"opdesk server did not answer in {START_TIMEOUT} s:\n{self.log()}")

    def stop(self) -> None:
        """SIGTERM (a graceful shutdown), then SIGKILL if it does not end in 15 s."""
        self._signal(signal.SIGTERM, 15)

    def kill(self) -> None:
        self._signal(signal.SIGKILL, 15)

    def _signal(self, sig: signal.Signals, wait: float) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(wait)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def add_person(self, login: str, role: str, password: str, name: str = "") -> uuid.UUID:
        """A person with an account on this server (written straight to its database)."""
        with self.engine.begin() as conn:
            return accounts.create_account(
                conn, login, name or login, role, password, dt.datetime.now(dt.UTC), hasher=CHEAP
            )

    def count(self, table: str, where: str = "TRUE", **params: object) -> int:
        with self.engine.connect() as conn:
            sql = f"SELECT count(*) FROM {table} WHERE {where}"
            return int(conn.execute(text(sql), params).scalar_one())

    def set_training(self, on: bool) -> None:
        done = opdesk_server("training", self.db_url, "on" if on else "off")
        assert done.returncode == 0, done.stderr

    def close(self) -> None:
        self.stop()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


@contextlib.contextmanager
def running_server(
    pg_server: PgServer, workdir: Path, options: Sequence[str] = (), *, db_url: str | None = None
) -> Iterator[LiveServer]:
    """A started server on a new initialised database (or on `db_url`, already initialised:
    a second process for the same desk); stopped, and its own database dropped, at the end."""
    name = None
    if db_url is None:
        name = pg_server.create_database("opdesk_live")
        db_url = pg_server.url(name)
        done = opdesk_server("init", db_url, "--admin", ADMIN, "--password-stdin",
                             stdin=ADMIN_PASSWORD + "\n")  # fmt: skip
        if done.returncode != 0:
            pg_server.drop_database(name)
            raise RuntimeError(f"opdesk server init failed: {done.stderr}")
    workdir.mkdir(parents=True, exist_ok=True)
    live = LiveServer(db_url, workdir, options=tuple(options))
    try:
        live.start()
        yield live
    finally:
        live.close()
        if name is not None:
            pg_server.drop_database(name)


@pytest.fixture(scope="module")
def live_server(
    pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """One server process (and database) for the whole test module."""
    with running_server(pg_server, tmp_path_factory.mktemp("live")) as live:
        yield live
