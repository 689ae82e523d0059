from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import insert

from opdesk.models import Comment, Ticket
from opdesk.store import query as Q
from opdesk.store import search
from tests.store.queue_data import NOW, make_db, ticket


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    database = make_db(tmp_path_factory.mktemp("search"))
    with database.engine.begin() as c:
        row = ticket(1000) | {
            "client_name": "ООО «Ромашка»", "contact_phone": "+7 (916) 123-45-67",
            "subject": "Иванов: не работает ёлка", "number": "T-ROM",
        }  # fmt: skip
        c.execute(insert(Ticket), [row])
        u = c.exec_driver_sql("SELECT uuid FROM tickets WHERE id = 1000").scalar()
        big = "слово " * 170_000 + "уникальноеслово"
        c.execute(insert(Comment), [dict(ticket_id=uuid.UUID(hex=u), at=NOW, author="a",
                                         kind="note", text=big)])  # fmt: skip
        search.index_ticket(c, 1000)
    yield database
    database.close()


def found(db, text: str) -> list[int]:  # type: ignore[no-untyped-def]
    with db.engine.connect() as c:
        return list(Q.ids(c, Q.TicketQuery(text=text), NOW))


def test_normalize_folds_case_and_yo() -> None:
    assert search.normalize("СЕМЁНОВ Ёлка") == "семенов елка"


@pytest.mark.parametrize("text", ["ивАнов", "ИВАНОВ", "Ром", "ромашк", "ёлка", "ЕЛК", "t-rom"])
def test_cyrillic_case_insensitive_and_prefix(db, text: str) -> None:  # type: ignore[no-untyped-def]
    assert 1000 in found(db, text)


@pytest.mark.parametrize(
    "text", ["9161234567", "+7 916 123-45-67", "89161234567", "79161234567", "123-45-67"]
)
def test_phone_in_any_form(db, text: str) -> None:  # type: ignore[no-untyped-def]
    assert found(db, text) == [1000]


def test_comment_text_and_yo_in_comments(db) -> None:  # type: ignore[no-untyped-def]
    assert found(db, "семенов перезвон") == [7]


def test_one_megabyte_comment_is_indexed_and_found(db) -> None:  # type: ignore[no-untyped-def]
    assert found(db, "уникальноеслово") == [1000]


@pytest.mark.parametrize(
    "text",
    ['"', '""', "NOT", "ромашка NOT", "'); DROP TABLE tickets; --", "*", "NEAR(", "a OR b",
     "^ром", "client:ром", "(ром", "ром)", "-ром", "ром AND", "\\", "%", "_"],
)  # fmt: skip
def test_operators_and_sql_are_searched_as_text(db, text: str) -> None:  # type: ignore[no-untyped-def]
    found(db, text)  # never an error
    with db.engine.connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM tickets").scalar() == 301


def test_operator_words_are_plain_words(db) -> None:  # type: ignore[no-untyped-def]
    assert found(db, "ромашка NOT") == []  # "not" is a word that ticket 1000 lacks
    assert found(db, "ромашка AND иванов") == []
    assert found(db, '"ромашка" иванов') == [1000]


def test_match_expression_quotes_every_token() -> None:
    assert search.match_expression('a"b NEAR(') == '"a" "b" "near"*'
    assert search.match_expression("  ") is None
    assert search.match_expression("!!!") is None


def test_only_punctuation_finds_nothing(db) -> None:  # type: ignore[no-untyped-def]
    assert found(db, "***") == []


def test_reindex_replaces_the_row(db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.begin() as c:
        c.exec_driver_sql("UPDATE tickets SET client_name = 'Лютиков' WHERE id = 5")
        search.index_ticket(c, 5)
        assert c.exec_driver_sql("SELECT count(*) FROM ticket_fts WHERE rowid = 5").scalar() == 1
    assert found(db, "лютик") == [5]
    assert 5 not in found(db, "Клиент 5")


def test_fts_is_queried_first(db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.connect() as c:
        plan = Q.explain(c, Q.TicketQuery(text="ромашка"), NOW, limit=60)
    assert plan[0].startswith("SEARCH tickets USING INTEGER PRIMARY KEY"), plan
    assert any("ticket_fts VIRTUAL TABLE" in line for line in plan)


def test_bulk_index_matches_index_ticket(tmp_path: Path) -> None:
    db = make_db(tmp_path)
    with db.engine.begin() as c:
        one = c.exec_driver_sql("SELECT * FROM ticket_fts WHERE rowid = 3").fetchone()
        c.exec_driver_sql("DELETE FROM ticket_fts")
        with search.bulk_mode(c):
            n = search.bulk_index(c, [(3, "T-00003", "Клиент 3", "+7 916 000-0003", "Тема 3", ())])
        assert n == 1
        assert c.exec_driver_sql("SELECT * FROM ticket_fts WHERE rowid = 3").fetchone() == one
        assert search.rebuild_all(c) == 300
    db.close()
