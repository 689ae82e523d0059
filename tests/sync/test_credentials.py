"""The session token lives in the OS keyring or only in memory — never in a file."""

from __future__ import annotations

import os
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordSetError

from opdesk.sync.credentials import SERVICE, TokenStore

TOKEN = "tok-3f9a1c7e5b2d4a6f8e0c1b3d5f7a9c2e"


class DictKeyring(KeyringBackend):
    """A keyring backend of the keyring API (what Secret Service or Keychain answer to)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


class LockedKeyring(DictKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("the keyring is locked")


def test_a_keyring_keeps_the_token_for_the_next_start() -> None:
    backend = DictKeyring()
    store = TokenStore(backend)
    store.put("https://desk.example:8443", "ivanova", TOKEN)
    assert store.persistent
    assert backend.items == {(SERVICE, "ivanova@https://desk.example:8443"): TOKEN}
    assert TokenStore(backend).get("https://desk.example:8443", "ivanova") == TOKEN  # restart
    store.forget("https://desk.example:8443", "ivanova")
    assert backend.items == {}


def test_without_a_keyring_the_token_is_in_memory_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """keyring's `fail` backend (no Secret Service here) means memory: a new process has no
    token, and no file anywhere under the desk's home holds it."""
    monkeypatch.setenv("OPDESK_HOME", str(tmp_path))
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        store = TokenStore.system()
        assert not store.persistent
        store.put("http://127.0.0.1:8080", "ivanova", TOKEN)
        assert store.get("http://127.0.0.1:8080", "ivanova") == TOKEN
        assert TokenStore.system().get("http://127.0.0.1:8080", "ivanova") is None
    finally:
        keyring.set_keyring(before)
    for folder, _dirs, files in os.walk(tmp_path):
        for name in files:
            assert TOKEN.encode() not in (Path(folder) / name).read_bytes()


def test_a_locked_keyring_falls_back_to_memory() -> None:
    store = TokenStore(LockedKeyring())
    store.put("http://127.0.0.1:8080", "ivanova", TOKEN)
    assert not store.persistent and store.get("http://127.0.0.1:8080", "ivanova") == TOKEN
