"""People's work before the dashboard: `arrears tasks list|claim|reassign|resolve`, `arrears holds
list|release`. Every change names who made it (`--by`) and lands in the audit trail and the feed."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from arrears.cli.db_access import existing_session, ready_engine
from arrears.cli.options import instant
from arrears.core.clock import SystemClock
from arrears.settings import get_settings
from arrears.store.db import session_factory, transaction
from arrears.store.models import Hold, Task

tasks_app = typer.Typer(help="The human queue: what a person must decide or do.", no_args_is_help=True)
holds_app = typer.Typer(help="Holds that stop collection until a person lifts them.", no_args_is_help=True)
Database = Annotated[str | None, typer.Option(help="SQLAlchemy URL (default ARREARS_DATABASE_URL)")]
By = Annotated[str, typer.Option("--by", help="who acts (recorded in the audit trail)")]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON lines")]


def _url(database: str | None) -> str:
    return database or get_settings().database_url


def _refused(exc: Exception) -> typer.Exit:
    typer.echo(f"arrears: {exc}", err=True)
    return typer.Exit(1)


@tasks_app.command("list")
def list_tasks(
    status: Annotated[str, typer.Option(help="open (open and claimed), claimed, done, cancelled")] = "open",
    team: Annotated[str | None, typer.Option()] = None,
    owner: Annotated[str | None, typer.Option()] = None,
    case: Annotated[str | None, typer.Option(help="one case's tasks")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """The queue, most urgent first."""
    statuses = ["open", "claimed"] if status == "open" else [status]
    with existing_session(_url(database)) as session:
        query = select(Task).where(Task.status.in_(statuses))
        for column, value in ((Task.team, team), (Task.owner, owner), (Task.case_id, case)):
            if value is not None:
                query = query.where(column == value)
        tasks = list(session.scalars(query.order_by(Task.priority, Task.due_at, Task.id).limit(limit)))
    rows = [_task_json(t) for t in tasks]
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row))
        return
    table = Table(title=f"{len(rows)} task(s)")
    for heading in ("task", "case", "reason", "priority", "due (UTC)", "status", "owner", "summary"):
        table.add_column(heading, overflow="fold")
    for t in tasks:
        due = t.due_at.strftime("%Y-%m-%d %H:%M")
        table.add_row(
            t.id, t.case_id or "", t.reason, str(t.priority), due, t.status, t.owner or "", t.summary
        )
    Console().print(table)


@tasks_app.command("claim")
def claim_task(task_id: str, by: By, database: Database = None) -> None:
    """Take a task: it is yours until you resolve or reassign it."""
    from arrears.tasks import TaskNotFound, TaskTaken, claim

    _change(
        database, lambda session, now: claim(session, task_id, user=by, now=now), (TaskNotFound, TaskTaken)
    )


@tasks_app.command("reassign")
def reassign_task(
    task_id: str,
    by: By,
    to: Annotated[
        str | None, typer.Option("--to", help="the new owner; omit to return it to the queue")
    ] = None,
    database: Database = None,
) -> None:
    """Give a task to someone, or back to the team's queue."""
    from arrears.tasks import TaskNotFound, reassign

    _change(
        database,
        lambda session, now: reassign(session, task_id, owner=to, actor=by, now=now),
        (TaskNotFound,),
    )


@tasks_app.command("resolve")
def resolve(
    task_id: str,
    resolution: Annotated[
        str, typer.Argument(help="resume, dispute_upheld, dispute_rejected, plan_agreed, ...")
    ],
    by: By,
    note: Annotated[str | None, typer.Option(help="what was decided and why")] = None,
    plan_amount: Annotated[str | None, typer.Option(help="plan_agreed: each instalment, e.g. 50.00")] = None,
    plan_currency: Annotated[str | None, typer.Option(help="plan_agreed: ISO 4217 code")] = None,
    plan_first: Annotated[str | None, typer.Option(help="plan_agreed: first due date, YYYY-MM-DD")] = None,
    instalments: Annotated[int, typer.Option(min=1, max=120)] = 1,
    until: Annotated[str | None, typer.Option(help="paused: resume on this UTC date or time")] = None,
    close_reason: Annotated[
        str | None, typer.Option(help="closed: written_off, ceased, closed_by_person")
    ] = None,
    database: Database = None,
) -> None:
    """Close a task with what was decided; the case moves on accordingly (docs/workplace.md)."""
    from arrears.cases.resolutions import PlanTerms, ResolutionError, Terms
    from arrears.cases.status import CloseReason
    from arrears.core.money import Money, MoneyError, parse_minor
    from arrears.engine.review import resolve as resolve_task
    from arrears.tasks import Resolution, TaskNotFound

    try:
        chosen = Resolution(resolution)
        plan = None
        if plan_amount is not None:
            if not plan_currency or not plan_first:
                raise ValueError("a plan needs --plan-amount, --plan-currency and --plan-first")
            code = plan_currency.upper()
            plan = PlanTerms(
                Money(parse_minor(plan_amount, code, negative=False), code),
                date.fromisoformat(plan_first),
                instalments,
            )
        terms = Terms(
            plan=plan,
            until=instant(until, "--until"),
            close_reason=CloseReason(close_reason) if close_reason else None,
        )
    except (ValueError, MoneyError) as exc:
        raise _refused(exc) from None

    def act(session: Any, now: datetime) -> Task:
        return resolve_task(session, task_id, chosen, actor=by, note=note, terms=terms, now=now)

    _change(database, act, (TaskNotFound, ResolutionError))


@holds_app.command("list")
def list_holds(
    status: Annotated[str, typer.Option(help="active, released, expired")] = "active",
    case: Annotated[str | None, typer.Option(help="one case's holds")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """Holds in force (or lifted), oldest first."""
    with existing_session(_url(database)) as session:
        query = select(Hold).where(Hold.status == status)
        if case is not None:
            query = query.where(Hold.case_id == case)
        holds = list(session.scalars(query.order_by(Hold.created_at, Hold.id).limit(limit)))
    if as_json:
        for hold in holds:
            typer.echo(json.dumps(_hold_json(hold)))
        return
    table = Table(title=f"{len(holds)} hold(s)")
    for heading in ("hold", "case", "kind", "scope", "placed (UTC)", "by", "until", "reason"):
        table.add_column(heading, overflow="fold")
    for h in holds:
        until = h.until.strftime("%Y-%m-%d %H:%M") if h.until else ""
        placed = h.created_at.strftime("%Y-%m-%d %H:%M")
        table.add_row(h.id, h.case_id or "", h.kind, h.scope, placed, h.placed_by, until, h.reason)
    Console().print(table)


@holds_app.command("release")
def release(
    hold_id: str,
    by: By,
    reason: Annotated[str, typer.Option(help="why collection may go on")],
    database: Database = None,
) -> None:
    """Lift a hold: the case is planned again at once (other holds may still stop it)."""
    from arrears.cases.resolutions import release_hold
    from arrears.holds import HoldNotFound

    _change(
        database,
        lambda session, now: release_hold(session, hold_id, actor=by, reason=reason, now=now),
        (HoldNotFound,),
    )


def _change(database: str | None, act: Any, refusals: tuple[type[Exception], ...]) -> None:
    """Run one change in one transaction; a refusal (unknown record, a move its table forbids) is one
    line on stderr and exit 1, and nothing is written."""
    from arrears.core.states import TransitionError

    caught: tuple[type[Exception], ...] = (*refusals, TransitionError)
    with ready_engine(_url(database)) as engine:
        try:
            with transaction(session_factory(engine)) as session:
                record = act(session, SystemClock().now())
                shown = _task_json(record) if isinstance(record, Task) else _hold_json(record)
        except caught as exc:
            raise _refused(exc) from None
    typer.echo(json.dumps(shown))


def _task_json(t: Task) -> dict[str, Any]:
    return {
        "id": t.id,
        "case_id": t.case_id,
        "reason": t.reason,
        "status": t.status,
        "owner": t.owner,
        "priority": t.priority,
        "due_at": t.due_at.isoformat(),
        "resolution": t.resolution,
        "resolved_by": t.resolved_by,
        "summary": t.summary,
    }


def _hold_json(h: Hold) -> dict[str, Any]:
    return {
        "id": h.id,
        "case_id": h.case_id,
        "kind": h.kind,
        "scope": h.scope,
        "status": h.status,
        "placed_by": h.placed_by,
        "until": h.until.isoformat() if h.until else None,
        "released_by": h.released_by,
        "release_reason": h.release_reason,
        "reason": h.reason,
    }


def register(app: typer.Typer) -> None:
    app.add_typer(tasks_app, name="tasks")
    app.add_typer(holds_app, name="holds")
