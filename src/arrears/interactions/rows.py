"""Interaction rows as the planner, the dispatcher and the conversation service write them.

The engine writes thousands at a time, so rows are built here as plain dicts and inserted in bulk by
`record_rows`; a conversation keeps one row whose redacted transcript grows turn by turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, update
from sqlalchemy.orm import Session

from arrears.core.ids import new_id
from arrears.store.bulk_rows import insert_rows
from arrears.store.models import Interaction


def outbound_row(
    *,
    case_id: str,
    customer_id: str,
    channel: str,
    status: str,
    at: datetime,
    outbox_id: str | None = None,
    destination: str | None = None,
    destination_kind: str | None = None,
    provider: str | None = None,
    provider_id: str | None = None,
    planned_at: datetime | None = None,
    decision: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An attempt (sent, refused, deferred...) as a row for `record_rows`."""
    return {
        "id": new_id(),
        "case_id": case_id,
        "customer_id": customer_id,
        "outbox_id": outbox_id,
        "channel": channel,
        "direction": "outbound",
        "destination": destination,
        "destination_kind": destination_kind,
        "provider": provider,
        "provider_id": provider_id,
        "status": status,
        "connected": False,
        "conversation": False,
        "planned_at": planned_at,
        "occurred_at": at,
        "decision": decision,
        "transcript_redacted": None,
        "detail": detail or {},
        "delivery_status": "sent" if status == "sent" else None,
        "delivery_updated_at": at if status == "sent" else None,
    }


def conversation_row(
    *,
    case_id: str,
    customer_id: str,
    channel: str,
    at: datetime,
    provider: str,
    provider_id: str,
    transcript: str,
    detail: dict[str, Any],
    outbox_id: str | None = None,
    destination: str | None = None,
) -> dict[str, Any]:
    """The one row a conversation keeps: inbound (the customer answered or wrote), with its transcript."""
    row = outbound_row(
        case_id=case_id,
        customer_id=customer_id,
        channel=channel,
        status="answered" if channel == "voice" else "received",
        at=at,
        outbox_id=outbox_id,
        destination=destination,
        provider=provider,
        provider_id=provider_id,
        detail=detail,
    )
    row.update(direction="inbound", connected=True, conversation=True, transcript_redacted=transcript)
    row.update(delivery_status=None, delivery_updated_at=None)
    return row


def record_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    table = Interaction.__table__
    assert isinstance(table, Table)
    insert_rows(session, table, rows)


def update_transcript(session: Session, interaction_id: str, transcript: str, detail: dict[str, Any]) -> None:
    session.execute(
        update(Interaction)
        .where(Interaction.id == interaction_id)
        .values(transcript_redacted=transcript, detail=detail)
    )
