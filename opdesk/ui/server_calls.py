"""Server calls that must not hold the GUI thread, and what they share: a transport another
thread can cut, a worker whose answer comes back on the GUI thread, the server's address as a
URL and the logout that waits for nobody.

Why a module of its own: the login dialog, the sync runner and the window's shared-desk glue
all call the server, and each must do it off the GUI thread the same way.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import weakref
from collections.abc import Callable
from typing import Any

import httpx
from PySide6.QtCore import QObject, Signal, Slot

from opdesk.sync.contract import SyncError
from opdesk.sync.transport import HttpServer

log = logging.getLogger(__name__)


def server_url(address: str) -> str:
    """The address as the operator typed it («desk.example:8443») as a URL: https unless a
    scheme is given (a token must not cross the network in clear by default)."""
    text = address.strip().rstrip("/")
    if text and "://" not in text:
        text = f"https://{text}"
    return text


class Cuttable(httpx.HTTPTransport):
    """An HTTP transport another thread can cut. Why: closing an httpx client does not wake
    a thread blocked reading from it (the event stream reads for up to 45 s, a request to a
    hung server for up to 60 s); shutting its sockets down does, at once, with a transport
    error — which the transport turns into an offline SyncError."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._streams: weakref.WeakSet[Any] = weakref.WeakSet()
        self._cut = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        stream = response.extensions.get("network_stream")
        with self._lock:
            if stream is not None:
                self._streams.add(stream)
            cut = self._cut
        if cut:
            self.cut()
        return response

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            streams = list(self._streams)
        for stream in streams:
            sock = stream.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class _Bridge(QObject):
    """Carries a worker's answer to the GUI thread (a queued signal), where `done` runs."""

    answered = Signal(object, object)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.answered.connect(self._deliver)

    @Slot(object, object)
    def _deliver(self, done: Callable[[Any], None], value: object) -> None:
        self.deleteLater()  # one answer each
        done(value)


def off_gui(parent: QObject, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
    """Run `work()` on a daemon thread; `done(result or the exception)` runs on the GUI
    thread — unless `parent` is gone by then (a closed dialog hears nothing)."""
    bridge = _Bridge(parent)

    def run() -> None:
        try:
            value: object = work()
        except Exception as exc:  # handed to `done`, which tells the operator
            value = exc
        try:
            bridge.answered.emit(done, value)
        except RuntimeError:  # the parent (and the bridge) was deleted meanwhile
            return

    threading.Thread(target=run, name="opdesk-server-call", daemon=True).start()


def logout_in_background(url: str, token: str) -> None:
    """End the session on the server without holding anyone up (a dead server: it expires)."""

    def run() -> None:
        http = HttpServer(url)
        http.token = token
        try:
            http.logout()
        except SyncError as exc:
            log.info("logout not confirmed by the server: %s", exc.code)
        finally:
            http.close()

    threading.Thread(target=run, name="opdesk-logout", daemon=True).start()
