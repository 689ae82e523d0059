"""Full-text search over tickets (SQLite FTS5 table `ticket_fts`, rowid = tickets.id).

Why the application normalises text itself: the unicode61 tokenizer folds case but keeps
diacritics (so that «й» and «и» stay distinct), which would also keep «ё» apart from «е»;
people type «Семенов» for «Семёнов». `normalize` is applied to indexed and to searched text.

Why phones are indexed several times: people type a phone as "+7 916 123-45-67",
"89161234567", "9161234567" or just the last seven digits. FTS matches token prefixes only,
so every form that a person types is stored as its own token.

Why user text is never passed to MATCH as is: FTS5 has its own query language (quotes, AND,
OR, NOT, NEAR, `*`, `^`, column filters, parentheses), so a stray quote would be a syntax error
and an operator would change the meaning. `match_expression` keeps only word tokens and quotes
each one as an FTS5 string; the result is bound as a parameter, never formatted into SQL.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection

FTS_COLUMNS = ("number", "client", "phone", "subject", "comments")
COMMENT_SEPARATOR = "\n"
MIN_PREFIX = 2  # one-letter prefixes match most of the desk and cost a full term scan

_TOKEN = re.compile(r"[^\W_]+")  # what unicode61 keeps: letters and digits
_DIGITS = re.compile(r"\D+")
_PHONE_TEXT = re.compile(r"^[\d\s()+\-.]+$")

DELETE_SQL = "DELETE FROM ticket_fts WHERE rowid = ?"
INSERT_SQL = (
    "INSERT INTO ticket_fts(rowid, number, client, phone, subject, comments) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)

FtsRow = tuple[str, str, str, str, str]
BulkRow = tuple[int, str, str, str, str, Iterable[str]]


def normalize(text: str) -> str:
    """Case-folded text with «ё» read as «е», the form both index and queries use."""
    return text.casefold().replace("ё", "е")


def phone_forms(phone: str) -> list[str]:
    """Digit-only forms of a phone: all digits, the 10-digit national number, the last seven.

    «+7 916 123-45-67» → 79161234567, 9161234567, 1234567 (and 89161234567), so that each way
    a person types a Russian number is a token prefix."""
    digits = _DIGITS.sub("", phone)
    if len(digits) < 5:
        return []
    forms = [digits]
    if len(digits) == 11 and digits[0] in "78":
        national = digits[1:]
        forms += [national, ("8" if digits[0] == "7" else "7") + national]
    if len(digits) > 7:
        forms.append(digits[-7:])
    return list(dict.fromkeys(forms))


def fts_row(number: str, client: str, phone: str, subject: str, comments: Iterable[str]) -> FtsRow:
    """The five FTS column values of one ticket, normalised; phones get their digit forms."""
    phone_text = " ".join([phone, *phone_forms(phone)]) if phone else ""
    return (
        normalize(number),
        normalize(client),
        normalize(phone_text),
        normalize(subject),
        normalize(COMMENT_SEPARATOR.join(comments)),
    )


def _raw(conn: Connection | sqlite3.Connection) -> Any:
    """The DB-API connection underneath, for executemany without per-row SQLAlchemy work."""
    if isinstance(conn, sqlite3.Connection):
        return conn
    return conn.connection.driver_connection


def index_ticket(conn: Connection | sqlite3.Connection, ticket_id: int) -> None:
    """(Re)build the FTS row of one ticket from the database, inside the caller's transaction.

    Called by every command that changes a searched field or adds a comment. A ticket that no
    longer exists just loses its row."""
    raw = _raw(conn)
    cur = raw.cursor()
    try:
        cur.execute(DELETE_SQL, (ticket_id,))
        cur.execute(
            "SELECT uuid, number, client_name, contact_phone, subject FROM tickets WHERE id = ?",
            (ticket_id,),
        )
        found = cur.fetchone()
        if found is None:
            return
        uuid, number, client, phone, subject = found
        cur.execute("SELECT text FROM comments WHERE ticket_id = ? ORDER BY at", (uuid,))
        comments = [r[0] for r in cur.fetchall()]
        cur.execute(INSERT_SQL, (ticket_id, *fts_row(number, client, phone, subject, comments)))
    finally:
        cur.close()


def bulk_index(conn: Connection | sqlite3.Connection, rows: Iterable[BulkRow]) -> int:
    """Index many tickets at once: (id, number, client, phone, subject, comments) tuples.

    For the demo generator and import; the ids must not be indexed yet (no DELETE is done, so
    a million rows go in one executemany). Returns the number of rows indexed."""
    count = 0

    def prepared() -> Iterable[tuple[int, str, str, str, str, str]]:
        nonlocal count
        for ticket_id, number, client, phone, subject, comments in rows:
            count += 1
            yield (ticket_id, *fts_row(number, client, phone, subject, comments))

    raw = _raw(conn)
    raw.executemany(INSERT_SQL, prepared())
    return count


@contextmanager
def bulk_mode(conn: Connection | sqlite3.Connection) -> Iterator[None]:
    """Faster bulk indexing (about a third less time): FTS5 stops merging index segments while
    the block runs, then merges them once at the end so searches stay fast. The FTS settings
    are put back to SQLite's defaults even if the block raises."""
    raw = _raw(conn)
    set_option = "INSERT INTO ticket_fts(ticket_fts, rank) VALUES (?, ?)"
    raw.execute(set_option, ("automerge", 0))
    raw.execute(set_option, ("crisismerge", 64))
    try:
        yield
    finally:
        raw.execute(set_option, ("automerge", 4))
        raw.execute(set_option, ("crisismerge", 16))
    raw.execute("INSERT INTO ticket_fts(ticket_fts) VALUES ('optimize')")


def rebuild_all(conn: Connection | sqlite3.Connection) -> int:
    """Drop every FTS row and index all tickets again (after an import or a repair)."""
    raw = _raw(conn)
    raw.execute("DELETE FROM ticket_fts")
    comments: dict[str, list[str]] = {}
    for ticket_uuid, text in raw.execute("SELECT ticket_id, text FROM comments ORDER BY at"):
        comments.setdefault(ticket_uuid, []).append(text)
    cur = raw.execute(
        "SELECT id, number, client_name, contact_phone, subject, uuid FROM tickets ORDER BY id"
    )
    with bulk_mode(conn):
        return bulk_index(conn, ((*r[:5], comments.get(r[5], ())) for r in cur))


def _quoted(token: str, prefix: bool) -> str:
    escaped = token.replace('"', '""')
    return f'"{escaped}"*' if prefix else f'"{escaped}"'


def match_expression(user_text: str) -> str | None:
    """An FTS5 MATCH expression that searches `user_text` as plain words, or None if empty.

    Every word becomes a quoted FTS5 string (so operators, quotes and SQL are just text), all
    must match (implicit AND), and each word of two or more letters is a prefix ("Ром" finds
    «Ромашка»). Text that looks like a phone also matches its digit-only forms."""
    text = normalize(user_text)
    tokens = _TOKEN.findall(text)
    if not tokens:
        return None
    words = " ".join(_quoted(t, len(t) >= MIN_PREFIX) for t in tokens)
    if _PHONE_TEXT.match(text) and len(tokens) > 1:
        forms = phone_forms(text)
        if forms:
            alternatives = " OR ".join(_quoted(f, True) for f in forms[:2])
            return f"({words}) OR {alternatives}"
    return words
