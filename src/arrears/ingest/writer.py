"""Store one validated batch in one transaction: stage it, check it, write what differs, sync its cases.

`store` runs on the caller's thread, which owns the connection; `prepare` runs on the reading thread
(see `arrears.ingest.reader`), without the database. The order matters: duplicates and ownership are
decided before anything is written, customers before the accounts that point at them, accounts before
invoices, and cases last, from the invoices as they now stand. Each step is set-based SQL over the
staging tables; only the rows that change something (and the rare rejected ones) come back to Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from arrears.audit import record_many
from arrears.cases.sync import StrategyResolver
from arrears.core import faults
from arrears.core.clock import Clock
from arrears.core.faults import FaultPoint
from arrears.core.ids import new_id
from arrears.ingest import batch as settling
from arrears.ingest import ownership, seen, stage
from arrears.ingest.cases import sync_batch_cases
from arrears.ingest.contacts import store_contacts
from arrears.ingest.rows import CUSTOMER_FIELDS, STAGED, InvoiceRow, RowError
from arrears.ingest.sql import GROWN_TABLES, Db, chunks, refresh_statistics
from arrears.ingest.store import write

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


@dataclass
class Prepared:
    """A batch made ready on the reading thread, assuming (as is almost always true) that the database
    knows no duplicate from an earlier batch and no ownership conflict; `store` redoes `settled` and
    `staged` when it finds one."""

    rows: list[InvoiceRow]
    now: datetime
    unique: list[InvoiceRow]
    later: list[tuple[InvoiceRow, int]]
    settled: settling.Settled
    staged: dict[str, stage.Staged]


@dataclass
class Stored:
    """What one batch did: rows stored, rows rejected by the database-side checks, counts."""

    imported: int
    errors: list[RowError]
    counts: dict[str, int] = field(default_factory=dict)


class BatchWriter:
    def __init__(self, db: Db, *, source: str, clock: Clock, resolve_strategy: StrategyResolver) -> None:
        self.db = db
        self.source = source
        self.clock = clock
        self.resolve_strategy = resolve_strategy
        self.import_id = new_id()
        self.analyzed_at = 0  # rows imported when statistics were last refreshed

    def prepare(self, rows: list[InvoiceRow]) -> Prepared:
        """The Python half of a batch, done without the database, so that it overlaps the previous
        batch's writes."""
        now = self.clock.now()
        unique, later = settling.first_of_each(rows)
        settled = self._settle(unique, later, {}, {}, now)
        staged = {
            "imp_rows": stage.encode(self.db, [row[:STAGED] for row in unique]),
            **self._encode(settled),
        }
        return Prepared(rows, now, unique, later, settled, staged)

    def store(self, prepared: Prepared) -> Stored:
        """One batch, one transaction; raises SQLAlchemyError when the database refuses it (rolled back)."""
        with self.db.conn.begin():
            return self._apply(prepared)

    def _settle(
        self,
        unique: list[InvoiceRow],
        later: list[tuple[InvoiceRow, int]],
        seen_before: dict[int, int],
        conflicts: dict[int, tuple[str, str]],
        now: datetime,
    ) -> settling.Settled:
        source = f"import:{self.source}"
        return settling.settle(
            unique, later, seen_before, conflicts, consent_source=source, now=now, ts=self.db.ts
        )

    def _encode(self, settled: settling.Settled) -> dict[str, stage.Staged]:
        return {
            "imp_customers": stage.encode(self.db, settled.customers),
            "imp_accounts": stage.encode(self.db, settled.accounts),
            "imp_contacts": stage.encode(self.db, settled.contacts),
            "imp_consents": stage.encode(self.db, settled.consents),
        }

    def refresh_statistics(self, imported: int) -> None:
        """Between batches: PostgreSQL statistics of the grown tables whenever the import doubled them
        (about log2(rows / batch) times per import)."""
        if imported and imported >= 2 * self.analyzed_at:
            refresh_statistics(self.db.conn, (*GROWN_TABLES, seen.SEEN.name))
            self.analyzed_at = imported

    def _apply(self, prepared: Prepared) -> Stored:
        db, rows, now = self.db, prepared.rows, prepared.now
        db.start_batch()
        stage.clear(db)
        stage.load(db, "imp_rows", _ROW_COLUMNS, prepared.staged["imp_rows"])
        seen_before = seen.earlier(db)
        seen.claim(db)
        conflicts = ownership.conflicts(db, self.source)
        settled, staged = prepared.settled, prepared.staged
        if seen_before or conflicts:
            settled = self._settle(prepared.unique, prepared.later, seen_before, conflicts, now)
            staged = self._encode(settled)
        for part in chunks(settled.rejected):
            db.run(f"DELETE FROM imp_rows WHERE line IN ({', '.join(str(int(line)) for line in part)})")
        stage.load(db, "imp_customers", _CUSTOMER_COLUMNS, staged["imp_customers"])
        stage.load(db, "imp_accounts", _ACCOUNT_COLUMNS, staged["imp_accounts"])
        stage.load(db, "imp_contacts", _CONTACT_COLUMNS, staged["imp_contacts"])
        stage.load(db, "imp_consents", _CONSENT_COLUMNS, staged["imp_consents"])
        stage.analyze(db)
        written = write(db, source=self.source, now=now, kept=settled.kept)
        stage.analyze(db, ("imp_customers", "imp_accounts"))  # their ids are known now
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
            with Session(bind=db.conn) as session:
                record_many(session, entries)
        faults.reach(FaultPoint.IMPORT_BEFORE_COMMIT)
        return Stored(settled.kept, settled.errors, counts)
