"""Duplicate invoice ids within one file, found in constant memory.

Remembering every id of a million-row file in Python would make memory grow with the file, so the ids
go to a temporary table on the import's own connection instead. Its rows are written inside each
batch's transaction, so a batch that rolls back also forgets the ids it had claimed.
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, select

from arrears.ingest.rows import InvoiceRow, RowError
from arrears.ingest.sql import Bulk, among, chunks

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


def claim(bulk: Bulk, rows: list[InvoiceRow]) -> tuple[list[InvoiceRow], list[RowError]]:
    """Keep the first row of each invoice id in the file; later ones become errors naming the first."""
    conn = bulk.conn
    first: dict[str, int] = {}
    ids = list({row.invoice_ext: 0 for row in rows})
    for part in chunks(ids):
        query = select(SEEN.c.external_id, SEEN.c.line).where(among(conn, SEEN.c.external_id, part))
        for external_id, line in conn.execute(query):
            first[external_id] = line
    kept: list[InvoiceRow] = []
    errors: list[RowError] = []
    claimed: list[tuple[str, int]] = []
    for row in rows:
        earlier = first.get(row.invoice_ext)
        if earlier is not None:
            reason = f"duplicate invoice id; first seen on line {earlier}"
            errors.append(RowError(row.line, "invoice_id", reason, row.invoice_ext))
            continue
        first[row.invoice_ext] = row.line
        claimed.append((row.invoice_ext, row.line))
        kept.append(row)
    bulk.upsert(SEEN, ("external_id", "line"), claimed, keys=("external_id",))
    return kept, errors
