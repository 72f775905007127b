"""Duplicate invoice ids within one file, found in constant memory.

Remembering every id of a million-row file in Python would make memory grow with the file, so the ids
go to a temporary table on the import's own connection instead. Its rows are written inside each
batch's transaction, so a batch that rolls back also forgets the ids it had claimed. Duplicates inside
one batch are found in Python (`arrears.ingest.batch.first_of_each`); this table answers for earlier
batches, with one join against the staged rows.
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table

from arrears.ingest.sql import Db

_META = MetaData()
SEEN = Table(
    "arrears_import_seen",
    _META,
    Column("external_id", String(128), primary_key=True),
    Column("line", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)


def create(conn: Connection) -> None:
    with conn.begin():
        SEEN.drop(conn, checkfirst=True)
        SEEN.create(conn)


def drop(conn: Connection) -> None:
    with conn.begin():
        SEEN.drop(conn, checkfirst=True)


def earlier(db: Db) -> dict[int, int]:
    """Staged lines whose invoice id an earlier batch of the file had: line -> that batch's line."""
    found = db.rows(
        "SELECT r.line, s.line FROM imp_rows r JOIN arrears_import_seen s ON s.external_id = r.invoice_ext"
    )
    return {int(line): int(first) for line, first in found}


def claim(db: Db) -> None:
    """Remember the staged invoice ids (those already remembered keep their first line)."""
    db.run(
        "INSERT INTO arrears_import_seen (external_id, line) SELECT invoice_ext, line FROM imp_rows"
        " WHERE true ON CONFLICT (external_id) DO NOTHING"
    )
