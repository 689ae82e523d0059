"""The window's side of the shared desk: the server's items of the File menu, the login,
the sync runner's lifetime and what the window does with each sync.

MainWindow keeps only a few hooks (the menu, the open database, a command done, the settings
changed, closing); the rest lives here so the window stays a composition of parts:

* A configured server (Settings → «Сервер») makes this a workstation of a shared desk: the
  database opens without demo data (a desk's tickets come from its server), new tickets get
  provisional numbers, and a `SyncRunner` syncs in the background with the token kept for
  the person at this workstation. An empty field is a lone desk: no runner, no network.
* The token is looked up (and the keyring opened) off the GUI thread: a keyring may be a
  D-Bus call away, or ask to be unlocked.
* After a sync that changed tickets here, the changed rows, the card and the counts are
  reloaded through the window's own paths, and the queue's list is asked again (a pulled
  ticket may enter or leave the filter). A refused op is told in the status bar and the
  sync panel.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from opdesk import settings
from opdesk.clock import Clock
from opdesk.store.database import open_local
from opdesk.sync.credentials import TokenStore
from opdesk.ui.database_job import Opened, open_desk_database
from opdesk.ui.i18n import pick
from opdesk.ui.login_dialog import LoginDialog, Session
from opdesk.ui.server_calls import logout_in_background, off_gui, server_url
from opdesk.ui.sync_runner import Synced, SyncRunner, waiting_ops
from opdesk.ui.sync_status import SyncStatus

if TYPE_CHECKING:
    from opdesk.ui.main_window import MainWindow

log = logging.getLogger(__name__)
SYNC_NOW = "F9"  # F5 is «Обновить»; F9 is the mail clients' «Send/Receive»


def open_workstation(path: Path, clock: Clock, demo_tickets: int, server: str) -> Opened:
    """The database job of the window's start: a workstation of a shared desk never gets a
    demo desk (its tickets would never reach the server, and the check would sweep them)."""
    if server.strip():
        return Opened(str(path), False, open_local(path))
    return open_desk_database(path, clock, demo_tickets)


class SharedDesk(QObject):
    synced = Signal(object)  # Synced, once the window has taken it in

    def __init__(self, window: MainWindow, status: SyncStatus, tokens: TokenStore | None) -> None:
        super().__init__(window)
        self.window, self.status = window, status
        self.tokens = tokens
        self.runner: SyncRunner | None = None
        self.login_dialog: LoginDialog | None = None
        self.url = ""
        self._generation = 0  # a token looked up for an earlier attach is not used
        self.logout_action: QAction | None = None  # the File menu's, once it is built
        status.syncRequested.connect(self.sync_now)
        status.loginRequested.connect(self.open_login)

    # -- the menu items --------------------------------------------------------------
    def install_menu(self, menu: QMenu) -> None:
        """Into the File menu, beside the settings that name the server."""
        self.login_action = menu.addAction(self.tr("Войти на сервер…"), self.open_login)
        self.login_action.setObjectName("action_login")
        self.sync_action = menu.addAction(self.tr("Синхронизировать сейчас"), self.sync_now)
        self.sync_action.setObjectName("action_sync_now")
        self.sync_action.setShortcut(QKeySequence(SYNC_NOW))
        self.logout_action = menu.addAction(self.tr("Выйти с сервера"), self.log_out)
        self.logout_action.setObjectName("action_logout")
        menu.addAction(self.tr("Состояние синхронизации…"), self.status.show_panel)
        menu.addSeparator()
        self._enable()

    def _enable(self) -> None:
        if self.logout_action is not None:
            self.logout_action.setEnabled(self.runner is not None and self.runner.signed_in)

    # -- the runner's lifetime ---------------------------------------------------------
    def attach(self) -> None:
        """(Re)start for the window's open database and the configured server."""
        self.stop()
        window = self.window
        self._generation += 1
        if not window.prefs.server.strip() or window.desk is None:
            self.url = ""
            self.status.set_local()
            self._enable()
            return
        self.url = server_url(window.prefs.server)
        runner = SyncRunner(window.desk.db, window.pack, window.clock, self.url, self)
        runner.started.connect(lambda: self.status.set_busy(True))
        runner.synced.connect(self._synced)
        runner.crashed.connect(self._crashed)
        self.runner = runner
        self.status.set_signed_out(self.url)
        login, generation, url = window.prefs.person, self._generation, self.url
        off_gui(self, lambda: self._store().get(url, login) if login else None,
                lambda token: self._resumed(generation, token))  # fmt: skip
        self._enable()

    def _store(self) -> TokenStore:
        """The token store, opened on first use off the GUI thread (the keyring may be slow)."""
        if self.tokens is None:
            try:
                self.tokens = TokenStore.system()
            except Exception:  # a broken keyring set-up: this session only, and said so
                log.warning("no usable keyring; the token is kept in memory", exc_info=True)
                self.tokens = TokenStore()
        return self.tokens

    def _resumed(self, generation: int, token: object) -> None:
        """The kept token (the session goes on), or none: the login dialog opens by itself —
        a workstation of a shared desk without a session only waits to send its ops."""
        runner = self.runner
        if generation != self._generation or runner is None or runner.signed_in:
            return
        if isinstance(token, str):
            runner.set_token(token, self.window.prefs.person)  # kept for this person
            self.status.set_signed_in(self.url)
            self._enable()
        else:
            self.open_login()

    def stop(self) -> None:
        if self.runner is not None:
            self.runner.stop()
            self.runner.deleteLater()
            self.runner = None

    def settings_changed(self) -> None:
        """Settings → «Сервер» changed: applies at once (a lone desk becomes a workstation of
        a shared desk, or the reverse; numbers already given stay as they are)."""
        if self.window.desk is not None:
            self.window.desk.provisional_numbers = bool(self.window.prefs.server.strip())
        self.attach()

    def local_change(self) -> None:
        if self.runner is not None:
            self.runner.local_change()
            self._count_waiting()

    def _count_waiting(self) -> None:
        """The outbox count on the reader at once: the sync may be stuck on a slow server."""
        reader = self.window.reader
        if reader is not None:
            reader.submit(lambda desk: waiting_ops(desk.db), self.status.set_waiting, key="outbox")

    # -- logging in and out ------------------------------------------------------------
    def open_login(self) -> None:
        if self.window.desk is None:
            return
        if self.login_dialog is not None and self.login_dialog.isVisible():
            self.login_dialog.raise_()  # asked again (the menu, the panel): the same one
            return
        if self.tokens is None:  # open the keyring first, off the GUI thread
            off_gui(self, self._store, lambda _store: self.open_login())
            return
        prefs = self.window.prefs
        dialog = LoginDialog(prefs.server, prefs.person, self.window.desk.db, self.tokens,
                             self.window)  # fmt: skip
        dialog.loggedIn.connect(self._logged_in)
        self.login_dialog = dialog
        dialog.open()

    def _logged_in(self, session: Session) -> None:
        window = self.window
        before = window.prefs
        window.prefs = dataclasses.replace(before, server=session.address,
                                           person=session.login.login)  # fmt: skip
        settings.save(window.prefs)
        if server_url(before.server) != session.url or self.runner is None:
            self.settings_changed()
        assert self.runner is not None
        self.runner.set_token(session.login.token, session.login.login)
        self.status.set_signed_in(self.url)
        self._enable()
        text = self.tr("Вход выполнен: {name}").format(name=session.login.name)
        if not session.persistent:
            text += " " + self.tr("(вход действует до закрытия OpDesk: нет хранилища ключей)")
        window.statusBar().showMessage(text, 15000)
        if before.person != session.login.login:
            window.reload_directory()

    def log_out(self) -> None:
        runner = self.runner
        if runner is None or runner.http.token is None:
            return
        token, login = runner.http.token, self.window.prefs.person
        runner.set_token(None)
        store, url = self.tokens, self.url
        if store is not None:
            off_gui(self, lambda: store.forget(url, login), lambda _r: None)
        logout_in_background(url, token)
        self.status.set_signed_out(url)
        self._enable()
        self.window.statusBar().showMessage(self.tr("Вы вышли с сервера; изменения копятся на "
                                                    "рабочем месте"), 10000)  # fmt: skip

    def sync_now(self) -> None:
        if self.runner is None:
            self.window.statusBar().showMessage(
                self.tr("Сервер не задан: Файл → Настройки → «Сервер»"), 8000
            )
        elif not self.runner.signed_in:
            self.open_login()
        else:
            self.runner.request(check=True)

    # -- what a sync brings ------------------------------------------------------------
    def _synced(self, synced: Synced) -> None:
        window, report = self.window, synced.report
        added = self.status.show_synced(synced, window.prefs.person)
        error = report.error
        if error is not None and error.needs_login and self.runner is not None:
            self.runner.set_token(None)
            store, url, login = self.tokens, self.url, window.prefs.person
            if store is not None:
                off_gui(self, lambda: store.forget(url, login), lambda _r: None)
            self.status.set_signed_out(url, pick(error.message_ru, error.message_en))
            self._enable()
        if window.model is not None and (synced.changed or report.pulled or report.refused):
            changed = set(synced.changed)
            if report.many and window.current is not None:  # too many to list: the card too
                changed.add(window.current.detail.id)
            window.after_commands(changed, local=False)
            window.run_query(window.query)
            if window.person is None or window.person.login != window.prefs.person:
                window.reload_directory()  # the person at this desk may just have arrived
        if added:
            last = added[-1]
            window.statusBar().showMessage(
                self.tr("Сервер отклонил «{action}» ({tickets}): {reason}").format(
                    action=last.action, tickets=last.tickets, reason=last.headline or last.reason
                ),
                30000,
            )
        self.synced.emit(synced)

    def _crashed(self, message: str) -> None:
        self.status.set_busy(False)
        self.window.statusBar().showMessage(
            self.tr("Синхронизация не выполнена: {message}").format(message=message), 15000
        )
