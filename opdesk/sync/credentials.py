"""Where a workstation keeps its session token: the OS keyring, or nowhere but memory.

Why never a file: a token is the person's signature on every op the server applies; a token
in a settings or cache file can be copied with the file. The OS keyring (Secret Service,
macOS Keychain, Windows Credential Locker) keeps it encrypted under the person's login; where
no keyring exists (a bare X session, a kiosk), the token lives only as long as the process and
the operator logs in again at the next start. Passwords are never kept at all.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError

SERVICE = "OpDesk"
log = logging.getLogger(__name__)


def _usable(backend: KeyringBackend) -> bool:
    """A backend that really stores secrets (not the `fail` or `null` placeholders keyring
    falls back to when the system has none)."""
    name = type(backend).__module__ + "." + type(backend).__name__
    if "fail" in name.lower() or "null" in name.lower():
        return False
    try:
        return float(backend.priority) > 0
    except Exception:
        return False


@dataclass
class TokenStore:
    """Tokens by (server address, login): in the keyring when there is one, else in memory.

    `persistent` says which, so the window can tell the operator that a restart will ask for
    the password again."""

    backend: KeyringBackend | None = None
    _memory: dict[str, str] = field(default_factory=dict)

    @classmethod
    def system(cls) -> TokenStore:
        backend = keyring.get_keyring()
        return cls(backend if _usable(backend) else None)

    @property
    def persistent(self) -> bool:
        return self.backend is not None

    @staticmethod
    def _key(server: str, login: str) -> str:
        return f"{login}@{server}"

    def get(self, server: str, login: str) -> str | None:
        key = self._key(server, login)
        if self.backend is not None:
            try:
                return self.backend.get_password(SERVICE, key)
            except KeyringError as exc:  # a locked or broken keyring: memory only, and say so
                log.warning("keyring unavailable (%s); the token is kept in memory", type(exc))
                self.backend = None
        return self._memory.get(key)

    def put(self, server: str, login: str, token: str) -> None:
        key = self._key(server, login)
        if self.backend is not None:
            try:
                self.backend.set_password(SERVICE, key, token)
                return
            except KeyringError as exc:
                log.warning("keyring unavailable (%s); the token is kept in memory", type(exc))
                self.backend = None
        self._memory[key] = token

    def forget(self, server: str, login: str) -> None:
        key = self._key(server, login)
        self._memory.pop(key, None)
        if self.backend is not None:
            with contextlib.suppress(KeyringError):  # nothing stored, or the keyring is gone
                self.backend.delete_password(SERVICE, key)
