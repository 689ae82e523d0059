"""`opdesk server run`: the HTTP service in front of PostgreSQL (FastAPI on uvicorn).

Stateless: everything that matters — accounts, sessions, each workstation's last op, the desk
itself — is in PostgreSQL, so any number of processes (`--workers`, or hosts behind a load
balancer) can serve one desk; a token issued by one is good at all of them. A process holds
only its connection pool, the regulation pack and one LISTEN connection for the wake-ups.

Routes (the contract is in opdesk/server/api_models.py; every refusal is `api_errors`'s JSON):
`POST /v1/login`, `POST /v1/logout`, `POST /v1/push`, `GET /v1/pull`, `GET /v1/check`,
`GET /v1/events` (server-sent events) and `GET /v1/health` (no token: for probes and for a
workstation to read the server's id and training flag before logging in).

Database work is synchronous (SQLAlchemy + psycopg) and runs in the thread pool; bodies are
read here first, with a limit, so a huge or endless body costs nothing but its refusal.
Logging: nothing here logs a request body, a password or a token; the engine hides statement
parameters, so not even a database error's text carries one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar

from argon2 import PasswordHasher
from fastapi import FastAPI, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from starlette.concurrency import run_in_threadpool

from opdesk.clock import Clock, SystemClock
from opdesk.regulations.pack import load_default_pack
from opdesk.server import accounts, reads, tables
from opdesk.server.api_errors import ApiError, bad_json, install_handlers, malformed
from opdesk.server.api_models import (
    DEFAULT_PULL,
    MAX_OPS,
    MAX_PULL,
    MAX_PUSH_BYTES,
    MAX_SMALL_BODY,
    CheckResponse,
    HealthResponse,
    LoginRequest,
    LoginResponse,
    PushRequest,
    PushResponse,
)
from opdesk.server.auth_http import Gate, bearer, login_once
from opdesk.server.migrate import server_url
from opdesk.server.push import Pusher
from opdesk.server.wake import PING_SECONDS, Waker, event_stream, libpq_url

ENV_URL = "OPDESK_SERVER_DATABASE_URL"
ENV_SESSION_SECONDS = "OPDESK_SERVER_SESSION_SECONDS"
LOGIN_SLOTS = 2  # concurrent Argon2 verifications: 64 MiB and 4 lanes each
LOGIN_WAIT = 10.0  # seconds a login waits for a slot before "busy"
APPLICATION_NAME = "opdesk-server"

Model = TypeVar("Model", bound=BaseModel)


def server_db_engine(url: str) -> Engine:
    """The service's pool. `hide_parameters`: a failed statement's text in a log or an error
    never carries its values (a token hash, a comment, …)."""
    return create_engine(
        server_url(url),
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        hide_parameters=True,
        connect_args={"application_name": APPLICATION_NAME},
    )


def create_app(
    url: str,
    *,
    clock: Clock | None = None,
    hasher: PasswordHasher | None = None,
    session_lifetime: dt.timedelta = accounts.SESSION_LIFETIME,
    login_slots: int = LOGIN_SLOTS,
    ping_seconds: float = PING_SECONDS,
) -> FastAPI:
    """The ASGI application over the server database at `url` (initialised and migrated:
    `opdesk server run` checks that before serving)."""
    clock = clock or SystemClock()
    engine = server_db_engine(url)
    sessions = sessionmaker(engine, expire_on_commit=False)
    gate = Gate(engine, clock)
    pusher = Pusher(engine, sessions, load_default_pack(), clock, gate)
    waker = Waker(libpq_url(engine.url))
    slots = asyncio.Semaphore(login_slots)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await waker.close()
            engine.dispose()

    app = FastAPI(
        title="OpDesk server", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    install_handlers(app)

    @app.get("/v1/health", response_model=HealthResponse)
    async def health() -> HealthResponse:
        def read() -> HealthResponse:
            with engine.connect() as conn:
                return HealthResponse(
                    status="ok", server_id=tables.server_id(conn), training=tables.is_training(conn)
                )

        return await run_in_threadpool(read)

    @app.post("/v1/login", response_model=LoginResponse)
    async def login(request: Request) -> LoginResponse:
        body = await parsed(request, LoginRequest, MAX_SMALL_BODY)
        try:
            await asyncio.wait_for(slots.acquire(), timeout=LOGIN_WAIT)
        except TimeoutError:
            raise busy() from None
        try:
            return await run_in_threadpool(
                login_once, engine, clock, body, session_lifetime, hasher or accounts.DEFAULT_HASHER
            )
        finally:
            slots.release()

    @app.post("/v1/logout", status_code=204)
    async def logout(request: Request) -> Response:
        token = bearer(request)
        await run_in_threadpool(gate.logout, token)
        return Response(status_code=204)

    @app.post("/v1/push", response_model=PushResponse)
    async def push(request: Request) -> PushResponse:
        token = bearer(request)
        body = await parsed(request, PushRequest, MAX_PUSH_BYTES)
        if len(body.ops) > MAX_OPS:
            raise ApiError(
                413,
                "too_many_ops",
                f"в пакете {len(body.ops)} операций, больше {MAX_OPS}; разбейте его; "
                "ничего не записано",
                f"the batch holds {len(body.ops)} ops, more than {MAX_OPS}; split it; "
                "nothing was written",
            )

        return await run_in_threadpool(pusher.push, token, body)

    @app.get("/v1/pull")
    async def pull_changes(
        request: Request,
        cursor: Annotated[int, Query(ge=0, le=2**63 - 1)],
        limit: Annotated[int, Query(ge=1, le=MAX_PULL)] = DEFAULT_PULL,
    ) -> Response:
        token = bearer(request)
        answer = await run_in_threadpool(reads.pull_json, engine, gate, token, cursor, limit)
        return Response(answer, media_type="application/json")

    @app.get("/v1/check", response_model=CheckResponse)
    async def check(request: Request) -> dict[str, Any]:
        token = bearer(request)
        return await run_in_threadpool(reads.check, engine, gate, token)

    @app.get("/v1/events")
    async def events(request: Request) -> StreamingResponse:
        token = bearer(request)
        await run_in_threadpool(gate.allow, token, "pull")

        async def still_allowed() -> bool:
            try:
                await run_in_threadpool(gate.allow, token, "pull")
            except ApiError:
                return False
            return True

        async def body() -> AsyncIterator[bytes]:
            async with waker.subscribe() as wake:
                async for chunk in event_stream(wake, still_allowed, ping_seconds):
                    yield chunk

        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(body(), media_type="text/event-stream", headers=headers)

    return app


async def parsed(request: Request, model: type[Model], limit: int) -> Model:
    """The body read (at most `limit` bytes, else 413 before reading further) and checked."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_big(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_big(limit)
        chunks.append(chunk)
    try:
        return model.model_validate_json(b"".join(chunks))
    except ValidationError as exc:
        problems = exc.errors(include_input=False)
        if any(p["type"] == "json_invalid" for p in problems):
            raise bad_json() from None
        raise malformed(list(problems)) from None


def too_big(limit: int) -> ApiError:
    mib = f"{limit / 1024 / 1024:g} MiB" if limit >= 1024 * 1024 else f"{limit // 1024} KiB"
    return ApiError(
        413,
        "too_big",
        f"тело запроса больше {mib}; ничего не записано",
        f"the request body is larger than {mib}; nothing was written",
    )


def busy() -> ApiError:
    return ApiError(
        429,
        "busy",
        "сервер занят проверкой других входов; повторите через несколько секунд",
        "the server is busy checking other logins; try again in a few seconds",
        {"Retry-After": "5"},
    )


def app_from_environment() -> FastAPI:
    """The factory uvicorn imports in each worker process (`opdesk server run` sets these)."""
    url = os.environ[ENV_URL]
    seconds = float(os.environ.get(ENV_SESSION_SECONDS, "0") or 0)
    lifetime = dt.timedelta(seconds=seconds) if seconds > 0 else accounts.SESSION_LIFETIME
    return create_app(url, session_lifetime=lifetime)
