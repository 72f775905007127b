"""A person's decision moves the case on: holds lifted or kept, plans recorded, cases closed, and every
task that stood for the same thing closed with it; a settled case keeps no open work."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.agent.dialogue import OpenTask, Urgency
from arrears.cases.resolutions import PlanTerms, ResolutionError, Terms, release_hold, resolve_task
from arrears.conversations.effects import Where, open_escalation
from arrears.core.money import Money
from arrears.core.states import TransitionError
from arrears.store.models import Case, DomainEvent, Hold, OutboxAction, Promise, Task
from arrears.tasks import Resolution, TaskSpec, TaskTaken, claim, open_task, reassign
from tests.conversations.support import NOW, seed_case
from tests.events.support import deliver, payment


def _dispute(sessions: sessionmaker[Session]) -> tuple[str, str]:
    """Dana disputes the debt in a conversation: a hold and a task that stands for it; returns both ids."""
    case_id = seed_case(sessions)
    with sessions.begin() as session:
        case = session.get(Case, case_id)
        assert case is not None
        where = Where("conv-1", case_id, case.customer_id, "sms", "m1", "+12125550143")
        task_id = open_escalation(
            session, OpenTask("dispute", "Dana says it is not her debt", Urgency.NORMAL), where, NOW
        )
        # The planner's own review task for the same hold, as it opens one for every set of holds.
        open_task(
            session,
            TaskSpec(
                "hold-review-1",
                case_id,
                "consumer/hold-review",
                "on hold",
                context={"step_id": "hold-task:dispute"},
            ),
            actor="planner",
            now=NOW,
        )
        session.add(
            OutboxAction(
                idempotency_key="queued-1", case_id=case_id, customer_id=case.customer_id, kind="contact",
                step_id="d7", channel="email", template="t", not_before=NOW, created_at=NOW, status="pending",
            )
        )  # fmt: skip
    return case_id, task_id


def test_a_rejected_dispute_lifts_its_hold_and_wakes_the_case(sessions: sessionmaker[Session]) -> None:
    case_id, task_id = _dispute(sessions)
    later = NOW + timedelta(days=3)
    with sessions.begin() as session:
        claim(session, task_id, user="ana", now=later)
        resolve_task(
            session, task_id, Resolution.DISPUTE_REJECTED, actor="ana", note="verification sent", now=later
        )
    with sessions() as session:
        hold = session.scalars(select(Hold)).one()
        assert (hold.status, hold.released_by, hold.released_at) == ("released", "ana", later)
        tasks = {t.reason: t for t in session.scalars(select(Task))}
        assert (tasks["dispute"].status, tasks["dispute"].resolution) == ("done", "dispute_rejected")
        assert tasks["dispute"].resolution_note == "verification sent"
        assert (tasks["consumer/hold-review"].status, tasks["consumer/hold-review"].resolution) == (
            "cancelled",
            "superseded",
        )
        case = session.get(Case, case_id)
        assert case is not None and case.status == "open" and case.next_action_at == later
        kinds = [k for (k,) in session.execute(select(DomainEvent.kind).order_by(DomainEvent.seq))]
        assert kinds[-4:] == ["task.claimed", "task.resolved", "hold.released", "task.resolved"]


def test_a_dispute_stops_queued_outreach_when_placed(sessions: sessionmaker[Session]) -> None:
    _dispute(sessions)
    with sessions() as session:
        # The hold was placed before the row was queued here, so place a second one to see it stop.
        hold_ids = [h.id for h in session.scalars(select(Hold))]
    assert hold_ids
    with sessions.begin() as session:
        case = session.scalars(select(Case)).one()
        where = Where("conv-2", case.id, case.customer_id, "sms", "m2", None)
        open_escalation(session, OpenTask("hardship", "lost her job", Urgency.NORMAL), where, NOW)
    with sessions() as session:
        assert session.scalars(select(OutboxAction.status)).one() == "cancelled"


def test_an_agreed_plan_is_recorded_and_the_hardship_hold_lifted(sessions: sessionmaker[Session]) -> None:
    case_id = seed_case(sessions)
    with sessions.begin() as session:
        case = session.get(Case, case_id)
        assert case is not None
        where = Where("conv-1", case_id, case.customer_id, "sms", "m1", None)
        task_id = open_escalation(session, OpenTask("hardship", "hours cut", Urgency.NORMAL), where, NOW)
    plan = PlanTerms(Money(8_000, "USD"), date(2026, 3, 20), instalments=3)
    with sessions.begin() as session, pytest.raises(ResolutionError, match="needs the plan"):
        resolve_task(session, task_id, Resolution.PLAN_AGREED, actor="ana", now=NOW)
    with sessions.begin() as session:
        resolve_task(session, task_id, Resolution.PLAN_AGREED, actor="ana", terms=Terms(plan=plan), now=NOW)
    with sessions() as session:
        promises = session.scalars(select(Promise).order_by(Promise.instalment)).all()
        assert [(p.due_on.isoformat(), p.amount_minor, p.status) for p in promises] == [
            ("2026-03-20", 8_000, "pending"),
            ("2026-04-20", 8_000, "scheduled"),
            ("2026-05-20", 8_000, "scheduled"),
        ]
        assert session.scalars(select(Hold.status)).one() == "released"


def test_an_upheld_dispute_closes_the_case_and_its_work(sessions: sessionmaker[Session]) -> None:
    case_id, task_id = _dispute(sessions)
    with sessions.begin() as session:
        resolve_task(session, task_id, Resolution.DISPUTE_UPHELD, actor="ana", now=NOW)
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None and (case.status, case.close_reason) == ("closed", "dispute_upheld")
        assert {(t.status, t.resolution) for t in session.scalars(select(Task))} == {
            ("done", "dispute_upheld"),
            ("cancelled", "case_closed"),
        }


def test_a_pause_keeps_the_hold_until_its_date(sessions: sessionmaker[Session]) -> None:
    case_id, task_id = _dispute(sessions)
    until = NOW + timedelta(days=14)
    with sessions.begin() as session, pytest.raises(ResolutionError, match="end date in the future"):
        resolve_task(session, task_id, Resolution.PAUSED, actor="ana", terms=Terms(until=NOW), now=NOW)
    with sessions.begin() as session:
        resolve_task(session, task_id, Resolution.PAUSED, actor="ana", terms=Terms(until=until), now=NOW)
    with sessions() as session:
        hold = session.scalars(select(Hold)).one()
        assert (hold.status, hold.until) == ("active", until)
        case = session.get(Case, case_id)
        assert case is not None and case.next_action_at == until


def test_a_task_moves_only_along_its_table(sessions: sessionmaker[Session]) -> None:
    _, task_id = _dispute(sessions)
    with sessions.begin() as session:
        claim(session, task_id, user="ana", now=NOW)
        claim(session, task_id, user="ana", now=NOW)  # claiming one's own again changes nothing
        with pytest.raises(TaskTaken, match="claimed by ana"):
            claim(session, task_id, user="ben", now=NOW)
        reassign(session, task_id, owner="ben", actor="lead", now=NOW)
        assert session.get(Task, task_id).owner == "ben"  # type: ignore[union-attr]
        resolve_task(session, task_id, Resolution.RESUME, actor="ben", now=NOW)
    with sessions.begin() as session, pytest.raises(TransitionError, match="is done: it cannot become done"):
        resolve_task(session, task_id, Resolution.RESUME, actor="ben", now=NOW)


def test_a_person_releases_a_hold_once(sessions: sessionmaker[Session]) -> None:
    _dispute(sessions)
    with sessions() as session:
        hold_id = session.scalars(select(Hold.id)).one()
    with sessions.begin() as session:
        release_hold(session, hold_id, actor="ana", reason="verification sent", now=NOW)
    with sessions.begin() as session, pytest.raises(TransitionError, match="is released"):
        release_hold(session, hold_id, actor="ana", reason="again", now=NOW)


def test_a_settled_case_closes_its_open_tasks_and_shows_a_zero_balance(
    sessions: sessionmaker[Session],
) -> None:
    case_id, _ = _dispute(sessions)
    with sessions.begin() as session:
        body = {**payment(1, account="acct-1", amount="243.50"), "currency": "USD"}
        assert deliver(session, "pay-all", body) == "done"
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None and (case.status, case.close_reason, case.balance_minor) == (
            "closed",
            "settled",
            0,
        )
        assert {(t.status, t.resolution, t.resolution_note) for t in session.scalars(select(Task))} == {
            ("cancelled", "case_closed", "case closed: settled")
        }
        assert "case.closed" in set(session.scalars(select(DomainEvent.kind)))
