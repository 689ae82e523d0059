"""`make screenshots`: the operator's window on a demo desk, rendered through Qt's xcb platform
on an X server (a private Xvfb unless one is given), saved as PNG pictures for review.

Run: .venv/bin/python tools/screenshots.py [--out DIR] [--tickets N] [--demo PATH] [--xvfb]
                                          [--no-shared]

Pictures (in `--out`, default `screenshots/` of the repository):
  01-queue-filter-selected.png  the «Мои» filter applied, a ticket selected, its card filled
  02-refusal-panel.png          a refused command: the refusal panel with rule IDs and texts
  03-bulk-results.png           a bulk close where some tickets are refused: the result list
  04-english.png                the same window with the English translator installed
  05-detail-view.png            the ticket's card alone, wide enough to read
  06-shortcuts.png              Help → Keyboard shortcuts
  07-filter-panel.png           the filter panel with its counts
  08-checklist-missing.png      «Закрытие заявки» (Ctrl+Shift+C) on an outage ticket resolved by
                                ТО: items missing, «Закрыть» disabled with the missing list
  09-checklist-filled.png       the same with the report and the client's confirmation filled,
                                scrolled down to the confirmation: every item satisfied,
                                «Закрыть» enabled (not pressed)
  10-template-picker.png        «Ответ по шаблону» (Ctrl+R) on a Friday evening: the engine's
                                template and its reason
  11-new-request.png            «Новое обращение (звонок)» (Ctrl+N): a known caller's phone, their
                                tickets, a question classified and the plan of what is created

The shared desk, against a LIVE `opdesk server run` over a real PostgreSQL (both started here
the way the tests start them, tests/pg.py and tests/server/live.py, and stopped and removed at
the end, also on a failure); a workstation window on an empty file, and a second workstation
(a plain SyncEngine, no window) that fills the desk and competes for a ticket:
  12-login-dialog.png           File → «Войти на сервер…»: the dialog over the empty window,
                                the password typed (the dialog opens by itself on first start)
  13-shared-desk-online.png     the window after the first sync: the server's tickets, one
                                selected, the status bar «В сети · <time of the last sync>»
  14-refused-take.png           both workstations took the same ticket, the other one first:
                                after the sync the status bar says in red who took it and why,
                                and the card shows the ticket back with its real owner
  15-sync-status.png            File → «Состояние синхронизации…»: server, last sync, ops
                                waiting, the refused op with its reason in full
  16-import-refused.png         «Импорт заявок…» on this workstation: refused, with why (the
                                tickets would never reach the server) and where to import instead
  17-text-conflict-merge.png    both operators edited one ticket's subject, the other first: the
                                card lists the conflict and «Объединить…» shows both texts

Why two processes: this one owns the X server and the temporary desk, a child renders. Qt's
xcb plugin aborts the process when its X server goes away, so the server is stopped only after
the child has exited (also when it crashed), and a crash never leaves an Xvfb behind.

The step-6 screens (08–11) are taken in a window of their own over a copy of the desk as it was
generated (the bulk close changes the first one); the tickets they need are made through the
same commands the application runs, on the window's writer thread.

Settings and the window layout go to a temporary OPDESK_HOME, never the operator's own; the
demo desk is a temporary copy (the commands change it), generated with a fixed clock. The
shared desk runs on the real clock (the server stamps what it applies with its own), its
tokens are kept in memory only (never the operator's keyring), and without PostgreSQL (none
installed and none installable) its pictures are skipped with a note, the others still made.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)  # the tests' moment
SIZE = (1400, 860)
PICTURES = (
    "01-queue-filter-selected.png",
    "02-refusal-panel.png",
    "03-bulk-results.png",
    "04-english.png",
    "05-detail-view.png",
    "06-shortcuts.png",
    "07-filter-panel.png",
    "08-checklist-missing.png",
    "09-checklist-filled.png",
    "10-template-picker.png",
    "11-new-request.png",
)
SHARED_PICTURES = (
    "12-login-dialog.png",
    "13-shared-desk-online.png",
    "14-refused-take.png",
    "15-sync-status.png",
    "16-import-refused.png",
    "17-text-conflict-merge.png",
)
# The shared desk's two operators (accounts on the live server) and their password.
OPERATOR = ("ivanova", "Иванова М. С.")  # at the window
NEIGHBOUR = ("petrov", "Петров А. В.")  # the other workstation
SHARED_PASSWORD = "desk-password-2026"
# The shared desk's clients, made in the server's database as its administrator keeps them
# (no workstation op adds a client): name, category, city, phone.
SHARED_CLIENTS = (
    ("ООО «Ромашка»", "VIP", "Москва", "+7 495 111-22-33"),
    ("ГБУ «Южный порт»", "Важный", "Новороссийск", "+7 8617 60-12-40"),
    ("ИП Кузнецов А. Н.", "обычный", "Казань", "+7 843 292-05-17"),
    ("ПАО «Уралсвязь»", "Важный", "Екатеринбург", "+7 343 310-44-90"),
)
# What the other workstation registers on the shared desk: client (index), category,
# priority, subject.
SHARED_TICKETS = (
    (0, "Проблемы с хостингом", "Критичный", "Сайт магазина не открывается с утра"),
    (1, "Ошибка поведения или интерфейса", "Срочный", "Не сохраняется карточка товара в админке"),
    (2, "Запрос документов по проекту", "Обычный", "Нужен акт выполненных работ за октябрь"),
    (3, "Вопрос / консультация по проекту", "Обычный", "Как подключить второй склад к выгрузке"),
    (0, "Запрос на настройку компонентов или модулей", "Срочный", "Настроить оплату через СБП"),
    (2, "Запрос бухгалтерских документов", "Обычный", "Счёт-фактура за ноябрь"),
    (1, "Изменение/расширение услуги", "Обычный", "Расширить тариф хостинга до 50 ГБ"),
    (3, "Проблемы с хостингом", "Срочный", "Медленно открывается личный кабинет"),
)
CONTESTED = (0, "Ошибка поведения или интерфейса", "Срочный", "Не приходят SMS с кодом входа")
SHARED_DETAIL_WIDTH = 380  # the card's width in the shared desk's window (as in 01)
MY_FILTER = "Мои"
ENGINEER_DEPARTMENT = "to"  # C-01, C-03: the outage is resolved by the responsible ТО engineer
FRIDAY_EVENING = dt.datetime(2026, 11, 27, 15, 30, tzinfo=dt.UTC)  # 18:30 in Moscow (U-08)
CALL = ("Связь и интернет", "Жалоба", "Нет связи", "компенсация")  # two requests (S-02)
NO_XVFB = (
    "screenshots: Xvfb is missing, and it is needed to render through xcb without a desktop "
    "(DISPLAY is not set, or --xvfb was given). Run `make system-deps` (installs the xvfb "
    "package), or run on an X11 desktop with DISPLAY set."
)


def say(text: str) -> None:
    print(f"screenshots: {text}", flush=True)


# -- the parent: desk, X server, child -------------------------------------------------------
def prepare_desk(args: argparse.Namespace, work: Path) -> Path:
    """A demo desk for this run: a copy of `--demo` (generated there first when missing) or a
    fresh one in the temporary folder. Always a copy: the pictures' commands change it."""
    from opdesk.demo import generate

    desk = work / "desk.sqlite3"
    source: Path | None = args.demo
    if source is not None and not _has_tickets(source):
        source.parent.mkdir(parents=True, exist_ok=True)
        say(f"generating a demo desk of {args.tickets} tickets into {source}")
        generate(source, args.tickets, seed=args.seed, now=NOW, workers=0)
    if source is not None:
        say(f"reusing the demo desk {source}")
        copy(source, desk)
        return desk
    say(f"generating a demo desk of {args.tickets} tickets")
    generate(desk, args.tickets, seed=args.seed, now=NOW, workers=0)
    return desk


def copy(source: Path, target: Path) -> None:
    """SQLite's online backup: consistent even with a WAL beside the file."""
    with (
        contextlib.closing(sqlite3.connect(source)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)


def _has_tickets(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            return bool(conn.execute("SELECT count(*) FROM tickets").fetchone()[0])
    except sqlite3.Error:
        return False


@contextlib.contextmanager
def virtual_display(size: tuple[int, int]) -> Iterator[str]:
    """Start Xvfb on a free display number (it picks one and reports it: -displayfd)."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise SystemExit(NO_XVFB)
    width, height = size
    read, write = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-screen", "0", f"{width + 200}x{height + 200}x24",
         "-nolisten", "tcp"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write)
    try:
        with os.fdopen(read) as fd:
            number = fd.readline().strip()
        if not number:
            raise SystemExit(f"screenshots: Xvfb did not start (exit code {server.poll()})")
        say(f"Xvfb started on :{number} (pid {server.pid})")
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        say("Xvfb stopped")


@contextlib.contextmanager
def shared_server(work: Path) -> Iterator[str | None]:
    """A live shared desk for the pictures 12–16: a throw-away PostgreSQL cluster (tests/pg.py:
    initdb on loopback, installed first when missing), a database made by `opdesk server init`
    and a real `opdesk server run` process on it (tests/server/live.py), with the two
    operators' accounts; yields the server's URL (None: no PostgreSQL here, said why).

    Everything is stopped and removed when the block ends, however it ends: the server
    process (its whole process group), its database, the cluster and its folder."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # the tests' helpers: tests.pg, tests.server.live
    from tests.pg import PgSetupError, ensure_bindir, start_server, stop_server
    from tests.server.live import running_server

    try:
        pg = start_server(ensure_bindir())
    except PgSetupError as exc:
        say(f"NOTE: no PostgreSQL for the shared desk, its pictures are skipped: {exc}")
        yield None
        return
    try:
        say(f"PostgreSQL started on 127.0.0.1:{pg.port}")
        with running_server(pg, work / "server") as live:
            for login, name in (OPERATOR, NEIGHBOUR):
                live.add_person(login, "operator", SHARED_PASSWORD, name)
            seed_clients(live.db_url)
            say(f"opdesk server running on {live.url} (pid {live.process and live.process.pid})")
            try:
                yield live.url
            finally:
                say("stopping opdesk server")
    finally:
        stop_server(pg)
        say("PostgreSQL stopped and removed")


def seed_clients(db_url: str) -> None:
    """The desk's clients straight into the server's database, through the commands as the
    server runs them (the server's database is the truth: nothing there needs an op)."""
    from opdesk import services
    from opdesk.clock import FixedClock
    from opdesk.regulations.pack import load_default_pack
    from opdesk.server.migrate import open_server

    db = open_server(db_url)
    try:
        desk = services.Desk(db, load_default_pack(), FixedClock(NOW))
        for name, category, city, phone in SHARED_CLIENTS:
            services.add_client(desk, name, category=category, city=city, phone=phone)
    finally:
        db.close()


def _stop_on_sigterm() -> None:
    """SIGTERM ends this process through its `finally` blocks, like Ctrl+C: the X server, the
    opdesk server and PostgreSQL are stopped and the temporary folder removed."""

    def stop(_signum: int, _frame: object) -> None:
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, stop)


def orchestrate(args: argparse.Namespace) -> int:
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    own_server = args.xvfb or not os.environ.get("DISPLAY")
    if own_server and shutil.which("Xvfb") is None:
        print(NO_XVFB, file=sys.stderr)
        return 2
    _stop_on_sigterm()
    with tempfile.TemporaryDirectory(prefix="opdesk-screenshots-") as tmp:
        work = Path(tmp)
        desk = prepare_desk(args, work)
        env = {**os.environ, "OPDESK_HOME": str(work / "home"), "QT_QPA_PLATFORM": "xcb"}
        command = [sys.executable, str(Path(__file__).resolve()), "--render", "--out", str(out),
                   "--desk", str(desk), "--size", f"{args.size[0]}x{args.size[1]}"]  # fmt: skip
        with (
            shared_server(work) if args.shared else contextlib.nullcontext(None) as url,
            virtual_display(args.size) if own_server else contextlib.nullcontext(None) as disp,
        ):
            if url is not None:
                command += ["--server", url]
            if disp is not None:
                env["DISPLAY"] = disp
            else:
                say(f"using the X display {env.get('DISPLAY')}")
            done = subprocess.run(command, env=env, cwd=ROOT, check=False)
    if done.returncode != 0:
        print(f"screenshots: rendering failed (exit code {done.returncode})", file=sys.stderr)
        return done.returncode or 1
    say(f"pictures in {out}")
    return 0


# -- the child: the window and its pictures --------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """What the pictures show, chosen from the desk's data."""

    login: str  # the ОПП operator at the desk
    ticket: int  # the operator's own open ticket with the richest card (running SLA bars first)
    bulk: list[int]  # the bulk close: tickets it closes first (the current one), then refusals
    engineer: tuple[str, str]  # login and name of a ТО operator: resolves the outage (C-03)
    caller: str  # the phone of the client with the most tickets, some open (the new request)


def plan(desk: Path) -> Plan:
    with contextlib.closing(sqlite3.connect(desk)) as conn:
        row = conn.execute(
            "SELECT t.id, p.login FROM tickets t JOIN people p ON p.id = t.owner_id "
            "JOIN departments d ON d.id = p.department_id "
            "WHERE t.is_open AND p.role = 'operator' AND d.code = 'opp' ORDER BY "
            "t.process = 'csn' DESC, t.status = 'in_progress' DESC, "
            "(SELECT count(*) FROM outgoing_requests o WHERE o.ticket_id = t.uuid) "
            "+ (SELECT count(*) FROM ticket_links k WHERE k.ticket_id = t.uuid) DESC, "
            "(SELECT count(*) FROM events e WHERE e.ticket_id = t.uuid) "
            "+ (SELECT count(*) FROM comments c WHERE c.ticket_id = t.uuid) DESC, t.id "
            "LIMIT 1"
        ).fetchone()
        if row is None:
            raise SystemExit("screenshots: the demo desk has no open ticket of an ОПП operator")
        closable = [r[0] for r in conn.execute(
            "SELECT id FROM tickets WHERE process = 'call_request' AND status = 'in_progress' "
            "ORDER BY created_at DESC, id DESC LIMIT 3")]  # fmt: skip
        refused = [r[0] for r in conn.execute(
            "SELECT id FROM tickets WHERE process = 'outage' AND status = 'resolved' "
            "ORDER BY created_at DESC, id DESC LIMIT 2")]  # fmt: skip
        engineer = conn.execute(
            "SELECT p.login, p.name FROM people p JOIN departments d ON d.id = p.department_id "
            "WHERE p.role = 'operator' AND d.code = ? ORDER BY p.login LIMIT 1",
            (ENGINEER_DEPARTMENT,),
        ).fetchone()
        caller = conn.execute(
            "SELECT contact_phone FROM tickets WHERE client_id IS NOT NULL AND contact_phone != ''"
            " GROUP BY client_id HAVING sum(is_open) > 0 ORDER BY count(*) DESC, client_id LIMIT 1"
        ).fetchone()
    if not closable or not refused:
        raise SystemExit("screenshots: the demo desk is too small for the bulk close picture")
    if engineer is None or caller is None:
        raise SystemExit("screenshots: the demo desk has no ТО operator or no known caller")
    return Plan(
        str(row[1]), int(row[0]), closable + refused, (str(engineer[0]), str(engineer[1])),
        str(caller[0]),
    )  # fmt: skip


class Shooter:
    """Drives one application: waits with event loops and signals, never with sleep, and never
    with `processEvents()` in a loop (PySide6 6.12 on Python 3.11 crashes after a few thousand
    calls, see bench/bench_ui_queue.py)."""

    def __init__(
        self, out: Path, desk: Path, size: tuple[int, int], server: str | None = None
    ) -> None:
        from PySide6.QtWidgets import QApplication

        self.out, self.desk, self.size, self.server = out, desk, size, server
        app = QApplication.instance() or QApplication([sys.argv[0]])
        assert isinstance(app, QApplication)
        self.app = app
        self.app.setApplicationName("OpDesk")
        self.plan = plan(desk)
        # The English window opens the desk as the Russian one found it: the commands of the
        # refusal and bulk pictures change it.
        self.english_desk = desk.with_name(f"{desk.stem}-en{desk.suffix}")
        copy(desk, self.english_desk)
        self.step6_desk = desk.with_name(f"{desk.stem}-step6{desk.suffix}")
        copy(desk, self.step6_desk)
        self.saved: list[str] = []
        self.notes: list[str] = []

    # -- waiting -------------------------------------------------------------------------------
    def until(self, done: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
        """Run the event loop until `done()` (checked every 10 ms), at most `timeout` seconds."""
        from PySide6.QtCore import QEventLoop, QTimer

        if done():
            return
        loop = QEventLoop()
        poll, limit = QTimer(), QTimer()
        poll.setInterval(10)
        poll.timeout.connect(lambda: loop.quit() if done() else None)
        limit.setSingleShot(True)
        limit.timeout.connect(loop.quit)
        poll.start()
        limit.start(int(timeout * 1000))
        loop.exec()
        poll.stop()
        limit.stop()
        if not done():
            raise TimeoutError(f"screenshots: waited {timeout:.0f} s for {what}")

    def after(self, signal: Any, trigger: Callable[[], object], what: str) -> tuple[Any, ...]:
        """Do `trigger()` and wait for `signal`; its arguments."""
        got: list[tuple[Any, ...]] = []

        def slot(*values: Any) -> None:
            got.append(values)

        signal.connect(slot)
        try:
            trigger()
            self.until(lambda: bool(got), what)
        finally:
            signal.disconnect(slot)
        return got[-1]

    def on_writer(self, window: Any, work: Callable[[Any], Any], what: str) -> Any:
        """Run `work(desk)` on the window's writer thread (where the commands run); its result."""
        got: list[Any] = []
        failed: list[str] = []
        window.writer.submit(work, got.append, failed.append)
        self.until(lambda: bool(got or failed), what)
        if failed:
            raise RuntimeError(f"screenshots: {what}: {failed[0]}")
        return got[0]

    def settle(self, ms: int = 250) -> None:
        """Let posted layouts and paints run (an event loop for `ms`, not a sleep)."""
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def rows_painted(self, window: Any) -> None:
        """Every visible row of the queue is fetched, then painted."""
        model, table = window.model, window.table

        def ready() -> bool:
            n = model.rowCount()
            if n == 0:
                return True
            top = max(0, table.rowAt(0))
            bottom = table.rowAt(table.viewport().height() - 1)
            bottom = n - 1 if bottom < 0 else bottom
            return all(model.cached(r) is not None for r in range(top, bottom + 1))

        self.until(ready, "the visible queue rows")
        table.viewport().update()
        self.settle()

    # -- pictures ------------------------------------------------------------------------------
    def screen_area(self, widget: Any) -> Any:
        """What the X server shows over a top-level widget's area (a dialog is a window of its
        own: `grab()` would render it off screen, not as it stands)."""
        g = widget.frameGeometry()
        return widget.screen().grabWindow(0, g.x(), g.y(), g.width(), g.height())

    def exposed(self, widget: Any, what: str) -> None:
        self.until(
            lambda: (
                widget.isVisible()
                and widget.windowHandle() is not None
                and widget.windowHandle().isExposed()
            ),
            what,
        )

    def save(self, name: str, pixmap: Any) -> None:
        image = pixmap.toImage()
        colours = {
            image.pixel(x, y)
            for x in range(0, image.width(), 5)
            for y in range(0, image.height(), 5)
        }
        if image.isNull() or len(colours) < 3:
            raise RuntimeError(f"screenshots: {name} came out blank ({len(colours)} colours)")
        path = self.out / name
        if not pixmap.save(str(path), "PNG"):
            raise RuntimeError(f"screenshots: could not write {path}")
        self.saved.append(name)
        say(f"saved {name} {image.width()}x{image.height()} ({len(colours)} colours)")

    # -- the window ----------------------------------------------------------------------------
    def open_window(self, desk: Path, language: str = "ru") -> Any:
        from opdesk import settings
        from opdesk.clock import FixedClock
        from opdesk.regulations.pack import load_default_pack
        from opdesk.ui.main_window import MainWindow

        prefs = settings.Settings(person=self.plan.login, language=language)
        window = MainWindow(load_default_pack(), FixedClock(NOW), prefs)
        window.resize(*self.size)
        window.move(0, 0)
        window.show()
        counts: list[object] = []
        window.countsShown.connect(counts.append)
        self.after(window.queueLoaded, lambda: window.open_database(desk), "the queue")
        self.until(lambda: bool(counts), "the filter counts")
        if window.size().width() != self.size[0] or window.size().height() != self.size[1]:
            window.resize(*self.size)  # a restored layout may have moved it
        self.until(lambda: window.windowHandle().isExposed(), "the window on the X server")
        return window

    def apply_filter(self, window: Any, row: int) -> None:
        panel = window.filters
        self.after(window.queueLoaded, lambda: panel.list.setCurrentRow(row), "the filter")
        self.rows_painted(window)

    def select(self, window: Any, ids: list[int]) -> None:
        """`ids[0]` the current ticket (its card is shown), the others selected with it."""
        from PySide6.QtCore import QItemSelectionModel
        from PySide6.QtWidgets import QAbstractItemView

        model, table = window.model, window.table
        rows = [model.row_of(tid) for tid in ids]
        missing = [tid for tid, row in zip(ids, rows, strict=True) if row < 0]
        if missing:
            raise RuntimeError(f"screenshots: tickets {missing} are not in the queue")
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows

        def pick() -> None:
            sel = table.selectionModel()
            for i, row in enumerate(rows):
                index = model.index(row, 0)
                if i == 0:
                    sel.setCurrentIndex(index, flags | QItemSelectionModel.SelectionFlag.Clear)
                else:
                    sel.select(index, flags)
            table.scrollTo(model.index(rows[0], 0), QAbstractItemView.ScrollHint.PositionAtTop)

        (view,) = self.after(window.viewShown, pick, "the ticket's card")
        if view is None:
            raise RuntimeError(f"screenshots: ticket {ids[0]} has no card")
        self.rows_painted(window)

    def my_filter_row(self, window: Any) -> int:
        from PySide6.QtCore import Qt

        panel = window.filters
        for i in range(panel.list.count()):
            if panel.list.item(i).data(Qt.ItemDataRole.UserRole) == MY_FILTER:
                return i
        raise RuntimeError(f"screenshots: no saved filter «{MY_FILTER}»")

    # -- the pictures, in the order they are taken ----------------------------------------------
    def russian(self) -> int:
        """01, 05, 07, 06, 02, 03; returns the row of «Мои» for the English window."""
        window = self.open_window(self.desk)
        mine = self.my_filter_row(window)
        self.apply_filter(window, mine)
        self.select(window, [self.plan.ticket])
        self.save("01-queue-filter-selected.png", window.grab())
        self.detail_picture(window)
        self.save("07-filter-panel.png", window.filters.grab())
        self.shortcuts_picture(window)
        self.refusal_picture(window)
        self.bulk_picture(window)
        window.close()
        window.deleteLater()
        self.settle(100)
        return mine

    def detail_picture(self, window: Any) -> None:
        sizes = window.inner.sizes()
        total = sum(sizes)
        window.inner.setSizes([total - 900, 900])
        self.settle()
        body = window.detail.widget()  # the card's whole content, beyond the scrolled part too
        self.save("05-detail-view.png", body.grab())
        window.inner.setSizes(sizes)
        self.settle()

    def shortcuts_picture(self, window: Any) -> None:
        """Help → Keyboard shortcuts, through the menu: the dialog runs its own `exec()` loop,
        so a timer takes the picture from inside it and closes it."""
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        action = None
        for top in window.menuBar().actions():
            menu = top.menu()
            for item in menu.actions() if menu is not None else ():
                if item.text().replace("&", "") == "Клавиатурные сокращения":
                    action = item
        shot: list[BaseException | None] = []
        timer = QTimer()
        timer.setInterval(20)

        def take() -> None:
            dialog = QApplication.activeModalWidget()
            if dialog is None or dialog.objectName() != "shortcutsDialog":
                return
            handle = dialog.windowHandle()
            if handle is None or not handle.isExposed():
                return
            timer.stop()
            self.settle()
            try:
                self.save("06-shortcuts.png", dialog.grab())
                shot.append(None)
            except Exception as exc:  # raised again below, out of the dialog's loop
                shot.append(exc)
            dialog.close()

        timer.timeout.connect(take)
        timer.start()
        if action is not None:
            action.trigger()  # returns when the dialog is closed
        else:
            self.notes.append("Help → Keyboard shortcuts not found in the menu; opened directly")
            window._show_shortcuts()
        timer.stop()
        if not shot:
            raise RuntimeError("screenshots: the keyboard shortcuts dialog did not show")
        if shot[0] is not None:
            raise shot[0]

    def refusal_picture(self, window: Any) -> None:
        """«Взять в работу» (Ctrl+T) on the operator's own ticket already in work: refused."""
        actions = window.actions_
        offer = self.offer(window, "take")
        if offer.allowed:
            raise RuntimeError(f"screenshots: «{offer.name}» is allowed here, not refused")
        before = window.refusals.browser.toPlainText()
        actions.actions["take"].trigger()
        self.until(
            lambda: window.refusals.isVisible() and window.refusals.browser.toPlainText() != before,
            "the refusal panel",
        )
        self.settle()
        self.save("02-refusal-panel.png", window.grab())
        window.refusals.hide()
        self.settle()

    def bulk_picture(self, window: Any) -> None:
        """Close (the current ticket's transition «close») over a multi-selection in «Все»:
        the call requests are closed, the outages are refused by their closing checklist."""
        from PySide6.QtCore import Qt

        panel = window.filters
        everything = next(
            i
            for i in range(panel.list.count())
            if panel.list.item(i).data(Qt.ItemDataRole.UserRole) == "Все"
        )
        self.apply_filter(window, everything)
        self.select(window, self.plan.bulk)
        actions = window.actions_
        offer = self.offer(window, "close")
        actions.last_bulk = None
        actions.transition("close", offer.name)
        self.until(lambda: actions.last_bulk is not None, "the bulk results")
        bulk = actions.last_bulk
        self.until(lambda: bulk.isVisible() and bulk.windowHandle().isExposed(), "the bulk results")
        self.rows_painted(window)  # the closed rows were refetched
        self.settle(400)
        # The dialog is a window of its own: the picture is the X server's screen over the main
        # window's area, with the dialog where it stands on it.
        g = window.geometry()
        screen = window.screen()
        self.save("03-bulk-results.png", screen.grabWindow(0, g.x(), g.y(), g.width(), g.height()))
        summary = getattr(bulk, "summary", "")
        if summary:
            say(f"bulk: {summary}")
        bulk.close()
        self.settle(100)

    def offer(self, window: Any, action: str) -> Any:
        """The current ticket's offer of `action`; one that asks for input would open a modal
        form and wait for a person, so it is refused here."""
        offer = next((o for o in window.current.actions if o.action == action), None)
        if offer is None or offer.needs:
            raise RuntimeError(f"screenshots: «{action}» is not offered without input here")
        return offer

    def language(self, language: str) -> bool:
        """Install the translators as `opdesk-desk` does before its window is built (Qt's own
        strings too: «Закрыть», not «Close»); False where the language is not available."""
        try:
            from opdesk.ui import i18n
        except ImportError:
            self.notes.append(f"opdesk.ui.i18n is not there: no translator for {language!r}")
            return language == "ru"
        if i18n.install_translator(self.app, language):
            return True
        self.notes.append(
            f"no catalogue for {language!r} ({i18n.catalogue(language)}; `make translations`)"
        )
        return False

    # -- step 6: the closing checklist, the reply-template picker, the new request --------------
    def step6(self) -> None:
        """08, 09, 11, 10 in a window over the desk as generated (the bulk close changed the
        first one)."""
        window = self.open_window(self.step6_desk)
        self.checklist_pictures(window)
        self.new_request_picture(window)
        self.template_picture(window)
        window.close()
        window.deleteLater()
        self.settle(100)

    def show_ticket(self, window: Any, tid: int) -> None:
        """A ticket made just now: the queue is queried again and, as after the application's
        own commands, the filter counts are read again (a saved-filter list refilled after the
        window's first count shows none); then it is selected."""
        self.after(window.queueLoaded, lambda: window.run_query(window.query), "the queue")
        self.after(window.countsShown, lambda: window.after_commands({tid}), "the filter counts")
        self.select(window, [tid])

    def checklist_pictures(self, window: Any) -> None:
        """An outage (000) of an «Важный» client registered by the ОПП operator at the desk,
        taken and resolved by a ТО engineer (C-03); the operator opens «Закрытие заявки»."""
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QAction
        from PySide6.QtWidgets import QScrollArea

        from opdesk import services
        from opdesk.regulations.snapshot import Actor

        operator = window.actor()
        login, name = self.plan.engineer
        dep = window.pack.departments.find(ENGINEER_DEPARTMENT)
        engineer = Actor(login, "operator", dep.name if dep is not None else "ТО")

        def work(desk: Any) -> tuple[Any, ...]:
            cid = services.add_client(
                desk, "ООО «Северный терминал»", category="Важный", mobile="+79161234567",
                city="Москва",
            )  # fmt: skip
            made = services.create_ticket(
                desk, operator, process="outage", subject="Нет связи на узле УС-12", client_id=cid
            )
            if not made.ok or made.created_id is None:
                return made, None, None
            tid = made.created_id
            taken = services.take(desk, engineer, tid)
            return made, taken, services.transition(desk, engineer, tid, "resolve")

        made, taken, resolved = self.on_writer(window, work, "the outage ticket")
        for step in (made, taken, resolved):
            if step is None or not step.ok:
                raise RuntimeError(f"screenshots: the outage ticket: {step and step.message()}")
        self.show_ticket(window, made.created_id)
        panel = window.checklist
        action = window.findChild(QAction, "action_closing")
        (view,) = self.after(panel.evaluated, action.trigger, "the closing checklist")
        self.until(panel.isVisible, "the closing checklist dock")
        self.rows_painted(window)
        missing = sorted(k for k, v in panel.states().items() if v == "missing")
        if view.can_close or not missing or panel.close_button.isEnabled():
            raise RuntimeError(f"screenshots: the checklist has nothing missing ({missing})")
        say(f"checklist {view.number}: missing {', '.join(missing)}")
        self.save("08-checklist-missing.png", window.grab())
        # the report and the confirmation, as the operator fills them on the phone: set and
        # signalled (QTest's key clicks abort on Cyrillic), each change judged live
        panel.cause.setPlainText("Обрыв кабеля на участке УС-12")
        panel.actions_done.setPlainText("Замена патч-корда, проверка линии")
        for i in range(panel.performers.count()):
            if panel.performers.item(i).text() == name:
                panel.performers.item(i).setCheckState(Qt.CheckState.Checked)
        panel.completed_set.setChecked(True)
        panel.time_spent.setValue(90)
        for box in (panel.handed, panel.permanent, panel.needs_closing, panel.checked):
            box.setChecked(True)
        panel.recorded_by.setCurrentIndex(max(0, panel.recorded_by.findData("ОЭ")))
        if not panel.confirm.isHidden():
            panel.confirm.setChecked(True)
            panel.confirm_by.setText("Петров П. П.")
        self.until(
            lambda: (
                panel.close_button.isEnabled()
                and panel.view is not None
                and panel.view.can_close
                and "missing" not in panel.states().values()
            ),
            "every checklist item satisfied",
        )
        # 08 showed the top of the form; here the lower part, down to the filled confirmation
        # (the footer says every item is satisfied, «Закрыть» is enabled)
        scroll = panel.findChild(QScrollArea)
        if scroll is not None and not panel.confirm.isHidden():
            scroll.ensureWidgetVisible(panel.confirm, 0, 8)
        self.settle()
        self.save("09-checklist-filled.png", window.grab())
        panel.hide()  # «Закрыть» is not pressed: nothing is written
        self.settle()

    def new_request_picture(self, window: Any) -> None:
        """Ctrl+N, the caller's phone typed (set and signalled as the field's edit), a question
        classified: the client, their tickets and the live plan (S-02)."""
        from PySide6.QtGui import QAction

        action = window.findChild(QAction, "action_new_request")
        action.trigger()
        dialog = window.new_request.dialog
        self.exposed(dialog, "the new request dialog")
        phone = self.plan.caller

        def typed() -> None:
            dialog.phone.setText(phone)
            dialog.phone.textEdited.emit(phone)

        (match,) = self.after(dialog.clientShown, typed, "the caller's client")
        if match is None:
            raise RuntimeError(f"screenshots: no client found for the phone {phone}")
        theme, type_, subtheme, compensation = CALL
        for box, value in (
            (dialog.theme, theme), (dialog.type, type_), (dialog.subtheme, subtheme),
            (dialog.compensation, compensation),
        ):  # fmt: skip
            index = box.findData(value)
            if index < 0:
                raise RuntimeError(f"screenshots: {value!r} is not offered by {box.objectName()}")
            box.setCurrentIndex(index)
        if not dialog.plan_line.text():
            raise RuntimeError("screenshots: the new request shows no plan")
        say(f"new request: {dialog.plan_line.text()}")
        self.settle(400)
        self.save("11-new-request.png", self.screen_area(dialog))
        dialog.close()
        self.settle(100)

    def template_picker_ticket(self, window: Any) -> int:
        """A help-desk e-mail ticket taken by the operator, with an outgoing request to the
        technical department an hour before the picture's moment (U-06)."""
        from opdesk import services

        actor = window.actor()

        def work(desk: Any) -> Any:
            made = services.create_ticket(
                desk, actor, channel="email", subject="Не приходят письма на корпоративную почту"
            )
            if not made.ok or made.created_id is None:
                return made
            for step in (
                services.take(desk, actor, made.created_id),
                services.send_outgoing(desk, actor, made.created_id, "tech"),
            ):
                if not step.ok:
                    return step
            return made

        made = self.on_writer(window, work, "the ticket of the template picker")
        if not made.ok or made.created_id is None:
            raise RuntimeError(f"screenshots: the ticket of the template picker: {made.message()}")
        return int(made.created_id)

    def template_picture(self, window: Any) -> None:
        """Ctrl+R on a Friday evening (the window's fixed clock): the weekend interim reply."""
        from PySide6.QtGui import QAction

        clock = window.clock
        clock.set(FRIDAY_EVENING - dt.timedelta(hours=1))
        tid = self.template_picker_ticket(window)
        clock.set(FRIDAY_EVENING)
        self.show_ticket(window, tid)
        picker = window.template_picker
        action = window.findChild(QAction, "action_reply_template")
        (choice,) = self.after(picker.choiceShown, action.trigger, "the reply template")
        self.exposed(picker, "the template picker")
        if not picker.reason.text():
            raise RuntimeError("screenshots: the template picker shows no reason")
        say(f"template picker {choice.number}: {choice.chosen_id}")
        self.settle(400)
        self.save("10-template-picker.png", self.screen_area(picker))
        picker.close()
        self.settle(100)
        clock.set(NOW)

    def english(self, mine: int) -> None:
        if not self.language("en"):
            self.notes.append("04-english.png skipped: the English translator is not available")
            return
        window = self.open_window(self.english_desk, "en")
        self.apply_filter(window, mine)
        self.select(window, [self.plan.ticket])
        self.save("04-english.png", window.grab())
        window.close()

    def run(self) -> int:
        say(f"platform {self.app.platformName()}, operator {self.plan.login}, "
            f"ticket id {self.plan.ticket}")  # fmt: skip
        if self.app.platformName() != "xcb":
            raise RuntimeError(f"screenshots: platform {self.app.platformName()}, not xcb")
        for name in (*PICTURES, *SHARED_PICTURES):
            (self.out / name).unlink(missing_ok=True)  # no stale picture from an earlier run
        self.language("ru")
        mine = self.russian()
        self.step6()
        self.english(mine)
        self.language("ru")  # the shared desk in Russian, the interface's own language
        if self.server is None:
            self.notes.append("the shared desk's pictures (12–16) skipped: no live server")
        else:
            SharedShots(self, self.server).run()
        for note in self.notes:
            say(f"NOTE: {note}")
        say(f"{len(self.saved)} pictures: {', '.join(self.saved)}")
        return 0


# -- the child: the shared desk ----------------------------------------------------------------
class Neighbour:
    """The other workstation of the shared desk: the sync engine on a SQLite file of its own,
    without a window, as the window's runner drives it (log in, commands, sync)."""

    def __init__(self, path: Path, url: str) -> None:
        from opdesk.clock import SystemClock
        from opdesk.regulations.pack import load_default_pack
        from opdesk.regulations.snapshot import Actor
        from opdesk.services.desk import Desk
        from opdesk.store.database import open_local
        from opdesk.sync import state
        from opdesk.sync.engine import SyncEngine
        from opdesk.sync.transport import HttpServer

        pack = load_default_pack()
        self.db = open_local(path)
        self.http = HttpServer(url)
        self.http.login(NEIGHBOUR[0], SHARED_PASSWORD, state.client_id(self.db), training=False)
        self.engine = SyncEngine(self.db, self.http, pack, SystemClock(), check=False)
        self.desk = Desk(self.db, pack, SystemClock(), provisional_numbers=True)
        self.actor = Actor(NEIGHBOUR[0], "operator", "")
        self.sync()

    def sync(self) -> None:
        report = self.engine.sync_once()
        if report.error is not None:
            raise RuntimeError(f"screenshots: the other workstation's sync: {report.error}")

    def create(self, client: int, category: str, priority: str, subject: str) -> Any:
        """A CSN ticket (004: the category picks its SLA plan) of one of the desk's clients
        (pulled from the server); its uuid."""
        from sqlalchemy import select

        from opdesk import services
        from opdesk.models import Client, Ticket

        name, _category, _city, phone = SHARED_CLIENTS[client]
        with self.db.transaction() as s:
            client_id = s.scalars(select(Client.id).where(Client.name == name)).one()
        made = services.create_ticket(
            self.desk, self.actor, category=category, priority=priority, subject=subject,
            process="csn", client_id=client_id, contact_phone=phone,
        )  # fmt: skip
        if not made.ok or made.created_id is None:
            raise RuntimeError(f"screenshots: the shared desk's ticket: {made.message()}")
        with self.db.transaction() as s:
            ticket = s.get(Ticket, made.created_id)
            assert ticket is not None
            return ticket.uuid

    def set_subject(self, key: Any, subject: str) -> None:
        from sqlalchemy import select

        from opdesk import services
        from opdesk.models import Ticket

        with self.db.transaction() as s:
            tid = s.scalars(select(Ticket.id).where(Ticket.uuid == key)).one()
        done = services.set_fields(self.desk, self.actor, tid, subject=subject)
        if not done.ok:
            raise RuntimeError(f"screenshots: the other workstation's edit: {done.message()}")

    def take(self, key: Any) -> None:
        from sqlalchemy import select

        from opdesk import services
        from opdesk.models import Ticket

        with self.db.transaction() as s:
            tid = s.scalars(select(Ticket.id).where(Ticket.uuid == key)).one()
        taken = services.take(self.desk, self.actor, tid)
        if not taken.ok:
            raise RuntimeError(f"screenshots: the other workstation's take: {taken.message()}")

    def close(self) -> None:
        self.http.close()
        self.db.close()


class SharedShots:
    """12–16: a workstation window of the shared desk (see the module docstring)."""

    def __init__(self, shooter: Shooter, url: str) -> None:
        self.shot, self.url = shooter, url
        self.path = shooter.desk.with_name("shared-workstation.sqlite3")
        self.syncs: list[Any] = []

    def run(self) -> None:
        neighbour = Neighbour(self.shot.desk.with_name("shared-neighbour.sqlite3"), self.url)
        window = None
        try:
            keys = [neighbour.create(*ticket) for ticket in SHARED_TICKETS]
            for key in keys[1::3]:
                neighbour.take(key)  # the other operator is already at work on some
            neighbour.sync()
            window = self.open_window()
            self.login_picture(window)
            self.online_picture(window, keys[0])
            self.refused_pictures(window, neighbour)
            self.import_picture(window)
            self.merge_picture(window, neighbour, keys[0])
        finally:
            if window is not None:
                window.close()
                window.deleteLater()
                self.shot.settle(100)
            neighbour.close()

    # -- the window and its syncs ---------------------------------------------------------------
    def open_window(self) -> Any:
        """The window on an empty file with the server in its settings: the workstation's
        first start. The token store is memory only (the operator's keyring is never used)."""
        from opdesk import settings
        from opdesk.clock import SystemClock
        from opdesk.regulations.pack import load_default_pack
        from opdesk.sync.credentials import TokenStore
        from opdesk.ui.main_window import MainWindow

        prefs = settings.Settings(person=OPERATOR[0], server=self.url)
        window = MainWindow(load_default_pack(), SystemClock(), prefs, tokens=TokenStore())
        window.resize(*self.shot.size)
        window.move(0, 0)
        window.show()
        window.shared.synced.connect(self.syncs.append)
        self.shot.after(window.database_opened, lambda: window.open_database(self.path),
                        "the workstation's database")  # fmt: skip
        self.shot.until(lambda: window.windowHandle().isExposed(), "the window on the X server")
        return window

    def synced(self, window: Any, trigger: Any, wanted: Any, what: str) -> Any:
        """Do `trigger()` and wait for a sync of the window whose report is `wanted`."""
        mark = len(self.syncs)
        trigger()

        def seen() -> bool:
            return any(wanted(s.report) for s in self.syncs[mark:])

        self.shot.until(seen, what)
        return next(s for s in self.syncs[mark:] if wanted(s.report))

    def login_dialog(self, window: Any) -> Any:
        """File → «Войти на сервер…» (the same dialog the first start opens by itself)."""
        shared = window.shared
        self.shot.until(lambda: shared.runner is not None and shared.tokens is not None,
                        "the workstation's sync runner")  # fmt: skip
        if shared.login_dialog is None or not shared.login_dialog.isVisible():
            shared.login_action.trigger()
        dialog = shared.login_dialog
        self.shot.exposed(dialog, "the login dialog")
        dialog.password.setText(SHARED_PASSWORD)  # typed by the operator, shown as dots
        return dialog

    def log_in(self, window: Any, dialog: Any, wanted: Any, what: str) -> Any:
        return self.synced(window, dialog.submit, wanted, what)

    # -- the pictures ---------------------------------------------------------------------------
    def login_picture(self, window: Any) -> None:
        dialog = self.login_dialog(window)
        self.shot.settle(400)
        self.shot.save("12-login-dialog.png", self.shot.screen_area(window))
        first = self.log_in(window, dialog, lambda r: r.error is None and r.pulled > 0,
                            "the first sync after the login")  # fmt: skip
        say(f"shared desk: first sync pulled {first.report.pulled} rows")
        self.shot.until(lambda: window.person is not None and window.person.login == OPERATOR[0],
                        "the operator at the workstation")  # fmt: skip

    def online_picture(self, window: Any, key: Any) -> None:
        from opdesk.ui.sync_status import ONLINE

        status = window.sync_label
        self.shot.until(lambda: status.state == ONLINE and not status.busy, "«В сети»")
        total = sum(window.inner.sizes())  # the queue wide enough for its subjects, as in 01
        window.inner.setSizes([total - SHARED_DETAIL_WIDTH, SHARED_DETAIL_WIDTH])
        self.select(window, key)
        say(f"shared desk online: {status.text()}")
        self.shot.save("13-shared-desk-online.png", window.grab())

    def select(self, window: Any, key: Any) -> int:
        """The ticket `key` (a uuid) current in the queue, its card shown."""
        from sqlalchemy import select

        from opdesk.models import Ticket

        def local_id() -> int | None:
            with window.desk.db.transaction() as s:
                found = s.scalars(select(Ticket.id).where(Ticket.uuid == key)).first()
                return int(found) if found is not None else None

        def listed() -> bool:
            """In the queue, and no queue list on its way (a sync's or a new person's reload
            would take the selection away again)."""
            tid = local_id()
            model = window.model
            idle = window._full_seq == window._query_seq
            return tid is not None and model is not None and model.row_of(tid) >= 0 and idle

        for _attempt in range(3):
            self.shot.until(listed, "the shared ticket in the queue")
            tid = local_id()
            assert tid is not None
            try:
                self.shot.select(window, [tid])
            except RuntimeError:  # a reload came between: select again once it is listed
                self.shot.settle(200)
                continue
            return tid
        raise RuntimeError("screenshots: the shared ticket's card did not stay shown")

    def refused_pictures(self, window: Any, neighbour: Neighbour) -> None:
        """Both operators take the same new ticket; the other workstation's op reaches the
        server first (this one is logged out meanwhile, its op waits), so this one's «Взять в
        работу» is refused at its next sync, undone, and told."""
        key = neighbour.create(*CONTESTED)
        self.synced(window, neighbour.sync, lambda r: r.pulled > 0, "the contested ticket")
        tid = self.select(window, key)
        window.shared.logout_action.trigger()
        actions = window.actions_
        actions.last_results = []
        actions.actions["take"].trigger()
        self.shot.until(lambda: bool(actions.last_results), "«Взять в работу» here")
        if not actions.last_results[0][1].ok:
            raise RuntimeError(f"screenshots: take: {actions.last_results[0][1].message()}")
        self.shot.until(lambda: window.sync_label.waiting == 1, "the op waiting to be sent")
        neighbour.take(key)
        neighbour.sync()  # first come on the server
        dialog = self.login_dialog(window)
        refused = self.log_in(window, dialog, lambda r: bool(r.refused), "the refused op")
        say(f"shared desk: refused {[op.name for op in refused.report.refused]}")
        self.shot.until(
            lambda: (
                window.current is not None
                and window.current.detail.id == tid
                and window.current.detail.owner_login == NEIGHBOUR[0]
            ),
            "the card with the ticket's real owner",
        )
        self.shot.rows_painted(window)
        self.shot.settle(400)
        say(f"refused take: {window.statusBar().currentMessage()}")
        self.shot.save("14-refused-take.png", window.grab())
        self.status_picture(window)

    def status_picture(self, window: Any) -> None:
        """File → «Состояние синхронизации…», through the menu as the operator opens it."""
        action = self.menu_item(window, "Состояние синхронизации…")
        action.trigger()
        panel = window.sync_label.panel
        self.shot.exposed(panel, "the sync status dialog")
        self.shot.settle(400)
        self.shot.save("15-sync-status.png", self.shot.screen_area(panel))
        panel.hide()
        self.shot.settle(100)

    def menu_item(self, window: Any, text: str) -> Any:
        for top in window.menuBar().actions():
            menu = top.menu()
            for item in menu.actions() if menu is not None else ():
                if item.text().replace("&", "") == text:
                    return item
        raise RuntimeError(f"screenshots: «{text}» is not in the window's menus")

    def merge_picture(self, window: Any, neighbour: Neighbour, key: Any) -> None:
        """Both operators rewrite the subject of one ticket while this one is offline (logged
        out); the other's edit reaches the server first, so at this one's next sync the
        server keeps its text and records this one's on the card, where «Объединить…» opens
        the two side by side."""
        from opdesk import services

        tid = self.select(window, key)
        window.shared.logout_action.trigger()
        actor = window.actor()
        mine = "Не открывается личный кабинет: ошибка 502 после входа по SMS"
        done = self.shot.on_writer(
            window, lambda desk: services.set_fields(desk, actor, tid, subject=mine),
            "the subject edited here",
        )  # fmt: skip
        if not done.ok:
            raise RuntimeError(f"screenshots: the edit here: {done.message()}")
        neighbour.sync()
        neighbour.set_subject(key, "Личный кабинет: ошибка 502 у клиента с 10:40")
        neighbour.sync()  # first come on the server
        dialog = self.login_dialog(window)
        got = self.log_in(window, dialog, lambda r: bool(r.conflicted), "the conflicted op")
        say(f"shared desk: conflicted {[op.name for op in got.report.conflicted]}")
        self.shot.until(
            lambda: window.current is not None and window.current.detail.id == tid
            and any(c.open for c in window.current.conflicts),
            "the card with the conflict",
        )  # fmt: skip
        box = window.detail.conflicts
        window.detail.ensureWidgetVisible(box)
        box.merge_buttons[0].click()
        merge = window.merge_dialog
        self.shot.exposed(merge, "the merge dialog")
        merge.result.setPlainText(
            "Личный кабинет: ошибка 502 после входа по SMS (у клиента с 10:40)"
        )
        self.shot.settle(400)
        self.shot.save("17-text-conflict-merge.png", self.shot.screen_area(window))
        merge.reject()
        self.shot.settle(100)

    def import_picture(self, window: Any) -> None:
        """«Импорт заявок…» of a real export (of the demo desk) on this workstation: refused
        before anything is written. The file dialog is answered here without showing it."""
        from PySide6.QtWidgets import QFileDialog

        from opdesk.store.database import open_local
        from opdesk.transfer import export_file

        file = self.path.with_name("tickets-from-another-desk.jsonl")
        db = open_local(self.shot.desk)
        try:
            export_file(db, file, "jsonl", NOW, '{"text": "интернет"}')
        finally:
            db.close()
        jobs = window.data_jobs
        original = QFileDialog.getOpenFileName
        QFileDialog.getOpenFileName = staticmethod(  # type: ignore[method-assign]
            lambda *_a, **_k: (str(file), "")
        )
        try:
            self.menu_item(window, "Импорт заявок…").trigger()
        finally:
            QFileDialog.getOpenFileName = original  # type: ignore[method-assign]
        job = jobs.job
        self.shot.until(lambda: job is not None and job.outcome is not None, "the import's end")
        notice = jobs.notice
        if notice is None:
            raise RuntimeError(f"screenshots: the import was not refused ({job.outcome})")
        self.shot.exposed(notice, "the import's refusal")
        self.shot.settle(400)
        say(f"import refused: {notice.text()[:120]}…")
        self.shot.save("16-import-refused.png", self.shot.screen_area(window))
        notice.accept()
        self.shot.settle(100)


def render(args: argparse.Namespace) -> int:
    shooter = Shooter(args.out, args.desk, args.size, args.server)
    return shooter.run()


def size(text: str) -> tuple[int, int]:
    width, _, height = text.partition("x")
    return int(width), int(height)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "screenshots", help="the pictures' folder")
    ap.add_argument("--tickets", type=int, default=5000, help="size of a generated demo desk")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--demo", type=Path, help="reuse this demo desk (generated there if missing)")
    ap.add_argument("--xvfb", action="store_true", help="start Xvfb even if DISPLAY is set")
    ap.add_argument("--size", type=size, default=SIZE, help="the window, WIDTHxHEIGHT")
    ap.add_argument(
        "--no-shared",
        dest="shared",
        action="store_false",
        help="skip the shared desk's pictures (no PostgreSQL, no server)",
    )
    ap.add_argument("--render", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--server", help=argparse.SUPPRESS)  # the live server's URL, for --render
    ap.add_argument("--desk", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.render:
        return render(args)
    return orchestrate(args)


if __name__ == "__main__":
    sys.exit(main())
