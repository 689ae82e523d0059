"""`opdesk server …` as an administrator runs it: a real process, the real PostgreSQL.

Passwords go in through `--password-stdin`, or through getpass: started in a new session the
process has no terminal, so getpass reads the two answers from stdin as it would from a tty.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text

from opdesk.models import Person
from opdesk.server import accounts, migrate, tables
from tests.server.conftest import T0

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "admin-password-1"


def opdesk(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "opdesk.cli", "server", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120,
        start_new_session=True,  # no controlling terminal: getpass falls back to stdin
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    return result


def refused(result: subprocess.CompletedProcess[str], ru: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert ru in result.stderr and " / " in result.stderr, result.stderr
    return result.stderr


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.fixture
def initialised(pg_fresh_url: str) -> str:
    done = opdesk("init", pg_fresh_url, "--admin", "boss", "--name", "Главный А.",
                  "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert done.returncode == 0, done.stderr
    return pg_fresh_url


def test_init_creates_the_schema_and_the_first_admin(initialised: str) -> None:
    engine = create_engine(initialised)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision()
        with engine.connect() as conn:
            person = conn.execute(select(Person.login, Person.name, Person.role)).one()
            stored = conn.execute(select(tables.accounts.c.password_hash)).scalar_one()
            dump = "\n".join(
                str(r) for (name,) in conn.execute(text("SELECT tablename FROM pg_tables "
                                                        "WHERE schemaname = 'public'"))
                for (r,) in conn.execute(text(f'SELECT t::text FROM "{name}" t'))
            )  # fmt: skip
        assert tuple(person) == ("boss", "Главный А.", "admin")
        assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert PASSWORD not in dump
        issued = accounts.attempt_login(engine, "boss", PASSWORD, T0)
        with engine.connect() as conn:
            assert accounts.authenticate(conn, issued.token, T0).role == "admin"
    finally:
        engine.dispose()


def test_a_second_init_is_refused_and_changes_nothing(initialised: str) -> None:
    """Refused, not idempotent: a second "first admin" (or a reset of the first one's
    password) by re-running init would be a back door; people are added with add-person."""
    again = opdesk("init", initialised, "--admin", "boss", "--password-stdin",
                   stdin="another-password-2\n")  # fmt: skip
    refused(again, "уже создан")
    other = opdesk("init", initialised, "--admin", "boss2", "--password-stdin", stdin=PASSWORD)
    refused(other, "уже создан")
    engine = create_engine(initialised)
    try:
        with engine.connect() as conn:
            assert accounts.count_accounts(conn) == 1
        accounts.attempt_login(engine, "boss", PASSWORD, T0)  # the password is unchanged
    finally:
        engine.dispose()


def test_init_asks_twice_and_refuses_passwords_that_differ(pg_fresh_url: str) -> None:
    differ = opdesk("init", pg_fresh_url, "--admin", "boss",
                    stdin="first-password-1\nsecond-password-2\n")  # fmt: skip
    refused(differ, "пароли не совпадают")
    assert table_names(pg_fresh_url) == set()  # refused before anything was written
    same = opdesk("init", pg_fresh_url, "--admin", "boss", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert same.returncode == 0, same.stderr
    assert PASSWORD not in same.stdout + same.stderr


def test_init_refuses_a_weak_password_before_writing(pg_fresh_url: str) -> None:
    weak = opdesk("init", pg_fresh_url, "--admin", "boss", "--password-stdin", stdin="short\n")
    refused(weak, "от 10")
    assert table_names(pg_fresh_url) == set()


def test_add_person_then_log_in_and_a_taken_login_is_refused(initialised: str) -> None:
    added = opdesk("add-person", initialised, "petrov", "--role", "lead", "--name", "Петров П.",
                   "--password-stdin", stdin="lead-password-1\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "petrov" in added.stdout
    taken = opdesk("add-person", initialised, "petrov", "--role", "operator", "--password-stdin",
                   stdin="other-password-2\n")  # fmt: skip
    refused(taken, "уже занят")
    engine = create_engine(initialised)
    try:
        issued = accounts.attempt_login(engine, "petrov", "lead-password-1", T0)
        with engine.connect() as conn:
            who = accounts.authenticate(conn, issued.token, T0)
        assert (who.name, who.role) == ("Петров П.", "lead")
    finally:
        engine.dispose()


def test_add_person_refuses_a_weak_password_and_an_unknown_role(initialised: str) -> None:
    weak = opdesk("add-person", initialised, "sidorov", "--role", "operator", "--password-stdin",
                  stdin="123\n")  # fmt: skip
    refused(weak, "от 10")
    bad_role = opdesk("add-person", initialised, "sidorov", "--role", "boss")
    assert bad_role.returncode == 2 and "boss" in bad_role.stderr  # argparse's own refusal


def test_commands_on_a_database_without_a_server_are_refused(pg_fresh_url: str) -> None:
    for args in (("add-person", pg_fresh_url, "x", "--role", "operator", "--password-stdin"),
                 ("training", pg_fresh_url, "on"), ("revoke", pg_fresh_url, "x")):  # fmt: skip
        refused(opdesk(*args, stdin=PASSWORD), "сначала `opdesk server init`")
    assert table_names(pg_fresh_url) == set()


def test_bad_urls_are_refused_clearly(tmp_path: Path) -> None:
    sqlite = opdesk("init", f"sqlite:///{tmp_path / 'desk.db'}", "--admin", "boss",
                    "--password-stdin", stdin=PASSWORD)  # fmt: skip
    refused(sqlite, "только с PostgreSQL")
    refused(opdesk("init", "not a url", "--admin", "boss"), "неверный адрес")
    down = opdesk("training", "postgresql://opdesk:db-secret-9@127.0.0.1:1/desk")
    assert "db-secret-9" not in refused(down, "нет связи с базой")


def test_a_server_database_from_a_newer_opdesk_is_refused(initialised: str) -> None:
    engine = create_engine(initialised)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"UPDATE {migrate.VERSION_TABLE} SET version_num = 's9999'"))
    finally:
        engine.dispose()
    for args in (("training", initialised, "on"),
                 ("add-person", initialised, "x", "--role", "operator", "--password-stdin"),
                 ("init", initialised, "--admin", "y", "--password-stdin")):  # fmt: skip
        refused(opdesk(*args, stdin=PASSWORD), "новее этой версии OpDesk")


def test_training_marks_and_shows_the_server(initialised: str) -> None:
    assert "рабочий" in opdesk("training", initialised).stdout
    assert "учебный" in opdesk("training", initialised, "on").stdout
    assert "учебный" in opdesk("training", initialised).stdout
    assert "рабочий" in opdesk("training", initialised, "off").stdout


def test_revoke_ends_every_session_of_a_person(initialised: str) -> None:
    engine = create_engine(initialised)
    try:
        issued = [accounts.attempt_login(engine, "boss", PASSWORD, T0) for _ in range(2)]
        done = opdesk("revoke", initialised, "boss")
        assert done.returncode == 0, done.stderr
        assert "2" in done.stdout
        with engine.connect() as conn:
            for one in issued:
                with pytest.raises(accounts.AuthError, match="revoked"):
                    accounts.authenticate(conn, one.token, T0)
        refused(opdesk("revoke", initialised, "nobody"), "нет человека")
    finally:
        engine.dispose()


def test_init_makes_the_pack_s_departments_with_their_stable_ids(initialised: str) -> None:
    """Made at init, not on first use: two pushes naming a new department at once would both
    insert it, and one op would be refused on the duplicate."""
    from sqlalchemy import text

    from opdesk.models.base import stable_id
    from opdesk.regulations.pack import load_default_pack

    engine = create_engine(initialised)
    try:
        with engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT code, id FROM departments")).all())
    finally:
        engine.dispose()
    assert rows == {d.id: stable_id("department", d.id) for d in load_default_pack().departments}


def test_add_client_writes_a_versioned_client_and_refuses_bad_input(initialised: str) -> None:
    """The shared desk's clients are kept by its administrator on the server (a workstation
    refuses rows no op carries); the row gets its version, so the next pull brings it."""
    added = opdesk("add-client", initialised, "ООО «Ромашка»", "--category", "VIP",
                   "--phone", "+7 495 111-22-33", "--city", "Москва")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "Ромашка" in added.stdout
    engine = create_engine(initialised)
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT name, category, phone, city, version FROM clients"))
            ((name, category, phone, city, version),) = row.all()
    finally:
        engine.dispose()
    assert (name, category, phone, city) == ("ООО «Ромашка»", "VIP", "+7 495 111-22-33", "Москва")
    assert version > 1  # stamped by its transaction: above every cursor a workstation holds
    refused(opdesk("add-client", initialised, "ИП Кузнецов", "--category", "золотой"),
            "категория «золотой» неизвестна")  # fmt: skip
    refused(opdesk("add-client", initialised, "  "), "имя клиента пустое")
