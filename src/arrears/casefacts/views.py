"""Stored facts -> the strategy's CaseView snapshot."""

from __future__ import annotations

from datetime import datetime

from arrears.casefacts.model import CaseFacts
from arrears.strategy.case import CaseStatus, CaseView, PromiseView
from arrears.strategy.schema import CustomerKind

_STATUS = {
    "open": CaseStatus.OPEN,
    "handed_off": CaseStatus.HANDED_OFF,
    "placed": CaseStatus.PLACED,
    "closed": CaseStatus.CLOSED,
}

#: Days past due need some calendar; an unknown zone counts in UTC. The gate still fails closed on it.
FALLBACK_ZONE = "UTC"


def case_view(facts: CaseFacts, contacts: tuple[tuple[str, datetime], ...] = ()) -> CaseView:
    """The strategy's snapshot of a case; `contacts`: its recent messages, for spacing (built in one go:
    `dataclasses.replace` afterwards cost 5% of planning)."""
    promise = facts.promise
    holds_until: datetime | None = None
    if facts.holds and all(h.until is not None for h in facts.holds):
        holds_until = max(h.until for h in facts.holds if h.until is not None)
    return CaseView(
        case_id=facts.case_id,
        customer_id=facts.customer_id,
        customer_kind=CustomerKind(facts.customer_kind),
        segment=facts.segment or "",
        tier=facts.tier or "",
        currency=facts.currency,
        balance_minor=facts.balance_minor,
        oldest_unpaid_due=facts.oldest_due_on,
        time_zone=facts.time_zone or FALLBACK_ZONE,
        broken_promises=facts.broken_promises,
        completed_step_ids=frozenset(facts.completed_steps),
        active_promise=(
            PromiseView(promise.due_on, promise.amount_minor, promise.id, promise.created_at)
            if promise is not None
            else None
        ),
        active_hold_kinds=frozenset(h.kind for h in facts.holds if h.channel is None),
        agency_placement_allowed=facts.agency_placement_allowed,
        status=_STATUS.get(facts.status, CaseStatus.OPEN),
        holds_until=holds_until,
        ladder_shift_days=facts.ladder_shift_days,
        contacts=contacts,
    )
