"""The little that differs between SQLite and PostgreSQL in the import's set-based SQL, in one place.

The import writes each batch with a handful of `INSERT ... SELECT` / `UPDATE` statements over staging
tables (see `arrears.ingest.stage`) rather than row by row, so the per-row work runs inside the database
engine, in C. Both databases speak the same SQL for that, save a few spellings: "differs" (`IS DISTINCT
FROM` / `IS NOT`), how to make an id, how a timestamp is passed (SQLite stores naive UTC text, like
`UTCDateTime`), and `UPDATE ... FROM` (SQLite before 3.33 lacks it, so SQLite gets correlated subqueries).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, text
from sqlalchemy.exc import SQLAlchemyError

#: Bound parameters per IN list; well inside SQLite's and PostgreSQL's limits.
IN_CHUNK = 2000


def row_id() -> str:
    """Same shape as `arrears.core.ids.new_id` (32 hex digits), but time-ordered like a UUIDv7: 12 digits
    of milliseconds, then 80 random bits. Purely random keys scatter every insert across the primary-key
    and foreign-key indexes, so once those outgrow the page cache each row costs a random page read;
    on SQLite (2 MiB cache) that made a million-row import 2.5x slower per row than a 100k one. Ordered
    keys append at the right edge of each index."""
    return f"{time.time_ns() // 1_000_000:012x}{os.urandom(10).hex()}"


def chunks(items: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


#: Tables an import grows, whose planner statistics must keep up with it (see `refresh_statistics`).
GROWN_TABLES = ("customers", "accounts", "invoices", "contact_points", "consents", "cases")


def refresh_statistics(conn: Connection, tables: Sequence[str]) -> None:
    """ANALYZE the tables an import is filling, in its own short transaction.

    Autovacuum analyzes too late for a long import into fresh tables: with statistics that still say
    "a handful of rows", PostgreSQL answers key lookups by reading every row of the source, so each
    batch cost grew with the table. Sampling is bounded (default_statistics_target), so one ANALYZE
    costs about the same at any size. SQLite needs no statistics to pick its unique indexes, so this is
    PostgreSQL only.
    """
    if conn.dialect.name != "postgresql":
        return
    try:
        with conn.begin():
            conn.exec_driver_sql(f"ANALYZE {', '.join(tables)}")
    except SQLAlchemyError:
        # Only an optimisation: the batches are committed already, and autovacuum catches up later.
        pass


class Db:
    """One import connection and the SQL spellings of its database."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        if not self.pg and conn.dialect.name != "sqlite":
            raise NotImplementedError(f"bulk import is not implemented for {conn.dialect.name}")
        self.differs = "IS DISTINCT FROM" if self.pg else "IS NOT"
        self.prefix = ""

    def start_batch(self) -> None:
        """Ids made in SQL during this batch start with its millisecond (see `new_id`)."""
        self.prefix = f"{time.time_ns() // 1_000_000:012x}"

    def new_id(self, order: str) -> str:
        """SQL for a new id, ordered like `row_id`: the batch's 12 hex digits of milliseconds, 8 of the
        row's position `order` within the batch, 12 random; so index inserts still append."""
        if self.pg:
            return f"(:id_prefix || lpad(to_hex({order}), 8, '0') || substr(md5(random()::text), 1, 12))"
        return f"(:id_prefix || printf('%08x', {order}) || lower(hex(randomblob(6))))"

    def ts(self, value: datetime | None) -> Any:
        """A timestamp as the driver should receive it (SQLite stores naive UTC text, like UTCDateTime)."""
        if value is None or self.pg:
            return value
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def json(self, literal: str) -> str:
        """A JSON constant for a JSON column."""
        return f"'{literal}'::jsonb" if self.pg else f"'{literal}'"

    def run(self, sql: str, **params: Any) -> int:
        """Execute one statement; the number of rows it wrote."""
        result = self.conn.execute(text(sql), {"id_prefix": self.prefix, **params})
        return int(getattr(result, "rowcount", 0) or 0)

    def rows(self, sql: str, **params: Any) -> Sequence[Row[Any]]:
        return self.conn.execute(text(sql), {"id_prefix": self.prefix, **params}).all()
