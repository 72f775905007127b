"""The human queue: what a person must decide or do, opened, claimed, reassigned and closed here only."""

from arrears.tasks.service import (
    TRANSITIONS,
    Resolution,
    TaskNotFound,
    TaskSpec,
    TaskStatus,
    TaskTaken,
    cancel_for_cases,
    claim,
    close,
    open_task,
    open_tasks,
    reassign,
)

__all__ = [
    "TRANSITIONS",
    "Resolution",
    "TaskNotFound",
    "TaskSpec",
    "TaskStatus",
    "TaskTaken",
    "cancel_for_cases",
    "claim",
    "close",
    "open_task",
    "open_tasks",
    "reassign",
]
