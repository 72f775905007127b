"""Read an export through a mapping: find its header among report titles, skip the rows that are not data,
and turn each data row into our columns with canonical values, for the import's one validator.

The mapping stage only translates (header names, date and number notation, country names, defaults); a
value it cannot read is reported with the line, our column, the export's column as the user sees it, and
the value. Everything else is judged by `arrears.ingest.validate`, exactly as for a file in our own
columns, and its errors are then labelled with the export's column too (`annotate`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from arrears.ingest.columns import COLUMNS
from arrears.ingest.fast import FastValidator
from arrears.ingest.mapping import Constant, Mapping, SkipRule
from arrears.ingest.readers import ImportFileError, RawRecord, csv_lines
from arrears.ingest.rows import InvoiceRow, RowError
from arrears.ingest.values import DateParser, MoneyParser, country_code

#: Lines searched for the header when the mapping says `header_row: auto`.
HEADER_SEARCH = 100
_DATES = ("issued_on", "due_on")
_MONEY = ("amount", "balance")


def _norm(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").split()).lower()


@dataclass
class Counts:
    skipped: int = 0  # rows the mapping says are not data (titles, subtotals)
    line_items: int = 0  # further rows of an invoice already read (one row per invoice line)


@dataclass
class MappedFile:
    """The export read through its mapping: our header, the records in it, and how to label errors."""

    header: list[str]
    records: Iterator[RawRecord | RowError]
    validate: Callable[[int, list[str]], InvoiceRow | list[RowError]]
    annotate: Callable[[RowError], RowError]
    ignored: list[str]
    notes: list[str] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)


def open_mapped(reader: Any, mapping: Mapping) -> MappedFile:
    """`reader` is a `csv.reader` over the file's text, positioned at its start."""
    line, export = _find_header(reader, mapping)
    names = [_norm(h) for h in export]
    where: dict[str, int] = {}
    for index, name in enumerate(names):
        where.setdefault(name, index)
    sources: dict[str, int | str] = {}  # our column -> export index, or a constant value
    notes: list[str] = []
    absent: list[str] = []
    for column in (c.name for c in COLUMNS):
        spec = mapping.columns.get(column)
        if isinstance(spec, Constant):
            sources[column] = spec.value
            continue
        found = next((where[_norm(h)] for h in mapping.headers(column) if _norm(h) in where), None)
        if found is not None:
            sources[column] = found
        elif column in mapping.defaults:
            sources[column] = ""
        elif column in mapping.required_headers():
            wanted = " or ".join(repr(h) for h in mapping.headers(column))
            raise ImportFileError(
                f"line {line}: no column {wanted} for {column} in the header ({', '.join(export)})"
            )
        elif spec is not None:
            absent.append(f"{column} ({' or '.join(mapping.headers(column))})")
    if absent:
        notes.append(f"mapped columns not in this file: {', '.join(absent)}")
    labels = {col: export[src] for col, src in sources.items() if isinstance(src, int)}
    used = {src for src in sources.values() if isinstance(src, int)}
    rules = [rule for rule in mapping.skip_rows_matching if isinstance(rule, SkipRule)]
    used |= {where.get(_norm(header), -1) for rule in rules for header in rule.headers}
    ignored = [h for i, h in enumerate(export) if i not in used and h.strip()]
    stage = _Stage(mapping, sources, labels, len(export), notes)
    records = stage.records(reader, _skip_rules(mapping, where, notes))
    return MappedFile(list(sources), records, stage.validate, stage.annotate, ignored, notes, stage.counts)


def _find_header(reader: Any, mapping: Mapping) -> tuple[int, list[str]]:
    needed = [[_norm(h) for h in headers] for headers in mapping.required_headers().values()]
    for record in reader:
        line = reader.line_num
        if isinstance(mapping.header_row, int):
            if line >= mapping.header_row:
                return line, [cell.strip() for cell in record]
            continue
        present = {_norm(cell) for cell in record}
        if record and all(any(h in present for h in options) for options in needed):
            return line, [cell.strip() for cell in record]
        if line >= HEADER_SEARCH:
            break
    shown = dict.fromkeys(" or ".join(headers) for headers in mapping.required_headers().values())
    wanted = "; ".join(shown)
    where = f"line {mapping.header_row}" if isinstance(mapping.header_row, int) else "the first lines"
    raise ImportFileError(f"no header row found in {where} (the mapping needs the columns: {wanted})")


SkipTest = Callable[[list[str]], bool]


def _skip_rules(mapping: Mapping, where: dict[str, int], notes: list[str]) -> SkipTest | None:
    first: list[re.Pattern[str]] = []
    by_column: list[tuple[int, re.Pattern[str]]] = []
    for rule in mapping.skip_rows_matching:
        if isinstance(rule, SkipRule):
            index = next((where[_norm(h)] for h in rule.headers if _norm(h) in where), None)
            if index is None:
                notes.append(f"skip rule on a column not in the file: {' or '.join(rule.headers)}")
                continue
            by_column.append((index, re.compile(rule.pattern, re.IGNORECASE)))
        else:
            first.append(re.compile(rule, re.IGNORECASE))
    if not first and not by_column:
        return None

    def skip(record: list[str]) -> bool:
        lead = next((cell.strip() for cell in record if cell.strip()), "")
        if any(p.match(lead) for p in first):
            return True
        return any(i < len(record) and p.match(record[i].strip()) for i, p in by_column)

    return skip


class _Stage:
    """Export row -> our values, in lockstep with the validator on the reading thread: `records` leaves
    the mapping's own errors for the line it yields, and `validate` joins them to the validator's."""

    def __init__(
        self,
        mapping: Mapping,
        sources: dict[str, int | str],
        labels: dict[str, str],
        width: int,
        notes: list[str],
    ) -> None:
        self.mapping = mapping
        self.labels = labels
        self.width = width
        self.counts = Counts()
        self.defaults = mapping.defaults
        self.plan = list(sources.items())
        self.invoice_at = list(sources).index("invoice_id") if "invoice_id" in sources else None
        self.dates = DateParser(mapping.dates)
        self.money = MoneyParser(mapping.decimal, mapping.thousands)
        self.fast = FastValidator(list(sources))
        self.failed: tuple[int, list[RowError]] = (0, [])

    def records(self, reader: Any, skip: SkipTest | None) -> Iterator[RawRecord | RowError]:
        previous: list[str] | None = None
        for item in csv_lines(reader):
            if isinstance(item, RowError):
                yield item
                continue
            start, record = item
            if not any(cell.strip() for cell in record):
                continue
            if skip is not None and skip(record):
                self.counts.skipped += 1
                continue
            if len(record) > self.width and any(cell.strip() for cell in record[self.width :]):
                found = len(record)
                yield RowError(start, "", f"malformed CSV: expected {self.width} fields, found {found}")
                continue
            values, errors = self._values(start, record)
            if self.mapping.line_items and values == previous and not errors:
                self.counts.line_items += 1
                continue
            previous = values
            self.failed = (start, errors)
            yield start, values

    def _values(self, line: int, record: list[str]) -> tuple[list[str], list[RowError]]:
        values: list[str] = []
        failed: list[tuple[str, str]] = []
        for name, src in self.plan:
            value = src if isinstance(src, str) else (record[src].strip() if src < len(record) else "")
            if not value:
                value = self.defaults.get(name, "")
            elif name in _DATES:
                value = self._read(value, self.dates.parse, self.dates.reason, name, failed)
            elif name in _MONEY:
                value = self._read(value, self.money.parse, self.money.reason, name, failed)
            elif name == "country" and len(value) != 2:
                value = country_code(value) or value  # an unknown name: the validator says so
            values.append(value)
        if not failed:
            return values, []
        invoice = values[self.invoice_at] or None if self.invoice_at is not None else None
        errors = [RowError(line, name, reason, invoice, self.labels.get(name)) for name, reason in failed]
        return values, errors

    @staticmethod
    def _read(
        value: str,
        parse: Callable[[str], str | None],
        reason: Callable[[str], str],
        name: str,
        failed: list[tuple[str, str]],
    ) -> str:
        parsed = parse(value)
        if parsed is None:
            failed.append((name, reason(value)))
            return ""
        return parsed

    def validate(self, line: int, values: list[str]) -> InvoiceRow | list[RowError]:
        result = self.fast.validate(line, values)
        pending_line, mapping_errors = self.failed
        if pending_line != line or not mapping_errors:
            return result if isinstance(result, InvoiceRow) else [self.annotate(e) for e in result]
        fields = {e.field for e in mapping_errors}
        others = [] if isinstance(result, InvoiceRow) else [e for e in result if e.field not in fields]
        return sorted([*mapping_errors, *map(self.annotate, others)], key=_column_order)

    def annotate(self, error: RowError) -> RowError:
        """The error with the export's column beside ours, when the value came from one."""
        label = self.labels.get(error.field)
        if label is None or error.column is not None:
            return error
        return replace(error, column=label)


_ORDER = {c.name: i for i, c in enumerate(COLUMNS)}


def _column_order(error: RowError) -> int:
    return _ORDER.get(error.field, -1)
