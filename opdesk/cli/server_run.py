"""`opdesk server run DATABASE_URL --listen HOST:PORT [--tls-cert F --tls-key F] [--workers N]`:
the HTTP service (opdesk/server/app.py) on uvicorn.

Before serving, the database is checked as every admin command checks it: a database from a
newer OpDesk, another program's or one where `opdesk server init` never ran is refused with
one clear message and exit code 2; an older schema is migrated (under PostgreSQL's advisory
lock, so several processes may start at once).

The workers find the database URL in the environment (uvicorn imports the app factory in each
of them): environment variables are readable by the same user only, unlike the command line —
which is why the database's password belongs in PGPASSWORD or ~/.pgpass, not in the URL.
Logs: uvicorn's access log (method, path with query, status: no headers, no bodies, so never
a token or a password) and OpDesk's warnings, on stderr.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
from pathlib import Path
from typing import Any

DEFAULT_WORKERS = 1
GRACEFUL_SECONDS = 5  # open event streams are closed after this on shutdown


def add_run_parser(cmds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from opdesk.cli.server import URL_HELP

    run = cmds.add_parser("run", help="запустить HTTP-сервер отдела / serve the desk over HTTP")
    run.add_argument("url", metavar="DATABASE_URL", help=URL_HELP)
    run.add_argument(
        "--listen", required=True, metavar="HOST:PORT", help="адрес и порт, напр. 0.0.0.0:8443"
    )
    run.add_argument("--tls-cert", metavar="FILE", help="сертификат TLS (PEM), с --tls-key")
    run.add_argument("--tls-key", metavar="FILE", help="закрытый ключ TLS (PEM)")
    run.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        metavar="N",
        help="число процессов (по умолчанию 1) / worker processes",
    )
    run.add_argument(
        "--session-lifetime",
        type=float,
        default=None,
        metavar="SECONDS",
        help="срок сеанса после входа, секунд (по умолчанию 12 ч; тесты ставят секунды) / "
        "session lifetime in seconds (default 12 h; the tests use a few seconds)",
    )


def run_http(args: argparse.Namespace) -> int:
    import uvicorn

    from opdesk.cli.server import Refused, opened
    from opdesk.server import migrate
    from opdesk.server.app import ENV_SESSION_SECONDS, ENV_URL

    host, port = listen_address(args.listen)
    if args.workers < 1:
        raise Refused("--workers: нужно 1 или больше", "--workers: must be at least 1")
    if args.session_lifetime is not None and args.session_lifetime <= 0:
        raise Refused("--session-lifetime: нужно больше 0", "--session-lifetime: must be > 0")
    tls = tls_files(args.tls_cert, args.tls_key)
    opened(args.url).dispose()  # refuse a foreign, newer or uninitialised database; migrate
    os.environ[ENV_URL] = args.url
    os.environ[ENV_SESSION_SECONDS] = str(args.session_lifetime or "")
    scheme = "https" if tls else "http"
    print(
        f"opdesk server: {migrate.safe_url(args.url)} → {scheme}://{args.listen} "
        f"(процессов / workers: {args.workers})",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        "opdesk.server.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        ssl_certfile=tls[0] if tls else None,
        ssl_keyfile=tls[1] if tls else None,
        log_config=log_config(),
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    return 0


def listen_address(value: str) -> tuple[str, int]:
    """HOST:PORT (an IPv6 host in brackets: [::1]:8443) → (host, port), or a refusal."""
    from opdesk.cli.server import Refused

    host, sep, port = value.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise Refused(
            f"--listen: ожидается УЗЕЛ:ПОРТ, напр. 127.0.0.1:8443, а не «{value}»",
            f"--listen: expected HOST:PORT, e.g. 127.0.0.1:8443, not '{value}'",
        )
    return host, int(port)


def tls_files(cert: str | None, key: str | None) -> tuple[str, str] | None:
    """Both TLS files, readable, or neither."""
    from opdesk.cli.server import Refused

    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise Refused(
            "--tls-cert и --tls-key указываются вместе", "--tls-cert and --tls-key go together"
        )
    for name in (cert, key):
        if not Path(name).is_file():
            raise Refused(f"нет файла «{name}»", f"no such file '{name}'")
    return cert, key


def log_config() -> dict[str, Any]:
    """uvicorn's own logging, plus OpDesk's loggers on the same stderr handler."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["opdesk"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
