"""Every refusal of the HTTP service as one JSON shape, and the handlers that guarantee it.

The workstation's sync client reads `{"error": {"code", "message_ru", "message_en"}}` from
every 4xx and shows the message in the operator's language; the code is for its logic
(`expired` → log in again, `op_gap` → resend from the server's last_op, …). So no path may
answer with FastAPI's own `{"detail": …}`, an HTML page or a traceback: the handlers below
turn request validation, routing errors, database outages and unexpected exceptions into the
same shape. Messages never echo a password or a token (pydantic's `input` is left out).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from opdesk.server.accounts import AuthError

log = logging.getLogger("opdesk.server")

# AuthError codes (opdesk/server/accounts.py) and the status each one answers with.
AUTH_STATUS = {
    "bad_credentials": 401,
    "unknown_token": 401,
    "revoked": 401,
    "expired": 401,
    "disabled": 403,
    "locked": 429,
}
MAX_SHOWN_PROBLEMS = 5


class ApiError(Exception):
    """A refusal with its HTTP status; raised anywhere below a route, answered as JSON."""

    def __init__(
        self,
        status: int,
        code: str,
        message_ru: str,
        message_en: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message_ru = message_ru
        self.message_en = message_en
        self.headers = dict(headers or {})
        super().__init__(f"{status} {code}: {message_en}")


def error_body(code: str, message_ru: str, message_en: str) -> dict[str, Any]:
    return {"error": {"code": code, "message_ru": message_ru, "message_en": message_en}}


def answer(error: ApiError) -> JSONResponse:
    return JSONResponse(
        error_body(error.code, error.message_ru, error.message_en),
        status_code=error.status,
        headers=error.headers or None,
    )


def from_auth(exc: AuthError, now: dt.datetime) -> ApiError:
    """An account refusal as its HTTP answer; a lockout says when to try again."""
    headers = {}
    if exc.until is not None:
        headers["Retry-After"] = str(max(1, math.ceil((exc.until - now).total_seconds())))
    if exc.code in ("bad_credentials", "unknown_token", "revoked", "expired"):
        headers["WWW-Authenticate"] = "Bearer"
    status = AUTH_STATUS.get(exc.code, 400)
    return ApiError(status, exc.code, exc.message_ru, exc.message_en, headers)


def malformed(problems: Sequence[Mapping[str, Any]]) -> ApiError:
    """422 for a body or query that does not fit the contract, naming the first few places.

    Built from pydantic's `loc`/`msg` only: its `input` would repeat the request, password
    included, into a message that a client may log."""
    shown = []
    for problem in problems[:MAX_SHOWN_PROBLEMS]:
        where = ".".join(str(part) for part in problem.get("loc", ()) if part != "body")
        shown.append(f"{where or 'body'}: {problem.get('msg', 'invalid')}")
    more = len(problems) - len(shown)
    tail = f" (+{more})" if more > 0 else ""
    text = "; ".join(shown) + tail
    return ApiError(
        422,
        "malformed",
        f"запрос не соответствует протоколу, ничего не записано: {text}",
        f"the request does not fit the protocol, nothing was written: {text}",
    )


def bad_json() -> ApiError:
    return ApiError(
        422,
        "malformed",
        "тело запроса — не JSON; ничего не записано",
        "the request body is not JSON; nothing was written",
    )


def unauthorized(code: str, ru: str, en: str) -> ApiError:
    return ApiError(401, code, ru, en, {"WWW-Authenticate": "Bearer"})


def install_handlers(app: FastAPI) -> None:
    """Route every error the framework, the database or our code raises to `answer`."""

    async def api_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return answer(exc)

    async def validation(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError | ValidationError)
        return answer(malformed(list(exc.errors())))

    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        ru = {404: "нет такого адреса", 405: "метод не поддерживается"}.get(
            exc.status_code, "ошибка запроса"
        )
        en = {404: "no such path", 405: "method not allowed"}.get(exc.status_code, "bad request")
        return answer(ApiError(exc.status_code, code, ru, en, exc.headers))

    async def database(_request: Request, exc: Exception) -> JSONResponse:
        # hide_parameters=True on the engine keeps values out of this text
        log.error("database error: %s", type(exc).__name__, exc_info=exc)
        if isinstance(exc, OperationalError):
            return answer(
                ApiError(
                    503,
                    "database_unavailable",
                    "база данных сервера недоступна; повторите позже",
                    "the server's database is unavailable; try again later",
                    {"Retry-After": "5"},
                )
            )
        return answer(internal())

    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error: %s", type(exc).__name__, exc_info=exc)
        return answer(internal())

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(ValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(SQLAlchemyError, database)
    app.add_exception_handler(Exception, unexpected)


def internal() -> ApiError:
    return ApiError(
        500,
        "internal",
        "внутренняя ошибка сервера; изменения запроса не записаны",
        "internal server error; the request's changes were not written",
    )
