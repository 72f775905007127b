"""Contact points and consents from a staged batch, added or revoked only when they differ.

Contact points are keyed by (customer, channel, value): a new address is added beside the old ones
(the first on a channel becomes primary), never replacing what an agent or the API recorded; a known
address whose kind the file now states (mobile, landline, work) gets that kind.
Consent has no natural key in the store, so a grant is written only when no active consent exists for
the (customer, channel, destination); a "no" revokes the active one and is a no-op otherwise.
Inserts are one `INSERT ... SELECT ... WHERE NOT EXISTS` each; the rare changes (a kind, a revocation)
are read first and written by id, from the same snapshot, as before.
"""

from __future__ import annotations

from datetime import datetime

from arrears.ingest.sql import Db

_STAGED_CUSTOMER = "JOIN imp_customers c ON c.external_id = s.customer_ext"


def store_contacts(db: Db, *, now: datetime) -> dict[str, int]:
    return {"contacts_new": _contact_points(db, now), **_consents(db)}


def _contact_points(db: Db, now: datetime) -> int:
    kinds = db.rows(
        f"SELECT p.id, s.kind FROM imp_contacts s {_STAGED_CUSTOMER}"
        " JOIN contact_points p ON p.customer_id = c.id AND p.channel = s.channel AND p.value = s.value"
        " WHERE s.kind <> 'unknown' AND p.kind <> s.kind"
    )
    if kinds:
        db.conn.exec_driver_sql(
            "UPDATE contact_points SET kind = %(kind)s WHERE id = %(id)s"
            if db.pg
            else "UPDATE contact_points SET kind = :kind WHERE id = :id",
            [{"kind": kind, "id": point_id} for point_id, kind in kinds],
        )
    return db.run(
        "INSERT INTO contact_points (id, customer_id, channel, value, kind, is_primary, created_at)"
        f" SELECT {db.new_id('s.n')}, c.id, s.channel, s.value, s.kind,"
        " s.first_on_channel AND NOT EXISTS (SELECT 1 FROM contact_points q"
        "   WHERE q.customer_id = c.id AND q.channel = s.channel), :now"
        f" FROM imp_contacts s {_STAGED_CUSTOMER}"
        " WHERE NOT EXISTS (SELECT 1 FROM contact_points p"
        "   WHERE p.customer_id = c.id AND p.channel = s.channel AND p.value = s.value)"
        " ON CONFLICT (customer_id, channel, value) DO NOTHING",
        now=db.ts(now),
    )


def _consents(db: Db) -> dict[str, int]:
    same = "k.customer_id = c.id AND k.channel = s.channel AND k.destination = s.destination"
    revokes = db.rows(
        f"SELECT k.id, s.at, s.source FROM imp_consents s {_STAGED_CUSTOMER}"
        f" JOIN consents k ON {same} WHERE NOT s.granted AND k.revoked_at IS NULL"
    )
    granted = db.run(
        "INSERT INTO consents (id, customer_id, channel, destination, source, granted_at)"
        f" SELECT {db.new_id('s.n')}, c.id, s.channel, s.destination, s.source, s.at"
        f" FROM imp_consents s {_STAGED_CUSTOMER}"
        f" WHERE s.granted AND NOT EXISTS (SELECT 1 FROM consents k WHERE {same} AND k.revoked_at IS NULL)"
    )
    if revokes:
        db.conn.exec_driver_sql(
            "UPDATE consents SET revoked_at = %(at)s, revoked_source = %(source)s WHERE id = %(id)s"
            if db.pg
            else "UPDATE consents SET revoked_at = :at, revoked_source = :source WHERE id = :id",
            [{"at": at, "source": source, "id": consent_id} for consent_id, at, source in revokes],
        )
    return {"consents_granted": granted, "consents_revoked": len(revokes)}
