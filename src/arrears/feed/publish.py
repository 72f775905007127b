"""Writing domain events: in the caller's transaction, never committed here.

One row per event; `publish_rows` takes many at once for set-based work (planning, payments, imports),
through the same driver-speed insert the planner uses for its other rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from arrears.core.ids import new_id
from arrears.feed.kinds import EventKind
from arrears.store.bulk_rows import insert_rows
from arrears.store.models import DomainEvent


@dataclass(frozen=True, slots=True)
class Published:
    id: str
    kind: EventKind


def event_row(
    kind: EventKind,
    entity_id: str,
    at: datetime,
    *,
    case_id: str | None = None,
    customer_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One event as a plain row (for `publish_rows`); its id is new and stable from here on."""
    return {
        "id": new_id(),
        "kind": kind.value,
        "entity": kind.entity,
        "entity_id": entity_id,
        "case_id": case_id,
        "customer_id": customer_id,
        "data": data or {},
        "occurred_at": at,
    }


def publish(
    session: Session,
    kind: EventKind,
    entity_id: str,
    at: datetime,
    *,
    case_id: str | None = None,
    customer_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> Published:
    row = event_row(kind, entity_id, at, case_id=case_id, customer_id=customer_id, data=data)
    publish_rows(session, [row])
    return Published(row["id"], kind)


def publish_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    table = DomainEvent.__table__
    assert isinstance(table, Table)
    insert_rows(session, table, rows)
