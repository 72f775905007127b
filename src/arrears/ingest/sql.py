"""Bulk writes for imports: one code path, parametrised by the database it runs on.

Both SQLite and PostgreSQL speak `INSERT ... ON CONFLICT DO UPDATE ... WHERE <a column differs>`, so
an identical row is a no-op inside the database too (no write, no `updated_at` churn), even if a
concurrent writer changed it between our read and our write. What differs is only how rows travel:
PostgreSQL gets them by COPY into a temporary staging table followed by one INSERT ... SELECT; SQLite
gets a driver-level executemany. Both skip per-row ORM and bind processing, which dominate otherwise;
values are therefore pre-rendered here for each driver (`Bulk.ts`, `Bulk.day`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, String, Table, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import SQLAlchemyError

from arrears.store.base import Base

#: Bound parameters per IN list; well inside SQLite's and PostgreSQL's limits.
IN_CHUNK = 2000


def row_id() -> str:
    """Same shape as `arrears.core.ids.new_id` (32 hex digits), but time-ordered like a UUIDv7: 12 digits
    of milliseconds, then 80 random bits. Purely random keys scatter every insert across the primary-key
    and foreign-key indexes, so once those outgrow the page cache each row costs a random page read;
    on SQLite (2 MiB cache) that made a million-row import 2.5x slower per row than a 100k one. Ordered
    keys append at the right edge of each index. No UUID object either, which costs more than the rest
    of an invoice row's write path."""
    return f"{time.time_ns() // 1_000_000:012x}{os.urandom(10).hex()}"


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def chunks(items: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def among(conn: Connection, column: Any, values: Sequence[str]) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL as `= ANY(array)`, one parameter instead of thousands to parse."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(String)))  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]


#: Tables an import grows, whose planner statistics must keep up with it (see `refresh_statistics`).
GROWN_TABLES = ("customers", "accounts", "invoices", "contact_points", "consents", "cases")


def refresh_statistics(conn: Connection, tables: Sequence[str]) -> None:
    """ANALYZE the tables an import is filling, in its own short transaction.

    Autovacuum analyzes too late for a long import into fresh tables: with statistics that still say
    "a handful of rows", PostgreSQL answers `source_system = s AND external_id = ANY(ids)` by reading every
    row of the source and testing it against the whole array, so each batch cost grew with the table and
    a million rows ran at a fifth of the speed of the first twenty thousand. Sampling is bounded
    (default_statistics_target), so one ANALYZE costs about the same at any size. SQLite needs no
    statistics to pick its unique indexes, so this is PostgreSQL only.
    """
    if conn.dialect.name != "postgresql":
        return
    try:
        with conn.begin():
            conn.exec_driver_sql(f"ANALYZE {', '.join(tables)}")
    except SQLAlchemyError:
        # Only an optimisation: the batches are committed already, and autovacuum catches up later.
        # (A role that does not own a table gets a warning from ANALYZE, not an error.)
        pass


class Bulk:
    """Bulk upserts on one connection, inside the caller's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name
        if self.dialect not in ("postgresql", "sqlite"):
            raise NotImplementedError(f"bulk import is not implemented for {self.dialect}")
        self.pg = self.dialect == "postgresql"
        self._staged: set[str] = set()

    def ts(self, value: datetime | None) -> Any:
        """A timestamp as the driver should receive it (SQLite stores naive UTC text, like UTCDateTime)."""
        if value is None or self.pg:
            return value
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def day(self, value: date) -> Any:
        return value if self.pg else value.isoformat()

    def upsert(
        self,
        target: Table,
        columns: Sequence[str],
        rows: list[tuple[Any, ...]],
        *,
        keys: Sequence[str],
        update: Sequence[str] = (),
        touch: Sequence[str] = (),
    ) -> None:
        """Insert rows; on a key conflict set `update` + `touch` columns, only when an `update` one differs.

        With no `update` columns a conflicting row is left as it is (DO NOTHING).
        """
        if not rows:
            return
        name = target.name
        cols = ", ".join(columns)
        conflict = f"ON CONFLICT ({', '.join(keys)}) DO NOTHING"
        if update:
            differs = " IS DISTINCT FROM " if self.pg else " IS NOT "
            assignments = ", ".join(f"{c} = excluded.{c}" for c in (*update, *touch))
            where = " OR ".join(f"{name}.{c}{differs}excluded.{c}" for c in update)
            conflict = f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {assignments} WHERE {where}"
        if self.pg:
            stage = self._stage(target)
            self._copy(stage, columns, rows)
            self.conn.exec_driver_sql(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM {stage} {conflict}")
            self.conn.exec_driver_sql(f"TRUNCATE {stage}")
        else:
            marks = ", ".join("?" for _ in columns)
            self.conn.exec_driver_sql(f"INSERT INTO {name} ({cols}) VALUES ({marks}) {conflict}", rows)

    def _stage(self, target: Table) -> str:
        stage = f"stage_{target.name}"
        if stage not in self._staged:
            # Only the column shapes: no constraints or indexes, which the real table enforces.
            self.conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {target.name})")
            self._staged.add(stage)
        return stage

    def _copy(self, stage: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        driver = self.conn.connection.driver_connection
        assert driver is not None
        statement = f"COPY {stage} ({', '.join(columns)}) FROM STDIN"
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
