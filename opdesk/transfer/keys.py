"""Repeated ticket numbers and UUIDs in an import, found without holding the file in memory."""

from __future__ import annotations

import sqlite3
from typing import Any

from opdesk.transfer.check import Problem

NUMBERS = "SELECT number FROM tickets"
UUIDS = "SELECT uuid FROM tickets"


class Keys:
    """The numbers and UUIDs of the file so far, in a temporary table of the connection.

    Why a table: two dicts of a million keys each cost hundreds of MB; SQLite keeps the table
    on disk with a small cache. It lives in the import's transaction (a rollback removes it)
    and is dropped before the commit."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.cur = raw.cursor()
        self.cur.execute("DROP TABLE IF EXISTS temp.import_keys")
        self.cur.execute(
            "CREATE TEMP TABLE import_keys (key TEXT PRIMARY KEY, line INTEGER NOT NULL)"
        )

    def drop(self) -> None:
        self.cur.execute("DROP TABLE IF EXISTS temp.import_keys")

    def repeats(self, batch: list[tuple[int, str, str]]) -> list[Problem]:
        """Problems of the batch's (line, number, UUID hex) keys that repeat an earlier line
        of the file or a ticket already in the database; the keys are then remembered."""
        out: list[Problem] = []
        firsts: dict[str, int] = {}
        for line, number, uid in batch:
            firsts.setdefault("n:" + number, line)
            firsts.setdefault("u:" + uid, line)
        seen = dict(self._select("SELECT key, line FROM temp.import_keys", list(firsts)))
        numbers = [k[2:] for k in firsts if k.startswith("n:") and k not in seen]
        uuids = [k[2:] for k in firsts if k.startswith("u:") and k not in seen]
        stored = {"n:" + n for (n,) in self._select(NUMBERS, numbers, "number")}
        stored |= {"u:" + u for (u,) in self._select(UUIDS, uuids, "uuid")}
        for line, number, uid in batch:
            out += self._problems(line, "n:" + number, seen, firsts, stored)
            out += self._problems(line, "u:" + uid, seen, firsts, stored)
        self.cur.executemany(
            "INSERT OR IGNORE INTO temp.import_keys (key, line) VALUES (?, ?)",
            [(k, line) for k, line in firsts.items() if k not in seen],
        )
        return out

    def _select(self, sql: str, keys: list[str], column: str = "key") -> list[tuple[Any, ...]]:
        if not keys:
            return []
        marks = ", ".join("?" * len(keys))
        return self.cur.execute(f"{sql} WHERE {column} IN ({marks})", keys).fetchall()

    @staticmethod
    def _problems(
        line: int, key: str, seen: dict[str, int], firsts: dict[str, int], stored: set[str]
    ) -> list[Problem]:
        number = key.startswith("n:")
        first = seen.get(key, firsts[key])
        if first != line:
            if number:
                return [
                    Problem(
                        line,
                        "number",
                        f"номер «{key[2:]}» уже был в строке {first}",
                        f"number {key[2:]!r} repeats line {first}",
                    )
                ]
            return [
                Problem(line, "uuid", "UUID повторяется в файле", "the UUID repeats in the file")
            ]
        if key not in stored:
            return []
        if number:
            return [
                Problem(
                    line,
                    "number",
                    f"тикет с номером «{key[2:]}» уже есть в базе",
                    f"a ticket numbered {key[2:]!r} already exists",
                )
            ]
        return [
            Problem(
                line,
                "uuid",
                "тикет с этим UUID уже есть в базе",
                "a ticket with this UUID already exists",
            )
        ]
