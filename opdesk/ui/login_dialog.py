"""«Войти на сервер»: the server's address, the person's login and password.

The login runs on a worker thread (it is a network call, and the server hashes the password
with Argon2id on purpose slowly); the dialog stays responsive and says «Вхожу…». A refusal —
a wrong password, a lockout after too many, a training database against a production server
— is shown in the operator's language in the server's own words, since the server knows
why (the lockout's end, which flag differs) and the workstation must not guess.

What is kept: the token, in the OS keyring where there is one, else in memory for this
session only — and the dialog says so before the operator logs in. The password is never
kept: it goes to the worker for the one request and the field is emptied.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from opdesk.store.database import Database
from opdesk.sync import outbox, state
from opdesk.sync.contract import Login, SyncError
from opdesk.sync.credentials import TokenStore
from opdesk.sync.transport import HttpServer
from opdesk.ui.i18n import pick
from opdesk.ui.server_calls import off_gui, server_url


@dataclass(frozen=True)
class Session:
    """A successful login: where (as typed and as a URL), who, and whether the token was
    kept in the keyring (False: for this session only)."""

    address: str
    url: str
    login: Login
    persistent: bool


def log_in(db: Database, tokens: TokenStore, address: str, login: str, password: str) -> Session:
    """The worker's part: this database's client id and training flag, the login, the token
    into the store. Raises SyncError with the server's words."""
    url = server_url(address)
    with db.transaction() as s:
        refused = outbox.others_waiting_error(s, login)
    if refused is not None:
        raise refused
    status = state.load(db)
    http = HttpServer(url)
    try:
        answer = http.login(login, password, status.client_id, status.training)
    finally:
        http.close()
    tokens.put(url, answer.login, answer.token)
    return Session(address, url, answer, tokens.persistent)


class LoginDialog(QDialog):
    loggedIn = Signal(object)  # Session

    def __init__(
        self,
        address: str,
        login: str,
        db: Database,
        tokens: TokenStore,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.tokens = db, tokens
        self.session: Session | None = None
        self._attempt = 0
        self.setObjectName("loginDialog")
        self.setWindowTitle(self.tr("Вход на сервер"))
        self.resize(460, 240)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.server = QLineEdit(address, self)
        self.server.setObjectName("loginServer")
        self.server.setPlaceholderText(self.tr("например, desk.example.ru:8443"))
        form.addRow(self.tr("Сервер"), self.server)
        self.login = QLineEdit(login, self)
        self.login.setObjectName("loginName")
        form.addRow(self.tr("Логин"), self.login)
        self.password = QLineEdit(self)
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Пароль"), self.password)
        self.message = QLabel("", self)
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.note = QLabel(
            self.tr("На этом компьютере нет хранилища ключей (keyring): вход будет действовать "
                    "только до закрытия OpDesk, потом понадобится пароль."), self)  # fmt: skip
        self.note.setObjectName("loginNote")
        self.note.setWordWrap(True)
        self.note.setVisible(not tokens.persistent)
        layout.addWidget(self.note)
        layout.addStretch(1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Войти"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        (self.password if address and login else self.server).setFocus()

    def submit(self) -> None:
        """Log in on a worker; the answer comes back to `_answered` on the GUI thread."""
        address, login = self.server.text().strip(), self.login.text().strip()
        password = self.password.text()
        if not address or not login or not password:
            self._say(self.tr("Укажите сервер, логин и пароль."), error=True)
            return
        self.password.clear()  # the password lives only in the worker's one request
        self._attempt += 1
        attempt = self._attempt
        self._busy(True)
        self._say(self.tr("Вхожу на сервер {server}…").format(server=address))
        db, tokens = self.db, self.tokens
        off_gui(
            self,
            lambda: log_in(db, tokens, address, login, password),
            lambda answer: self._answered(attempt, answer),
        )

    def _answered(self, attempt: int, answer: object) -> None:
        if attempt != self._attempt or not self.isVisible():
            return  # cancelled meanwhile: the session on the server simply expires
        self._busy(False)
        if isinstance(answer, Session):
            self.session = answer
            self.loggedIn.emit(answer)
            self.accept()
            return
        if isinstance(answer, SyncError):
            why = pick(answer.message_ru, answer.message_en)
        else:
            why = f"{type(answer).__name__}: {answer}"
        self._say(self.tr("Вход не выполнен: {why}").format(why=why), error=True)
        self.password.setFocus()

    def _busy(self, busy: bool) -> None:
        for widget in (self.server, self.login, self.password):
            widget.setEnabled(not busy)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not busy)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #c62828;" if error else "")
