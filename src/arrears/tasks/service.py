"""The one place task rows are written.

A task is opened once per idempotency key (a replayed webhook or a re-planned step opens nothing new),
claimed by one person at a time, reassigned, and closed with a resolution that says what was decided.
What a resolution does to the case (lift a hold, close it, record a plan) is `arrears.cases.resolutions`;
this module only moves the task along its transition table, audits it and publishes it on the feed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.audit import record, record_many
from arrears.core.ids import new_id
from arrears.core.states import Transitions
from arrears.feed import EventKind, event_row, publish_rows
from arrears.store.bulk_rows import insert_rows
from arrears.store.models import Case, Task


class TaskStatus(StrEnum):
    OPEN = "open"  # in the team's queue, nobody on it
    CLAIMED = "claimed"  # one person works it
    DONE = "done"  # resolved by a person
    CANCELLED = "cancelled"  # closed by the system: its case closed, or another resolution covered it


TRANSITIONS = Transitions(
    "task",
    {
        TaskStatus.OPEN: frozenset({TaskStatus.CLAIMED, TaskStatus.DONE, TaskStatus.CANCELLED}),
        TaskStatus.CLAIMED: frozenset({TaskStatus.OPEN, TaskStatus.DONE, TaskStatus.CANCELLED}),
    },
)


class Resolution(StrEnum):
    """What the person decided; `arrears.cases.resolutions` says what each does to the case."""

    RESUME = "resume"  # settled: the holds it stood for are lifted and collection goes on
    DISPUTE_UPHELD = "dispute_upheld"  # the customer is right: the case closes, nothing more is collected
    DISPUTE_REJECTED = "dispute_rejected"  # verification sent: the dispute hold is lifted, collection resumes
    PLAN_AGREED = "plan_agreed"  # a payment plan is recorded, the hold lifted; the ladder waits on the plan
    PAUSED = "paused"  # the holds stay, ending on a date
    REVIEW_APPROVED = "review_approved"  # the agent's outcome stands
    REVIEW_REJECTED = "review_rejected"  # the agent's outcome is wrong: its promise is cancelled
    HANDED_OFF = "handed_off"  # people (or an agency) work the case from now on; the ladder stops
    CLOSED = "closed"  # the case closes unpaid (written off, ceased, deceased, bankrupt)
    NO_ACTION = "no_action"  # done; nothing about the case changes
    SENT_CONFIRMED = "sent_confirmed"  # a send of unknown outcome did leave (the provider says so)
    RESEND = "resend"  # it did not leave: send it again (the gate judges it again)
    CASE_CLOSED = "case_closed"  # system: its case closed (settled, ...)
    SUPERSEDED = "superseded"  # system: another task's resolution covered it


SYSTEM_RESOLUTIONS = frozenset({Resolution.CASE_CLOSED, Resolution.SUPERSEDED})
_PRIORITY_HOURS = {1: 4, 2: 24, 3: 24, 4: 72}


class TaskNotFound(LookupError):
    pass


class TaskTaken(ValueError):
    """Someone else already works the task: reassign it rather than take it over silently."""


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """A task to open. The key makes opening it twice a no-op; `context` links what it is about."""

    idempotency_key: str
    case_id: str | None
    reason: str
    summary: str
    priority: int = 3  # 1 is the most urgent
    team: str = "collections"
    due_at: datetime | None = None  # default: by priority (4 h for 1, a day for 2-3, 3 days for 4)
    context: dict[str, Any] = field(default_factory=dict)


def open_tasks(session: Session, specs: Sequence[TaskSpec], *, actor: str, now: datetime) -> list[str]:
    """Open each task unless its key is already used; returns the ids of the tasks opened now."""
    if not specs:
        return []
    keys = [_key(s) for s in specs]
    existing = set(session.scalars(select(Task.idempotency_key).where(Task.idempotency_key.in_(keys))))
    rows = [_row(spec, now) for spec in dict((_key(s), s) for s in specs).values()]
    rows = [row for row in rows if row["idempotency_key"] not in existing]
    if not rows:
        return []
    insert_rows(session, _table(), rows, ignore_conflicts_on=["idempotency_key"])
    opened = {
        key: task_id
        for key, task_id in session.execute(
            select(Task.idempotency_key, Task.id).where(
                Task.idempotency_key.in_([r["idempotency_key"] for r in rows])
            )
        ).tuples()
    }
    rows = [row for row in rows if opened.get(row["idempotency_key"]) == row["id"]]  # a racing twin won
    _announce(session, rows, actor, now)
    return [row["id"] for row in rows]


def open_task(session: Session, spec: TaskSpec, *, actor: str, now: datetime) -> str:
    """Open one task (or find the one its key already opened); returns its id."""
    open_tasks(session, [spec], actor=actor, now=now)
    return str(session.scalars(select(Task.id).where(Task.idempotency_key == _key(spec))).one())


def claim(session: Session, task_id: str, *, user: str, now: datetime) -> Task:
    """Take an open task; claiming one's own task again changes nothing, another's is refused."""
    task = _locked(session, task_id)
    if task.status == TaskStatus.CLAIMED.value and task.owner == user:
        return task
    if task.status == TaskStatus.CLAIMED.value:
        raise TaskTaken(f"task {task_id} is claimed by {task.owner}; reassign it to take it over")
    TRANSITIONS.check(task_id, TaskStatus(task.status), TaskStatus.CLAIMED)
    task.status, task.owner, task.claimed_at = TaskStatus.CLAIMED.value, user[:128], now
    _changed(session, task, EventKind.TASK_CLAIMED, user, now, {"owner": task.owner})
    return task


def reassign(session: Session, task_id: str, *, owner: str | None, actor: str, now: datetime) -> Task:
    """Give a task to someone (claimed by them) or back to the team's queue (owner None)."""
    task = _locked(session, task_id)
    status = TaskStatus(task.status)
    target = TaskStatus.CLAIMED if owner else TaskStatus.OPEN
    if status not in (TaskStatus.OPEN, TaskStatus.CLAIMED):
        TRANSITIONS.check(task_id, status, target)
    task.status, task.owner = target.value, owner[:128] if owner else None
    task.claimed_at = now if owner else None
    _changed(session, task, EventKind.TASK_CLAIMED, actor, now, {"owner": task.owner, "reassigned": True})
    return task


def close(
    session: Session,
    task_id: str,
    resolution: Resolution,
    *,
    actor: str,
    note: str | None,
    now: datetime,
) -> Task:
    """Record the resolution on the task (done, or cancelled for the system's own resolutions)."""
    task = _locked(session, task_id)
    target = TaskStatus.CANCELLED if resolution in SYSTEM_RESOLUTIONS else TaskStatus.DONE
    TRANSITIONS.check(task_id, TaskStatus(task.status), target)
    task.status, task.resolution, task.closed_at = target.value, resolution.value, now
    task.resolved_by, task.resolution_note = actor[:128], (note or None) and note[:2000]
    _changed(session, task, EventKind.TASK_RESOLVED, actor, now, {"resolution": resolution.value})
    return task


def cancel_for_cases(
    session: Session, case_ids: Sequence[str], resolution: Resolution, *, note: str, now: datetime
) -> int:
    """Close every open task of these cases as the system (their case closed); returns how many."""
    if not case_ids:
        return 0
    ids = session.scalars(
        select(Task.id).where(
            Task.case_id.in_(case_ids),
            Task.status.in_((TaskStatus.OPEN.value, TaskStatus.CLAIMED.value)),
        )
    ).all()
    for task_id in ids:
        close(session, task_id, resolution, actor="system", note=note, now=now)
    return len(ids)


def _key(spec: TaskSpec) -> str:
    """The key as stored (the column holds 64 characters): what every lookup compares with."""
    return spec.idempotency_key[:64]


def _locked(session: Session, task_id: str) -> Task:
    task = session.get(Task, task_id, with_for_update=True)
    if task is None:
        raise TaskNotFound(f"no task {task_id!r}")
    return task


def _row(spec: TaskSpec, now: datetime) -> dict[str, Any]:
    due = spec.due_at or now + timedelta(hours=_PRIORITY_HOURS.get(spec.priority, 24))
    return {
        "id": new_id(),
        "case_id": spec.case_id,
        "idempotency_key": _key(spec),
        "reason": spec.reason[:64],
        "team": spec.team[:64],
        "owner": None,
        "priority": spec.priority,
        "due_at": due,
        "status": TaskStatus.OPEN.value,
        "summary": spec.summary[:4000],
        "context": spec.context,
        "created_at": now,
        "claimed_at": None,
        "closed_at": None,
        "resolution": None,
        "resolved_by": None,
        "resolution_note": None,
    }


def _announce(session: Session, rows: Sequence[dict[str, Any]], actor: str, now: datetime) -> None:
    case_ids = {r["case_id"] for r in rows if r["case_id"]}
    customers = (
        dict(session.execute(select(Case.id, Case.customer_id).where(Case.id.in_(case_ids))).tuples().all())
        if case_ids
        else {}
    )
    record_many(
        session,
        [
            {
                "at": now,
                "actor": actor[:64],
                "action": "task_opened",
                "entity": "task",
                "entity_id": r["id"],
                "data": {"case_id": r["case_id"], "reason": r["reason"]},
            }
            for r in rows
        ],
    )
    publish_rows(
        session,
        [
            event_row(
                EventKind.TASK_OPENED,
                r["id"],
                now,
                case_id=r["case_id"],
                customer_id=customers.get(r["case_id"]),
                data={
                    "reason": r["reason"],
                    "team": r["team"],
                    "priority": r["priority"],
                    "summary": r["summary"],
                },
            )
            for r in rows
        ],
    )


def _changed(
    session: Session, task: Task, kind: EventKind, actor: str, now: datetime, data: dict[str, Any]
) -> None:
    session.flush()
    record(
        session,
        at=now,
        actor=actor[:64],
        action=kind.value.replace(".", "_"),
        entity="task",
        entity_id=task.id,
        data={"case_id": task.case_id, **data},
    )
    customer_id = (
        session.scalar(select(Case.customer_id).where(Case.id == task.case_id)) if task.case_id else None
    )
    publish_rows(
        session,
        [
            event_row(
                kind,
                task.id,
                now,
                case_id=task.case_id,
                customer_id=customer_id,
                data={"reason": task.reason, **data},
            )
        ],
    )


def _table() -> Any:
    return Task.__table__
