"""Human review of actions held back before sending (a new strategy version's first N, unknown sends)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from arrears.audit import record
from arrears.engine.preview import HeldAction
from arrears.store.models import OutboxAction


@dataclass(frozen=True)
class ReviewItem:
    id: str
    case_id: str
    channel: str
    step_id: str
    template: str
    created_at: datetime
    attempts: int
    last_error: str | None
    destination: str | None
    destination_kind: str | None
    payload: dict[str, Any]

    def held(self) -> HeldAction:
        """The columns that decide the message's words, for `preview.preview_actions`."""
        return HeldAction(
            self.id,
            self.case_id,
            self.channel,
            self.destination,
            self.destination_kind,
            self.template,
            self.payload,
        )


def pending_review(session: Session, limit: int = 100) -> list[ReviewItem]:
    rows = session.execute(
        select(
            OutboxAction.id,
            OutboxAction.case_id,
            OutboxAction.channel,
            OutboxAction.step_id,
            OutboxAction.template,
            OutboxAction.created_at,
            OutboxAction.attempts,
            OutboxAction.last_error,
            OutboxAction.destination,
            OutboxAction.destination_kind,
            OutboxAction.payload,
        )
        .where(OutboxAction.status == "review")
        .order_by(OutboxAction.created_at)
        .limit(limit)
    ).all()
    return [ReviewItem(*row) for row in rows]


def decide(session: Session, ids: Sequence[str], *, approve: bool, actor: str, now: datetime) -> int:
    """Approve (send as planned, the gate still asked again at send time) or reject (never sent)."""
    status = "pending" if approve else "cancelled"
    changed = 0
    for action_id in ids:
        result = session.execute(
            update(OutboxAction)
            .where(OutboxAction.id == action_id, OutboxAction.status == "review")
            .values(status=status, not_before=now, lease_owner=None, lease_expires_at=None)
        )
        if getattr(result, "rowcount", 0):
            changed += 1
            record(
                session,
                at=now,
                actor=actor,
                action="review_approved" if approve else "review_rejected",
                entity="outbox",
                entity_id=action_id,
            )
    return changed
