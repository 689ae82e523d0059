"""Accounts and sessions: Argon2id passwords, hashed random tokens, a lockout after guessing.

Plain functions over a SQLAlchemy Connection or Session; the caller owns the transaction and
passes `now` (never read from the wall clock here, so expiry and lockout tests are exact).

What the database holds, and why it is enough to steal nothing: the password only as an
Argon2id hash (a CHECK constraint refuses anything else), the session token only as its SHA-256
(a 256-bit random token needs no slow hash: it cannot be guessed, only stolen, and the table
alone does not give it away).

A wrong password and an unknown login get the same answer, after the same Argon2 work, so the
answer does not tell which logins exist. Five wrong passwords in a row lock the account for 15
minutes. The failed count is part of the answer: `login` writes it and then raises, so the
caller must COMMIT on `AuthError` too; `attempt_login(engine, …)` does that for you.

`AuthError.code` is for the HTTP layer (bad_credentials, expired, revoked, unknown_token → 401;
disabled → 403; locked → 429 with `until`; weak_password, login_taken, bad_login, bad_role,
unknown_login → 400/404/409 on admin requests).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass

from argon2 import PasswordHasher, Type, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from opdesk.models import Person
from opdesk.models.base import stable_id
from opdesk.server.roles import ROLE_NAMES, ROLES
from opdesk.server.tables import ARGON2ID_PREFIX, Bind, accounts, auth_sessions

# Production cost: argon2-cffi's RFC 9106 "low memory" profile (Argon2id, t=3, 64 MiB, p=4).
DEFAULT_HASHER = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
SESSION_LIFETIME = dt.timedelta(hours=12)
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # Argon2 would hash a megabyte too; a request must not buy that much work
MAX_LOGIN = 64  # people.login is String(64)


class AuthError(Exception):
    """A refused login, token or account change; one class, told apart by `code`."""

    def __init__(
        self, code: str, message_ru: str, message_en: str, until: dt.datetime | None = None
    ) -> None:
        self.code = code
        self.message_ru = message_ru
        self.message_en = message_en
        self.until = until  # end of a lockout, for Retry-After
        super().__init__(f"{message_ru} / {message_en}")


@dataclass(frozen=True)
class IssuedToken:
    token: str  # give it to the client once; only its SHA-256 is kept
    person_id: uuid.UUID
    expires_at: dt.datetime


@dataclass(frozen=True)
class Principal:
    """The acting person of a request: whoever the token belongs to, never a field sent."""

    person_id: uuid.UUID
    login: str
    name: str
    role: str
    client_id: uuid.UUID | None = None


_FIXED = {
    "bad_credentials": ("неверный логин или пароль", "wrong login or password"),
    "unknown_token": (
        "сеанс не найден (токен неверен или выдан другим сервером); войдите снова",
        "no such session (a wrong token, or one from another server); log in again",
    ),
    "revoked": ("сеанс завершён; войдите снова", "the session was revoked; log in again"),
    "expired": ("срок сеанса истёк; войдите снова", "the session has expired; log in again"),
    "disabled": (
        "учётная запись отключена; обратитесь к администратору",
        "the account is disabled; ask an administrator",
    ),
    "weak_password": (
        f"пароль должен быть длиной от {MIN_PASSWORD} до {MAX_PASSWORD} символов",
        f"a password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long",
    ),
    "bad_login": (
        f"логин должен быть непустым, без пробелов, не длиннее {MAX_LOGIN} символов",
        f"a login must be non-empty, without spaces, at most {MAX_LOGIN} characters",
    ),
    "bad_role": (
        f"неизвестная роль «{{role}}»; роли: {', '.join(ROLES)}",
        f"unknown role '{{role}}'; roles: {', '.join(ROLES)}",
    ),
    "login_taken": (
        "логин «{login}» уже занят; ничего не изменено",
        "the login '{login}' is already taken; nothing was changed",
    ),
    "unknown_login": ("нет человека с логином «{login}»", "no person with login '{login}'"),
}


def _refused(code: str, **values: str) -> AuthError:
    ru, en = _FIXED[code]
    return AuthError(code, ru.format(**values), en.format(**values))


# -- passwords ---------------------------------------------------------------------------


def hash_password(password: str, hasher: PasswordHasher = DEFAULT_HASHER) -> str:
    if hasher.type is not Type.ID:
        raise ValueError("passwords are hashed with Argon2id only")
    return hasher.hash(password)


def verify(password_hash: str, password: str, hasher: PasswordHasher = DEFAULT_HASHER) -> bool:
    """True when the password matches an Argon2id hash; any other kind of hash never matches."""
    if not password_hash.startswith(ARGON2ID_PREFIX):
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password(password: str) -> None:
    """Refuse a password too short to resist guessing (or too long to hash cheaply)."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise _refused("weak_password")


_dummy_hashes: dict[tuple[int, int, int, int], str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of the same cost to verify against when the login is unknown (equal timing)."""
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hasher.hash(secrets.token_urlsafe(16))
    return _dummy_hashes[key]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# -- accounts ----------------------------------------------------------------------------


def create_account(
    conn: Bind,
    login: str,
    name: str,
    role: str,
    password: str,
    now: dt.datetime,
    *,
    hasher: PasswordHasher = DEFAULT_HASHER,
) -> uuid.UUID:
    """Create the person and their account; returns the person's id."""
    if role not in ROLE_NAMES:
        raise _refused("bad_role", role=role)
    check_new_login(conn, login)
    check_password(password)
    person_id, password_hash = stable_id("person", login), hash_password(password, hasher)
    person = insert(Person).values(id=person_id, login=login, name=name.strip() or login, role=role)
    try:
        conn.execute(person)
    except IntegrityError as exc:  # the same login created meanwhile by another admin
        raise _refused("login_taken", login=login) from exc
    conn.execute(
        insert(accounts).values(person_id=person_id, password_hash=password_hash, created_at=now)
    )
    return person_id


def check_login(login: str) -> None:
    if not login or len(login) > MAX_LOGIN or any(ch.isspace() for ch in login):
        raise _refused("bad_login")


def check_new_login(conn: Bind, login: str) -> None:
    """Refuse a malformed login or one a person already has (an account or not)."""
    check_login(login)
    if conn.execute(select(Person.id).where(Person.login == login)).first() is not None:
        raise _refused("login_taken", login=login)


def count_accounts(conn: Bind) -> int:
    return int(conn.execute(select(func.count()).select_from(accounts)).scalar_one())


# -- logging in --------------------------------------------------------------------------


def login(
    conn: Bind,
    login: str,
    password: str,
    now: dt.datetime,
    client_id: uuid.UUID | None = None,
    *,
    lifetime: dt.timedelta = SESSION_LIFETIME,
    hasher: PasswordHasher = DEFAULT_HASHER,
) -> IssuedToken:
    """Check the password and issue a session token. COMMIT on AuthError too (see above)."""
    row = conn.execute(
        select(accounts, Person.login)
        .join(Person, Person.id == accounts.c.person_id)
        .where(Person.login == login)
        .with_for_update(of=accounts)  # concurrent guesses count one after the other
    ).first()
    candidate = password[:MAX_PASSWORD]  # an over-long one never matches, at a bounded cost
    if row is None:
        verify(_dummy_hash(hasher), candidate, hasher)
        raise _refused("bad_credentials")
    if row.locked_until is not None and now < row.locked_until:
        raise _locked(row.locked_until, now)
    if not verify(row.password_hash, candidate, hasher) or candidate != password:
        _count_failure(conn, row.person_id, row.failed_logins, now)
    if row.disabled:
        raise _refused("disabled")
    values: dict[str, object] = {"failed_logins": 0, "locked_until": None}
    if hasher.check_needs_rehash(row.password_hash):
        values["password_hash"] = hash_password(password, hasher)
    conn.execute(update(accounts).where(accounts.c.person_id == row.person_id).values(**values))
    token = secrets.token_urlsafe(32)
    expires_at = now + lifetime
    conn.execute(
        insert(auth_sessions).values(
            token_hash=token_hash(token),
            person_id=row.person_id,
            client_id=client_id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return IssuedToken(token, row.person_id, expires_at)


def _count_failure(conn: Bind, person_id: uuid.UUID, failed: int, now: dt.datetime) -> None:
    """Record one more wrong password (locking at the fifth) and raise the refusal."""
    failed += 1
    if failed >= MAX_FAILED_LOGINS:
        until = now + LOCKOUT
        conn.execute(
            update(accounts)
            .where(accounts.c.person_id == person_id)
            .values(failed_logins=0, locked_until=until)
        )
        raise _locked(until, now)
    conn.execute(
        update(accounts).where(accounts.c.person_id == person_id).values(failed_logins=failed)
    )
    raise _refused("bad_credentials")


def _locked(until: dt.datetime, now: dt.datetime) -> AuthError:
    shown = until.astimezone(now.tzinfo).strftime("%Y-%m-%d %H:%M %Z").strip()
    return AuthError(
        "locked",
        f"слишком много неверных паролей: вход заблокирован до {shown}",
        f"too many wrong passwords: logging in is locked until {shown}",
        until=until,
    )


def attempt_login(
    engine: Engine,
    login_name: str,
    password: str,
    now: dt.datetime,
    client_id: uuid.UUID | None = None,
    *,
    lifetime: dt.timedelta = SESSION_LIFETIME,
    hasher: PasswordHasher = DEFAULT_HASHER,
) -> IssuedToken:
    """`login` in a transaction of its own, committed whether the attempt succeeds or not."""
    with engine.connect() as conn:
        try:
            issued = login(conn, login_name, password, now, client_id, lifetime=lifetime,
                           hasher=hasher)  # fmt: skip
        except AuthError:
            conn.commit()
            raise
        conn.commit()
        return issued


# -- sessions ----------------------------------------------------------------------------


# Built once: every token-bearing request runs it, and building the join and its cache key
# anew each time cost more than PostgreSQL's part of it.
_SESSION_OF_TOKEN = (
    select(auth_sessions, Person.login, Person.name, Person.role, accounts.c.disabled)
    .join(Person, Person.id == auth_sessions.c.person_id)
    .join(accounts, accounts.c.person_id == auth_sessions.c.person_id)
    .where(auth_sessions.c.token_hash == bindparam("token_hash"))
)


def authenticate(conn: Bind, token: str, now: dt.datetime) -> Principal:
    """The person a token belongs to, if the session is live and the account enabled."""
    row = conn.execute(_SESSION_OF_TOKEN, {"token_hash": token_hash(token)}).first()
    if row is None:
        raise _refused("unknown_token")
    if row.revoked_at is not None:
        raise _refused("revoked")
    if now >= row.expires_at:
        raise _refused("expired")
    if row.disabled:
        raise _refused("disabled")
    return Principal(row.person_id, row.login, row.name, row.role, row.client_id)


def revoke(conn: Bind, token: str, now: dt.datetime) -> bool:
    """End one session (logging out); False when it was unknown or already ended."""
    live = auth_sessions.c.revoked_at.is_(None)
    ended = conn.execute(
        update(auth_sessions)
        .where(auth_sessions.c.token_hash == token_hash(token), live)
        .values(revoked_at=now)
        .returning(auth_sessions.c.token_hash)
    )
    return len(ended.all()) > 0


def revoke_all(conn: Bind, login: str, now: dt.datetime) -> int:
    """End every live session of a person (a stolen laptop, a person leaving); returns how many."""
    person_id = conn.execute(select(Person.id).where(Person.login == login)).scalar()
    if person_id is None:
        raise _refused("unknown_login", login=login)
    ended = conn.execute(
        update(auth_sessions)
        .where(
            auth_sessions.c.person_id == person_id,
            auth_sessions.c.revoked_at.is_(None),
            auth_sessions.c.expires_at > now,
        )
        .values(revoked_at=now)
        .returning(auth_sessions.c.token_hash)
    )
    return len(ended.all())
