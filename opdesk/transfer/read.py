"""Reading JSON Lines and CSV ticket files into (line number, record) pairs.

Why line numbers are tracked here: the person fixing a refused file needs the line their
editor shows. For CSV a record may span several lines (a subject with a newline), so the
number reported is the line the record *starts* on. A line that cannot be parsed at all
becomes a `Problem` in the stream, so the importer still reports every other bad row.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from opdesk.transfer.check import BOOL_FIELDS, Problem

CLIENT_FIELDS = (
    "client_name",
    "client_category",
    "client_mobile",
    "client_group",
    "client_city",
    "client_phone",
)
NESTED = ("comments", "closure", "confirmations", "history", "outgoing")
CSV_FIELDS = (
    "uuid",
    "number",
    "created_at",
    "updated_at",
    "process",
    "channel",
    *CLIENT_FIELDS,
    "contact_phone",
    "subject",
    "theme",
    "type",
    "subtheme",
    "product",
    "category",
    "priority",
    "status",
    "stage",
    "owner",
    "department",
    "paid",
    "arm_processed_by",
    "arm_processed_at",
    "scheme_permanent",
    "scheme_recorded_by",
    "needs_closing",
    "notify_client",
    "client_dissatisfied",
    "client_allows_closing",
    "resolved_by_department",
    "outcome",
    "closing_delay",
    "resolution_limit_minutes",
    "closed_at",
    "closed_via",
    *NESTED,
)
TRUE = frozenset({"true", "1", "да", "yes"})
FALSE = frozenset({"false", "0", "нет", "no", ""})


def read_records(stream: TextIO, fmt: str) -> Iterator[tuple[int, Any]]:
    return _csv(stream) if fmt == "csv" else _jsonl(stream)


def _jsonl(stream: TextIO) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except ValueError as exc:
            yield (
                number,
                Problem(
                    number, "—", f"строка не является JSON: {exc}", f"the line is not JSON: {exc}"
                ),
            )


def _csv(stream: TextIO) -> Iterator[tuple[int, Any]]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a 1 MB comment is one cell
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        return
    unknown = [h for h in header if h not in CSV_FIELDS]
    if unknown:
        yield (
            1,
            Problem(
                1, ", ".join(unknown), "неизвестные столбцы заголовка", "unknown header columns"
            ),
        )
        return
    start = reader.line_num + 1
    for row in reader:
        line, start = start, reader.line_num + 1
        if not any(row):
            continue
        if len(row) != len(header):
            yield (
                line,
                Problem(
                    line,
                    "—",
                    f"в строке {len(row)} полей, в заголовке {len(header)}",
                    f"{len(row)} fields, the header has {len(header)}",
                ),
            )
            continue
        try:
            yield line, _record(dict(zip(header, row, strict=True)))
        except _CellError as exc:
            yield line, Problem(line, exc.field, exc.ru, exc.en)


class _CellError(Exception):
    def __init__(self, field: str, ru: str, en: str) -> None:
        self.field, self.ru, self.en = field, ru, en
        super().__init__(field)


def _record(cells: dict[str, str]) -> dict[str, Any]:
    rec: dict[str, Any] = {}
    client: dict[str, str] = {}
    for name, text in cells.items():
        if name.startswith("client_") and name in CLIENT_FIELDS:
            client[name.removeprefix("client_")] = text
        elif name in NESTED:
            try:
                rec[name] = json.loads(text) if text.strip() else None
            except ValueError:
                raise _CellError(name, "ячейка не является JSON", "the cell is not JSON") from None
        elif name in BOOL_FIELDS:
            low = text.strip().lower()
            if low not in TRUE | FALSE:
                raise _CellError(name, "ожидается true/false", "expected true/false")
            rec[name] = low in TRUE if low else None
        elif name == "resolution_limit_minutes":
            try:
                rec[name] = int(text) if text.strip() else None
            except ValueError:
                raise _CellError(name, "ожидается целое число", "expected an integer") from None
        else:
            rec[name] = text
    rec["client"] = client
    return {k: v for k, v in rec.items() if v is not None}
