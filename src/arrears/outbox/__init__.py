"""The outbox of actions: statuses, queueing and stopping rows that have not left yet."""

from arrears.outbox.rows import (
    STOPPABLE,
    TRANSITIONS,
    OutboxStatus,
    cancel_for_cases,
    cancel_for_customers,
    queue_actions,
)

__all__ = [
    "STOPPABLE",
    "TRANSITIONS",
    "OutboxStatus",
    "cancel_for_cases",
    "cancel_for_customers",
    "queue_actions",
]
