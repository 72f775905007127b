"""`import_invoices`: stream a file, validate each row, and store it in batches of one transaction each.

Memory stays flat because at most three batches are alive (being read on the reading thread, waiting,
being written on the caller's thread), errors are handed to a callback batch by batch, in file order
(never accumulated), and duplicate ids are remembered in a temporary table. A row error never costs the
good rows. Validation refuses what the database would (lengths, money bounds, NUL bytes); should the
database still refuse a batch for its data, the batch is rolled back and written again in halves down to
single rows, so only the offending row is reported (with its line) and the rest are stored. A failure
of the database itself (disk full, connection lost) rolls back only the batch it hit and stops the
import, leaving every earlier batch complete.
"""

from __future__ import annotations

import gc
import io
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from arrears.cases.sync import StrategyResolver
from arrears.core.clock import Clock, SystemClock
from arrears.ingest import seen, stage
from arrears.ingest.checks import DeploymentChecks
from arrears.ingest.mapping import Mapping
from arrears.ingest.pipeline import Batch, validated_batches
from arrears.ingest.reader import BatchReader
from arrears.ingest.readers import ByteCounter, ImportFileError
from arrears.ingest.rows import InvoiceRow, RowError
from arrears.ingest.source import open_source
from arrears.ingest.sql import Db
from arrears.ingest.writer import BatchWriter, Prepared, Stored

FileFormat = Literal["csv", "jsonl"]
DEFAULT_SOURCE = "import"
#: Rows per batch (one transaction): larger batches amortise per-statement costs, smaller ones keep
#: memory down (three batches are in flight: read, prepared, being written); 10,000 is about 110 MiB.
DEFAULT_BATCH_SIZE = 10_000
#: Errors kept on the report for a summary; the full list goes through `on_error`.
KEEP_ERRORS = 50


@dataclass
class ImportReport:
    source: str
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    rows_skipped: int = 0  # rows the mapping says are not data (report titles, subtotals, line items)
    encoding: str | None = None  # as read, and how it was chosen ("utf-16 (BOM)")
    delimiter: str | None = None
    mapping: str | None = None
    notes: list[str] = field(default_factory=list)
    first_errors: list[RowError] = field(default_factory=list)
    aborted: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.rows_rejected == 0 and self.aborted is None

    def add(self, counts: dict[str, int]) -> None:
        for key, value in counts.items():
            self.counts[key] = self.counts.get(key, 0) + value

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rows_read": self.rows_read,
            "rows_imported": self.rows_imported,
            "rows_rejected": self.rows_rejected,
            "counts": dict(sorted(self.counts.items())),
            "ignored_columns": self.ignored_columns,
            "rows_skipped": self.rows_skipped,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "mapping": self.mapping,
            "notes": self.notes,
            "aborted": self.aborted,
            "seconds": round(self.seconds, 3),
        }


def detect_format(path: Path) -> FileFormat:
    return "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv"


def import_invoices(
    engine: Engine,
    file: Path | IO[bytes],
    *,
    resolve_strategy: StrategyResolver,
    file_format: FileFormat | None = None,
    source: str = DEFAULT_SOURCE,
    clock: Clock | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_error: Callable[[RowError], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    mapping: Mapping | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    checks: DeploymentChecks | None = None,
) -> ImportReport:
    """Import invoices (with their customers, accounts, contacts, consents) and sync their cases.

    Raises `ImportFileError` when the file itself is unusable (no header, missing required columns);
    bad rows are reported through `on_error` and counted, and the good rows are stored regardless.
    `on_progress` receives the number of bytes consumed so far. `mapping` reads an export in its own
    columns and notation (`arrears.ingest.mapping`); `encoding` and `delimiter` override the mapping's and
    detection; `checks` are what this deployment requires of a row (`arrears.ingest.checks`).
    """
    clock = clock or SystemClock()
    report = ImportReport(source=source)
    started = time.perf_counter()
    with ExitStack() as stack:
        if isinstance(file, Path):
            fmt = file_format or detect_format(file)
            raw: IO[bytes] = stack.enter_context(file.open("rb"))
        else:
            fmt, raw = file_format or "csv", file
        counter = ByteCounter(raw)
        buffered = stack.enter_context(_buffered(counter))
        opened = open_source(buffered, fmt, mapping, encoding, delimiter)
        report.ignored_columns = opened.ignored
        report.encoding, report.delimiter, report.notes = opened.encoding, opened.delimiter, opened.notes
        report.mapping = mapping.name if mapping is not None else None
        conn = stack.enter_context(engine.connect())
        seen.create(conn)
        stack.callback(seen.drop, conn)
        db = Db(conn)
        stage.create(db)
        stack.callback(stage.drop, db)
        writer = BatchWriter(db, source=source, clock=clock, resolve_strategy=resolve_strategy)
        run = _Run(report, writer, on_error, on_progress, opened.annotate)
        stack.enter_context(_switching(SWITCH_INTERVAL))
        stack.enter_context(_collecting_less())
        batches = validated_batches(opened.records, opened.validate, counter, batch_size, checks)
        reader = stack.enter_context(BatchReader(batches, writer.prepare))
        for batch, prepared in reader:
            # The reading thread already reads the next batch while this one is written.
            if not run.finish(batch, prepared):
                break
        if on_progress is not None:
            on_progress(counter.consumed)
        if opened.counts is not None:
            report.rows_skipped = opened.counts.skipped + opened.counts.line_items
    report.seconds = time.perf_counter() - started
    return report


def _buffered(counter: ByteCounter) -> io.BufferedReader:
    return io.BufferedReader(counter, buffer_size=1 << 20)


__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_SOURCE",
    "FileFormat",
    "ImportFileError",
    "ImportReport",
    "detect_format",
    "import_invoices",
]


#: Seconds a thread may hold the GIL while another waits for it (Python's default is 5 ms). The writing
#: thread takes the GIL back after every statement; behind the busy reading thread that costs up to one
#: interval each time, so the import lowers it while it runs.
SWITCH_INTERVAL = 0.0005


@contextmanager
def _switching(interval: float) -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, interval))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


#: Allocations between young-generation collections during an import (Python's default is 700).
GC_THRESHOLD = (100_000, 50, 100)


@contextmanager
def _collecting_less() -> Iterator[None]:
    """The import allocates millions of short-lived, acyclic objects (rows, tuples, strings), freed by
    reference counting; the cycle collector still walked the young and, every so often, the whole heap
    after each 700 of them: a third of the reading thread's time. Fewer, larger young collections keep
    cycles collected (memory stays bounded) at a fraction of the cost; settings are restored after."""
    before = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0  # a host that froze objects itself keeps its own arrangement
    if freeze:
        gc.freeze()  # what the process held before the import is not revisited by each collection
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if freeze:
            gc.unfreeze()


class _Run:
    """Reports each batch in file order, once its writes are done: validation errors, then the rest."""

    def __init__(
        self,
        report: ImportReport,
        writer: BatchWriter,
        on_error: Callable[[RowError], None] | None,
        on_progress: Callable[[int], None] | None,
        annotate: Callable[[RowError], RowError] | None = None,
    ) -> None:
        self.annotate = annotate
        self.report = report
        self.writer = writer
        self.on_error = on_error
        self.on_progress = on_progress

    def reject(self, error: RowError) -> None:
        if self.annotate is not None:
            error = self.annotate(error)
        if len(self.report.first_errors) < KEEP_ERRORS:
            self.report.first_errors.append(error)
        if self.on_error is not None:
            self.on_error(error)

    def finish(self, batch: Batch, prepared: Prepared | None) -> bool:
        """Write and account for one batch; False when the database refused it (the import stops)."""
        report = self.report
        report.rows_read += batch.read
        report.rows_rejected += batch.rejected
        for error in batch.errors:
            self.reject(error)
        if prepared is not None:
            try:
                self.account(self.writer.store(prepared))
            except Exception as exc:
                if not _refused(exc):
                    raise
                if _failing_database(exc) or not self.in_halves(batch.rows):
                    self.abort(batch.rows, exc)
                    return False
            self.writer.refresh_statistics(report.rows_imported)
        if self.on_progress is not None:
            self.on_progress(batch.consumed)
        return True

    def account(self, result: Stored) -> None:
        report = self.report
        report.rows_rejected += len({error.line for error in result.errors})
        report.rows_imported += result.imported
        report.add(result.counts)
        for error in result.errors:
            self.reject(error)

    def in_halves(self, rows: list[InvoiceRow]) -> bool:
        """Write a refused batch again in halves, each refused half split again down to single rows: the
        good rows are stored, each row the database refuses is reported with its line, and one bad row
        in 10,000 costs about 28 small transactions. False when the database itself fails meanwhile."""
        half = len(rows) // 2
        for part in (rows[:half], rows[half:]):
            if not part:
                continue
            try:
                self.account(self.writer.store(self.writer.prepare(part)))
            except Exception as exc:
                if not _refused(exc):
                    raise
                if _failing_database(exc):
                    return False
                if len(part) > 1:
                    if not self.in_halves(part):
                        return False
                    continue
                # The driver's message may quote the row's values (personal data): only its kind.
                reason = f"the database refused this row ({_kind(exc)}); the rest of its batch is stored"
                self.report.rows_rejected += 1
                self.reject(RowError(part[0].line, "row", reason, part[0].invoice_ext))
        return True

    def abort(self, rows: list[InvoiceRow], exc: Exception) -> None:
        cause = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        self.report.aborted = (
            f"lines {rows[0].line}-{rows[-1].line}: the database refused the batch, which was "
            f"rolled back ({type(exc).__name__}: {cause}); earlier batches are stored"
        )


def _dbapi(exc: BaseException, *names: str) -> bool:
    """Whether `exc` is a PEP 249 driver error of one of these kinds (sqlite3, psycopg, any driver)."""
    return any(kind.__name__ in names for kind in type(exc).__mro__)


def _refused(exc: Exception) -> bool:
    """What a batch's write raises when the database refuses it: SQLAlchemy's errors, and the drivers'
    own (raw COPY and executes on the staging tables: DBAPI errors, or ValueError / OverflowError for
    a value the driver cannot send)."""
    return isinstance(exc, (SQLAlchemyError, ValueError, OverflowError)) or _dbapi(exc, "Error")


def _failing_database(exc: Exception) -> bool:
    """The database itself failing (disk full, connection lost), not one row's data: retrying row by
    row cannot help."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    return _dbapi(exc, "OperationalError", "InterfaceError")


def _kind(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    return type(orig).__name__
