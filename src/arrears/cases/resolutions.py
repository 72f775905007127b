"""What a person's decision does to a case: the effects of each task resolution, and lifting a hold.

A task stands for holds (the ones its conversation placed, or the kinds a hold-review task lists). A
resolution that lets collection go on lifts them and wakes the case, so the planner takes it up at once;
one that ends collection closes the case; a plan is recorded as instalment promises the ladder waits on.
Other open tasks that stood for the same holds are closed as superseded. All in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.cases.closing import close_cases
from arrears.cases.planning import wake
from arrears.cases.status import TRANSITIONS as CASE_TRANSITIONS
from arrears.cases.status import CaseStatus, CloseReason
from arrears.core.money import Money
from arrears.holds import HOLD_FOR_LABEL, end_on, release, release_for_case
from arrears.promises import cancel_open, record_promise
from arrears.store.models import Case, Hold, Task
from arrears.tasks import Resolution, TaskNotFound, TaskStatus, close

#: Resolutions after which collection goes on: the task's holds are lifted.
_LIFTS = frozenset(
    {
        Resolution.RESUME,
        Resolution.DISPUTE_REJECTED,
        Resolution.PLAN_AGREED,
        Resolution.REVIEW_APPROVED,
        Resolution.REVIEW_REJECTED,
    }
)
_CLOSES = {Resolution.DISPUTE_UPHELD: CloseReason.DISPUTE_UPHELD, Resolution.CLOSED: CloseReason.WRITTEN_OFF}


class ResolutionError(ValueError):
    """A resolution that cannot apply as asked (a plan without terms, a pause without an end)."""


@dataclass(frozen=True, slots=True)
class PlanTerms:
    amount: Money  # each instalment
    first_day: date
    instalments: int = 1


@dataclass(frozen=True, slots=True)
class Terms:
    """What some resolutions need: a plan's terms, a pause's end, a closing reason."""

    plan: PlanTerms | None = None
    until: datetime | None = None
    close_reason: CloseReason | None = None


def resolve_task(
    session: Session,
    task_id: str,
    resolution: Resolution,
    *,
    actor: str,
    note: str | None = None,
    terms: Terms = Terms(),
    now: datetime,
) -> Task:
    """Close the task with `resolution` and move its case on accordingly."""
    task = session.get(Task, task_id, with_for_update=True)
    if task is None:
        raise TaskNotFound(f"no task {task_id!r}")
    _check_terms(task, resolution, terms, now)
    close(session, task_id, resolution, actor=actor, note=note, now=now)
    if task.case_id is None:
        return task
    kinds = hold_kinds_of(task)
    if resolution in _LIFTS:
        if resolution is Resolution.REVIEW_REJECTED:
            cancel_open(session, [task.case_id], now)
        if resolution is Resolution.PLAN_AGREED and terms.plan is not None:
            _record_plan(session, task, terms.plan, now)
        lifted = release_for_case(
            session, task.case_id, kinds, actor=actor, reason=f"task resolved: {resolution.value}", now=now
        )
        _supersede(session, task, set(lifted) | set(kinds or ()), actor, now)
        wake(session, [task.case_id], now)
    elif resolution is Resolution.PAUSED and terms.until is not None:
        end_on(session, task.case_id, kinds, terms.until, actor=actor, now=now)
        wake(session, [task.case_id], terms.until)
    elif resolution is Resolution.HANDED_OFF:
        _move(session, task.case_id, CaseStatus.HANDED_OFF, now)
    elif resolution in _CLOSES:
        reason = terms.close_reason or _CLOSES[resolution]
        close_cases(session, [task.case_id], now=now, reason=reason.value)
    return task


def release_hold(session: Session, hold_id: str, *, actor: str, reason: str, now: datetime) -> Hold:
    """A person lifts one hold; its case is planned again at once (other holds may still stop it)."""
    hold = release(session, hold_id, actor=actor, reason=reason, now=now)
    if hold.case_id is not None:
        wake(session, [hold.case_id], now)
    return hold


def hold_kinds_of(task: Task) -> list[str] | None:
    """The hold kinds a task stands for, from what opened it; None when it stands for none in particular."""
    context = task.context or {}
    if context.get("hold_kinds"):
        return [str(kind) for kind in context["hold_kinds"]]
    step = str(context.get("step_id") or "")
    if step.startswith("hold-task:"):
        return step.removeprefix("hold-task:").split("+")
    kind = HOLD_FOR_LABEL.get(task.reason)
    return [kind] if kind else None


def _check_terms(task: Task, resolution: Resolution, terms: Terms, now: datetime) -> None:
    if resolution is Resolution.PLAN_AGREED and terms.plan is None:
        raise ResolutionError(f"task {task.id}: plan_agreed needs the plan (amount, first date, instalments)")
    if resolution is Resolution.PLAN_AGREED and terms.plan is not None and terms.plan.first_day < now.date():
        raise ResolutionError(f"task {task.id}: the plan's first date {terms.plan.first_day} has passed")
    if resolution is Resolution.PAUSED and (terms.until is None or terms.until <= now):
        raise ResolutionError(f"task {task.id}: paused needs an end date in the future (--until)")


def _record_plan(session: Session, task: Task, plan: PlanTerms, now: datetime) -> None:
    assert task.case_id is not None
    currency = session.scalar(select(Case.currency).where(Case.id == task.case_id))
    if currency != plan.amount.currency:
        raise ResolutionError(
            f"task {task.id}: the case is in {currency}, the plan in {plan.amount.currency}"
        )
    record_promise(
        session,
        case_id=task.case_id,
        amount=plan.amount,
        first_day=plan.first_day,
        instalments=plan.instalments,
        channel="person",
        now=now,
    )


def _move(session: Session, case_id: str, status: CaseStatus, now: datetime) -> None:
    case = session.get(Case, case_id, with_for_update=True)
    assert case is not None
    CASE_TRANSITIONS.check(case_id, CaseStatus(case.status), status)
    case.status, case.updated_at = status.value, now
    case.stage = "handoff" if status is CaseStatus.HANDED_OFF else case.stage


def _supersede(session: Session, task: Task, kinds: set[str], actor: str, now: datetime) -> None:
    """Other open tasks of the case that stood only for holds now lifted have nothing left to decide."""
    if not kinds or task.case_id is None:
        return
    others = session.scalars(
        select(Task).where(
            Task.case_id == task.case_id,
            Task.id != task.id,
            Task.status.in_((TaskStatus.OPEN.value, TaskStatus.CLAIMED.value)),
        )
    ).all()
    for other in others:
        covered = hold_kinds_of(other)
        if covered and set(covered) <= kinds:
            close(
                session,
                other.id,
                Resolution.SUPERSEDED,
                actor=actor,
                note=f"covered by task {task.id}",
                now=now,
            )
