"""A real PostgreSQL server on loopback for the test run (a pytest plugin, see conftest.py).

Step 4 runs the same migrations and models on the desk's shared PostgreSQL server, so the
tests exercise them against a real one instead of trusting SQLite to stand in for it. The
server is a throw-away cluster in a temporary directory: initdb, start on 127.0.0.1 with a free
port and fsync off (its data dies with the run), stop and delete at the end of the session.

A machine without PostgreSQL gets it from `tools/ensure-postgres.sh` (Debian package). Anything
that goes wrong FAILS the tests that need the server with the reason: a skipped PostgreSQL
test would let a broken server schema through CI unnoticed.

Fixtures:
- `pg_server`: the running server (session); `create_database`/`drop_database` for helpers.
- `pg_url`: a SQLAlchemy URL of the session database `opdesk_test` (shared by all tests).
- `pg_fresh_url`: a URL of a new, empty database for one test, dropped afterwards.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent
ENSURE_SCRIPT = ROOT / "tools" / "ensure-postgres.sh"
SERVER_USER = "postgres"  # initdb and postgres refuse to run as root
SESSION_DB = "opdesk_test"
SETTINGS = (
    # Durability is pointless for a cluster deleted at the end of the run; speed is not.
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "max_connections=60",
    "shared_buffers=32MB",
    "log_min_messages=warning",
)


class PgSetupError(RuntimeError):
    """The test server could not be provided; the message says why and what to do."""


@dataclass(frozen=True)
class PgServer:
    """A running throw-away cluster: where it listens and how to make databases on it."""

    host: str
    port: int
    workdir: Path

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://{SERVER_USER}@{self.host}:{self.port}/{dbname}"

    def execute(self, sql: str) -> None:
        """Run one statement in autocommit on the maintenance database (CREATE DATABASE …)."""
        with psycopg.connect(
            host=self.host, port=self.port, user=SERVER_USER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)

    def create_database(self, prefix: str = "opdesk_t") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
        return name

    def drop_database(self, name: str) -> None:
        # FORCE: a test that forgot to dispose its engine must not break the next one.
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def find_bindir() -> Path | None:
    """The newest Debian-style /usr/lib/postgresql/N/bin, else initdb on PATH."""
    candidates = []
    for bindir in glob.glob("/usr/lib/postgresql/*/bin"):
        path = Path(bindir)
        if (path / "initdb").is_file() and (path / "pg_ctl").is_file():
            with contextlib.suppress(ValueError):
                candidates.append((int(path.parent.name), path))
    if candidates:
        return max(candidates)[1]
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    return None


def ensure_bindir() -> Path:
    """Find the server binaries, installing the Debian package first when they are missing."""
    bindir = find_bindir()
    if bindir is not None:
        return bindir
    result = subprocess.run(
        ["bash", str(ENSURE_SCRIPT)], capture_output=True, text=True, check=False
    )
    bindir = find_bindir()
    if result.returncode != 0 or bindir is None:
        raise PgSetupError(
            "PostgreSQL server binaries (initdb, pg_ctl) are missing and could not be installed "
            f"by {ENSURE_SCRIPT.relative_to(ROOT)} (exit {result.returncode}):\n"
            f"{result.stdout}{result.stderr}\n"
            "Install them (Debian: `sudo apt-get install postgresql`) and run the tests again."
        )
    return bindir


def _as_server_user(cmd: list[str]) -> list[str]:
    """Root cannot run initdb/postgres: drop to the `postgres` account the package created."""
    if os.geteuid() != 0:
        return cmd
    if shutil.which("runuser"):
        return ["runuser", "-u", SERVER_USER, "--", *cmd]
    return ["su", SERVER_USER, "-s", "/bin/sh", "-c", " ".join(f"'{part}'" for part in cmd)]


def _run(cmd: list[str], workdir: Path, what: str) -> None:
    result = subprocess.run(
        _as_server_user(cmd), cwd=workdir, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise PgSetupError(
            f"{what} failed (exit {result.returncode}): {' '.join(cmd)}\n"
            f"{result.stdout}{result.stderr}"
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _make_workdir() -> Path:
    """A private directory the server user owns (pytest's tmp dirs are root-only, 0700)."""
    workdir = Path(tempfile.mkdtemp(prefix="opdesk-pg-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam(SERVER_USER)
        except KeyError:
            shutil.rmtree(workdir, ignore_errors=True)
            raise PgSetupError(
                f"running as root, but there is no `{SERVER_USER}` user to run the server as "
                "(the Debian postgresql package creates it; or run the tests as a normal user)"
            ) from None
        os.chown(workdir, account.pw_uid, account.pw_gid)
    return workdir


def start_server(bindir: Path) -> PgServer:
    """initdb a cluster in a temporary directory and start it on a free loopback port."""
    workdir = _make_workdir()
    datadir = workdir / "data"
    log = workdir / "server.log"
    try:
        _run(
            [str(bindir / "initdb"), "-D", str(datadir), "-U", SERVER_USER, "-A", "trust",
             "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"],
            workdir, "initdb",
        )  # fmt: skip
        last_error: PgSetupError | None = None
        for _attempt in range(3):  # another process may grab the free port before we bind it
            port = _free_port()
            options = " ".join(
                ["-c listen_addresses=127.0.0.1", f"-p {port}", f"-k {workdir}"]
                + [f"-c {setting}" for setting in SETTINGS]
            )
            try:
                _run(
                    [str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(log), "-w",
                     "-t", "30", "-o", options, "start"],
                    workdir, "pg_ctl start",
                )  # fmt: skip
            except PgSetupError as exc:
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                last_error = PgSetupError(f"{exc}\nserver log:\n{tail}")
                continue
            return PgServer("127.0.0.1", port, workdir)
        assert last_error is not None
        raise last_error
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def stop_server(server: PgServer) -> None:
    """Stop at once (the data is thrown away) and delete the cluster."""
    bindir = find_bindir()
    if bindir is not None:
        with contextlib.suppress(PgSetupError):
            _run(
                [str(bindir / "pg_ctl"), "-D", str(server.workdir / "data"), "-m", "immediate",
                 "-w", "stop"],
                server.workdir, "pg_ctl stop",
            )  # fmt: skip
    shutil.rmtree(server.workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """The session's PostgreSQL server; a setup problem fails the test, never skips it."""
    try:
        server = start_server(ensure_bindir())
    except PgSetupError as exc:
        pytest.fail(f"no PostgreSQL server for the tests: {exc}", pytrace=False)
    try:
        server.execute(f"CREATE DATABASE {SESSION_DB} TEMPLATE template0 ENCODING 'UTF8'")
    except psycopg.Error as exc:
        stop_server(server)
        pytest.fail(f"the test PostgreSQL server does not accept connections: {exc}", pytrace=False)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="session")
def pg_url(pg_server: PgServer) -> str:
    """The shared session database: state may be left by earlier tests; prefer a fresh one."""
    return pg_server.url(SESSION_DB)


@pytest.fixture
def pg_fresh_url(pg_server: PgServer) -> Iterator[str]:
    """A new, empty database for this test alone, dropped (forcibly) when the test ends."""
    name = pg_server.create_database()
    try:
        yield pg_server.url(name)
    finally:
        pg_server.drop_database(name)
