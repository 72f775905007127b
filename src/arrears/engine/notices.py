"""Notices the law attaches to a contact: the validation notice follows the first communication.

Reg F (12 CFR 1006.34) wants the validation notice in the initial communication or within five days after
it. When the gate says a sent contact was the initial one (it returns the validation period's end date),
the notice is queued at once, keyed on the case so it is queued only once, and the gate judges it again
as a `validation_notice` at send time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from arrears.core.ids import idempotency_key, new_id
from arrears.engine.delivery_writes import DeliveryWrites
from arrears.engine.facts import CaseFacts

VALIDATION_STEP = "validation-notice"


def schedule_validation_notice(writes: DeliveryWrites, row: Any, facts: CaseFacts, ends_on: date) -> None:
    email = next((p for p in facts.contact_points if p.channel == "email" and p.kind != "work"), None)
    postal = ", ".join(
        x
        for x in (facts.address.city, facts.address.state, facts.address.postal_code, facts.address.country)
        if x
    )
    if email is not None:
        channel, destination, kind = "email", email.value, "personal_email"
    elif postal:
        channel, destination, kind = "letter", postal, "postal"
    else:
        return  # no way to deliver it in writing: the case's task queue will surface the gap
    writes.new_actions.append(
        {
            "id": new_id(),
            "idempotency_key": idempotency_key(facts.case_id, VALIDATION_STEP),
            "case_id": facts.case_id,
            "customer_id": facts.customer_id,
            "kind": "notice",
            "step_id": VALIDATION_STEP,
            "channel": channel,
            "destination": destination,
            "destination_kind": kind,
            "template": VALIDATION_STEP,
            "payload": {
                "purpose": "validation_notice",
                "tone": "neutral",
                "validation_period_end": ends_on.isoformat(),
                "first_contact_id": row.id,
                "reason": "validation notice after the initial communication",
            },
            "status": "pending",
            "not_before": writes.now,
            "attempts": 0,
            "created_at": writes.now,
        }
    )
