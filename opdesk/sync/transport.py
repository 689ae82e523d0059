"""`opdesk server`'s HTTP contract from the workstation's side (httpx, blocking).

Every failure becomes one `SyncError`: the server's own refusal (`{"error": {"code",
"message_ru", "message_en"}}`) keeps its code and words; a network cut, a timeout or a
502/503/504 is `offline` (nothing is lost, the next sync tries again); anything that is not
the contract is `bad_response`. Timeouts are finite everywhere, so a dead server can hold a
sync for at most a few tens of seconds — and only ever on the worker that runs it.

The token lives in this object's memory only (the window keeps it in the OS keyring); no
method logs a body, a password or a token.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from opdesk.store import wire
from opdesk.sync.contract import (
    CheckAnswer,
    Identity,
    Login,
    OpAnswer,
    OutgoingOp,
    PullAnswer,
    PushAnswer,
    Reason,
    SyncError,
)

TIMEOUT = httpx.Timeout(connect=5.0, read=60.0, write=30.0, pool=5.0)
# The check hashes every synced row on the server: seconds for a small desk, minutes for a
# million tickets (measured: > 60 s for 6.5 million rows), so its answer may take that long.
CHECK_READ_TIMEOUT = 900.0
WAKE_READ_TIMEOUT = 45.0  # the server pings every 15 s; three missed pings = a dead stream
OFFLINE_STATUS = frozenset({502, 503, 504})


def _bad(what: str) -> SyncError:
    return SyncError(
        "bad_response",
        f"сервер ответил не по протоколу ({what})",
        f"the server's answer does not fit the protocol ({what})",
    )


def _offline(exc: Exception) -> SyncError:
    kind = type(exc).__name__
    return SyncError(
        "offline",
        f"нет связи с сервером ({kind}); изменения сохранены на рабочем месте",
        f"cannot reach the server ({kind}); changes are kept on this workstation",
        offline=True,
    )


def _field(data: Any, name: str, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(data, dict) or name not in data:
        raise _bad(f"no {name!r}")
    value = data[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _bad(f"{name!r} is {type(value).__name__}")
    return value


def _uuid(data: Any, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(_field(data, name, str))
    except ValueError:
        raise _bad(f"{name!r} is not a UUID") from None


def _error(response: httpx.Response) -> SyncError:
    """The server's refusal in its own words, or a plain one if the body is not the contract."""
    retry = response.headers.get("Retry-After", "")
    retry_after = float(retry) if retry.isdigit() else None
    offline = response.status_code in OFFLINE_STATUS
    try:
        error = response.json()["error"]
        code, ru, en = error["code"], error["message_ru"], error["message_en"]
        if not all(isinstance(v, str) for v in (code, ru, en)):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        code = "offline" if offline else "http_error"
        ru = f"сервер ответил {response.status_code}"
        en = f"the server answered {response.status_code}"
    return SyncError(code, ru, en, offline=offline, status=response.status_code,
                     retry_after=retry_after)  # fmt: skip


class HttpServer:
    """A connection to one `opdesk server` (`base_url` like "https://desk.example:8443")."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: httpx.Timeout = TIMEOUT,
        verify: bool | str = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout, verify=verify, transport=transport
        )
        self.token: str | None = None
        self._identity: Identity | None = None

    def close(self) -> None:
        self._client.close()

    # -- requests ------------------------------------------------------------------------
    def _request(self, method: str, path: str, *, auth: bool = True, **kw: Any) -> Any:
        headers = {}
        if auth:
            if self.token is None:
                raise SyncError("not_logged_in", "вход на сервер не выполнен",
                                "not logged in to the server")  # fmt: skip
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = self._client.request(method, path, headers=headers, **kw)
        except httpx.TransportError as exc:
            raise _offline(exc) from exc
        if response.status_code >= 400:
            raise _error(response)
        if response.status_code == 204:
            return None
        try:
            return response.json()
        except ValueError:
            raise _bad("not JSON") from None

    def health(self) -> Identity:
        """The server's id and training flag, asked without a token."""
        data = self._request("GET", "/v1/health", auth=False)
        return Identity(_uuid(data, "server_id"), _field(data, "training", bool))

    def identity(self) -> Identity:
        """The server's identity as of this session's login, else as it answers now."""
        return self._identity or self.health()

    def login(self, login: str, password: str, client_id: uuid.UUID, training: bool) -> Login:
        body = {"login": login, "password": password, "client_id": str(client_id),
                "training": training}  # fmt: skip
        data = self._request("POST", "/v1/login", auth=False, json=body)
        person = _field(data, "person", dict)
        try:
            expires = dt.datetime.fromisoformat(_field(data, "expires_at", str))
        except ValueError:
            raise _bad("'expires_at' is not a moment") from None
        identity = Identity(_uuid(data, "server_id"), _field(data, "training", bool))
        self.token, self._identity = _field(data, "token", str), identity
        return Login(self.token, expires, _field(person, "login", str),
                     _field(person, "name", str), _field(person, "role", str),
                     identity)  # fmt: skip

    def logout(self) -> None:
        """End the session on the server; the token is forgotten here whatever happens."""
        try:
            if self.token is not None:
                self._request("POST", "/v1/logout")
        finally:
            self.token = None

    def push(self, client_id: uuid.UUID, ops: Sequence[OutgoingOp]) -> PushAnswer:
        body = {"client_id": str(client_id), "ops": [op.as_json() for op in ops]}
        data = self._request("POST", "/v1/push", json=body)
        results = []
        for item in _field(data, "results", list):
            reasons = tuple(
                Reason(_field(r, "rule", str), _field(r, "message_ru", str),
                       _field(r, "message_en", str))
                for r in item.get("reasons") or []
            )  # fmt: skip
            made = item.get("tickets") or ([item["ticket"]] if item.get("ticket") else [])
            tickets = tuple((_uuid(t, "uuid"), _field(t, "number", str)) for t in made)
            status = _field(item, "status", str)
            if status not in ("applied", "refused", "duplicate", "conflicted"):
                raise _bad(f"op status {status!r}")
            results.append(OpAnswer(_field(item, "op", int), status, reasons, tickets))
        return PushAnswer(tuple(results), _field(data, "last_op", int))

    def pull(self, cursor: int, limit: int) -> PullAnswer:
        """One batch in the wire's columnar form (opdesk/store/wire.py); its shape is checked
        here, its values where they are converted for storage (opdesk/sync/incoming.py)."""
        data = self._request("GET", "/v1/pull", params={"cursor": cursor, "limit": limit})
        try:
            tables = wire.read_tables(_field(data, "tables", dict))
        except ValueError as exc:
            raise _bad(str(exc)) from None
        tombstones = [(_field(t, "table", str), _field(t, "key", str))
                      for t in _field(data, "tombstones", list)]  # fmt: skip
        return PullAnswer(_uuid(data, "server_id"), _field(data, "cursor", int),
                          _field(data, "more", bool), tables, tombstones)  # fmt: skip

    def check(self) -> CheckAnswer:
        timeout = httpx.Timeout(connect=TIMEOUT.connect, read=CHECK_READ_TIMEOUT,
                                write=TIMEOUT.write, pool=TIMEOUT.pool)  # fmt: skip
        data = self._request("GET", "/v1/check", timeout=timeout)
        tables = {
            name: (_field(figures, "count", int), _field(figures, "hash", str))
            for name, figures in _field(data, "tables", dict).items()
        }
        return CheckAnswer(_uuid(data, "server_id"), _field(data, "cursor", int), tables)

    def wakes(self) -> Iterator[None]:
        """Yield once per `data: wake` of the server's event stream; ends (SyncError,
        offline) when the stream breaks or goes silent — the caller reconnects or polls."""
        if self.token is None:
            raise SyncError("not_logged_in", "вход на сервер не выполнен",
                            "not logged in to the server")  # fmt: skip
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        timeout = httpx.Timeout(connect=TIMEOUT.connect, read=WAKE_READ_TIMEOUT,
                                write=TIMEOUT.write, pool=TIMEOUT.pool)  # fmt: skip
        try:
            with self._client.stream("GET", "/v1/events", headers=headers,
                                     timeout=timeout) as response:  # fmt: skip
                if response.status_code >= 400:
                    response.read()
                    raise _error(response)
                for line in response.iter_lines():
                    if line.strip() == "data: wake":
                        yield None
        except httpx.TransportError as exc:
            raise _offline(exc) from exc
