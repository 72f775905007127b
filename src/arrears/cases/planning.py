"""When the planner looks at a case next: woken at once after anything that may change its plan."""

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
