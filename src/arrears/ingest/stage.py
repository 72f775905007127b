"""Staging tables: each batch lands here first, and set-based SQL derives every real table from them.

Comparing a batch with what is stored, row by row in Python, cost more than everything else the import
did. Staged, the comparison is a join the database runs in C: which rows are new, which changed (only
those are written, and only those are returned to Python, for the audit trail), and which contradict
stored ownership. One table per kind of record, keyed like the real one by external id:

- `imp_rows`: one per invoice row of the batch (the leading fields of `InvoiceRow`);
- `imp_customers`, `imp_accounts`: one per customer / account, merged over the batch's rows, with the id
  it has or will get;
- `imp_contacts`, `imp_consents`: one per (customer, channel, value or destination);
- `imp_debt`: per touched account, the overdue balance the case sync works from.

They are temporary (private to the import's connection, gone when it closes), created once per import,
and emptied at the start of each batch inside its transaction, so a batch that rolls back leaves nothing.
Rows travel by COPY on PostgreSQL. On SQLite they travel as multi-row `INSERT ... VALUES (...), (...)`
statements of a few thousand rows each (as many as the bound-parameter limit allows): `executemany`
would release and retake the GIL around every row, and on the import's writing thread each retake
queues behind the validating thread for up to a switch interval, so the import would crawl; a few
large statements release it a few times per batch. They are also faster than executemany (1.5 against
2 microseconds a row) and than one JSON document unpacked by `json_each` (6).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from arrears.ingest.rows import CUSTOMER_FIELDS
from arrears.ingest.sql import Db

_CUSTOMER_COLUMNS = ", ".join(f"{name} text" for name in CUSTOMER_FIELDS)

TABLES: dict[str, str] = {
    "imp_rows": (
        "line integer PRIMARY KEY, invoice_ext text NOT NULL, account_ext text NOT NULL,"
        " customer_ext text NOT NULL, number text NOT NULL, currency text NOT NULL, amount bigint NOT NULL,"
        " balance bigint NOT NULL, issued_on date NOT NULL, due_on date NOT NULL"
    ),
    "imp_customers": f"n bigint NOT NULL, external_id text PRIMARY KEY, id text, {_CUSTOMER_COLUMNS}",
    "imp_accounts": (
        "n bigint NOT NULL, external_id text PRIMARY KEY, customer_ext text NOT NULL, agency boolean,"
        " strategy text, id text, customer_id text"
    ),
    "imp_contacts": (
        "n bigint NOT NULL, customer_ext text NOT NULL, channel text NOT NULL, value text NOT NULL,"
        " kind text NOT NULL, first_on_channel boolean NOT NULL"
    ),
    "imp_consents": (
        "n bigint NOT NULL, customer_ext text NOT NULL, channel text NOT NULL, destination text NOT NULL,"
        " granted boolean NOT NULL, source text NOT NULL, at timestamptz NOT NULL"
    ),
    "imp_debt": (
        "account_id text PRIMARY KEY, n bigint NOT NULL, customer_id text NOT NULL, strategy text,"
        " currency text NOT NULL, balance bigint NOT NULL, oldest date NOT NULL"
    ),
}
#: Lookups the SQL does on staged rows besides their primary keys.
_INDEXES = ("CREATE INDEX IF NOT EXISTS imp_accounts_id ON imp_accounts (id)",)


def create(db: Db) -> None:
    """Create the staging tables (once per import, in their own transaction)."""
    with db.conn.begin():
        for name, columns in TABLES.items():
            db.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
            db.conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} ({columns})")
        for statement in _INDEXES:
            db.conn.exec_driver_sql(statement)


def drop(db: Db) -> None:
    with db.conn.begin():
        for name in TABLES:
            db.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")


#: Planner settings for a batch's transaction on PostgreSQL (see `clear`).
_LOOKUPS = ("random_page_cost = 1.1", "enable_hashjoin = off", "enable_mergejoin = off")


def clear(db: Db) -> None:
    """Empty every staging table, inside the batch's transaction.

    On PostgreSQL this also steers the planner, for this transaction only, to index lookups: every
    join here is a batch of staged rows against a big table's unique or foreign-key index, but with
    the default costs PostgreSQL joined the ten thousand staged rows against a sequential scan of the
    whole `invoices` (or `accounts`, or seen-ids) table, so each batch read entire tables and a
    million-row import ran at half the speed of a 100k one. Index probes cost the same at any size."""
    if db.pg:
        for setting in _LOOKUPS:
            db.conn.exec_driver_sql(f"SET LOCAL {setting}")
        db.conn.exec_driver_sql(f"TRUNCATE {', '.join(TABLES)}")
    else:
        for name in TABLES:
            db.conn.exec_driver_sql(f"DELETE FROM {name}")


@dataclass(frozen=True)
class Statements:
    """Rows flattened into the parameters of multi-row VALUES statements: (rows, their values)."""

    parts: list[tuple[int, list[Any]]]


#: Rows as `load` takes them: the rows themselves (COPY, or SQLite), or already `Statements`.
Staged = Sequence[Sequence[Any]] | Statements


def encode(db: Db, rows: Sequence[Sequence[Any]]) -> Staged:
    """The form `load` sends, made ahead of time, so that on SQLite the flattening runs on the thread
    that reads the file rather than on the writing thread, which is the bottleneck."""
    if db.pg or not rows:
        return rows
    per = max(1, _SQLITE_PARAMETERS // len(rows[0]))
    parts = (rows[start : start + per] for start in range(0, len(rows), per))
    return Statements([(len(part), list(chain.from_iterable(part))) for part in parts])


def load(db: Db, table: str, columns: Sequence[str], rows: Staged) -> None:
    """Append rows to a staging table: COPY on PostgreSQL, a few multi-row INSERTs on SQLite."""
    names = ", ".join(columns)
    driver = db.conn.connection.driver_connection
    assert driver is not None
    if db.pg:
        assert not isinstance(rows, Statements)
        with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    staged = rows if isinstance(rows, Statements) else encode(db, rows)
    if not isinstance(staged, Statements):
        return  # no rows
    one = f"({', '.join('?' for _ in columns)})"
    cursor = driver.cursor()
    try:
        for count, values in staged.parts:
            cursor.execute(f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * count)}", values)
    finally:
        cursor.close()


#: Bound parameters per statement: SQLite's default limit since 3.32 is 32766 (999 before).
_SQLITE_PARAMETERS = 32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999


def analyze(db: Db, tables: Sequence[str] = tuple(TABLES)) -> None:
    """PostgreSQL has no statistics for a temporary table unless asked; without them it guesses sizes
    and value spreads, and picks plans for thousands of staged rows blind. Cheap (milliseconds).

    Run again on `imp_customers` and `imp_accounts` once their ids are filled in: with statistics that
    still said "every id is NULL", the planner expected no match for a join on those ids and chose a
    plan that read every stored contact point for each batch (a 100k re-import took 28 s, not 8)."""
    if db.pg:
        db.conn.exec_driver_sql(f"ANALYZE {', '.join(tables)}")
