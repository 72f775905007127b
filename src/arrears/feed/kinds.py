"""What can happen: the kinds of domain event, named `<record>.<change>` as consumers see them."""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    CASE_OPENED = "case.opened"
    CASE_STAGE_CHANGED = "case.stage_changed"
    CASE_CLOSED = "case.closed"
    OUTCOME_RECORDED = "outcome.recorded"
    PROMISE_MADE = "promise.made"
    PROMISE_KEPT = "promise.kept"
    PROMISE_BROKEN = "promise.broken"
    PAYMENT_APPLIED = "payment.applied"
    HOLD_PLACED = "hold.placed"
    HOLD_RELEASED = "hold.released"
    TASK_OPENED = "task.opened"
    TASK_CLAIMED = "task.claimed"
    TASK_RESOLVED = "task.resolved"
    MESSAGE_SENT = "message.sent"
    MESSAGE_DELIVERED = "message.delivered"
    MESSAGE_FAILED = "message.failed"

    @property
    def entity(self) -> str:
        """The record kind the event is about: the part before the dot."""
        return self.value.split(".", 1)[0]
