"""Reading JSON Lines and CSV ticket files into (line number, record) pairs.

Why line numbers are tracked here: the person fixing a refused file needs the line their
editor shows. For CSV a record may span several lines (a subject with a newline), so the
number reported is the line the record *starts* on. A line that cannot be parsed at all
becomes a `Problem` in the stream, so the importer still reports every other bad row.

Why a UTF-8 file is decoded here, line by line, from the bytes under the text stream: the
text layer decodes 8 KB chunks, so a bad byte surfaced as an error about "the file" with no
line; decoding each line ourselves names the line and the byte offset, and every other line
is still checked. Lines end at "\n" (a "\r\n" ending is kept for the CSV reader).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
from collections.abc import Iterator
from typing import Any, BinaryIO, TextIO, cast

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


BOM = codecs.BOM_UTF8


class _Lines:
    """Text lines of a stream; a line with bytes that are not UTF-8 is recorded in `bad`
    (line number → Problem) and passed on with U+FFFD in their place."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.bad: dict[int, Problem] = {}

    def __iter__(self) -> Iterator[str]:
        raw = _bytes_under(self.stream)
        if raw is None:
            yield from self.stream
            return
        offset = 0
        for number, data in enumerate(raw, 1):
            start = offset
            offset += len(data)
            if number == 1 and data.startswith(BOM):
                data, start = data[len(BOM) :], start + len(BOM)
            try:
                yield data.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.bad[number] = _encoding_problem(number, start, exc)
                yield data.decode("utf-8", errors="replace")

    def problems(self, first: int, last: int) -> list[Problem]:
        """The encoding problems of lines first…last (a CSV record may span several)."""
        return [self.bad[n] for n in range(first, last + 1) if n in self.bad]


def _bytes_under(stream: TextIO) -> BinaryIO | None:
    """The binary file under a fresh UTF-8 text stream, or None (then the text is used)."""
    if not isinstance(stream, io.TextIOWrapper):
        return None
    if codecs.lookup(stream.encoding).name not in {"utf-8", "utf-8-sig"}:
        return None
    try:
        if stream.buffer.tell() != 0:  # the text layer has read ahead: its bytes are gone
            return None
    except (OSError, ValueError):
        return None
    return cast(BinaryIO, stream.buffer)


def _encoding_problem(line: int, start: int, exc: UnicodeDecodeError) -> Problem:
    byte = exc.object[exc.start]
    at = start + exc.start
    return Problem(
        line,
        "—",
        f"байт 0x{byte:02x} со смещением {exc.start} в строке (смещение {at} в файле) "
        "не является UTF-8",
        f"byte 0x{byte:02x} at offset {exc.start} in the line (offset {at} in the file) "
        "is not UTF-8",
    )


def read_records(stream: TextIO, fmt: str, parse: bool = True) -> Iterator[tuple[int, Any]]:
    """(line, record) pairs; a line that cannot be read is a Problem in the stream. With
    `parse` False a JSON Lines record is its text (`parse_jsonl` later, in a worker)."""
    lines = _Lines(stream)
    return _csv(lines) if fmt == "csv" else _jsonl(lines, parse)


def parse_jsonl(line: int, text: str) -> Any:
    """A JSON Lines record, or the Problem of a line that is not JSON."""
    try:
        return json.loads(text)
    except ValueError as exc:
        return Problem(line, "—", f"строка не является JSON: {exc}", f"the line is not JSON: {exc}")


def _jsonl(lines: _Lines, parse: bool) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(lines, 1):
        if number in lines.bad:
            yield number, lines.bad[number]
        elif line.strip():
            yield number, parse_jsonl(number, line) if parse else line


def _csv(lines: _Lines) -> Iterator[tuple[int, Any]]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a 1 MB comment is one cell
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        for problem in lines.problems(1, reader.line_num):
            yield problem.line, problem
        return
    if lines.bad:  # the header itself cannot be trusted
        for problem in lines.problems(1, reader.line_num):
            yield problem.line, problem
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
        bad = lines.problems(line, reader.line_num)
        if bad:
            for problem in bad:
                yield problem.line, problem
            continue
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
