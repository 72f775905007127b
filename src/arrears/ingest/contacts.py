"""Contact points and consents from an import batch, added or revoked only when they differ.

Contact points are keyed by (customer, channel, value): a new address is added beside the old ones
(the first on a channel becomes primary), never replacing what an agent or the API recorded.
Consent has no natural key in the store, so the batch reads the customers' active consents and grants
only what is missing; a "no" revokes an active consent for that destination and is a no-op otherwise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, select, update

from arrears.ingest.rows import InvoiceRow
from arrears.ingest.sql import Bulk, among, chunks, row_id, table

CONTACT_POINTS = table("contact_points")
CONSENTS = table("consents")


def store_contacts(
    bulk: Bulk,
    rows: list[InvoiceRow],
    customer_ids: dict[str, str],
    *,
    source: str,
    now: datetime,
) -> dict[str, int]:
    ids = list({customer_ids[r.customer_ext]: 0 for r in rows if r.contacts})
    counts = {"contacts_new": 0, "consents_granted": 0, "consents_revoked": 0}
    if not ids:
        return counts
    counts["contacts_new"] = _contact_points(bulk, rows, customer_ids, ids, now)
    granted, revoked = _consents(bulk, rows, customer_ids, ids, source, now)
    counts.update(consents_granted=granted, consents_revoked=revoked)
    return counts


def _contact_points(
    bulk: Bulk, rows: list[InvoiceRow], customer_ids: dict[str, str], ids: list[str], now: datetime
) -> int:
    conn = bulk.conn
    stamp = bulk.ts(now)
    stored: dict[tuple[str, str, str], tuple[str, str]] = {}
    channels_with_primary: set[tuple[str, str]] = set()
    cp = CONTACT_POINTS.c
    for part in chunks(ids):
        query = select(cp.customer_id, cp.channel, cp.value, cp.id, cp.kind).where(
            among(conn, cp.customer_id, part)
        )
        for customer_id, channel, value, point_id, kind in conn.execute(query):
            stored[(customer_id, channel, value)] = (point_id, kind)
            channels_with_primary.add((customer_id, channel))
    wanted: dict[tuple[str, str, str], str] = {}
    for row in rows:
        customer_id = customer_ids[row.customer_ext]
        for contact in row.contacts:
            wanted[(customer_id, contact.channel, contact.value)] = contact.kind
    inserts: list[tuple[Any, ...]] = []
    kind_changes: list[dict[str, Any]] = []
    for (customer_id, channel, value), kind in wanted.items():
        found = stored.get((customer_id, channel, value))
        if found is None:
            primary = (customer_id, channel) not in channels_with_primary
            channels_with_primary.add((customer_id, channel))
            inserts.append((row_id(), customer_id, channel, value, kind, primary, stamp))
        elif kind != "unknown" and found[1] != kind:
            kind_changes.append({"point_id": found[0], "new_kind": kind})
    bulk.upsert(
        CONTACT_POINTS,
        ("id", "customer_id", "channel", "value", "kind", "is_primary", "created_at"),
        inserts,
        keys=("customer_id", "channel", "value"),
    )
    if kind_changes:
        stmt = update(CONTACT_POINTS).where(cp.id == bindparam("point_id")).values(kind=bindparam("new_kind"))
        conn.execute(stmt, kind_changes)
    return len(inserts)


def _consents(
    bulk: Bulk,
    rows: list[InvoiceRow],
    customer_ids: dict[str, str],
    ids: list[str],
    source: str,
    now: datetime,
) -> tuple[int, int]:
    conn = bulk.conn
    c = CONSENTS.c
    active: dict[tuple[str, str, str], str] = {}
    for part in chunks(ids):
        query = select(c.customer_id, c.channel, c.destination, c.id).where(
            and_(among(conn, c.customer_id, part), c.revoked_at.is_(None))
        )
        for customer_id, channel, destination, consent_id in conn.execute(query):
            active[(customer_id, channel, destination)] = consent_id
    wanted: dict[tuple[str, str, str], tuple[bool, str, datetime]] = {}
    for row in rows:
        customer_id = customer_ids[row.customer_ext]
        for consent in row.consents:
            key = (customer_id, consent.channel, consent.destination)
            wanted[key] = (consent.granted, consent.source or f"import:{source}", consent.at or now)
    grants: list[tuple[Any, ...]] = []
    revokes: list[dict[str, Any]] = []
    for (customer_id, channel, destination), (granted, origin, at) in wanted.items():
        consent_id = active.get((customer_id, channel, destination))
        if granted and consent_id is None:
            grants.append((row_id(), customer_id, channel, destination, origin, bulk.ts(at), None, None))
        elif not granted and consent_id is not None:
            revokes.append({"consent_id": consent_id, "at": at, "origin": origin})
    columns = (
        "id",
        "customer_id",
        "channel",
        "destination",
        "source",
        "granted_at",
        "revoked_at",
        "revoked_source",
    )
    bulk.upsert(CONSENTS, columns, grants, keys=("id",))
    if revokes:
        stmt = (
            update(CONSENTS)
            .where(c.id == bindparam("consent_id"))
            .values(revoked_at=bindparam("at"), revoked_source=bindparam("origin"))
        )
        conn.execute(stmt, revokes)
    return len(grants), len(revokes)
