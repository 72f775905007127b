"""The one place hold rows are written: placed with who and why, released by a person or at `until`.

A hold stops collection on a case (or one channel of it) until a person lifts it: the planner pauses the
ladder while any is active and the contact gate refuses what it forbids. Placing a hold also stops the
case's queued outreach in the same transaction, since those messages were planned before the hold.
Every change is audited and published on the feed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from arrears.audit import record
from arrears.core.ids import new_id
from arrears.core.states import Transitions
from arrears.feed import EventKind, publish
from arrears.outbox import cancel_for_cases
from arrears.store.models import Hold


class HoldStatus(StrEnum):
    ACTIVE = "active"
    RELEASED = "released"  # lifted by a person (or a resolution they chose)
    EXPIRED = "expired"  # its `until` passed


TRANSITIONS = Transitions(
    "hold",
    {HoldStatus.ACTIVE: frozenset({HoldStatus.RELEASED, HoldStatus.EXPIRED})},
)

#: The hold each escalation label of the agent places: what a person must lift before collection goes on.
HOLD_FOR_LABEL = {
    "dispute": "dispute",
    "hardship": "hardship",
    "vulnerable": "vulnerable",
    "legal": "attorney",
    "bankruptcy": "bankruptcy",
    "cease_contact": "cease",
    "deceased": "deceased",
    "cancel_service": "review",
    "human_agent": "review",
}


class HoldNotFound(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class HoldSpec:
    customer_id: str
    case_id: str | None
    kind: str
    reason: str
    scope: str = "case"  # case | customer | channel
    channel: str | None = None
    until: datetime | None = None


def place(session: Session, spec: HoldSpec, *, actor: str, now: datetime) -> str:
    """Put a hold in force now and stop what was queued under it; returns the hold id."""
    hold_id = new_id()
    session.add(
        Hold(
            id=hold_id,
            customer_id=spec.customer_id,
            case_id=spec.case_id,
            kind=spec.kind,
            scope=spec.scope,
            channel=spec.channel,
            reason=spec.reason[:512],
            status=HoldStatus.ACTIVE.value,
            placed_by=actor[:128],
            created_at=now,
            until=spec.until,
        )
    )
    session.flush()
    if spec.case_id is not None and spec.scope != "channel":
        cancel_for_cases(session, [spec.case_id])
    record(
        session,
        at=now,
        actor=actor[:64],
        action="hold_placed",
        entity="hold",
        entity_id=hold_id,
        data={"case_id": spec.case_id, "kind": spec.kind, "scope": spec.scope},
    )
    publish(
        session,
        EventKind.HOLD_PLACED,
        hold_id,
        now,
        case_id=spec.case_id,
        customer_id=spec.customer_id,
        data={"kind": spec.kind, "scope": spec.scope, "channel": spec.channel, "reason": spec.reason[:512]},
    )
    return hold_id


def release(session: Session, hold_id: str, *, actor: str, reason: str, now: datetime) -> Hold:
    """Lift one active hold (the caller wakes its case: `arrears.cases.release_hold` does both)."""
    hold = session.get(Hold, hold_id, with_for_update=True)
    if hold is None:
        raise HoldNotFound(f"no hold {hold_id!r}")
    TRANSITIONS.check(hold_id, HoldStatus(hold.status), HoldStatus.RELEASED)
    _end(session, hold, HoldStatus.RELEASED, actor=actor, reason=reason, at=now)
    return hold


def release_for_case(
    session: Session, case_id: str, kinds: Sequence[str] | None, *, actor: str, reason: str, now: datetime
) -> list[str]:
    """Lift the case's active holds of these kinds (every kind when None); returns the kinds lifted."""
    lifted = []
    for hold in session.scalars(_active(case_id, kinds).with_for_update()).all():
        _end(session, hold, HoldStatus.RELEASED, actor=actor, reason=reason, at=now)
        lifted.append(hold.kind)
    return lifted


def end_on(
    session: Session, case_id: str, kinds: Sequence[str] | None, until: datetime, *, actor: str, now: datetime
) -> int:
    """Give the case's active holds (of these kinds; all when None) an end: collection may resume then."""
    holds = session.scalars(_active(case_id, kinds).with_for_update()).all()
    for hold in holds:
        hold.until = until
        record(
            session,
            at=now,
            actor=actor[:64],
            action="hold_ends",
            entity="hold",
            entity_id=hold.id,
            data={"case_id": case_id, "kind": hold.kind, "until": until.isoformat()},
        )
    session.flush()
    return len(holds)


def expire_due(session: Session, now: datetime, limit: int = 500) -> int:
    """Holds whose `until` has passed end as expired (the gate already ignored them from `until`)."""
    due = session.scalars(
        select(Hold)
        .where(Hold.status == HoldStatus.ACTIVE.value, Hold.until.is_not(None), Hold.until <= now)
        .order_by(Hold.until)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for hold in due:
        assert hold.until is not None
        _end(session, hold, HoldStatus.EXPIRED, actor="system", reason="its end date passed", at=hold.until)
    return len(due)


def active_holds(session: Session, case_id: str) -> list[Hold]:
    return list(session.scalars(_active(case_id, None).order_by(Hold.created_at)))


def _active(case_id: str, kinds: Sequence[str] | None) -> Select[tuple[Hold]]:
    """The case's active holds, of these kinds (every kind when None)."""
    query = select(Hold).where(Hold.case_id == case_id, Hold.status == HoldStatus.ACTIVE.value)
    return query if kinds is None else query.where(Hold.kind.in_(list(kinds)))


def _end(session: Session, hold: Hold, status: HoldStatus, *, actor: str, reason: str, at: datetime) -> None:
    hold.status = status.value
    hold.released_at = at
    hold.released_by = actor[:128]
    hold.release_reason = reason[:512]
    session.flush()
    record(
        session,
        at=at,
        actor=actor[:64],
        action=f"hold_{status.value}",
        entity="hold",
        entity_id=hold.id,
        data={"case_id": hold.case_id, "kind": hold.kind},
    )
    publish(
        session,
        EventKind.HOLD_RELEASED,
        hold.id,
        at,
        case_id=hold.case_id,
        customer_id=hold.customer_id,
        data={"kind": hold.kind, "status": status.value, "by": actor[:128], "reason": reason[:512]},
    )
