"""Open an import file as records plus the validator that fits them: our own columns as they are, or an
export read through a mapping; the encoding and delimiter given or detected, and said in the report."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from arrears.ingest.fast import FastValidator
from arrears.ingest.mapped import Counts, open_mapped
from arrears.ingest.mapping import Mapping
from arrears.ingest.readers import ImportFileError, RawRecord, csv_text, read_csv, read_jsonl
from arrears.ingest.rows import InvoiceRow, RowError
from arrears.ingest.sniff import SAMPLE_BYTES, decoded_sample, describe, detect_delimiter, detect_encoding

Validate = Callable[[int, list[str]], InvoiceRow | list[RowError]]


@dataclass
class Source:
    records: Iterator[RawRecord | RowError]
    validate: Validate
    ignored: list[str]
    annotate: Callable[[RowError], RowError] | None = None
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    counts: Counts | None = None


def open_source(
    stream: io.BufferedReader,
    fmt: str,
    mapping: Mapping | None,
    encoding: str | None,
    delimiter: str | None,
) -> Source:
    """Raises `ImportFileError` when the file cannot be used at all."""
    if fmt != "csv":
        ignored, header, records = read_jsonl(stream)
        return Source(records, _with_defaults(FastValidator(header).validate, header, mapping), ignored)
    sample = stream.peek(SAMPLE_BYTES)[:SAMPLE_BYTES]
    chosen = detect_encoding(sample, encoding or (mapping.encoding if mapping else None))
    try:
        text = decoded_sample(sample, chosen.codec)
    except LookupError:
        raise ImportFileError(f"unknown encoding {chosen.codec!r}") from None
    lines = text.lstrip("\ufeff").splitlines()
    if mapping is None:
        sep = detect_delimiter(lines[:20], delimiter)
        ignored, header, records = read_csv(stream, chosen.codec, sep)
        return Source(records, FastValidator(header).validate, ignored, None, chosen.label, describe(sep))
    start = _header_guess(lines, mapping)
    sep = detect_delimiter(lines[start : start + 20], delimiter or mapping.delimiter)
    reader = csv.reader(csv_text(stream, chosen.codec), delimiter=sep, strict=True)
    try:
        mapped = open_mapped(reader, mapping)
    except csv.Error as exc:
        raise ImportFileError(f"line {reader.line_num}: unreadable CSV before the header: {exc}") from None
    return Source(
        mapped.records,
        mapped.validate,
        mapped.ignored,
        mapped.annotate,
        chosen.label,
        describe(sep),
        mapped.notes,
        mapped.counts,
    )


def _header_guess(lines: list[str], mapping: Mapping) -> int:
    """Where the header line is in the sample, for the delimiter: the mapping's line, or the first line
    naming one of the headers it needs (report titles above it split differently)."""
    if isinstance(mapping.header_row, int):
        return min(mapping.header_row - 1, max(len(lines) - 1, 0))
    wanted = {h.lower() for headers in mapping.required_headers().values() for h in headers}
    for index, line in enumerate(lines[:100]):
        lowered = line.lower()
        if any(h in lowered for h in wanted):
            return index
    return 0


def _with_defaults(validate: Validate, header: list[str], mapping: Mapping | None) -> Validate:
    """JSON lines are in our columns already: of a mapping, only `defaults` (e.g. `--country`) apply."""
    if mapping is None:
        return validate
    if mapping.columns or mapping.dates != Mapping().dates:
        raise ImportFileError(
            "a mapping's columns and dates apply to CSV files; JSON lines take only defaults"
        )
    fill = [(header.index(name), value) for name, value in mapping.defaults.items()]

    def filled(line: int, values: list[str]) -> InvoiceRow | list[RowError]:
        for index, value in fill:
            if not values[index].strip():
                values[index] = value
        return validate(line, values)

    return filled
