"""Waking workstations: PostgreSQL LISTEN/NOTIFY in, server-sent events out.

A push sends `NOTIFY opdesk_changes` inside its transaction, so PostgreSQL delivers it only
when the batch commits, to every server process that listens — whichever process served the
push. Each process keeps ONE listening connection (opened when the first workstation
subscribes) and fans a notification out to its subscribers; a wake carries no data, it only
says "pull now", so wakes that pile up while a workstation is busy collapse into one.

Nothing here is state that matters: a lost wake costs one polling interval (polling stays the
fallback), a dropped listening connection is opened again and wakes everyone once (something
may have committed meanwhile), and a restarted process starts with no subscribers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import psycopg
from sqlalchemy.engine import URL

from opdesk.server.push import NOTIFY_CHANNEL

log = logging.getLogger("opdesk.server.wake")

PING_SECONDS = 15.0
LISTEN_WAIT = 5.0  # seconds a new stream waits for the LISTEN connection
RECONNECT_MAX = 30.0

Wake = asyncio.Queue[None]


def libpq_url(url: URL) -> str:
    """The database URL in the form psycopg itself accepts (no SQLAlchemy driver name)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Waker:
    """One LISTEN connection per process and the queues of the streams it wakes."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._subscribers: set[Wake] = set()
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Wake]:
        """A queue that gets an item after each committed push (at most one waiting).

        Entered once the process LISTENs (or after LISTEN_WAIT if the database is away), so
        a stream that has said "connected" misses no push committed after that."""
        queue: Wake = asyncio.Queue(maxsize=1)
        self._subscribers.add(queue)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._listen(), name="opdesk-listen")
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._listening.wait(), timeout=LISTEN_WAIT)
            yield queue
        finally:
            self._subscribers.discard(queue)

    def wake_all(self) -> None:
        for queue in self._subscribers:
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(None)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    async def _listen(self) -> None:
        delay, first = 0.5, True
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True, application_name="opdesk-server-listen"
                )
                async with conn:
                    await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self._listening.set()
                    if not first:
                        self.wake_all()  # whatever committed while we were not listening
                    delay, first = 0.5, False
                    async for _notify in conn.notifies():
                        self.wake_all()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database restarting, a network cut
                log.warning("listening for changes failed (%s); retrying", type(exc).__name__)
            self._listening.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX)


async def event_stream(
    wake: Wake, still_allowed: Callable[[], Awaitable[bool]], ping: float = PING_SECONDS
) -> AsyncIterator[bytes]:
    """The SSE body: `data: wake` after each committed push, a comment every `ping` seconds
    (keeps proxies from closing an idle stream, and lets a client notice a dead one). The
    token is checked again at each ping: a revoked or expired session's stream ends."""
    yield b"retry: 5000\n: connected\n\n"
    while True:
        try:
            await asyncio.wait_for(wake.get(), timeout=ping)
        except TimeoutError:
            if not await still_allowed():
                return
            yield b": ping\n\n"
            continue
        yield b"data: wake\n\n"
