"""Stream raw rows out of a CSV or JSON-lines file, one at a time, in constant memory.

Readers only split the file into (line number, values) records, the values in the order of the header
they return; a record that cannot even be split (bad quoting, wrong field count, broken JSON) becomes a
`RowError` and reading goes on. Values stay lists, not dicts: the validator reads columns by position.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import IO, Any

from arrears.ingest.columns import BY_NAME, COLUMNS, REQUIRED
from arrears.ingest.rows import RowError

RawRecord = tuple[int, list[str]]
#: The column order of JSON-lines records: every documented column.
JSONL_HEADER = [c.name for c in COLUMNS]
_JSONL_INDEX = {name: i for i, name in enumerate(JSONL_HEADER)}


class ImportFileError(ValueError):
    """The file as a whole is unusable (no header, missing required columns): nothing is imported."""


class ByteCounter(io.RawIOBase):
    """Counts bytes as they are consumed, so progress follows the file without seeking."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.consumed += size
        return size


#: Characters a CSV field may have before the reader gives up on its record (Python's default is 128 Ki,
#: and its error cannot say which column). Up to this, an over-long value reaches validation, which
#: names its column and limit; no documented column takes more than 320 characters.
FIELD_LIMIT = 1 << 22


def csv_text(stream: IO[bytes], encoding: str = "utf-8-sig") -> io.TextIOWrapper:
    """The file as text; bytes the encoding cannot read become U+FFFD, which validation flags per field."""
    if csv.field_size_limit() < FIELD_LIMIT:
        csv.field_size_limit(FIELD_LIMIT)
    return io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")


def read_csv(
    stream: IO[bytes], encoding: str = "utf-8-sig", delimiter: str = ","
) -> tuple[list[str], list[str], Iterator[RawRecord | RowError]]:
    """The header's unknown columns, the header, and the record iterator; raises `ImportFileError` on a
    bad header."""
    reader = csv.reader(csv_text(stream, encoding), delimiter=delimiter, strict=True)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise ImportFileError("the file is empty (expected a header row)") from None
    except csv.Error as exc:
        raise ImportFileError(f"line 1: unreadable header: {exc}") from None
    _check_header(header)
    return [h for h in header if h not in BY_NAME], header, _csv_records(reader, header)


def _check_header(header: list[str]) -> None:
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise ImportFileError(f"line 1: repeated columns: {', '.join(duplicated)}")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError(f"line 1: missing required columns: {', '.join(missing)}")


def csv_lines(reader: Any) -> Iterator[tuple[int, list[str]] | RowError]:
    """Each record with the line it starts on (a quoted field may span lines), or an error naming that line
    for a record the csv module cannot read; reading goes on after it."""
    last = reader.line_num
    while True:
        start = last + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            last = reader.line_num
            yield RowError(start, "", f"malformed CSV: {exc}")
            continue
        last = reader.line_num
        yield start, record


def _csv_records(reader: Any, header: list[str]) -> Iterator[RawRecord | RowError]:
    width = len(header)
    for item in csv_lines(reader):
        if isinstance(item, RowError):
            yield item
            continue
        start, record = item
        if not record or (len(record) == 1 and not record[0].strip()):
            continue
        if len(record) != width:
            yield RowError(start, "", f"malformed CSV: expected {width} fields, found {len(record)}")
            continue
        yield start, record


def read_jsonl(stream: IO[bytes]) -> tuple[list[str], list[str], Iterator[RawRecord | RowError]]:
    """JSON lines: one object per line. Numbers are kept as their exact text, never as floats."""
    return [], JSONL_HEADER, _jsonl_records(stream)


def _jsonl_records(stream: IO[bytes]) -> Iterator[RawRecord | RowError]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line.decode("utf-8-sig"), parse_float=str, parse_int=str)
        except UnicodeDecodeError:
            yield RowError(number, "", "not valid UTF-8")
            continue
        except ValueError as exc:
            yield RowError(number, "", f"malformed JSON: {exc}")
            continue
        if not isinstance(value, dict):
            yield RowError(number, "", "expected a JSON object")
            continue
        raw = [""] * len(JSONL_HEADER)
        bad: RowError | None = None
        for key, item in value.items():
            index = _JSONL_INDEX.get(key)
            if index is None:
                continue  # extra keys are ignored, as extra CSV columns are
            if item is None:
                continue
            if isinstance(item, bool):
                raw[index] = "true" if item else "false"
            elif isinstance(item, str):
                raw[index] = item
            else:
                bad = RowError(number, key, "expected a string, number or boolean")
                break
        if bad is not None:
            yield bad
            continue
        yield number, raw
