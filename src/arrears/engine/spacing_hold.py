"""The dispatcher's last look at spacing: a ladder message whose case sent too recently waits.

The planner already plans by the same rule (`strategy.spacing`); this catches what reaches the queue by
other paths, such as two rows released at the same instant by a gate deferral, or a replan after an event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from arrears.casefacts.model import CaseFacts
from arrears.compliance.model import Decision, Reason, Verdict
from arrears.strategy.schema import Spacing
from arrears.strategy.spacing import spaced_until


@dataclass(frozen=True, slots=True)
class SpacingHold:
    until: datetime
    decision: dict[str, object]  # stored with the deferral, read back by `compliance explain`


def spacing_hold(spacing: Spacing, row: Any, facts: CaseFacts, now: datetime) -> SpacingHold | None:
    """None when the row may leave now as far as spacing goes. Rows without the planner's `spacing`
    mark (replies, confirmations, rows queued before spacing existed) are never held."""
    payload = row.payload if isinstance(row.payload, dict) else {}
    marked = payload.get("spacing")
    if not isinstance(marked, dict):
        return None
    sent = [
        (p.channel.value, p.at)
        for p in facts.history
        if p.debt_id == row.case_id and not p.consumer_initiated
    ]
    until = spaced_until(spacing, row.channel, sent, now, late=bool(marked.get("late")))
    if until is None:
        return None
    reason = Reason(
        "strategy.spacing",
        f"strategy {facts.strategy_name} v{facts.strategy_version}",
        f"this case sent a message too recently; spaced until {until.isoformat()}",
    )
    return SpacingHold(until, Decision(Verdict.DEFER, (reason,), not_before=until).to_json())
