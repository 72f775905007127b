"""Set-based writes that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import FromClause, Select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring_duplicates(
    session: Session,
    table: FromClause,
    rows: Sequence[dict[str, Any]],
    conflict_columns: Sequence[str] | None,
) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: how idempotency keys turn a replay into a no-op.

    `conflict_columns=None` ignores a conflict on any unique key: for rows whose primary key is derived from
    the same identity, where racing writers may collide on either index first.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    target = {"index_elements": list(conflict_columns)} if conflict_columns is not None else {}
    statement = module.insert(table).on_conflict_do_nothing(**target)
    session.execute(statement, list(rows))


def lock_skipping_locked(session: Session, query: Select[Any]) -> Select[Any]:
    """Row claims: FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite has one writer, so the query is enough."""
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query
