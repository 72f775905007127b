"""The one way an outbox action becomes the words a customer reads: the dispatcher sends them and `review
list` shows them, so what a person approves is what leaves."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from arrears.casefacts.model import CaseFacts
from arrears.compliance.rendering import RenderedDisclosures
from arrears.core.money import format_minor
from arrears.engine.notices import VALIDATION_STEP, printed_validation_end
from arrears.engine.render import RenderedMessage, render, wants_payment_link


def compose(
    *,
    template: str,
    step_id: str,
    channel: str,
    payload: Mapping[str, Any],
    facts: CaseFacts,
    decision: Mapping[str, Any],
    disclosures: RenderedDisclosures,
    payment_link: str,
    now: datetime,
) -> RenderedMessage:
    """Render an action for its case as it stands and the gate's decision of this moment."""
    promise = None
    if facts.promise is not None:
        promise = (
            f"{format_minor(facts.promise.amount_minor, facts.currency)} {facts.currency}",
            facts.promise.due_on.isoformat(),
        )
    values: dict[str, Any] = {**payload, "decision": dict(decision)}
    if step_id == VALIDATION_STEP:
        values["validation_period_end"] = printed_validation_end(payload, decision)
    return render(
        template=template,
        tone=str(payload.get("tone", "neutral")),
        channel=channel,
        customer_name=facts.customer_name,
        balance_minor=facts.balance_minor,
        currency=facts.currency,
        days_past_due=(now.date() - facts.oldest_due_on).days,
        payload=values,
        disclosures=disclosures.texts,
        extra_headers=disclosures.headers,
        payment_link=payment_link if wants_payment_link(channel, payload) else None,
        promise=promise,
    )
