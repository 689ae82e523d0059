"""Who is asking: the Bearer token of a request, logging in and out, and the checks every
token-bearing route makes before it touches the desk.

Each check reads PostgreSQL (stateless: a session revoked through another server process, or
by `opdesk server revoke`, is refused at once everywhere). The order of a login's checks: the
password first (a wrong one is counted whatever else is wrong), then the server's training
flag against the workstation's, the role against the server (a trainer on a production
server), and the workstation's owner — each refusal after the password rolls the new session
back, so a refused login leaves no token behind.
"""

from __future__ import annotations

import datetime as dt
import uuid

from argon2 import PasswordHasher
from fastapi import Request
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection, Engine

from opdesk.clock import Clock
from opdesk.models import Person
from opdesk.server import accounts, roles, tables
from opdesk.server.accounts import AuthError, Principal
from opdesk.server.api_errors import ApiError, from_auth, unauthorized
from opdesk.server.api_models import LoginRequest, LoginResponse, PersonOut
from opdesk.server.push_checks import training_mismatch
from opdesk.server.tables import auth_sessions, sync_clients

MAX_TOKEN = 256  # ours are 43 characters; anything much longer is not one


def bearer(request: Request) -> str:
    """The token of `Authorization: Bearer …`, or 401 (before any database work)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN:
        raise unauthorized(
            "no_token",
            "нужен заголовок Authorization: Bearer <токен>; войдите (POST /v1/login)",
            "an Authorization: Bearer <token> header is required; log in (POST /v1/login)",
        )
    return token


def forbidden(refusal: roles.Refusal) -> ApiError:
    return ApiError(403, refusal.code, refusal.message_ru, refusal.message_en)


class Gate:
    """The checks of a token-bearing request, on the server database."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def allow(
        self, token: str, action: str, conn: Connection | None = None, *, check_client: bool = True
    ) -> tuple[Principal, bool]:
        """The token's person, if they may do `action` here, and whether this is a training
        server; else the refusal (401 session, 403 role or training mismatch).

        `check_client=False`: the caller checks the token's workstation itself (a push reads
        and locks its row anyway: `push_checks.client_last_op`)."""
        if conn is None:
            with self.engine.connect() as own:
                return self.allow(token, action, own, check_client=check_client)
        now = self.clock.now()
        try:
            principal = accounts.authenticate(conn, token, now)
        except AuthError as exc:
            raise from_auth(exc, now) from None
        training = tables.is_training(conn)
        refusal = roles.refusal(principal.role, action, training_server=training)
        if refusal is not None:
            raise forbidden(refusal)
        if check_client and principal.client_id is not None:
            client_training = conn.execute(
                select(sync_clients.c.training).where(
                    sync_clients.c.client_id == principal.client_id
                )
            ).scalar()
            if client_training is not None and client_training != training:
                raise training_mismatch(training)
        return principal, training

    def logout(self, token: str) -> None:
        with self.engine.begin() as conn:
            now = self.clock.now()
            try:
                accounts.authenticate(conn, token, now)
            except AuthError as exc:
                raise from_auth(exc, now) from None
            accounts.revoke(conn, token, now)


def login_once(
    engine: Engine,
    clock: Clock,
    body: LoginRequest,
    lifetime: dt.timedelta,
    hasher: PasswordHasher,
) -> LoginResponse:
    """Check the password, then the rest (see the module docstring); commit the attempt."""
    with engine.connect() as conn:
        now = clock.now()
        try:
            issued = accounts.login(conn, body.login, body.password, now, body.client_id,
                                    lifetime=lifetime, hasher=hasher)  # fmt: skip
        except AuthError as exc:
            conn.commit()  # the failed count (and a lockout) is part of the answer
            raise from_auth(exc, now) from None
        training = tables.is_training(conn)
        if body.training != training:
            raise training_mismatch(training)
        person = conn.execute(
            select(Person.login, Person.name, Person.role).where(Person.id == issued.person_id)
        ).one()
        refusal = roles.refusal(person.role, "pull", training_server=training)
        if refusal is not None:
            raise forbidden(refusal)
        _register_client(conn, body.client_id, issued.person_id, training, now)
        server_id = tables.server_id(conn)
        conn.commit()
    return LoginResponse(
        token=issued.token,
        expires_at=issued.expires_at,
        person=PersonOut(login=person.login, name=person.name, role=person.role),
        server_id=server_id,
        training=training,
    )


def _register_client(
    conn: Connection, client_id: uuid.UUID, person_id: uuid.UUID, training: bool, now: dt.datetime
) -> None:
    """Record the workstation as this person's: a shift change hands it over.

    Why a workstation passes from one person to the next rather than staying its first
    user's: call-centre workstations are shared by shifts, and the database on it (its
    outbox, its op numbers) is the workstation's. The previous person's sessions on it are
    revoked, so from now on only the new person's token pushes from it; their ops keep their
    own actor (an op naming anyone but the token's person is refused), and the workstation
    sends a colleague's waiting ops only under the colleague's own login
    (opdesk.sync.outbox.waiting_of_others). A stranger who learns a workstation's id gains
    nothing by logging in with it: they act as themselves, and its owner logs in again."""
    conn.execute(
        insert(sync_clients)
        .values(client_id=client_id, person_id=person_id, training=training, seen_at=now)
        .on_conflict_do_nothing(index_elements=[sync_clients.c.client_id])
    )
    owner = conn.execute(
        select(sync_clients.c.person_id)
        .where(sync_clients.c.client_id == client_id)
        .with_for_update()
    ).scalar_one()
    if owner != person_id:
        conn.execute(
            update(auth_sessions)
            .where(
                auth_sessions.c.client_id == client_id,
                auth_sessions.c.person_id != person_id,
                auth_sessions.c.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
    conn.execute(
        update(sync_clients)
        .where(sync_clients.c.client_id == client_id)
        .values(person_id=person_id, training=training, seen_at=now)
    )
