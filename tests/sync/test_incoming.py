"""A pulled batch's values on their way into SQLite (opdesk/sync/incoming.py) and the batch's
columnar form on the wire (opdesk/store/wire.py): the fast way over canonical columns gives
the same stored values as the value-by-value way, any other spelling `wire.from_json` accepts
is accepted too, and whatever does not fit is refused with the column named."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from opdesk.store import bulk, wire
from opdesk.sync import incoming

KEY = "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"
TICKET = "0190a1b2-c3d4-7e5f-8a6b-000000000001"
MOMENT = "2026-12-01T09:00:00.123456+00:00"
STORED_MOMENT = "2026-12-01 09:00:00.123456"


def confirmation(**values: Any) -> list[Any]:
    """A `confirmations` row (id, ticket_id, kind, by, at) in its wire array."""
    row = {"id": KEY, "ticket_id": TICKET, "kind": "verbal", "by": "client", "at": MOMENT}
    row |= values
    return [row[name] for name in wire.column_names("confirmations")]


def stored(table: str, *rows: list[Any]) -> list[tuple[Any, ...]]:
    return incoming.storage_rows(table, wire.TableRows(wire.column_names(table), list(rows)))


def test_canonical_values_become_the_stored_forms() -> None:
    assert wire.column_names("confirmations") == ("id", "ticket_id", "kind", "by", "at")
    assert stored("confirmations", confirmation()) == [
        (uuid.UUID(KEY).hex, uuid.UUID(TICKET).hex, "verbal", "client", STORED_MOMENT)
    ]
    assert bulk.moment_text(wire.from_json("confirmations", {
        "id": KEY, "ticket_id": TICKET, "kind": "verbal", "by": "client", "at": MOMENT,
    })["at"]) == STORED_MOMENT  # fmt: skip


@pytest.mark.parametrize(
    ("column", "spelling"),
    [
        ("id", KEY.upper()),
        ("id", "{" + KEY + "}"),
        ("id", KEY.replace("-", "")),
        ("at", "2026-12-01T12:00:00.123456+03:00"),
        ("at", "2026-12-01T09:00:00.123456Z"),
    ],
)
def test_other_spellings_are_read_as_from_json_reads_them(column: str, spelling: str) -> None:
    """One value in another spelling sends its column the value-by-value way: the result is
    the same as for the canonical spelling, for it and for the canonical values beside it."""
    other = uuid.uuid4()
    rows = [confirmation(), confirmation(**{column: spelling}), confirmation(id=str(other))]
    got = stored("confirmations", *rows)
    assert got[1] == got[0]
    assert got[2][0] == other.hex and got[2][4] == STORED_MOMENT


def test_nulls_stay_null_where_allowed() -> None:
    names = wire.column_names("comments")
    row = {"id": KEY, "ticket_id": TICKET, "at": MOMENT, "author": "ivanov", "kind": "note",
           "text": "Текст", "tags": "", "template_id": "", "reached": None}  # fmt: skip
    assert set(names) == set(row)
    again = row | {"id": str(uuid.uuid4()), "reached": True}
    got = stored("comments", [row[n] for n in names], [again[n] for n in names])
    assert [r[names.index("reached")] for r in got] == [None, True]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"kind": 1}, "confirmations.kind: expected text, got int"),
        ({"by": None}, "confirmations.by: null is not allowed"),
        ({"id": "not-a-uuid"}, "confirmations.id: not a UUID"),
        ({"id": KEY[:-1] + "g"}, "confirmations.id: not a UUID"),
        ({"at": "2026-12-01T09:00:00.123456"}, "confirmations.at: a moment needs its zone"),
        ({"at": "2026-02-30T09:00:00.123456+00:00"}, "confirmations.at: not an ISO 8601"),
        ({"at": "2026-12-01T09:00:00.12345x+00:00"}, "confirmations.at: not an ISO 8601"),
        ({"at": 1764579600}, "confirmations.at: expected moment, got int"),
    ],
)
def test_a_value_that_does_not_fit_is_refused(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        stored("confirmations", confirmation(), confirmation(**values))


def test_numbers_and_flags_keep_their_json_types() -> None:
    names = wire.column_names("spare_part_lines")
    assert names == ("id", "ticket_id", "name", "quantity")
    assert stored("spare_part_lines", [KEY, TICKET, "Роутер", 2])[0][3] == 2
    for bad, kind in ((True, "bool"), ("2", "str"), (2.0, "float")):
        with pytest.raises(ValueError, match=f"quantity: expected int, got {kind}"):
            stored("spare_part_lines", [KEY, TICKET, "Роутер", bad])
    with pytest.raises(ValueError, match="quantity: an integer beyond 64 bits"):
        stored("spare_part_lines", [KEY, TICKET, "Роутер", 2**63])
    comment = {"id": KEY, "ticket_id": TICKET, "at": MOMENT, "author": "a", "kind": "note",
               "text": "", "tags": "", "template_id": "", "reached": 1}  # fmt: skip
    with pytest.raises(ValueError, match=r"comments\.reached: expected bool, got int"):
        stored("comments", [comment[n] for n in wire.column_names("comments")])


def test_a_row_of_another_width_is_refused() -> None:
    with pytest.raises(ValueError, match="confirmations: a row does not have 5 values"):
        stored("confirmations", confirmation(), confirmation()[:4])


def body_tables(rows_json: dict[str, str]) -> Any:
    body = wire.batch_json("s", 7, True, rows_json, [("comments", KEY)])
    data = json.loads(body)
    assert set(data) == {"server_id", "cursor", "more", "tables", "tombstones"}
    assert data["tombstones"] == [{"table": "comments", "key": KEY}]
    return data["tables"]


def test_the_batch_body_reads_back_table_by_table() -> None:
    rows_json = {"confirmations": json.dumps([confirmation(), confirmation(by="Пётр «П»")])}
    tables = wire.read_tables(body_tables(rows_json))
    assert list(tables) == ["confirmations"]
    assert tables["confirmations"].columns == wire.column_names("confirmations")
    assert tables["confirmations"].dicts()[1]["by"] == "Пётр «П»"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: {"outbox": t["confirmations"]}, "unknown table 'outbox'"),
        (lambda t: {"confirmations": {**t["confirmations"], "columns": ["id"]}}, "columns"),
        (lambda t: {"confirmations": {**t["confirmations"], "extra": 1}}, "exactly"),
        (lambda t: {"confirmations": {**t["confirmations"], "rows": [{"id": KEY}]}}, "arrays"),
        (lambda t: {"confirmations": {**t["confirmations"], "rows": [[KEY]]}}, "5 values"),
        (lambda t: [], "not an object"),
    ],
)
def test_a_batch_of_another_shape_is_refused(change: Any, message: str) -> None:
    tables = body_tables({"confirmations": json.dumps([confirmation()])})
    with pytest.raises(ValueError, match=message):
        wire.read_tables(change(tables))
