"""Set reads at driver speed for the planner's hot path: plain tuples, values converted once, inline.

`load_case_facts` reads a few rows per case for thousands of cases per batch. Through SQLAlchemy every
row became a Row object and every instant passed a TypeDecorator call, which cost more than the queries.
Here each query is written once with two placeholders, `{ids}` (the predicate "is one of the batch's
ids", the ids travelling as one array literal on PostgreSQL, one JSON text on SQLite, as `facts.among`
does) and `{p}` (a
bound value), and runs on the session's own DBAPI connection, so it sees the open transaction.
Converters turn driver values into the domain's: aware UTC instants, dates, JSON, booleans, the same on
both databases.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, any_, cast, func, literal, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import QueryableAttribute, Session

# PostgreSQL gets the ids as one array literal: `= ANY(array)` with the array known when the statement is
# planned, so the planner counts its elements, probes an index per id on a large table and hashes the ids
# against a small one. (`IN (SELECT json_array_elements_text(...))` was estimated at 100 ids and chose a
# nested loop over a whole outbox that had grown since it was analysed; `= ANY(ARRAY(SELECT ...))` compared
# every row of a small table with every id, one by one.)
_PG_IDS = "= ANY(%s::text[])"
_SQLITE_IDS = "IN (SELECT value FROM json_each(?))"


def _pg_instant(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is UTC:
        return value
    return value.astimezone(UTC)


def _sqlite_instant(value: str | None) -> datetime | None:
    """SQLite holds naive UTC text in SQLAlchemy's format; fromisoformat reads it in C."""
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _sqlite_day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _pg_day(value: date | None) -> date | None:
    return value


def _sqlite_json(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def _pg_json(value: Any) -> Any:
    return value  # psycopg loads jsonb itself


def pg_text_array(values: Sequence[str]) -> str:
    """A PostgreSQL text[] literal with every element quoted (so commas, braces, spaces and the word NULL
    stay text); only quotes and backslashes need escaping, and ids have neither."""
    if not values:
        return "{}"
    plain = "".join(values)
    if '"' in plain or "\\" in plain:
        values = [v.replace("\\", "\\\\").replace('"', '\\"') for v in values]
    return '{"' + '","'.join(values) + '"}'


class RawReader:
    """Runs dialect-neutral query text on the session's connection; see the module docstring."""

    __slots__ = ("_cursor", "day", "instant", "is_postgres", "json")

    def __init__(self, session: Session) -> None:
        connection = session.connection()
        self.is_postgres = connection.dialect.name == "postgresql"
        dbapi = connection.connection.dbapi_connection
        assert dbapi is not None
        self._cursor: Any = dbapi.cursor()
        self.instant: Callable[[Any], datetime | None] = _pg_instant if self.is_postgres else _sqlite_instant
        self.day: Callable[[Any], date | None] = _pg_day if self.is_postgres else _sqlite_day
        self.json: Callable[[Any], Any] = _pg_json if self.is_postgres else _sqlite_json

    def rows(self, sql: str, ids: Sequence[str], *params: Any) -> list[tuple[Any, ...]]:
        """Run `sql` with `{ids}` bound to `ids` (first) and each `{p}` to the next of `params`."""
        text = sql.format(
            ids=_PG_IDS if self.is_postgres else _SQLITE_IDS, p="%s" if self.is_postgres else "?"
        )
        listed = pg_text_array(ids) if self.is_postgres else json.dumps(list(ids))
        bound = (listed, *(self._bind(p) for p in params))
        if self.is_postgres:
            # Never a prepared statement: psycopg prepares a query after five runs, and PostgreSQL then
            # switches to a generic plan that cannot see the ids (a 2,000-id array compared row by row).
            self._cursor.execute(text, bound, prepare=False)
        else:
            self._cursor.execute(text, bound)
        found: list[tuple[Any, ...]] = self._cursor.fetchall()
        return found

    def _bind(self, value: Any) -> Any:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(f"naive datetime {value.isoformat()} given to a UTC column")
            if not self.is_postgres:  # what UTCDateTime stores on SQLite
                return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return value

    def close(self) -> None:
        self._cursor.close()


def among(
    session: Session, column: ColumnElement[str] | QueryableAttribute[str], values: Sequence[str]
) -> ColumnElement[bool]:
    """`column IN values` with the whole set in one bound parameter.

    A batch has thousands of ids; an expanded IN list makes SQLAlchemy render and the driver parse one
    placeholder per id on every execution, which cost more than the queries themselves, and psycopg dumps
    a list parameter element by element in Python. So the ids travel as one text: an array literal on
    PostgreSQL, a JSON array unpacked by json_each on SQLite; both databases still probe the column's index.
    """
    if session.get_bind().dialect.name == "postgresql":
        # One array literal, known when the statement is planned (see raw_reads for why).
        # Rendered into the statement (literal_execute): its text changes with the ids, so psycopg never
        # prepares it and PostgreSQL never falls back to a generic plan that cannot see them.
        listed_ids = literal(pg_text_array(values), Text, literal_execute=True)
        return column == any_(cast(listed_ids, ARRAY(Text)))
    ids = literal(json.dumps(list(values)))
    listed: Select[tuple[Any]] = select(literal_column("value")).select_from(func.json_each(ids))
    return column.in_(listed.scalar_subquery())
