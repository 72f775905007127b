"""Small moves on an open case: when the planner looks at it next, and money it recovered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from arrears.cases.status import CaseStatus
from arrears.store.models import Case


def wake(session: Session, case_ids: Sequence[str], at: datetime) -> None:
    """Plan these open cases again at `at`."""
    if case_ids:
        session.execute(
            update(Case)
            .where(Case.id.in_(case_ids), Case.status != CaseStatus.CLOSED.value)
            .values(next_action_at=at, updated_at=at)
        )


def credit_open_case(session: Session, account_id: str, currency: str, minor: int, now: datetime) -> None:
    """Count money recovered on the account's open case (before case sync may close it)."""
    session.execute(
        update(Case)
        .where(
            Case.account_id == account_id, Case.status != CaseStatus.CLOSED.value, Case.currency == currency
        )
        .values(recovered_minor=Case.recovered_minor + minor, updated_at=now)
    )
