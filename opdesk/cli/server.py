"""`opdesk server …`: the shared server's admin commands (init, add-person, add-client,
training, revoke)
and `run`, the HTTP service (its parser and handler are in opdesk/cli/server_run.py).

Wired into opdesk/cli/__init__.py by `add_server_parser(sub)` and `run_server(args)`.
`opdesk server run` (the HTTP service) belongs to the ASGI app: add its parser in
`add_server_parser` and its handler to `HANDLERS`, as the commands below do.

Passwords are never taken on the command line (it is visible to every user in `ps` and kept in
shell history): they are asked twice with getpass, or read once from stdin with
`--password-stdin` for scripts. Every refusal — a weak password, passwords that differ, a login
already taken, a bad URL, a database from a newer OpDesk — is one clear Russian / English
message and exit code 2, with nothing written.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from opdesk.cli.server_run import add_run_parser, run_http
from opdesk.clock import SystemClock
from opdesk.server.roles import ROLES

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

# The handlers import the server modules (SQLAlchemy, Alembic, Argon2) when they run, so that
# building the parser keeps every other `opdesk` command quick to start.

EXIT_BAD_INPUT = 2
URL_HELP = (
    "адрес базы PostgreSQL: postgresql+psycopg://пользователь@узел:порт/база (пароль базы — "
    "в PGPASSWORD или ~/.pgpass, не в адресе) / the PostgreSQL URL"
)


class Refused(Exception):
    """A refusal of the admin command itself (not of the database or an account)."""

    def __init__(self, message_ru: str, message_en: str) -> None:
        super().__init__(f"{message_ru} / {message_en}")


def add_server_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    server = sub.add_parser("server", help="общий сервер отдела / the shared desk server")
    cmds = server.add_subparsers(dest="server_command", required=True)

    init = cmds.add_parser("init", help="создать схему и первого администратора")
    init.add_argument("url", metavar="DATABASE_URL", help=URL_HELP)
    init.add_argument("--admin", required=True, metavar="LOGIN", help="логин администратора")
    init.add_argument("--name", help="имя администратора (по умолчанию — логин)")
    _password_option(init)

    add = cmds.add_parser("add-person", help="добавить человека с учётной записью")
    add.add_argument("url", metavar="DATABASE_URL", help=URL_HELP)
    add.add_argument("login", metavar="LOGIN", help="логин")
    add.add_argument("--role", required=True, choices=ROLES, help="роль")
    add.add_argument("--name", help="имя (по умолчанию — логин)")
    _password_option(add)

    client = cmds.add_parser("add-client", help="добавить клиента общего стола")
    client.add_argument("url", metavar="DATABASE_URL", help=URL_HELP)
    client.add_argument("name", metavar="NAME", help="наименование или ФИО клиента")
    client.add_argument("--category", default="обычный", help="VIP | Важный | обычный (C-07)")
    client.add_argument("--phone", default="", help="телефон (по нему звонок находит клиента)")
    client.add_argument("--mobile", default="", help="мобильный для SMS")
    client.add_argument("--city", default="", help="город")
    client.add_argument("--group", default="", help="группа (Мегафон, Сбербанк, …)")

    training = cmds.add_parser("training", help="учебный сервер: on / off (без — показать)")
    training.add_argument("url", metavar="DATABASE_URL", help=URL_HELP)
    training.add_argument("state", nargs="?", choices=("on", "off"), help="on | off")

    revoke = cmds.add_parser("revoke", help="завершить все сеансы человека")
    revoke.add_argument("url", metavar="DATABASE_URL", help=URL_HELP)
    revoke.add_argument("login", metavar="LOGIN", help="логин")
    add_run_parser(cmds)


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="прочитать пароль (одну строку) со стандартного ввода / read the password from stdin",
    )


def run_server(args: argparse.Namespace) -> int:
    """Run one `opdesk server` command; returns the process exit code."""
    from sqlalchemy.exc import OperationalError

    from opdesk.server import accounts, migrate
    from opdesk.store.database import DatabaseError

    try:
        return HANDLERS[args.server_command](args)
    except (DatabaseError, accounts.AuthError, Refused) as exc:
        print(f"opdesk server: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OperationalError as exc:  # the server is down, the database or user is missing
        print(f"opdesk server: {migrate.unreachable(exc, args.url)}", file=sys.stderr)
        return EXIT_BAD_INPUT


def read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or asked twice on the terminal."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise Refused("пароль не передан на стандартный ввод", "no password on stdin")
        return line.removesuffix("\n").removesuffix("\r")
    try:
        first = getpass.getpass("Пароль / Password: ")
        second = getpass.getpass("Ещё раз / Again: ")
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        raise Refused("пароль не введён; ничего не изменено", "no password given; "
                      "nothing was changed") from None  # fmt: skip
    if first != second:
        raise Refused("пароли не совпадают; ничего не изменено",
                      "the passwords differ; nothing was changed")  # fmt: skip
    return first


def _init(args: argparse.Namespace) -> int:
    from sqlalchemy import text

    from opdesk.server import accounts, migrate, tables

    engine = migrate.server_engine(args.url)
    try:
        # Refuse what can be refused before asking for a password or writing anything.
        migrate.check_versions(engine)
        if migrate.is_initialised(engine):
            raise _second_init()
        accounts.check_login(args.admin)  # taken or not: told by create_account below
        password = read_password(args.password_stdin)
        accounts.check_password(password)
        migrate.upgrade_server(engine)
        with engine.begin() as conn:
            # Two inits at once: the second waits here, then finds the first one's admin.
            conn.execute(text("LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE"))
            if accounts.count_accounts(conn):
                raise _second_init()
            accounts.create_account(
                conn, args.admin, args.name or args.admin, "admin", password, SystemClock().now()
            )
            _departments(conn)
            server_id = tables.server_id(conn)
    finally:
        engine.dispose()
    print(
        f"сервер создан: {migrate.safe_url(args.url)}, id {server_id}, администратор "
        f"«{args.admin}» / server initialised, admin '{args.admin}'"
    )
    return 0


def _departments(conn: Connection) -> None:
    """The pack's departments, made once at init: made on first use instead, two pushes
    naming a new department at once would both insert it and one op would be refused."""
    from sqlalchemy import insert

    from opdesk.models import Department
    from opdesk.regulations.pack import load_default_pack

    for dep in load_default_pack().departments:  # each with its stable id (models.base)
        conn.execute(insert(Department).values(code=dep.id, name=dep.name))


def _second_init() -> Refused:
    """A second init is refused: it must not add a second "first" admin or reset a password."""
    return Refused(
        "сервер в этой базе уже создан; людей добавляет `opdesk server add-person`; "
        "ничего не изменено",
        "the server in this database is already initialised; add people with "
        "`opdesk server add-person`; nothing was changed",
    )


def opened(url: str, *, upgrade: bool = True) -> Engine:
    """An initialised server database, brought to the current schema (as `run` would)."""
    from opdesk.server import migrate

    engine = migrate.server_engine(url)
    try:
        migrate.check_versions(engine)
        if not migrate.is_initialised(engine):
            raise Refused(
                "в этой базе нет сервера OpDesk; сначала `opdesk server init`",
                "this database holds no OpDesk server; run `opdesk server init` first",
            )
        if upgrade:
            migrate.upgrade_server(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _add_person(args: argparse.Namespace) -> int:
    from opdesk.server import accounts, migrate

    engine = opened(args.url, upgrade=False)
    try:
        with engine.connect() as conn:  # a taken login is told before the password is asked
            accounts.check_new_login(conn, args.login)
        password = read_password(args.password_stdin)
        accounts.check_password(password)
        migrate.upgrade_server(engine)
        with engine.begin() as conn:
            accounts.create_account(
                conn, args.login, args.name or args.login, args.role, password, SystemClock().now()
            )
    finally:
        engine.dispose()
    print(f"добавлен «{args.login}», роль {args.role} / added '{args.login}' as {args.role}")
    return 0


def _add_client(args: argparse.Namespace) -> int:
    """A client of the shared desk, written in the server's database: workstations get it with
    their next pull (a workstation's own database refuses rows no op carries:
    opdesk.store.local_writes). Why here: no command adds a client yet, and the desk's clients
    are reference data its administrator keeps."""
    from sqlalchemy.orm import Session

    from opdesk.models import Client
    from opdesk.models.directory import CLIENT_CATEGORIES

    name = args.name.strip()
    if not name:
        raise Refused("имя клиента пустое; ничего не записано", "the client's name is empty; "
                      "nothing was written")  # fmt: skip
    if args.category not in CLIENT_CATEGORIES:
        known = ", ".join(CLIENT_CATEGORIES)
        raise Refused(f"категория «{args.category}» неизвестна; допустимы: {known}; ничего не "
                      "записано", f"unknown category '{args.category}'; expected one of: "
                      f"{known}; nothing was written")  # fmt: skip
    engine = opened(args.url)
    try:
        with Session(engine) as s, s.begin():
            client = Client(name=name, category=args.category, phone=args.phone.strip(),
                            mobile=args.mobile.strip(), city=args.city.strip(),
                            group_name=args.group.strip())  # fmt: skip
            s.add(client)
            s.flush()
            made = client.id
    finally:
        engine.dispose()
    print(f"добавлен клиент «{name}» ({made}) / added client '{name}' ({made})")
    return 0


def _training(args: argparse.Namespace) -> int:
    from opdesk.server import tables

    engine = opened(args.url)
    try:
        with engine.begin() as conn:
            if args.state is not None:
                tables.set_training(conn, args.state == "on")
            on = tables.is_training(conn)
    finally:
        engine.dispose()
    print(
        "сервер учебный / a training server"
        if on
        else "сервер рабочий (не учебный) / a production server"
    )
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from opdesk.server import accounts

    engine = opened(args.url)
    try:
        with engine.begin() as conn:
            ended = accounts.revoke_all(conn, args.login, SystemClock().now())
    finally:
        engine.dispose()
    print(f"«{args.login}»: завершено сеансов: {ended} / sessions revoked: {ended}")
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "init": _init,
    "add-person": _add_person,
    "add-client": _add_client,
    "training": _training,
    "revoke": _revoke,
    "run": run_http,
}
