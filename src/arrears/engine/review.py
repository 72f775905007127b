"""Human review of actions held back before sending (a new strategy version's first N, unknown sends)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from arrears.audit import record
from arrears.cases.resolutions import ResolutionError, Terms, resolve_task
from arrears.engine.preview import HeldAction
from arrears.engine.reconcile import confirm_sent
from arrears.store.models import OutboxAction, Task
from arrears.tasks import Resolution, TaskNotFound, close

#: The task reason a send of unknown outcome opens (arrears.engine.reconcile.open_review_task).
DELIVERY_UNKNOWN = "delivery_unknown"


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
            self.step_id,
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


def resolve(
    session: Session,
    task_id: str,
    resolution: Resolution,
    *,
    actor: str,
    note: str | None = None,
    terms: Terms = Terms(),
    now: datetime,
) -> Task:
    """Resolve a person's task. A send of unknown outcome is settled here (`sent_confirmed` records it as
    sent, with the notice a first contact owes; `resend` releases it to the dispatcher); every other
    resolution moves the case on (arrears.cases.resolutions)."""
    task = session.get(Task, task_id)
    if task is None:
        raise TaskNotFound(f"no task {task_id!r}")
    delivery = {Resolution.SENT_CONFIRMED, Resolution.RESEND}
    if task.reason != DELIVERY_UNKNOWN:
        if resolution in delivery:
            raise ResolutionError(
                f"task {task_id}: {resolution.value} settles only a send of unknown outcome"
            )
        return resolve_task(session, task_id, resolution, actor=actor, note=note, terms=terms, now=now)
    if resolution not in delivery:
        raise ResolutionError(
            f"task {task_id}: a send of unknown outcome is settled by sent_confirmed or resend"
        )
    outbox_id = str((task.context or {}).get("outbox_id", ""))
    settled = (
        confirm_sent(session, outbox_id, actor=actor, now=now)
        if resolution is Resolution.SENT_CONFIRMED
        else decide(session, [outbox_id], approve=True, actor=actor, now=now) == 1
    )
    if not settled:
        raise ResolutionError(f"task {task_id}: its action {outbox_id} is no longer waiting for review")
    return close(session, task_id, resolution, actor=actor, note=note, now=now)
