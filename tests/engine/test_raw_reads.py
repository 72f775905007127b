"""Batch id filters: every id found exactly, whatever characters it holds, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.casefacts.raw import RawReader, among
from arrears.store.models import DoNotContact

AWKWARD = ["+15551234567", "a@b.example", "a,b", 'say "hi"', "back\\slash", "{}", "NULL", " padded ", ""]
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_awkward_ids_are_matched_exactly(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        for value in [*AWKWARD, "not asked for", "null"]:
            session.add(DoNotContact(destination=value, list_name="test", added_at=NOW))
    with sessions() as session:
        reader = RawReader(session)
        try:
            raw = {
                row[0]
                for row in reader.rows(
                    "SELECT destination FROM do_not_contact WHERE destination {ids}", AWKWARD
                )
            }
            none = reader.rows("SELECT destination FROM do_not_contact WHERE destination {ids}", [])
        finally:
            reader.close()
        orm = set(
            session.scalars(
                select(DoNotContact.destination).where(among(session, DoNotContact.destination, AWKWARD))
            )
        )
    assert raw == orm == set(AWKWARD)
    assert none == []
