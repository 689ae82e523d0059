"""Accounts on the real PostgreSQL: logins, lockout, tokens, revocation, with injected moments."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from opdesk.server import accounts
from opdesk.server.accounts import AuthError
from opdesk.server.tables import accounts as accounts_table
from tests.server.conftest import T0

PASSWORD = "correct horse battery"


@pytest.fixture
def desk(server_db: Engine, hasher: PasswordHasher) -> Engine:
    with server_db.begin() as conn:
        accounts.create_account(conn, "ivanov", "Иванов И.", "operator", PASSWORD, T0,
                                hasher=hasher)  # fmt: skip
    return server_db


def _login(engine: Engine, hasher: PasswordHasher, password: str, now: dt.datetime,
           login: str = "ivanov") -> accounts.IssuedToken:  # fmt: skip
    return accounts.attempt_login(engine, login, password, now, hasher=hasher)


def test_login_issues_a_token_that_authenticates(desk: Engine, hasher: PasswordHasher) -> None:
    issued = _login(desk, hasher, PASSWORD, T0)
    assert issued.expires_at == T0 + dt.timedelta(hours=12)
    assert len(issued.token) >= 43  # 32 random bytes, URL-safe base64
    with desk.connect() as conn:
        who = accounts.authenticate(conn, issued.token, T0 + dt.timedelta(minutes=5))
    assert (who.login, who.name, who.role) == ("ivanov", "Иванов И.", "operator")
    assert who.person_id == issued.person_id


def test_wrong_password_and_unknown_login_get_the_same_answer(
    desk: Engine, hasher: PasswordHasher
) -> None:
    with pytest.raises(AuthError) as wrong:
        _login(desk, hasher, "not the password", T0)
    with pytest.raises(AuthError) as unknown:
        _login(desk, hasher, "not the password", T0, login="nobody")
    assert wrong.value.code == unknown.value.code == "bad_credentials"
    assert str(wrong.value) == str(unknown.value)
    assert "ivanov" not in str(wrong.value)
    with desk.connect() as conn:
        assert conn.execute(select(accounts_table.c.failed_logins)).scalar_one() == 1


def test_five_failures_lock_for_fifteen_minutes_then_release(
    desk: Engine, hasher: PasswordHasher
) -> None:
    for n in range(4):
        with pytest.raises(AuthError) as failed:
            _login(desk, hasher, f"wrong password {n}", T0 + dt.timedelta(seconds=n))
        assert failed.value.code == "bad_credentials"
    with pytest.raises(AuthError) as fifth:
        _login(desk, hasher, "wrong password 5", T0 + dt.timedelta(seconds=5))
    until = T0 + dt.timedelta(seconds=5, minutes=15)
    assert fifth.value.code == "locked"
    assert fifth.value.until == until
    assert "2026-12-01 09:15 UTC" in str(fifth.value)  # the message says until when
    # Locked: even the right password is refused until the moment passes.
    with pytest.raises(AuthError) as locked:
        _login(desk, hasher, PASSWORD, until - dt.timedelta(seconds=1))
    assert locked.value.code == "locked"
    issued = _login(desk, hasher, PASSWORD, until)
    assert issued.person_id
    with desk.connect() as conn:
        row = conn.execute(select(accounts_table)).one()
    assert (row.failed_logins, row.locked_until) == (0, None)


def test_a_successful_login_resets_the_failures(desk: Engine, hasher: PasswordHasher) -> None:
    for n in range(4):
        with pytest.raises(AuthError):
            _login(desk, hasher, "wrong password!", T0 + dt.timedelta(seconds=n))
    _login(desk, hasher, PASSWORD, T0 + dt.timedelta(seconds=10))
    for n in range(4):  # four more are not yet a lockout: the count started again
        with pytest.raises(AuthError) as failed:
            _login(desk, hasher, "wrong password!", T0 + dt.timedelta(seconds=20 + n))
        assert failed.value.code == "bad_credentials"


def test_the_lock_message_is_in_the_moment_s_time_zone(
    desk: Engine, hasher: PasswordHasher
) -> None:
    moscow = dt.timezone(dt.timedelta(hours=3), "MSK")
    for _ in range(5):
        with pytest.raises(AuthError) as failed:
            _login(desk, hasher, "wrong password!", T0.astimezone(moscow))
    assert failed.value.code == "locked"
    assert "12:15 MSK" in str(failed.value)


def test_a_token_expires(desk: Engine, hasher: PasswordHasher) -> None:
    issued = _login(desk, hasher, PASSWORD, T0)
    with desk.connect() as conn:
        accounts.authenticate(conn, issued.token, issued.expires_at - dt.timedelta(seconds=1))
        with pytest.raises(AuthError) as expired:
            accounts.authenticate(conn, issued.token, issued.expires_at)
    assert expired.value.code == "expired"


def test_revoke_ends_one_session(desk: Engine, hasher: PasswordHasher) -> None:
    first = _login(desk, hasher, PASSWORD, T0)
    second = _login(desk, hasher, PASSWORD, T0)
    with desk.begin() as conn:
        assert accounts.revoke(conn, first.token, T0 + dt.timedelta(minutes=1))
        assert not accounts.revoke(conn, first.token, T0 + dt.timedelta(minutes=2))
    with desk.connect() as conn:
        with pytest.raises(AuthError) as revoked:
            accounts.authenticate(conn, first.token, T0 + dt.timedelta(minutes=3))
        assert revoked.value.code == "revoked"
        accounts.authenticate(conn, second.token, T0 + dt.timedelta(minutes=3))


def test_revoke_all_ends_every_live_session_of_a_person(
    desk: Engine, hasher: PasswordHasher
) -> None:
    with desk.begin() as conn:
        accounts.create_account(conn, "petrov", "Петров П.", "lead", PASSWORD, T0, hasher=hasher)
    mine = [_login(desk, hasher, PASSWORD, T0) for _ in range(3)]
    other = _login(desk, hasher, PASSWORD, T0, login="petrov")
    with desk.begin() as conn:
        assert accounts.revoke_all(conn, "ivanov", T0 + dt.timedelta(hours=1)) == 3
        assert accounts.revoke_all(conn, "ivanov", T0 + dt.timedelta(hours=1)) == 0
        with pytest.raises(AuthError) as unknown:
            accounts.revoke_all(conn, "nobody", T0)
    assert unknown.value.code == "unknown_login"
    with desk.connect() as conn:
        for issued in mine:
            with pytest.raises(AuthError, match="revoked"):
                accounts.authenticate(conn, issued.token, T0 + dt.timedelta(hours=2))
        assert accounts.authenticate(conn, other.token, T0 + dt.timedelta(hours=2)).role == "lead"


def test_an_unknown_token_is_refused(desk: Engine) -> None:
    with desk.connect() as conn, pytest.raises(AuthError) as unknown:
        accounts.authenticate(conn, "not-a-token-of-this-server", T0)
    assert unknown.value.code == "unknown_token"


def test_a_disabled_account_cannot_log_in_nor_use_its_tokens(
    desk: Engine, hasher: PasswordHasher
) -> None:
    issued = _login(desk, hasher, PASSWORD, T0)
    with desk.begin() as conn:
        conn.execute(update(accounts_table).values(disabled=True))
    with pytest.raises(AuthError, match="disabled"):
        _login(desk, hasher, PASSWORD, T0)
    with desk.connect() as conn, pytest.raises(AuthError) as refused:
        accounts.authenticate(conn, issued.token, T0)
    assert refused.value.code == "disabled"


@pytest.mark.parametrize("password", ["", "short", "123456789"])
def test_a_short_password_is_refused_at_creation(server_db: Engine, password: str) -> None:
    with server_db.connect() as conn, pytest.raises(AuthError) as weak:
        accounts.create_account(conn, "sidorov", "С.", "operator", password, T0)
    assert weak.value.code == "weak_password"
    assert "10" in weak.value.message_ru


def test_a_taken_login_bad_login_and_bad_role_are_refused(
    desk: Engine, hasher: PasswordHasher
) -> None:
    cases = [("ivanov", "operator", "login_taken"), ("has space", "operator", "bad_login"),
             ("", "operator", "bad_login"), ("sidorov", "boss", "bad_role")]  # fmt: skip
    with desk.connect() as conn:
        for login, role, code in cases:
            with pytest.raises(AuthError) as refused:
                accounts.create_account(conn, login, "x", role, PASSWORD, T0, hasher=hasher)
            assert refused.value.code == code, login


def test_a_hash_made_with_other_parameters_is_rehashed_at_login(
    desk: Engine, hasher: PasswordHasher
) -> None:
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1, hash_len=32,
                              salt_len=16)  # fmt: skip
    accounts.attempt_login(desk, "ivanov", PASSWORD, T0, hasher=stronger)
    with desk.connect() as conn:
        stored = conn.execute(select(accounts_table.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=16,t=2,p=1$")
    assert accounts.verify(stored, PASSWORD, stronger)


def test_verify_accepts_argon2id_only(hasher: PasswordHasher) -> None:
    argon2i = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.I)
    assert not accounts.verify(argon2i.hash(PASSWORD), PASSWORD, hasher)
    assert not accounts.verify(PASSWORD, PASSWORD, hasher)
    assert accounts.verify(accounts.hash_password(PASSWORD, hasher), PASSWORD, hasher)
    with pytest.raises(ValueError):
        accounts.hash_password(PASSWORD, argon2i)


def test_the_production_hasher_is_the_rfc_9106_argon2id_profile() -> None:
    default = accounts.DEFAULT_HASHER
    assert (default.type, default.time_cost, default.memory_cost, default.parallelism) == (
        Type.ID, 3, 65536, 4
    )  # fmt: skip
