"""The append-only audit trail: who did what to which record, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from arrears.store.models import AuditEntry


def record(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Append one entry inside the caller's transaction, so it lands exactly when the change does."""
    session.execute(
        insert(AuditEntry).values(
            at=at, actor=actor, action=action, entity=entity, entity_id=entity_id, data=data or {}
        )
    )


def entry(
    *, at: datetime, actor: str, action: str, entity: str, entity_id: str, data: dict[str, Any]
) -> dict[str, Any]:
    """One row for `record_many`, built where set-based work gathers its entries before writing them."""
    return {
        "at": at,
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "data": data,
    }


def record_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Bulk form for set-based work (imports, planning); each row has the keyword fields of `record`."""
    if rows:
        session.execute(insert(AuditEntry), [{"data": {}, **row} for row in rows])
