"""The human queue must not double up or lose work: a task opens once per key however often it is asked
for, one person works it at a time, a closed task stays closed with who decided what, and closing a case
closes its open work and nobody else's. Each move is audited and published on the feed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.states import TransitionError
from arrears.store.models import AuditEntry, Case, DomainEvent, Task
from arrears.tasks import (
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
from tests.conversations.support import NOW, seed_case
from tests.events.support import deliver, invoice_created

LATER = NOW + timedelta(hours=2)


def _open(sessions: sessionmaker[Session], key: str = "task-1", case_id: str | None = None) -> str:
    with sessions.begin() as session:
        return open_task(
            session, TaskSpec(key, case_id, "dispute", f"summary of {key}"), actor="agent", now=NOW
        )


def _task(sessions: sessionmaker[Session], task_id: str) -> Task:
    with sessions() as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task


def _kinds(sessions: sessionmaker[Session], task_id: str) -> list[str]:
    with sessions() as session:
        query = select(DomainEvent.kind).where(DomainEvent.entity_id == task_id).order_by(DomainEvent.seq)
        return list(session.scalars(query))


def _second_case(sessions: sessionmaker[Session], first: str) -> str:
    """Another customer's open case beside Dana's."""
    with sessions.begin() as session:
        assert (
            deliver(session, "seed-2", invoice_created(2, account="acct-2", customer="cust-2"), NOW) == "done"
        )
    with sessions() as session:
        return session.scalars(select(Case.id).where(Case.id != first)).one()


def test_opening_a_task_twice_by_its_key_keeps_one_row_and_one_event(sessions: sessionmaker[Session]) -> None:
    case_id = seed_case(sessions)
    spec = TaskSpec("esc:conv-1:m1", case_id, "dispute", "Dana says it is not her debt", priority=2)
    with sessions.begin() as session:
        first = open_task(session, spec, actor="agent", now=NOW)
    with sessions.begin() as session:  # a replayed webhook asks again, later and worded differently
        again = TaskSpec(spec.idempotency_key, case_id, "dispute", "reworded", priority=1)
        assert open_task(session, again, actor="agent", now=LATER) == first
        assert open_tasks(session, [again], actor="agent", now=LATER) == []
    with sessions() as session:
        task = session.scalars(select(Task)).one()
        assert (task.id, task.status, task.owner, task.summary, task.priority) == (
            first,
            "open",
            None,
            "Dana says it is not her debt",
            2,
        )
        [event] = session.scalars(select(DomainEvent).where(DomainEvent.kind == "task.opened")).all()
        case = session.get(Case, case_id)
        assert case is not None
        assert (event.entity_id, event.case_id, event.customer_id, event.occurred_at) == (
            first,
            case_id,
            case.customer_id,
            NOW,
        )
        assert event.data == {
            "reason": "dispute",
            "team": "collections",
            "priority": 2,
            "summary": "Dana says it is not her debt",
        }
        audit = session.scalars(select(AuditEntry).where(AuditEntry.entity_id == first)).all()
        assert [(a.action, a.actor) for a in audit] == [("task_opened", "agent")]


def test_open_tasks_opens_each_new_key_once_and_returns_only_those(sessions: sessionmaker[Session]) -> None:
    specs = [TaskSpec(key, None, "review", key) for key in ("a", "a", "b")]
    with sessions.begin() as session:
        opened = open_tasks(session, specs, actor="planner", now=NOW)
    assert len(opened) == 2
    with sessions.begin() as session:
        repeat_and_new = [TaskSpec("b", None, "review", "b"), TaskSpec("c", None, "review", "c")]
        more = open_tasks(session, repeat_and_new, actor="planner", now=NOW)
    with sessions() as session:
        ids = dict(session.execute(select(Task.idempotency_key, Task.id)).tuples().all())
    assert set(ids) == {"a", "b", "c"}
    assert set(opened) == {ids["a"], ids["b"]} and more == [ids["c"]]
    with sessions() as session:
        announced = session.scalars(select(DomainEvent.entity_id).where(DomainEvent.kind == "task.opened"))
        assert sorted(announced) == sorted(ids.values())  # one event per task, none for the repeats


def test_a_task_is_due_by_its_priority_unless_given_a_date(sessions: sessionmaker[Session]) -> None:
    given = NOW + timedelta(days=10)
    specs = [
        TaskSpec("urgent", None, "legal", "s", priority=1),
        TaskSpec("normal", None, "dispute", "s"),
        TaskSpec("low", None, "review", "s", priority=4),
        TaskSpec("dated", None, "review", "s", priority=1, due_at=given),
    ]
    with sessions.begin() as session:
        open_tasks(session, specs, actor="planner", now=NOW)
    with sessions() as session:
        due = dict(session.execute(select(Task.idempotency_key, Task.due_at)).tuples().all())
    assert due == {
        "urgent": NOW + timedelta(hours=4),
        "normal": NOW + timedelta(days=1),
        "low": NOW + timedelta(days=3),
        "dated": given,
    }


def test_a_claim_makes_the_task_one_persons_and_claiming_it_again_changes_nothing(
    sessions: sessionmaker[Session],
) -> None:
    task_id = _open(sessions)
    with sessions.begin() as session:
        claimed = claim(session, task_id, user="ana", now=NOW)
        assert (claimed.status, claimed.owner) == ("claimed", "ana")
    with sessions.begin() as session:
        claim(session, task_id, user="ana", now=LATER)
    task = _task(sessions, task_id)
    assert (task.status, task.owner, task.claimed_at) == (TaskStatus.CLAIMED.value, "ana", NOW)
    assert _kinds(sessions, task_id) == ["task.opened", "task.claimed"]
    with sessions() as session:
        event = session.scalars(select(DomainEvent).where(DomainEvent.kind == "task.claimed")).one()
        assert (event.data, event.occurred_at) == ({"reason": "dispute", "owner": "ana"}, NOW)
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "task_claimed")).one()
        assert (audit.actor, audit.entity_id) == ("ana", task_id)


def test_a_task_claimed_by_one_person_is_refused_to_another(sessions: sessionmaker[Session]) -> None:
    task_id = _open(sessions)
    with sessions.begin() as session:
        claim(session, task_id, user="ana", now=NOW)
    with sessions.begin() as session, pytest.raises(TaskTaken, match="claimed by ana"):
        claim(session, task_id, user="ben", now=LATER)
    task = _task(sessions, task_id)
    assert (task.status, task.owner, task.claimed_at) == ("claimed", "ana", NOW)
    assert _kinds(sessions, task_id) == ["task.opened", "task.claimed"]


def test_reassign_hands_the_task_over_with_who_did_it_recorded(sessions: sessionmaker[Session]) -> None:
    task_id = _open(sessions)
    with sessions.begin() as session:
        claim(session, task_id, user="ana", now=NOW)
    with sessions.begin() as session:
        reassign(session, task_id, owner="ben", actor="lead", now=LATER)
    task = _task(sessions, task_id)
    assert (task.status, task.owner, task.claimed_at) == ("claimed", "ben", LATER)
    with sessions() as session:
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_id == task_id).order_by(AuditEntry.id)
        )
        assert [(a.action, a.actor) for a in audit][-1] == ("task_claimed", "lead")
        event = session.scalars(select(DomainEvent).order_by(DomainEvent.seq.desc()).limit(1)).one()
        assert (event.kind, event.entity_id, event.occurred_at) == ("task.claimed", task_id, LATER)
        assert event.data == {"reason": "dispute", "owner": "ben", "reassigned": True}
    with sessions.begin() as session:
        reassign(session, task_id, owner=None, actor="lead", now=LATER)  # back to the team's queue
    task = _task(sessions, task_id)
    assert (task.status, task.owner, task.claimed_at) == ("open", None, None)
    with sessions.begin() as session:
        assert claim(session, task_id, user="cy", now=LATER).owner == "cy"


def test_closing_records_what_was_decided_by_whom_and_publishes_it(sessions: sessionmaker[Session]) -> None:
    case_id = seed_case(sessions)
    task_id = _open(sessions, case_id=case_id)
    with sessions.begin() as session:
        claim(session, task_id, user="ana", now=NOW)
        close(session, task_id, Resolution.NO_ACTION, actor="ana", note="customer will call back", now=LATER)
    task = _task(sessions, task_id)
    assert (task.status, task.resolution, task.resolved_by, task.resolution_note, task.closed_at) == (
        TaskStatus.DONE.value,
        "no_action",
        "ana",
        "customer will call back",
        LATER,
    )
    assert _kinds(sessions, task_id) == ["task.opened", "task.claimed", "task.resolved"]
    with sessions() as session:
        event = session.scalars(select(DomainEvent).where(DomainEvent.kind == "task.resolved")).one()
        assert (event.case_id, event.occurred_at) == (case_id, LATER)
        assert event.data == {"reason": "dispute", "resolution": "no_action"}
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "task_resolved")).one()
        assert (audit.actor, audit.entity_id) == ("ana", task_id)


def test_a_system_resolution_cancels_the_task_rather_than_completing_it(
    sessions: sessionmaker[Session],
) -> None:
    task_id = _open(sessions)
    with sessions.begin() as session:
        close(session, task_id, Resolution.SUPERSEDED, actor="system", note="", now=NOW)
    task = _task(sessions, task_id)
    assert (task.status, task.resolution, task.resolved_by, task.resolution_note) == (
        "cancelled",
        "superseded",
        "system",
        None,
    )


def test_a_closed_task_cannot_be_closed_claimed_or_reassigned_again(sessions: sessionmaker[Session]) -> None:
    task_id = _open(sessions)
    with sessions.begin() as session:
        close(session, task_id, Resolution.RESUME, actor="ana", note=None, now=NOW)
    with sessions.begin() as session, pytest.raises(TransitionError, match="is done"):
        close(session, task_id, Resolution.CLOSED, actor="ben", note="again", now=LATER)
    with sessions.begin() as session, pytest.raises(TransitionError, match="is done"):
        claim(session, task_id, user="ben", now=LATER)
    with sessions.begin() as session, pytest.raises(TransitionError, match="is done"):
        reassign(session, task_id, owner="ben", actor="lead", now=LATER)
    task = _task(sessions, task_id)
    assert (task.status, task.resolution, task.resolved_by, task.owner, task.closed_at) == (
        "done",
        "resume",
        "ana",
        None,
        NOW,
    )
    assert _kinds(sessions, task_id) == ["task.opened", "task.resolved"]


def test_cancel_for_cases_closes_the_open_work_of_those_cases_only(sessions: sessionmaker[Session]) -> None:
    closing = seed_case(sessions)
    other = _second_case(sessions, closing)
    waiting, working, finished = (_open(sessions, key, closing) for key in ("waiting", "working", "finished"))
    elsewhere, unattached = _open(sessions, "elsewhere", other), _open(sessions, "unattached")
    with sessions.begin() as session:
        claim(session, working, user="ana", now=NOW)
        close(session, finished, Resolution.NO_ACTION, actor="ana", note=None, now=NOW)
    with sessions.begin() as session:
        assert (
            cancel_for_cases(session, [closing], Resolution.CASE_CLOSED, note="case settled", now=LATER) == 2
        )
        assert cancel_for_cases(session, [], Resolution.CASE_CLOSED, note="nothing", now=LATER) == 0
    for task_id in (waiting, working):
        task = _task(sessions, task_id)
        assert (task.status, task.resolution, task.resolved_by, task.resolution_note, task.closed_at) == (
            "cancelled",
            "case_closed",
            "system",
            "case settled",
            LATER,
        )
        assert _kinds(sessions, task_id)[-1] == "task.resolved"
    assert (_task(sessions, finished).status, _task(sessions, finished).resolution) == ("done", "no_action")
    assert {_task(sessions, t).status for t in (elsewhere, unattached)} == {"open"}
    with sessions.begin() as session:  # run again: nothing of that case is left open
        assert cancel_for_cases(session, [closing], Resolution.CASE_CLOSED, note="again", now=LATER) == 0


def test_an_unknown_task_raises_task_not_found(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        with pytest.raises(TaskNotFound, match="no-such-task"):
            claim(session, "no-such-task", user="ana", now=NOW)
        with pytest.raises(TaskNotFound, match="no-such-task"):
            reassign(session, "no-such-task", owner="ana", actor="lead", now=NOW)
        with pytest.raises(TaskNotFound, match="no-such-task"):
            close(session, "no-such-task", Resolution.NO_ACTION, actor="ana", note=None, now=NOW)


def test_a_key_longer_than_the_column_still_finds_its_task(sessions: sessionmaker[Session]) -> None:
    case_id = seed_case(sessions)
    spec = TaskSpec("k" * 80, case_id, "collections", "call back", context={})
    with sessions.begin() as session:
        first = open_task(session, spec, actor="planner", now=NOW)
    with sessions.begin() as session:
        assert open_task(session, spec, actor="planner", now=NOW) == first
        assert session.scalars(select(func.count()).select_from(Task)).one() == 1
