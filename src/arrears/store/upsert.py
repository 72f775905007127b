"""Insert-if-absent on both databases, so concurrent first sightings of a record never collide.

Two events naming the same new customer can arrive at once on two workers; a plain INSERT would fail one of
them with a unique violation. ON CONFLICT DO NOTHING lets the database settle it and both carry on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Table
from sqlalchemy.orm import Session

from arrears.core.ids import idempotency_key
from arrears.store.base import Base
from arrears.store.bulk import insert_ignoring_statement


def stable_id(kind: str, source_system: str, external_id: str) -> str:
    """The id of a record created from an event, a function of its external identity.

    Replaying the same events into another database then gives the same ids, which keeps replays comparable.
    """
    return idempotency_key(kind, source_system, external_id)[:32]


def insert_ignore(session: Session, model: type[Base], values: dict[str, Any], keys: Sequence[str]) -> bool:
    """Insert one row unless another row has the same `keys`; True when this call inserted it."""
    dialect = session.get_bind().dialect.name
    # RETURNING tells whether a row went in; rowcount is not reliable for ON CONFLICT on every driver.
    table = cast(Table, model.__table__)
    # No conflict target: the id is derived from the same external identity as `keys`, so two racing first
    # sightings may collide on the primary key before the unique key is checked; either way, the same row.
    statement = insert_ignoring_statement(dialect, table, tuple(sorted(values)), None, returning=keys[0])
    result: CursorResult[Any] = session.execute(statement, values)  # type: ignore[assignment]
    return result.first() is not None
