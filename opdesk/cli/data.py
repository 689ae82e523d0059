"""`opdesk demo`, `opdesk import`, `opdesk export`: data in and out of the local database.

Wired into opdesk/cli.py by `add_data_parsers(sub)` and `run_data(args)`. Problems with the
input (a bad row, a database that already holds data, a workstation's database bound to a
shared desk's server, which neither import nor demo may fill) print one clear message per
problem in Russian and English and exit with code 2; nothing is half-written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
from pathlib import Path

from sqlalchemy.exc import OperationalError

from opdesk import paths
from opdesk.clock import SystemClock
from opdesk.store.database import (
    DatabaseError,
    check_writable,
    is_read_only_error,
    read_only_error,
)

EXIT_BAD_INPUT = 2
COMMANDS = ("demo", "import", "export")


def add_data_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser("demo", help="создать демонстрационную базу / generate a demo desk")
    demo.add_argument("--tickets", type=int, default=10_000, help="число тикетов (10 000)")
    demo.add_argument("--seed", type=int, default=1, help="зерно генератора (1)")
    demo.add_argument("--db", type=Path, help="файл базы (по умолчанию — локальная база)")
    demo.add_argument("--now", help="момент «сейчас», ISO 8601 (по умолчанию — текущий час)")
    demo.add_argument("--force", action="store_true", help="заменить базу, если в ней есть данные")
    demo.add_argument("--workers", type=int, help="процессов-генераторов (по умолчанию авто)")
    demo.add_argument("--quiet", action="store_true", help="без индикатора хода")

    imp = sub.add_parser("import", help="импорт тикетов из JSONL или CSV / import tickets")
    imp.add_argument("file", type=Path, help="файл .jsonl или .csv")
    imp.add_argument("--format", choices=("jsonl", "csv"), help="формат (по расширению)")
    imp.add_argument("--db", type=Path, help="файл базы (по умолчанию — локальная база)")

    exp = sub.add_parser("export", help="экспорт тикетов в JSONL или CSV / export tickets")
    exp.add_argument("file", type=Path, help="файл .jsonl или .csv ('-' — stdout)")
    exp.add_argument("--format", choices=("jsonl", "csv"), help="формат (по расширению)")
    exp.add_argument("--db", type=Path, help="файл базы (по умолчанию — локальная база)")
    exp.add_argument("--query", help="фильтр: JSON запроса TicketQuery / a TicketQuery as JSON")


def run_data(args: argparse.Namespace) -> int:
    """Run `demo`, `import` or `export`; returns the process exit code."""
    try:
        if args.command == "demo":
            return _demo(args)
        if args.command == "import":
            return _import(args)
        if args.command == "export":
            return _export(args)
    except DatabaseError as exc:
        print(f"opdesk: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    raise AssertionError(args.command)


def _format(args: argparse.Namespace) -> str:
    fmt: str | None = args.format
    if fmt:
        return fmt
    return "csv" if str(args.file).lower().endswith(".csv") else "jsonl"


def _demo(args: argparse.Namespace) -> int:
    from opdesk.demo import DemoError, generate

    # The demo's "now" is the current hour, so runs within one hour give the same database.
    now = SystemClock().now().replace(minute=0, second=0, microsecond=0)
    if args.now:
        try:
            now = dt.datetime.fromisoformat(args.now)
        except ValueError:
            print(
                f"opdesk: --now: не момент ISO 8601 / not an ISO moment: {args.now}",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
        if now.tzinfo is None:
            now = now.replace(tzinfo=dt.UTC)
    path = args.db or paths.database_path()
    check_writable(path, file=False)
    try:
        summary = generate(
            path,
            args.tickets,
            args.seed,
            now=now,
            force=args.force,
            progress=None if args.quiet else sys.stderr,
            workers=args.workers,
        )
    except DemoError as exc:
        print(f"opdesk: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (OSError, sqlite3.OperationalError, OperationalError) as exc:
        # The up-front check passed, yet the disk refused (permissions changed meanwhile,
        # a read-only mount): generate() has removed its half-made file.
        if is_read_only_error(exc) or isinstance(exc, PermissionError):
            raise read_only_error(path, exc) from exc
        raise DatabaseError(
            path,
            f"демо-базу не удалось записать ({exc}); ничего не записано",
            f"the demo desk cannot be written ({exc}); nothing was written",
        ) from exc
    rows = ", ".join(f"{k} {_n(v)}" for k, v in summary.rows.items())
    print(
        f"{path}: демо-база готова за {summary.seconds:.1f} с / demo desk ready in "
        f"{summary.seconds:.1f} s: {rows}"
    )
    return 0


def _n(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _import(args: argparse.Namespace) -> int:
    from opdesk.store.database import open_local
    from opdesk.store.local_writes import SharedDeskRefusal
    from opdesk.transfer import ImportRefused, import_file
    from opdesk.transfer.jobs import busy_error, is_busy_error

    path = args.db or paths.database_path()
    check_writable(path)
    try:
        db = open_local(path)
    except DatabaseError as exc:  # opening waits for a writer too (busy timeout), then gives up
        if exc.__cause__ is not None and is_busy_error(exc.__cause__):
            raise busy_error(path) from exc
        raise
    try:
        count = import_file(db, args.file, _format(args), SystemClock().now())
    except (sqlite3.OperationalError, OperationalError) as exc:
        if is_read_only_error(exc):  # import is all-or-nothing: the transaction rolled back
            raise read_only_error(path, exc) from exc
        # A busy database is refused by import_file itself; anything else the database
        # refuses is still a message, not a traceback.
        reason = getattr(exc, "orig", None) or exc
        raise DatabaseError(
            path,
            f"импорт не удался ({reason}); ничего не записано",
            f"the import failed ({reason}); nothing was written",
        ) from exc
    except SharedDeskRefusal as exc:  # a workstation's database: said with its path
        raise DatabaseError(path, exc.message_ru, exc.message_en) from exc
    except ImportRefused as exc:
        print(
            f"opdesk: {args.file}: импорт отклонён, ничего не записано / import refused, "
            f"nothing was written ({len(exc.problems)}):",
            file=sys.stderr,
        )
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        db.close()
    print(f"{args.file}: импортировано тикетов / tickets imported: {count}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from opdesk.store.database import open_existing
    from opdesk.transfer import export_file

    db = open_existing(args.db or paths.database_path())  # reading never creates or migrates
    try:
        count = export_file(db, args.file, _format(args), SystemClock().now(), args.query)
    except ValueError as exc:
        print(f"opdesk: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        db.close()
    if str(args.file) != "-":
        print(f"{args.file}: экспортировано тикетов / tickets exported: {count}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (`python -m opdesk.cli.data demo …`) until opdesk.cli wires it in."""
    parser = argparse.ArgumentParser(prog="opdesk")
    add_data_parsers(parser.add_subparsers(dest="command", required=True))
    return run_data(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
