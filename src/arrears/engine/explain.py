"""Every contact decision taken for one case, read back from where the engine stored it.

Planned actions carry the planner's decision in their outbox payload; refusals, deferrals and sends are
interactions with the decision of that moment (the dispatcher asks again just before sending), and so are
steps catch-up skipped (status `skipped`, rule `strategy.catch_up`) and sends held back by spacing
(`deferred`, rule `strategy.spacing`). Reading
both gives the whole story of a case in time order, which is what `arrears compliance explain` prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.compliance.model import Decision
from arrears.store.models import Case, Interaction, OutboxAction

# Within one instant, the planner's decision comes before what the dispatcher then did with it.
_ORDER = {"skipped": 0, "planned": 0, "deferred": 1, "refused": 1, "sent": 2}


@dataclass(frozen=True, slots=True)
class ExplainedDecision:
    at: datetime
    event: str  # planned | deferred | refused | sent | skipped
    step: str | None
    channel: str
    destination: str | None
    decision: Decision

    @property
    def contact(self) -> str:
        parts = [self.event + ":", self.step or "-", self.channel]
        if self.destination or self.event != "skipped":  # a skipped step never chose one
            parts.append(self.destination or "(no destination)")
        return " ".join(parts)


class UnknownCase(LookupError):
    """No case with that id."""


def case_decisions(session: Session, case_id: str) -> list[ExplainedDecision]:
    """Every stored decision for the case, oldest first."""
    if session.get(Case, case_id) is None:
        raise UnknownCase(case_id)
    found: list[ExplainedDecision] = []
    planned = select(
        OutboxAction.created_at,
        OutboxAction.step_id,
        OutboxAction.channel,
        OutboxAction.destination,
        OutboxAction.payload,
    ).where(OutboxAction.case_id == case_id)
    for at, step, channel, destination, payload in session.execute(planned):
        decision = _decision(payload.get("decision") if isinstance(payload, dict) else None)
        if decision is not None:
            found.append(ExplainedDecision(at, "planned", step, channel, destination, decision))
    stored = select(
        Interaction.occurred_at,
        Interaction.status,
        Interaction.detail,
        Interaction.channel,
        Interaction.destination,
        Interaction.decision,
    ).where(Interaction.case_id == case_id, Interaction.decision.is_not(None))
    for at, status, detail, channel, destination, raw in session.execute(stored):
        decision = _decision(raw)
        if decision is not None:
            step = detail.get("step_id") if isinstance(detail, dict) else None
            found.append(ExplainedDecision(at, status, step, channel, destination, decision))
    found.sort(key=lambda d: (d.at, _ORDER.get(d.event, 3)))
    return found


def _decision(raw: Any) -> Decision | None:
    """A stored decision; JSON null (stored for non-gate events) and malformed rows are skipped."""
    if not isinstance(raw, dict) or "verdict" not in raw:
        return None
    try:
        return Decision.from_json(raw)
    except (ValueError, TypeError):
        return None
