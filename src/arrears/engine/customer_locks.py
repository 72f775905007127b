"""One dispatcher at a time per customer, across every worker on a PostgreSQL database.

Frequency caps count a person's contacts across all their debts and numbers. Two workers sending to the
same person at once would each judge the cap without the other's send, so a dispatcher takes a session-level
advisory lock on each customer it is about to contact and holds it until the batch is recorded. A worker
that dies loses its session, and its locks with it. SQLite has one writer, so there is nothing to do there.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType

from sqlalchemy import Connection, Engine, text


class CustomerLocks:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.enabled = engine.dialect.name == "postgresql"
        self._conn: Connection | None = None

    def __enter__(self) -> CustomerLocks:
        return self

    def acquire(self, customer_ids: Iterable[str]) -> set[str]:
        """The customers this worker now holds; the others are being contacted by another worker."""
        wanted = sorted(set(customer_ids))
        if not self.enabled or not wanted:
            return set(wanted)
        if self._conn is None:
            self._conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        rows = self._conn.execute(
            text("SELECT c FROM unnest(CAST(:ids AS text[])) AS c WHERE pg_try_advisory_lock(hashtext(c))"),
            {"ids": wanted},
        )
        return {row[0] for row in rows}

    def release(self) -> None:
        if self._conn is not None:
            self._conn.execute(text("SELECT pg_advisory_unlock_all()"))
            self._conn.close()
            self._conn = None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.release()
