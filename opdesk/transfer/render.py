"""Export batches as file text: JSON Lines or CSV.

CSV keeps the main fields as plain columns for spreadsheets and the nested parts as JSON text
in their own columns, so a CSV file carries everything a closed ticket needs to pass the
closing checklist on import. The text comes from SQLite (opdesk.transfer.export_sql); the
Python records of opdesk.transfer.export_rows are the same content for scripts and tests.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from opdesk.transfer import export_sql
from opdesk.transfer.read import CLIENT_FIELDS, CSV_FIELDS, NESTED

JSONL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # one encoder for all


def batch_text(cur: Any, ids: list[int], fmt: str) -> tuple[int, str]:
    """One batch of tickets as file text, with its number of tickets."""
    if fmt == "csv":
        cells = export_sql.rows(cur, export_sql.CSV_SQL, ids)
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(cells)
        return len(cells), out.getvalue()
    lines = export_sql.rows(cur, export_sql.JSONL_SQL, ids)
    return len(lines), "".join(line[0] + "\n" for line in lines)


def csv_header() -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(CSV_FIELDS)
    return out.getvalue()


def jsonl_text(recs: Iterable[dict[str, Any]]) -> str:
    """Records as JSON Lines, the way Python writes them (the reference for the SQL text)."""
    encode = JSONL.encode
    return "".join(encode(rec) + "\n" for rec in recs)


def csv_text(recs: Iterable[dict[str, Any]]) -> str:
    """Records as CSV rows, the way Python writes them (the reference for the SQL text)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for rec in recs:
        client = rec.get("client") or {}
        row: list[str] = []
        for name in CSV_FIELDS:
            if name in CLIENT_FIELDS:  # not client_dissatisfied, client_allows_closing
                value: Any = client.get(name.removeprefix("client_"), "")
            else:
                value = rec.get(name)
            row.append(_cell(name, value))
        writer.writerow(row)
    return out.getvalue()


def _cell(name: str, value: Any) -> str:
    if name in NESTED:
        return JSONL.encode(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
