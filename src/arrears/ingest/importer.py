"""`import_invoices`: stream a file, validate each row, and store it in batches of one transaction each.

Memory stays flat because only one batch of rows is held at a time, errors are handed to a callback as
they are found (never accumulated), and duplicate ids are remembered in a temporary table. A row error
never costs the good rows; a database failure rolls back only the batch it hit and stops the import,
leaving every earlier batch complete.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Literal

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from arrears.audit import record_many
from arrears.cases.sync import StrategyResolver
from arrears.core.clock import Clock, SystemClock
from arrears.core.ids import new_id
from arrears.ingest import batch as settling
from arrears.ingest import ownership, seen, stage
from arrears.ingest.cases import sync_batch_cases
from arrears.ingest.contacts import store_contacts
from arrears.ingest.pipeline import validated_batches
from arrears.ingest.readers import ByteCounter, ImportFileError, read_csv, read_jsonl
from arrears.ingest.rows import CUSTOMER_FIELDS, STAGED, InvoiceRow, RowError
from arrears.ingest.sql import GROWN_TABLES, Db, chunks, refresh_statistics
from arrears.ingest.store import write

FileFormat = Literal["csv", "jsonl"]
DEFAULT_SOURCE = "import"
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
    batch_size: int = 5000,
    on_error: Callable[[RowError], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import invoices (with their customers, accounts, contacts, consents) and sync their cases.

    Raises `ImportFileError` when the file itself is unusable (no header, missing required columns);
    bad rows are reported through `on_error` and counted, and the good rows are stored regardless.
    `on_progress` receives the number of bytes consumed so far.
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
        ignored, header, records = read_csv(buffered) if fmt == "csv" else read_jsonl(buffered)
        report.ignored_columns = ignored
        conn = stack.enter_context(engine.connect())
        seen.create(conn)
        stack.callback(seen.drop, conn)
        db = Db(conn)
        stage.create(db)
        stack.callback(stage.drop, db)
        run = _Run(db, report, source, clock, resolve_strategy, on_error)
        batches = validated_batches(records, header, counter, batch_size)
        for batch in batches:
            report.rows_read += batch.read
            report.rows_rejected += batch.rejected
            for error in batch.errors:
                run.reject(error)
            if batch.rows and not run.flush(batch.rows):
                break
            if on_progress is not None:
                on_progress(batch.consumed)
            del batch  # else it stays alive while the next one is read: two batches in memory
        if on_progress is not None:
            on_progress(counter.consumed)
    report.seconds = time.perf_counter() - started
    return report


def _buffered(counter: ByteCounter) -> io.BufferedReader:
    return io.BufferedReader(counter, buffer_size=1 << 20)


class _Run:
    """The per-import state shared by every batch."""

    def __init__(
        self,
        db: Db,
        report: ImportReport,
        source: str,
        clock: Clock,
        resolve_strategy: StrategyResolver,
        on_error: Callable[[RowError], None] | None,
    ) -> None:
        self.db = db
        self.conn: Connection = db.conn
        self.report = report
        self.source = source
        self.clock = clock
        self.resolve_strategy = resolve_strategy
        self.on_error = on_error
        self.import_id = new_id()
        self.analyzed_at = 0  # rows imported when statistics were last refreshed

    def reject(self, error: RowError) -> None:
        if len(self.report.first_errors) < KEEP_ERRORS:
            self.report.first_errors.append(error)
        if self.on_error is not None:
            self.on_error(error)

    def flush(self, rows: list[InvoiceRow]) -> bool:
        """Store one batch in one transaction; False when the database refused it (import stops)."""
        try:
            with self.conn.begin():
                imported, errors, counts = self._apply(rows, self.clock.now())
        except SQLAlchemyError as exc:
            cause = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            self.report.aborted = (
                f"lines {rows[0].line}-{rows[-1].line}: the database refused the batch, which was "
                f"rolled back ({type(exc).__name__}: {cause}); earlier batches are stored"
            )
            return False
        self.report.rows_rejected += len({error.line for error in errors})
        self.report.rows_imported += imported
        self.report.add(counts)
        for error in errors:
            self.reject(error)
        if imported and self.report.rows_imported >= 2 * self.analyzed_at:
            # Doubling keeps it to about log2(rows / batch) refreshes per import.
            refresh_statistics(self.conn, (*GROWN_TABLES, seen.SEEN.name))
            self.analyzed_at = self.report.rows_imported
        return True

    def _apply(self, rows: list[InvoiceRow], now: datetime) -> tuple[int, list[RowError], dict[str, int]]:
        db = self.db
        db.start_batch()
        stage.clear(db)
        unique, later = settling.first_of_each(rows)
        stage.load(db, "imp_rows", _ROW_COLUMNS, [row[:STAGED] for row in unique])
        seen_before = seen.earlier(db)
        seen.claim(db)
        conflicts = ownership.conflicts(db, self.source)
        settled = settling.settle(
            unique, later, seen_before, conflicts, consent_source=f"import:{self.source}", now=now, ts=db.ts
        )
        for part in chunks(settled.rejected):
            db.run(f"DELETE FROM imp_rows WHERE line IN ({', '.join(str(int(line)) for line in part)})")
        stage.load(db, "imp_customers", _CUSTOMER_COLUMNS, settled.customers)
        stage.load(db, "imp_accounts", _ACCOUNT_COLUMNS, settled.accounts)
        stage.load(db, "imp_contacts", _CONTACT_COLUMNS, settled.contacts)
        stage.load(db, "imp_consents", _CONSENT_COLUMNS, settled.consents)
        stage.analyze(db)
        written = write(db, source=self.source, now=now, kept=settled.kept)
        counts = dict(written.counts)
        counts.update(store_contacts(db, now=now))
        synced = sync_batch_cases(db, now=now, resolve_strategy=self.resolve_strategy)
        counts.update(
            cases_opened=synced.opened,
            cases_updated=synced.updated,
            cases_closed=synced.closed,
            actions_cancelled=synced.cancelled_actions,
        )
        entries = list(written.audit)
        if any(value for key, value in counts.items() if key != "invoices_unchanged"):
            # A batch that changed nothing leaves no trace, so a re-import leaves identical state.
            summary = {
                "source": self.source,
                "lines": [rows[0].line, rows[-1].line],
                "rows": settled.kept,
                "rejected": len(settled.errors),
                **counts,
            }
            entry = {"at": now, "actor": "import", "action": "import.batch", "entity": "import"}
            entries.append({**entry, "entity_id": self.import_id, "data": summary})
        if entries:
            with Session(bind=self.conn) as session:
                record_many(session, entries)
        return settled.kept, settled.errors, counts


_ROW_COLUMNS = (
    "line",
    "invoice_ext",
    "account_ext",
    "customer_ext",
    "number",
    "currency",
    "amount",
    "balance",
    "issued_on",
    "due_on",
)
_CUSTOMER_COLUMNS = ("n", "external_id", *CUSTOMER_FIELDS)
_ACCOUNT_COLUMNS = ("n", "external_id", "customer_ext", "agency", "strategy")
_CONTACT_COLUMNS = ("n", "customer_ext", "channel", "value", "kind", "first_on_channel")
_CONSENT_COLUMNS = ("n", "customer_ext", "channel", "destination", "granted", "source", "at")


__all__ = [
    "DEFAULT_SOURCE",
    "FileFormat",
    "ImportFileError",
    "ImportReport",
    "detect_format",
    "import_invoices",
]
