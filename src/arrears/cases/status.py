"""A case's stored status (the strategy's own enum, minus `settled`, which is `closed` with that reason)
and the moves it may make."""

from __future__ import annotations

from enum import StrEnum

from arrears.core.states import Transitions
from arrears.strategy.case import CaseStatus


class CloseReason(StrEnum):
    SETTLED = "settled"  # nothing overdue is owed any more
    DISPUTE_UPHELD = "dispute_upheld"
    WRITTEN_OFF = "written_off"
    CEASED = "ceased"  # the customer asked for no further contact and a person closed it
    CLOSED_BY_PERSON = "closed_by_person"


TRANSITIONS = Transitions(
    "case",
    {
        CaseStatus.OPEN: frozenset({CaseStatus.HANDED_OFF, CaseStatus.PLACED, CaseStatus.CLOSED}),
        CaseStatus.HANDED_OFF: frozenset({CaseStatus.OPEN, CaseStatus.PLACED, CaseStatus.CLOSED}),
        CaseStatus.PLACED: frozenset({CaseStatus.OPEN, CaseStatus.CLOSED}),
    },
)
#: States the planner works; closed cases are never claimed.
PLANNABLE = (CaseStatus.OPEN.value, CaseStatus.HANDED_OFF.value, CaseStatus.PLACED.value)

__all__ = ["PLANNABLE", "TRANSITIONS", "CaseStatus", "CloseReason"]
