"""Serialise export rows as CSV or JSON lines, one row at a time, so exports stream at any size."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from typing import Any, Literal, TextIO

ExportFormat = Literal["csv", "jsonl"]
#: How lists (labels, rule ids) appear in a CSV cell; JSON lines keep real arrays.
LIST_SEPARATOR = ";"
#: Cells a spreadsheet would run as a formula (OWASP CSV injection): they get a leading single quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Columns whose text may legitimately start with a sign: kept as they are when the value is exactly that.
_LITERAL = {
    "promise_amount": re.compile(r"-?\d+(\.\d+)?"),
    "confidence": re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?"),
    "destination": re.compile(r"\+[1-9]\d{1,14}"),  # an E.164 phone number
}


def write(rows: Iterable[dict[str, Any]], columns: tuple[str, ...], fmt: ExportFormat, out: TextIO) -> int:
    """Write every row; returns how many. CSV always gets its header, even for an empty export."""
    count = 0
    if fmt == "csv":
        # RFC 4180's CRLF: the writer then quotes a cell holding a lone CR, which would split the row.
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(name, row.get(name)) for name in columns])
            count += 1
    else:
        for row in rows:
            out.write(json.dumps({name: row.get(name) for name in columns}, ensure_ascii=False) + "\n")
            count += 1
    return count


def _cell(column: str, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return neutralise(column, LIST_SEPARATOR.join(str(item) for item in value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return neutralise(column, value)
    return value


def neutralise(column: str, text: str) -> str:
    """Prefix a formula-leading cell with a quote so a spreadsheet shows it as text instead of running it;
    a signed number or phone number in a column made for one is left alone."""
    if not text.startswith(FORMULA_START):
        return text
    literal = _LITERAL.get(column)
    if literal is not None and literal.fullmatch(text):
        return text
    return "'" + text
