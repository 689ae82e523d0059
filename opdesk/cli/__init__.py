"""`opdesk …`: the command line (pack check, explain). The window is `opdesk-desk`.

Errors in packs or requests are printed as one clear message (Russian / English) with exit
code 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from opdesk.errors import EngineError, PackError

EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    from opdesk.cli.explain import add_explain_parser

    parser = argparse.ArgumentParser(
        prog="opdesk", description="OpDesk — служба поддержки, соблюдающая регламент"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    pack = sub.add_parser("pack", help="пакеты регламентов")
    pack_sub = pack.add_subparsers(dest="pack_command", required=True)
    check = pack_sub.add_parser("check", help="проверить пакет регламента")
    check.add_argument("file", help="файл пакета (.toml)")
    add_explain_parser(sub)
    from opdesk.cli.data import add_data_parsers

    add_data_parsers(sub)
    from opdesk.cli.server import add_server_parser

    add_server_parser(sub)
    from opdesk.cli.worker import add_worker_parser

    add_worker_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except (PackError, EngineError) as exc:
        print(f"opdesk: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "pack":
        return _pack_check(args.file)
    if args.command in ("demo", "import", "export"):
        from opdesk.cli.data import run_data

        return run_data(args)
    if args.command == "explain":
        from opdesk.cli.explain import explain

        return explain(args)
    if args.command == "server":
        from opdesk.cli.server import run_server

        return run_server(args)
    if args.command == "worker":
        from opdesk.cli.worker import run_worker

        return run_worker(args)
    raise AssertionError(args.command)


def _pack_check(file: str) -> int:
    from opdesk.regulations.pack import load_pack

    pack = load_pack(file)
    print(
        f"{file}: пакет «{pack.name}» в порядке: правил {len(pack.rules)}, процессов "
        f"{len(pack.processes)}, статусов {len(pack.statuses)}, переходов "
        f"{len(pack.transitions)} / pack is valid"
    )
    return 0
