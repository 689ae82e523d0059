"""Writes that no op carries, refused on a database bound to a shared desk's server.

A workstation's database is bound to its server at the first sync (`sync_state.server_id`,
opdesk.sync.state). From then on the server is the truth: every change must travel as a named
op in the outbox so the server re-runs it, and the sync's count + hash check repairs any
difference by re-pulling the server's rows and sweeping what the server does not have
(opdesk.sync.sweep). Rows written without an op — an import's tickets, a demo desk, a person or
a client added straight to the tables — would never reach the server, and that repair would
delete them: silent data loss. So each such writer asks here first and refuses, before it
writes anything, with a message that says why and what to do instead.

Only a local SQLite database can be bound; the server's own PostgreSQL database never is (the
server's commands add people and departments there legitimately), so it is not even read.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import select
from sqlalchemy.orm import Session

from opdesk.errors import EngineError
from opdesk.models import SyncState

# The sync_state key that binds a database to its server: opdesk.sync.state.SERVER_ID (the sync
# layer sits above the commands, so the key is repeated here; a test keeps the two equal).
SERVER_KEY = "server_id"
_BOUND_SQL = "SELECT value FROM sync_state WHERE key = ?"

WHY_RU = (
    "эта база — рабочее место общего стола (она синхронизируется с сервером), а {what} не "
    "записывает операций, которые повторяет сервер: {lost}. Ничего не записано"
)
WHY_EN = (
    "this database is a workstation of a shared desk (it syncs with a server), and {what} "
    "records no ops for the server to re-run: {lost}. Nothing was written"
)


class SharedDeskRefusal(EngineError):
    """A write without ops refused on a database bound to a server; nothing was written.

    An EngineError: the command line prints it as `opdesk: <ru> / <en>` with exit code 2. The
    two parts are kept apart too (`why`, `instead`), for a window that shows them apart."""

    def __init__(self, why_ru: str, why_en: str, instead_ru: str, instead_en: str) -> None:
        self.why_ru, self.why_en = why_ru, why_en
        self.instead_ru, self.instead_en = instead_ru, instead_en
        super().__init__(f"{why_ru}. {instead_ru}", f"{why_en}. {instead_en}")


def bound_server(session: Session) -> str | None:
    """The server this local database syncs with (its id as stored), or None: never synced,
    or not a local database at all (the server's own database is the truth, never bound)."""
    if session.connection().dialect.name != "sqlite":
        return None
    value = session.scalar(select(SyncState.value).where(SyncState.key == SERVER_KEY))
    return value or None


def bound_server_raw(conn: sqlite3.Connection) -> str | None:
    """`bound_server` on a plain sqlite3 connection (the demo generator's); a file without the
    sync table (an older schema, a foreign file the caller refuses anyway) is not bound."""
    try:
        row = conn.execute(_BOUND_SQL, (SERVER_KEY,)).fetchone()
    except sqlite3.OperationalError:
        return None
    return str(row[0]) if row and row[0] else None


def refusal(
    what_ru: str, what_en: str, lost_ru: str, lost_en: str, instead_ru: str, instead_en: str
) -> SharedDeskRefusal:
    """The refusal of a job (`what`: «импорт», "an import"), how its rows would be lost
    (`lost`) and what to do instead."""
    return SharedDeskRefusal(
        WHY_RU.format(what=what_ru, lost=lost_ru),
        WHY_EN.format(what=what_en, lost=lost_en),
        instead_ru,
        instead_en,
    )


def import_refusal() -> SharedDeskRefusal:
    """Why an import is refused on a workstation of a shared desk. The server has no import
    of its own yet, so the file goes to a desk that does not sync, or to the administrator."""
    return refusal(
        "импорт",
        "an import",
        "импортированные заявки никогда не дошли бы до общего сервера, и сверка с сервером "
        "удалила бы их без предупреждения",
        "the imported tickets would never reach the shared server, and the check against the "
        "server would delete them without a word",
        "Импортируйте файл на рабочем месте, которое не синхронизируется с сервером, или "
        "обратитесь к администратору стола (импорта на сервере пока нет)",
        "Import the file on a workstation that does not sync with a server, or ask the "
        "desk's administrator (the server has no import yet)",
    )


def demo_refusal() -> SharedDeskRefusal:
    """Why a demo desk is refused over a workstation's database (with --force too: replacing
    the file would also drop the ops still waiting for the server)."""
    return refusal(
        "демо-генератор",
        "the demo generator",
        "демо-заявки никогда не дошли бы до общего сервера, и сверка с сервером удалила бы их",
        "the demo tickets would never reach the shared server, and the check against the "
        "server would delete them",
        "Замена базы стёрла бы и её операции, ещё не отправленные на сервер. Создайте "
        "демо-базу в другом файле (--db или новый файл в «Создать демо-базу…»)",
        "Replacing the database would also drop its ops not yet sent to the server. Make the "
        "demo desk in another file (--db, or a new file in «Create a demo desk…»)",
    )


def person_refusal(login: str) -> SharedDeskRefusal:
    """People of a shared desk are the server's accounts; they reach workstations by pull."""
    return refusal(
        "добавление сотрудника в базу",
        "adding a person to the database",
        f"сотрудник «{login}» никогда не дошёл бы до общего сервера, и сверка с сервером могла "
        "бы удалить его",
        f"person {login!r} would never reach the shared server, and the check against the "
        "server could delete them",
        "Сотрудника общего стола заводит администратор на сервере (opdesk server add-person); "
        "на рабочее место он придёт со следующей синхронизацией",
        "The administrator adds a person of a shared desk on the server (opdesk server "
        "add-person); the next sync brings them to the workstation",
    )


def client_refusal(name: str) -> SharedDeskRefusal:
    """No op adds a client yet: a shared desk's clients come from its server."""
    return refusal(
        "добавление клиента в базу",
        "adding a client to the database",
        f"клиент «{name}» никогда не дошёл бы до общего сервера, и сверка с сервером могла бы "
        "удалить его",
        f"client {name!r} would never reach the shared server, and the check against the "
        "server could delete it",
        "Клиенты общего стола приходят с сервера: их заводит администратор стола "
        "(opdesk server add-client)",
        "A shared desk's clients come from its server: the desk's administrator adds them "
        "(opdesk server add-client)",
    )


def departments_refusal() -> SharedDeskRefusal:
    return refusal(
        "заведение отделов пакета",
        "making the pack's departments",
        "отделы никогда не дошли бы до общего сервера, и сверка с сервером могла бы удалить их",
        "the departments would never reach the shared server, and the check against the "
        "server could delete them",
        "Отделы общего стола заводит сервер (opdesk server init); они приходят с синхронизацией",
        "The server makes a shared desk's departments (opdesk server init); a sync brings them",
    )


def refuse_if_bound(session: Session, refused: SharedDeskRefusal) -> None:
    """Raise `refused` when the database of `session` is bound to a server (see the module)."""
    if bound_server(session) is not None:
        raise refused
