"""Writing prepared import batches as raw rows into the import's open transaction.

Why raw rows (opdesk.store.bulk): an ORM object per row made the import spend 24 of its 30
seconds on 20 000 tickets building objects; plain tuples bound with `executemany` in the text
forms SQLAlchemy reads back cost a fraction. The batch comes from opdesk.transfer.prepare with
every row built; the writer fills in what only it can know: ticket ids, drawn from the largest
in the database (the import holds the write lock, so nobody else draws), and the ids of the
clients, people and departments the tickets name — found in the database, or made once and
remembered for the batches after.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from opdesk.models.base import stable_id, uuid7
from opdesk.store import search
from opdesk.store.bulk import COLUMNS, insert_sql
from opdesk.transfer.prepare import CHILD_TABLES, DEPARTMENT_SLOT, SLOT, Prepared

CACHE_KIB = 128 * 1024


def _new_id() -> str:
    return uuid7().hex


class BulkWriter:
    """Writes prepared batches into the open transaction of a SQLite connection.

    The lookups (departments, people, clients) are read once when the writer is made — under
    the import's write lock, so they are current — and grow as the import adds rows."""

    def __init__(self, raw: sqlite3.Connection, departments: dict[str, str]) -> None:
        """`departments`: the pack's department names by its codes (rows made on first use)."""
        self.cur = raw.cursor()
        # A big transaction's pages stay in memory instead of spilling to the WAL page by
        # page (the tickets' inserts 0.81 → 0.59 s on 20 000); put back by `close`.
        self.cache = self.cur.execute("PRAGMA cache_size").fetchone()[0]
        self.cur.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
        self.deferred: list[tuple[str, str]] = []
        self.codes = {name: code for code, name in departments.items()}
        self.depts: dict[str, str] = dict(self.cur.execute("SELECT name, id FROM departments"))
        self.people: dict[str, str] = dict(self.cur.execute("SELECT login, id FROM people"))
        self.clients: dict[tuple[str, ...], str] = {}
        for row in self.cur.execute(
            "SELECT name, category, mobile, group_name, city, phone, id FROM clients"
        ):
            self.clients.setdefault(tuple(row[:6]), row[6])
        self.next_id = self.cur.execute("SELECT coalesce(max(id), 0) FROM tickets").fetchone()[0]
        self.sql = {t: insert_sql(t, cols) for t, cols in COLUMNS.items()}

    def write(self, batch: Prepared) -> None:
        made: dict[str, list[tuple[Any, ...]]] = {"departments": [], "people": [], "clients": []}
        tickets = []
        fts = []
        for values, client, owner, dept, words in zip(
            batch.tickets, batch.clients, batch.owners, batch.departments, batch.fts, strict=True
        ):
            self.next_id += 1
            values[SLOT["id"]] = self.next_id
            values[SLOT["client_id"]] = self._client(client, made) if client else None
            values[SLOT["owner_id"]] = self._person(owner, made) if owner else None
            values[SLOT["department_id"]] = self._dept(dept, made) if dept else None
            tickets.append(tuple(values))
            fts.append((self.next_id, *words))
        outgoing = [
            (*o[:DEPARTMENT_SLOT], self._dept(o[DEPARTMENT_SLOT], made), *o[DEPARTMENT_SLOT + 1 :])
            for o in batch.children["outgoing_requests"]
        ]
        # Parents first: the rows of a batch refer to departments, people and clients made in it.
        for table, rows in (
            *made.items(),
            ("tickets", tickets),
            *((t, batch.children[t]) for t in CHILD_TABLES if t != "outgoing_requests"),
            ("outgoing_requests", outgoing),
        ):
            if rows:
                self.cur.executemany(self.sql[table], rows)
        self.cur.executemany(search.INSERT_SQL, fts)

    def defer_indexes(self) -> None:
        """Drop the queue's indexes on tickets until `close` builds them again.

        Why: the queue keeps 21 secondary indexes on tickets, and inserting into all of them
        was the largest single cost of an import (1.05 of 4.7 s on 20 000 tickets); building
        an index once over sorted rows is several times cheaper. Worth it when the file brings
        about as many tickets as the desk has, not for a few tickets into a big desk (then
        every existing ticket is indexed again). Inside the import's transaction: a refusal,
        a cancel or a kill rolls the drop back with everything else."""
        self.deferred = [
            (name, sql)
            for name, sql in self.cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'tickets' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'"
            )
        ]
        for name, _sql in self.deferred:
            self.cur.execute(f'DROP INDEX "{name}"')

    def close(self) -> None:
        """Build the deferred indexes again and give the connection back its cache size."""
        for _name, sql in self.deferred:
            self.cur.execute(sql)
        self.deferred = []
        self.cur.execute(f"PRAGMA cache_size = {int(self.cache)}")

    def _client(self, key: tuple[str, ...], made: dict[str, list[tuple[Any, ...]]]) -> str:
        cid = self.clients.get(key)
        if cid is None:
            cid = self.clients[key] = _new_id()
            made["clients"].append((cid, *key))
        return cid

    def _person(self, login: str, made: dict[str, list[tuple[Any, ...]]]) -> str:
        pid = self.people.get(login)
        if pid is None:
            pid = self.people[login] = stable_id("person", login).hex
            made["people"].append((pid, login, login, "operator", None))
        return pid

    def _dept(self, name: str, made: dict[str, list[tuple[Any, ...]]]) -> str:
        did = self.depts.get(name)
        if did is None:
            did = self.depts[name] = stable_id("department", self.codes[name]).hex
            made["departments"].append((did, self.codes[name], name))
        return did
