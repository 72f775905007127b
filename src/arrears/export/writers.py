"""Serialise export rows as CSV or JSON lines, one row at a time, so exports stream at any size."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, Literal, TextIO

ExportFormat = Literal["csv", "jsonl"]
#: How lists (labels, rule ids) appear in a CSV cell; JSON lines keep real arrays.
LIST_SEPARATOR = ";"


def write(rows: Iterable[dict[str, Any]], columns: tuple[str, ...], fmt: ExportFormat, out: TextIO) -> int:
    """Write every row; returns how many. CSV always gets its header, even for an empty export."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(name)) for name in columns])
            count += 1
    else:
        for row in rows:
            out.write(json.dumps({name: row.get(name) for name in columns}, ensure_ascii=False) + "\n")
            count += 1
    return count


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
