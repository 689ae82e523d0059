"""`opdesk worker DATABASE_URL [--every SECONDS] [--once]`: the desk's scheduled work
(opdesk/server/worker.py) — auto-close per process, and the counts of due reminders and SLA
breaches — in a loop, or one pass with `--once` (for cron or a systemd timer).

Start as many as you like, on any machines: each due ticket is closed exactly once across
all of them (row locks, see the worker module). The database is checked and migrated as
`opdesk server run` does it; a bad URL, an unreachable or foreign database is one clear
Russian / English message and exit code 2, never a traceback. While looping, a database
that goes away is reported and tried again at the next pass: the worker outlives a restart
of PostgreSQL.
"""

from __future__ import annotations

import argparse
import sys
import time

DEFAULT_EVERY = 60.0
EXIT_BAD_INPUT = 2


def add_worker_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from opdesk.cli.server import URL_HELP

    worker = sub.add_parser(
        "worker", help="плановые работы общего сервера (автозакрытие) / the scheduled work"
    )
    worker.add_argument("url", metavar="DATABASE_URL", help=URL_HELP)
    worker.add_argument(
        "--every",
        type=float,
        default=DEFAULT_EVERY,
        metavar="SECONDS",
        help=f"пауза между проходами, с (по умолчанию {DEFAULT_EVERY:g}) / seconds between passes",
    )
    worker.add_argument(
        "--once", action="store_true", help="один проход и выход / one pass, then exit"
    )


def run_worker(args: argparse.Namespace) -> int:
    """Run the worker; returns the process exit code."""
    from sqlalchemy.exc import OperationalError

    from opdesk.cli.server import Refused, opened
    from opdesk.clock import SystemClock
    from opdesk.regulations.pack import load_default_pack
    from opdesk.server import migrate
    from opdesk.server.worker import run_due
    from opdesk.store.database import DatabaseError

    if args.every <= 0:
        print("opdesk worker: --every: нужно больше 0 / must be > 0", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        engine = opened(args.url)
    except (DatabaseError, Refused) as exc:
        print(f"opdesk worker: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OperationalError as exc:
        print(f"opdesk worker: {migrate.unreachable(exc, args.url)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    pack, clock = load_default_pack(), SystemClock()
    try:
        while True:
            try:
                report = run_due(engine, pack, clock)
            except OperationalError as exc:
                print(f"opdesk worker: {migrate.unreachable(exc, args.url)}", file=sys.stderr)
                if args.once:
                    return EXIT_BAD_INPUT
            else:
                print(f"{report.at.isoformat(timespec='seconds')} {report.summary()}", flush=True)
                if args.once:
                    return 0
            time.sleep(args.every)
    except KeyboardInterrupt:
        return 0
    finally:
        engine.dispose()
