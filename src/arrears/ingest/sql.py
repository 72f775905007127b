"""Dialect-neutral bulk upserts: one code path, parametrised by the database it runs on.

Both SQLite and PostgreSQL speak `INSERT ... ON CONFLICT DO UPDATE ... WHERE`, so the statement is
built by the matching SQLAlchemy dialect and executed as one executemany per batch. The WHERE clause
makes an identical row a no-op inside the database too (no write, no `updated_at` churn), even if a
concurrent writer changed it between our read and our write.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Table, or_
from sqlalchemy.dialects import postgresql, sqlite

from arrears.store.base import Base

#: Bound parameters per IN list; well inside SQLite's and PostgreSQL's limits.
IN_CHUNK = 2000


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def chunks(items: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert(conn: Connection, target: Table) -> postgresql.Insert | sqlite.Insert:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(target)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(target)
    raise NotImplementedError(f"bulk upsert is not implemented for {conn.dialect.name}")


def upsert(
    conn: Connection,
    target: Table,
    rows: list[dict[str, Any]],
    *,
    keys: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert rows; on a key conflict update only `update` columns, and only when one differs."""
    if not rows:
        return
    stmt = _insert(conn, target)
    excluded = stmt.excluded
    changed = or_(*(target.c[name].is_distinct_from(excluded[name]) for name in update))
    # `updated_at` (when present) moves only with a real change, hence it is set but not compared.
    set_ = {name: excluded[name] for name in update}
    if "updated_at" in target.c and "updated_at" in rows[0]:
        set_["updated_at"] = excluded["updated_at"]
    conn.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=set_, where=changed), rows)


def insert_missing(
    conn: Connection, target: Table, rows: list[dict[str, Any]], *, keys: Sequence[str]
) -> None:
    """Insert rows, silently keeping whatever already holds the key."""
    if rows:
        conn.execute(_insert(conn, target).on_conflict_do_nothing(index_elements=list(keys)), rows)
