"""Batch INSERT and UPDATE of plain rows at driver speed, with the values the ORM would have stored.

Planning writes thousands of rows per batch. Through the ORM or Core executemany, every value of every row
passes a Python bind processor, and psycopg then sends one statement per row; that cost more than the
database's own work. Here PostgreSQL gets one statement per table whose rows arrive as one JSON document
(json_to_recordset, typed by the column types), and SQLite one driver-level executemany. Values are
rendered as the column types render them (aware UTC instants, JSON via json.dumps), so the stored rows
are the same. JSON columns must not hold None (PostgreSQL would store SQL NULL, not JSON null).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.types import JSON

_PG = postgresql.dialect()  # type: ignore[no-untyped-call]


def insert_rows(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    ignore_conflicts_on: Sequence[str] = (),
) -> None:
    """INSERT every row (all rows carry the same keys); ON CONFLICT DO NOTHING on the given columns."""
    if not rows:
        return
    columns = list(rows[0])
    conflict = f" ON CONFLICT ({', '.join(ignore_conflicts_on)}) DO NOTHING" if ignore_conflicts_on else ""
    names = ", ".join(columns)
    if _is_postgres(session):
        rows_in = _pg_recordset(table, columns)
        sql = f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {rows_in}{conflict}"
        session.connection().exec_driver_sql(sql, (_pg_json(rows),))
    else:
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks}){conflict}"
        session.connection().exec_driver_sql(sql, _sqlite_rows(table, columns, rows))


def update_rows(session: Session, table: Table, key: str, rows: Sequence[dict[str, Any]]) -> None:
    """UPDATE the row whose `key` column equals each row's `key` value, setting its other keys."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != key]
    if _is_postgres(session):
        sets = ", ".join(f"{c} = v.{c}" for c in columns)
        sql = (
            f"UPDATE {table.name} SET {sets} FROM {_pg_recordset(table, [key, *columns])} "
            f"WHERE {table.name}.{key} = v.{key}"
        )
        session.connection().exec_driver_sql(sql, (_pg_json(rows),))
    else:
        sets = ", ".join(f"{c} = ?" for c in columns)
        sql = f"UPDATE {table.name} SET {sets} WHERE {key} = ?"
        session.connection().exec_driver_sql(sql, _sqlite_rows(table, [*columns, key], rows))


def _pg_recordset(table: Table, columns: list[str]) -> str:
    """The whole batch as one JSON parameter, typed column by column by the server (C speed both sides)."""
    typed = ", ".join(f"{c} {_pg_type(table, c)}" for c in columns)
    return f"json_to_recordset(%s::json) AS v({typed})"


def _pg_json(rows: Sequence[dict[str, Any]]) -> str:
    """orjson encodes in C; instants still pass `_json_time`, which refuses naive ones."""
    return orjson.dumps(rows, default=_json_time, option=orjson.OPT_PASSTHROUGH_DATETIME).decode()


def _json_time(value: object) -> str:
    """Instants as ISO 8601 with their offset, which timestamptz reads back as the same instant."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given to a UTC column")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a batch row")


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


@lru_cache(maxsize=256)
def _pg_type(table: Table, column: str) -> str:
    return str(table.c[column].type.compile(dialect=_PG))


@lru_cache(maxsize=256)
def _is_json(table: Table, column: str) -> bool:
    return isinstance(table.c[column].type, JSON)


def _sqlite_rows(table: Table, columns: list[str], rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    json_columns = {c for c in columns if _is_json(table, c)}
    times: dict[datetime, str] = {}

    def render(column: str, value: Any) -> Any:
        if column in json_columns:
            return json.dumps(value)  # None too: the JSON type stores it as JSON null
        if value is None:
            return None
        if isinstance(value, datetime):
            text = times.get(value)
            if text is None:
                text = times[value] = _sqlite_time(value)
            return text
        if isinstance(value, date):
            return value.isoformat()
        return value

    return [tuple(render(c, row[c]) for c in columns) for row in rows]


def _sqlite_time(value: datetime) -> str:
    """What UTCDateTime stores on SQLite: naive UTC in SQLAlchemy's DATETIME text format."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()} given to a UTC column")
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
