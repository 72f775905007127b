"""Set-based writes that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import FromClause, Select, Table, TextClause, bindparam, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault


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
    if not isinstance(table, Table):  # pragma: no cover - every caller passes a mapped table
        raise TypeError(f"insert_ignoring_duplicates needs a Table, not {type(table).__name__}")
    given = tuple(sorted(rows[0]))
    defaults = _python_defaults(table, given)
    columns = tuple(sorted((*given, *defaults)))
    keys = tuple(conflict_columns) if conflict_columns is not None else None
    statement = insert_ignoring_statement(session.get_bind().dialect.name, table, columns, keys)
    session.execute(statement, [_filled(row, defaults) for row in rows])


@lru_cache(maxsize=256)
def insert_ignoring_statement(
    dialect: str,
    table: Table,
    columns: tuple[str, ...],
    conflict: tuple[str, ...] | None,
    returning: str | None = None,
) -> TextClause:
    """INSERT ... ON CONFLICT [(conflict)] DO NOTHING [RETURNING returning] as text with one typed
    parameter per column, compiled once per shape: SQLAlchemy compiles its on_conflict_do_nothing()
    construct again on every execution (a millisecond per reply queued). The column types still render
    the values (aware UTC instants, JSON) exactly as an ORM insert would."""
    if dialect not in ("postgresql", "sqlite"):  # pragma: no cover - only the two supported databases
        raise NotImplementedError(f"INSERT ... ON CONFLICT DO NOTHING has no form for {dialect}")
    target = f" ({', '.join(conflict)})" if conflict is not None else ""
    names, marks = ", ".join(columns), ", ".join(f":{c}" for c in columns)
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks}) ON CONFLICT{target} DO NOTHING"
    if returning is not None:
        sql += f" RETURNING {returning}"
    return text(sql).bindparams(*(bindparam(c, type_=table.c[c].type) for c in columns))


@lru_cache(maxsize=256)
def _python_defaults(table: Table, given: tuple[str, ...]) -> dict[str, Any]:
    """The Python-side defaults an ORM or Core insert would apply to the columns the rows leave out."""
    found: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None:
            continue
        if not isinstance(default, (ScalarElementColumnDefault, CallableColumnDefault)):
            raise TypeError(f"{table.name}.{column.name}: a SQL default needs the value given")
        found[column.name] = default
    return found


def _filled(row: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    if not defaults:
        return row
    filled = dict(row)
    no_context: Any = None  # our callable defaults take no execution context (SQLAlchemy wraps them)
    for name, default in defaults.items():
        filled[name] = default.arg(no_context) if isinstance(default, CallableColumnDefault) else default.arg
    return filled


def lock_skipping_locked(session: Session, query: Select[Any]) -> Select[Any]:
    """Row claims: FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite has one writer, so the query is enough."""
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query
