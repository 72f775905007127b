"""A hold is what stops collection, so who placed it and why, who lifted it and when, must be on the row,
the audit trail and the feed; a lifted hold stays lifted, and one whose end passed is ended by the worker's
`expire_due` as the system, at that end, a bounded batch at a time."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.states import TransitionError
from arrears.holds import (
    HoldNotFound,
    HoldSpec,
    HoldStatus,
    active_holds,
    end_on,
    expire_due,
    place,
    release,
    release_for_case,
)
from arrears.store.models import AuditEntry, Case, DomainEvent, Hold, OutboxAction
from tests.conversations.support import NOW, seed_case


def _place(
    sessions: sessionmaker[Session],
    kind: str = "dispute",
    *,
    until: datetime | None = None,
    scope: str = "case",
    channel: str | None = None,
) -> str:
    """Ana places a hold of this kind on Dana's case; returns its id."""
    case_id, customer_id = _case_ids(sessions)
    with sessions.begin() as session:
        spec = HoldSpec(customer_id, case_id, kind, f"{kind} said", scope=scope, channel=channel, until=until)
        return place(session, spec, actor="ana", now=NOW)


def _case_ids(sessions: sessionmaker[Session]) -> tuple[str, str]:
    """The seeded case: (case id, customer id)."""
    with sessions() as session:
        case = session.scalars(select(Case)).one()
        return case.id, case.customer_id


def _events(session: Session, hold_id: str) -> list[DomainEvent]:
    return list(
        session.scalars(select(DomainEvent).where(DomainEvent.entity_id == hold_id).order_by(DomainEvent.seq))
    )


def _queue(sessions: sessionmaker[Session], key: str) -> None:
    case_id, customer_id = _case_ids(sessions)
    with sessions.begin() as session:
        session.add(
            OutboxAction(
                idempotency_key=key, case_id=case_id, customer_id=customer_id, kind="contact", step_id="d7",
                channel="email", template="t", not_before=NOW, created_at=NOW, status="pending",
            )
        )  # fmt: skip


def test_a_placed_hold_records_who_and_why_and_is_audited_and_published(
    sessions: sessionmaker[Session],
) -> None:
    seed_case(sessions)
    case_id, customer_id = _case_ids(sessions)
    with sessions.begin() as session:
        hold_id = place(
            session,
            HoldSpec(customer_id, case_id, "dispute", "says it is not her debt"),
            actor="ana",
            now=NOW,
        )
    with sessions() as session:
        hold = session.get(Hold, hold_id)
        assert hold is not None
        assert (hold.status, hold.kind, hold.scope, hold.case_id, hold.customer_id) == (
            "active",
            "dispute",
            "case",
            case_id,
            customer_id,
        )
        assert (hold.placed_by, hold.reason, hold.created_at, hold.until) == (
            "ana",
            "says it is not her debt",
            NOW,
            None,
        )
        assert (hold.released_at, hold.released_by, hold.release_reason) == (None, None, None)
        assert [h.id for h in active_holds(session, case_id)] == [hold_id]
        [event] = _events(session, hold_id)
        assert (event.kind, event.entity, event.case_id, event.customer_id, event.occurred_at) == (
            "hold.placed",
            "hold",
            case_id,
            customer_id,
            NOW,
        )
        assert event.data == {
            "kind": "dispute",
            "scope": "case",
            "channel": None,
            "reason": "says it is not her debt",
        }
        audit = session.scalars(select(AuditEntry).where(AuditEntry.entity_id == hold_id)).one()
        assert (audit.action, audit.actor, audit.entity) == ("hold_placed", "ana", "hold")


def test_a_case_hold_stops_queued_outreach_but_a_channel_hold_does_not(
    sessions: sessionmaker[Session],
) -> None:
    seed_case(sessions)
    _queue(sessions, "queued-1")
    _place(sessions, "review", scope="channel", channel="sms")
    with sessions() as session:
        assert session.scalars(select(OutboxAction.status)).one() == "pending"
    _place(sessions, "dispute")
    with sessions() as session:
        assert session.scalars(select(OutboxAction.status)).one() == "cancelled"


def test_a_release_records_who_and_why_and_is_published(sessions: sessionmaker[Session]) -> None:
    seed_case(sessions)
    hold_id = _place(sessions)
    later = NOW + timedelta(days=2)
    with sessions.begin() as session:
        returned = release(session, hold_id, actor="ben", reason="verification sent", now=later)
        assert returned.id == hold_id
    with sessions() as session:
        hold = session.get(Hold, hold_id)
        assert hold is not None
        assert (hold.status, hold.released_by, hold.release_reason, hold.released_at) == (
            HoldStatus.RELEASED.value,
            "ben",
            "verification sent",
            later,
        )
        assert hold.placed_by == "ana"
        assert active_holds(session, hold.case_id or "") == []
        placed, released = _events(session, hold_id)
        assert (placed.kind, released.kind, released.occurred_at) == ("hold.placed", "hold.released", later)
        assert released.data == {
            "kind": "dispute",
            "status": "released",
            "by": "ben",
            "reason": "verification sent",
        }
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_id == hold_id, AuditEntry.actor == "ben")
        ).all()
        assert actions == ["hold_released"]


def test_a_released_hold_cannot_be_released_again(sessions: sessionmaker[Session]) -> None:
    seed_case(sessions)
    hold_id = _place(sessions)
    with sessions.begin() as session:
        release(session, hold_id, actor="ben", reason="verified", now=NOW)
    later = NOW + timedelta(hours=1)
    with sessions.begin() as session, pytest.raises(TransitionError, match="is released"):
        release(session, hold_id, actor="cy", reason="again", now=later)
    with sessions() as session:
        hold = session.get(Hold, hold_id)
        assert hold is not None
        assert (hold.status, hold.released_by, hold.released_at) == ("released", "ben", NOW)
        assert [e.kind for e in _events(session, hold_id)] == ["hold.placed", "hold.released"]


def test_an_expired_hold_cannot_be_released(sessions: sessionmaker[Session]) -> None:
    seed_case(sessions)
    hold_id = _place(sessions, until=NOW - timedelta(hours=1))
    with sessions.begin() as session:
        assert expire_due(session, NOW) == 1
    with sessions.begin() as session, pytest.raises(TransitionError, match="is expired"):
        release(session, hold_id, actor="ben", reason="late", now=NOW)


def test_releasing_an_unknown_hold_raises_hold_not_found(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session, pytest.raises(HoldNotFound, match="no-such-hold"):
        release(session, "no-such-hold", actor="ben", reason="x", now=NOW)


def test_two_holds_on_a_case_are_lifted_one_at_a_time(sessions: sessionmaker[Session]) -> None:
    seed_case(sessions)
    dispute = _place(sessions, "dispute")
    hardship = _place(sessions, "hardship")
    case_id, _ = _case_ids(sessions)
    with sessions.begin() as session:
        release(session, dispute, actor="ben", reason="verified", now=NOW)
    with sessions() as session:
        assert [h.id for h in active_holds(session, case_id)] == [hardship]


def test_expire_due_ends_holds_whose_end_has_come_as_the_system_at_that_end(
    sessions: sessionmaker[Session],
) -> None:
    seed_case(sessions)
    past, now = NOW - timedelta(hours=3), NOW
    passed = _place(sessions, "hardship", until=past)
    ends_now = _place(sessions, "vulnerable", until=now)
    future = _place(sessions, "dispute", until=NOW + timedelta(seconds=1))
    endless = _place(sessions, "cease")
    with sessions.begin() as session:
        assert expire_due(session, NOW) == 2
    with sessions() as session:
        holds = {h.id: h for h in session.scalars(select(Hold))}
        for hold_id, until in ((passed, past), (ends_now, now)):
            hold = holds[hold_id]
            assert (hold.status, hold.released_by, hold.release_reason, hold.released_at) == (
                HoldStatus.EXPIRED.value,
                "system",
                "its end date passed",
                until,
            )
            released = _events(session, hold_id)[-1]
            assert (released.kind, released.occurred_at) == ("hold.released", until)
            assert released.data["status"] == "expired" and released.data["by"] == "system"
        for hold_id in (future, endless):
            assert (holds[hold_id].status, holds[hold_id].released_at) == ("active", None)
            assert [e.kind for e in _events(session, hold_id)] == ["hold.placed"]
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_id == passed).order_by(AuditEntry.id)
        )
        assert [(a.action, a.actor) for a in audit] == [("hold_placed", "ana"), ("hold_expired", "system")]
    with sessions.begin() as session:
        assert expire_due(session, NOW) == 0  # nothing ends twice


def test_expire_due_takes_at_most_limit_holds_earliest_end_first(sessions: sessionmaker[Session]) -> None:
    seed_case(sessions)
    ids = [
        _place(sessions, kind, until=NOW - timedelta(days=d))
        for kind, d in (("hardship", 1), ("dispute", 3), ("review", 2))
    ]
    with sessions.begin() as session:
        assert expire_due(session, NOW, limit=2) == 2
    with sessions() as session:
        status = dict(session.execute(select(Hold.kind, Hold.status)).tuples().all())
        assert status == {"hardship": "active", "dispute": "expired", "review": "expired"}
    with sessions.begin() as session:
        assert expire_due(session, NOW, limit=2) == 1
    with sessions.begin() as session:
        assert expire_due(session, NOW, limit=2) == 0
    with sessions() as session:
        assert {h.status for h in session.scalars(select(Hold).where(Hold.id.in_(ids)))} == {"expired"}


def test_a_hold_given_an_end_expires_once_that_end_passes(sessions: sessionmaker[Session]) -> None:
    seed_case(sessions)
    dispute = _place(sessions, "dispute")
    cease = _place(sessions, "cease")
    case_id, _ = _case_ids(sessions)
    until = NOW + timedelta(days=14)
    with sessions.begin() as session:
        assert end_on(session, case_id, ["dispute"], until, actor="ana", now=NOW) == 1
    with sessions.begin() as session:
        assert expire_due(session, until - timedelta(seconds=1)) == 0
    with sessions.begin() as session:
        assert expire_due(session, until + timedelta(days=1)) == 1
    with sessions() as session:
        holds = {h.id: h for h in session.scalars(select(Hold))}
        assert (holds[dispute].status, holds[dispute].released_at, holds[dispute].until) == (
            "expired",
            until,
            until,
        )
        assert (holds[cease].status, holds[cease].until) == ("active", None)


def test_release_for_case_lifts_only_the_kinds_asked_for(sessions: sessionmaker[Session]) -> None:
    seed_case(sessions)
    dispute = _place(sessions, "dispute")
    hardship = _place(sessions, "hardship")
    case_id, _ = _case_ids(sessions)
    with sessions.begin() as session:
        assert release_for_case(session, case_id, ["dispute"], actor="ben", reason="settled", now=NOW) == [
            "dispute"
        ]
    with sessions() as session:
        assert [h.id for h in active_holds(session, case_id)] == [hardship]
        lifted = session.get(Hold, dispute)
        assert lifted is not None and (lifted.released_by, lifted.release_reason) == ("ben", "settled")
    with sessions.begin() as session:
        assert release_for_case(session, case_id, None, actor="ben", reason="paid", now=NOW) == ["hardship"]
        assert release_for_case(session, case_id, None, actor="ben", reason="paid", now=NOW) == []
    with sessions() as session:
        assert active_holds(session, case_id) == []
