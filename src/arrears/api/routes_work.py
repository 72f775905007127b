"""The people's side before the dashboard: list, claim, reassign and resolve tasks; list and release holds.

Reading needs the `read` scope, changing needs `work`. `by` names the person acting (the API key names the
integration): it is what the audit trail and the task record. A resolution moves the case on in the same
transaction (arrears.cases.resolutions).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import Field
from sqlalchemy import select

from arrears.api.bodies import Body
from arrears.api.deps import ClockDep, Read, SessionDep, Work
from arrears.api.openapi import problems
from arrears.api.paging import MAX_LIMIT
from arrears.api.problems import ProblemError
from arrears.api.views import HoldView, TaskView
from arrears.cases.resolutions import PlanTerms, ResolutionError, Terms, release_hold
from arrears.cases.status import CloseReason
from arrears.core.money import Money, MoneyError, parse_minor
from arrears.core.states import TransitionError
from arrears.engine.review import resolve as resolve_task
from arrears.holds import HoldNotFound, HoldStatus
from arrears.store.models import Hold, Task
from arrears.tasks import Resolution, TaskNotFound, TaskStatus, TaskTaken, claim, reassign

router = APIRouter(prefix="/v1", tags=["work"])
ERRORS = problems(401, 403, 404, 409, 413, 422)
TaskId = Annotated[str, Path(max_length=32)]
Actor = Annotated[str, Field(min_length=1, max_length=128, description="the person acting")]


class ClaimBody(Body):
    by: Actor


class ReassignBody(Body):
    by: Actor
    owner: str | None = Field(None, max_length=128, description="null: back to the team's queue")


class PlanBody(Body):
    amount: str = Field(description="each instalment, a decimal in the case's currency")
    currency: str = Field(min_length=3, max_length=3)
    first_due_on: date
    instalments: int = Field(1, ge=1, le=120)


class ResolveBody(Body):
    by: Actor
    resolution: Resolution
    note: str | None = Field(None, max_length=2000)
    plan: PlanBody | None = Field(None, description="plan_agreed: the plan's terms")
    until: datetime | None = Field(None, description="paused: when collection may resume (UTC)")
    close_reason: CloseReason | None = Field(None, description="closed: why (default written_off)")


class ReleaseBody(Body):
    by: Actor
    reason: str = Field(min_length=1, max_length=512)


@router.get("/tasks", response_model=list[TaskView], responses=ERRORS)
def list_tasks(
    session: SessionDep,
    _: Read,
    status: TaskStatus | None = Query(None, description="default: open and claimed"),
    team: str | None = Query(None, max_length=64),
    owner: str | None = Query(None, max_length=128),
    case_id: str | None = Query(None, max_length=32),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
) -> list[TaskView]:
    """The queue, most urgent first."""
    query = select(Task)
    statuses = [status.value] if status else [TaskStatus.OPEN.value, TaskStatus.CLAIMED.value]
    query = query.where(Task.status.in_(statuses))
    for column, value in ((Task.team, team), (Task.owner, owner), (Task.case_id, case_id)):
        if value is not None:
            query = query.where(column == value)
    query = query.order_by(Task.priority, Task.due_at, Task.id).limit(limit)
    return [TaskView.model_validate(t) for t in session.scalars(query)]


@router.post("/tasks/{task_id}/claim", response_model=TaskView, responses=ERRORS)
def claim_task(task_id: TaskId, body: ClaimBody, session: SessionDep, clock: ClockDep, _: Work) -> TaskView:
    with _problems():
        return TaskView.model_validate(claim(session, task_id, user=body.by, now=clock.now()))


@router.post("/tasks/{task_id}/reassign", response_model=TaskView, responses=ERRORS)
def reassign_task(
    task_id: TaskId, body: ReassignBody, session: SessionDep, clock: ClockDep, _: Work
) -> TaskView:
    with _problems():
        task = reassign(session, task_id, owner=body.owner, actor=body.by, now=clock.now())
        return TaskView.model_validate(task)


@router.post("/tasks/{task_id}/resolve", response_model=TaskView, responses=ERRORS)
def resolve(task_id: TaskId, body: ResolveBody, session: SessionDep, clock: ClockDep, _: Work) -> TaskView:
    """Close the task with what was decided; the case moves on accordingly."""
    with _problems():
        terms = Terms(plan=_plan(body.plan), until=body.until, close_reason=body.close_reason)
        task = resolve_task(
            session, task_id, body.resolution, actor=body.by, note=body.note, terms=terms, now=clock.now()
        )
        return TaskView.model_validate(task)


@router.get("/holds", response_model=list[HoldView], responses=ERRORS)
def list_holds(
    session: SessionDep,
    _: Read,
    status: HoldStatus = Query(HoldStatus.ACTIVE),
    case_id: str | None = Query(None, max_length=32),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
) -> list[HoldView]:
    query = select(Hold).where(Hold.status == status.value)
    if case_id is not None:
        query = query.where(Hold.case_id == case_id)
    query = query.order_by(Hold.created_at, Hold.id).limit(limit)
    return [HoldView.model_validate(h) for h in session.scalars(query)]


@router.post("/holds/{hold_id}/release", response_model=HoldView, responses=ERRORS)
def release(
    hold_id: Annotated[str, Path(max_length=32)],
    body: ReleaseBody,
    session: SessionDep,
    clock: ClockDep,
    _: Work,
) -> HoldView:
    """Lift a hold: collection may go on (the planner looks at the case at once)."""
    with _problems():
        hold = release_hold(session, hold_id, actor=body.by, reason=body.reason, now=clock.now())
        return HoldView.model_validate(hold)


def _plan(body: PlanBody | None) -> PlanTerms | None:
    if body is None:
        return None
    try:
        amount = Money(parse_minor(body.amount, body.currency.upper(), negative=False), body.currency.upper())
    except MoneyError as exc:
        raise ProblemError(422, "invalid", "Invalid plan", f"plan.amount: {exc}") from None
    return PlanTerms(amount, body.first_due_on, body.instalments)


class _problems:
    """Domain refusals as problem documents: unknown record 404, a move its table forbids 409."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _tb: object) -> None:
        if isinstance(exc, TaskNotFound | HoldNotFound):
            raise ProblemError(404, "not-found", "Not found", str(exc)) from None
        if isinstance(exc, TransitionError | TaskTaken):
            raise ProblemError(409, "conflict", "Not allowed now", str(exc)) from None
        if isinstance(exc, ResolutionError):
            raise ProblemError(422, "invalid", "Cannot resolve so", str(exc)) from None
