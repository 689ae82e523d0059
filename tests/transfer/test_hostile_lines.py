"""Hostile import lines (issue 10): bad bytes, look-alike numbers, impossible closings, typos.

Each is a file a person will try to import; the refusal must name the line and say what to fix.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from opdesk.store.database import open_local
from opdesk.transfer import ImportRefused, import_file
from tests.transfer.test_transfer import ticket

NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
CSV_HEADER = "number,process,created_at,category,priority,status,stage,subject,client_name\n"


def line(rec: dict[str, Any]) -> bytes:
    return (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8")


def import_bytes(tmp_path: Path, data: bytes, fmt: str = "jsonl") -> int:
    file = tmp_path / f"in.{fmt}"
    file.write_bytes(data)
    db = open_local(tmp_path / "desk.sqlite3")
    try:
        return import_file(db, file, fmt, now=NOW)
    finally:
        db.close()


def refused(tmp_path: Path, data: bytes, fmt: str = "jsonl") -> list[Any]:
    with pytest.raises(ImportRefused) as caught:
        import_bytes(tmp_path, data, fmt)
    return list(caught.value.problems)


# -- a. a bad byte names its line and offset ---------------------------------------------------


def test_a_bad_byte_in_line_ten_names_line_and_offsets(tmp_path: Path) -> None:
    lines = [line(ticket(f"E-{n}")) for n in range(1, 13)]
    before = sum(len(x) for x in lines[:9])
    lines[9] = lines[9].replace("Нет связи".encode(), b"\xff\xfe", 1)
    column = lines[9].index(b"\xff")
    problems = refused(tmp_path, b"".join(lines))
    assert [p.line for p in problems] == [10]
    text = str(problems[0])
    assert "строка 10" in text and "line 10" in text
    assert "0xff" in text and "UTF-8" in text
    assert f"смещением {column} в строке" in text and f"offset {before + column} in the" in text


def test_the_offset_counts_a_byte_order_mark(tmp_path: Path) -> None:
    first = b"\xef\xbb\xbf" + line(ticket("E-1"))
    second = line(ticket("E-2")).replace(b"E-2", b"E-\xc0", 1)
    problems = refused(tmp_path, first + second)
    assert [p.line for p in problems] == [2]
    at = len(first) + second.index(b"\xc0")
    assert f"(offset {at} in the file)" in str(problems[0])


def test_every_line_with_a_bad_byte_is_reported_and_the_rest_still_checked(
    tmp_path: Path,
) -> None:
    bad = line(ticket("E-2")).replace("Нет".encode(), b"\x80", 1)
    data = line(ticket("E-1")) + bad + line(ticket("E-3", status="Летает")) + bad
    problems = refused(tmp_path, data)
    assert [(p.line, p.field) for p in problems] == [(2, "—"), (3, "status"), (4, "—")]


def test_a_bad_byte_inside_a_multiline_csv_record_names_its_line(tmp_path: Path) -> None:
    rows = [
        "K-1,csn,2026-11-16T10:00:00+00:00,Проблемы с хостингом,Срочный,in_progress,"
        'processing,"две\nстроки",Ромашка\n',
        "K-2,csn,2026-11-16T10:00:00+00:00,Проблемы с хостингом,Срочный,in_progress,"
        'processing,"ещё\nплохой \xff байт",Ромашка\n',
    ]
    data = CSV_HEADER.encode() + b"".join(r.encode("utf-8") for r in rows)
    data = data.replace("\xff".encode(), b"\xff")
    problems = refused(tmp_path, data, "csv")
    assert [p.line for p in problems] == [5]  # record 2 starts on line 4, the byte is on 5
    assert "UTF-8" in problems[0].message_ru and "0xff" in problems[0].message_en


# -- b. look-alike numbers ---------------------------------------------------------------------


def test_a_number_with_spaces_repeats_the_trimmed_number(tmp_path: Path) -> None:
    data = line(ticket("СЗ-500100")) + line(ticket(" СЗ-500100 "))
    problems = refused(tmp_path, data)
    assert [(p.line, p.field) for p in problems] == [(2, "number")]
    assert "строке 1" in problems[0].message_ru


def test_a_number_with_spaces_repeats_a_ticket_in_the_database(tmp_path: Path) -> None:
    assert import_bytes(tmp_path, line(ticket("СЗ-500100"))) == 1
    problems = refused(tmp_path, line(ticket("\u00a0СЗ-500100\t")))
    assert [(p.line, p.field) for p in problems] == [(1, "number")]


def test_the_number_is_stored_trimmed(tmp_path: Path) -> None:
    assert import_bytes(tmp_path, line(ticket("  СЗ-7  "))) == 1
    problems = refused(tmp_path, line(ticket("СЗ-7")))  # the stored number is "СЗ-7"
    assert [(p.line, p.field) for p in problems] == [(1, "number")]


# -- c. closing moments --------------------------------------------------------------------------


def closed(number: str, **changes: Any) -> dict[str, Any]:
    return ticket(number, process="csn", status="closed", stage="closed", **changes)


@pytest.mark.parametrize(
    ("closed_at", "ru", "en"),
    [
        (None, "без даты закрытия", "has no closed_at"),
        ("2026-11-15T09:00:00+00:00", "раньше даты создания", "is before created_at"),
        ("2026-11-16T12:59:00+03:00", "раньше даты создания", "is before created_at"),
    ],
)
def test_a_closed_ticket_needs_a_closing_moment_after_creation(
    tmp_path: Path, closed_at: str | None, ru: str, en: str
) -> None:
    rec = closed("CL-1") if closed_at is None else closed("CL-1", closed_at=closed_at)
    problems = refused(tmp_path, line(rec))
    found = [p for p in problems if p.field == "closed_at"]
    assert [p.line for p in found] == [1]
    assert ru in found[0].message_ru and en in found[0].message_en


def test_a_closed_ticket_closed_after_creation_imports(tmp_path: Path) -> None:
    assert import_bytes(tmp_path, line(closed("CL-1", closed_at="2026-11-16T10:00:00+00:00"))) == 1


def test_an_open_ticket_needs_no_closed_at(tmp_path: Path) -> None:
    assert import_bytes(tmp_path, line(ticket("OP-1"))) == 1


# -- d. unknown keys ----------------------------------------------------------------------------


def test_an_unknown_key_is_reported_not_dropped(tmp_path: Path) -> None:
    rec = ticket("T-1")
    rec["subjcet"] = rec.pop("subject")
    rec["extra"] = 1
    problems = refused(tmp_path, line(ticket("T-0")) + line(rec))
    assert [(p.line, p.field) for p in problems] == [(2, "extra, subjcet")]
    assert "неизвестные поля" in problems[0].message_ru
    assert "unknown fields" in problems[0].message_en


@pytest.mark.parametrize(
    ("part", "value", "field"),
    [
        ("client", {"name": "ООО «Ромашка»", "moblie": "+79161234567"}, "client"),
        ("comments", [{"at": "2026-11-16T10:00:00+00:00", "txet": "пропадёт"}], "comments[0]"),
        ("history", [{"at": "2026-11-16T10:00:00+00:00", "status": "new", "who": "x"}],
         "history[0]"),
        ("confirmations", [{"kind": "verbal", "at": "2026-11-16T10:00:00+00:00", "bY": "x"}],
         "confirmations[0]"),
        ("outgoing", [{"department": "ОЭ", "sent_at": "2026-11-16T10:00:00+00:00",
                       "reminder_at": "2026-11-17T10:00:00+00:00", "anwser": "да"}],
         "outgoing[0]"),
        ("closure", {"cause": "x", "cuase": "y"}, "closure"),
    ],
)  # fmt: skip
def test_an_unknown_key_inside_a_nested_object_is_reported(
    tmp_path: Path, part: str, value: Any, field: str
) -> None:
    """A typo inside the client, a comment, the history… loses its value as surely as one at
    the top level: the line is refused naming the object and the key."""
    problems = refused(tmp_path, line(ticket("T-1", **{part: value})))
    assert [(p.line, p.field) for p in problems] == [(1, field)]
    assert "неизвестные поля" in problems[0].message_ru


def test_an_unknown_key_of_a_spare_part_line_is_reported(tmp_path: Path) -> None:
    closure = {"cause": "x", "spare_parts": [{"name": "Блок питания", "quantity": 1, "qty": 2}]}
    problems = refused(tmp_path, line(ticket("T-1", closure=closure)))
    assert [(p.line, p.field) for p in problems] == [(1, "closure.spare_parts[0]")]
