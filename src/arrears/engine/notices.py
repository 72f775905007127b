"""Notices the law attaches to a contact: the validation notice follows the first communication.

Reg F (12 CFR 1006.34) wants the validation notice in the initial communication or within five days after
it. When the gate says a sent contact was the initial one (its decision carries the validation period's end
date), the notice is queued, keyed on the case so it is queued only once, and the gate judges it again as a
`validation_notice` at send time.

A send is recorded as sent on two paths: the dispatcher's, right after the provider accepted it, and
reconciliation's, when the provider confirms a send whose record a crash lost. Both call `record_sent`, so
a first contact found by reconciliation owes its notice exactly as one recorded at once does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from arrears.casefacts.model import CaseFacts
from arrears.core.ids import idempotency_key, new_id
from arrears.engine.delivery_writes import DeliveryWrites

VALIDATION_STEP = "validation-notice"


def owed_validation_end(step_id: str, decision: Mapping[str, Any] | None) -> date | None:
    """The validation period end a sent contact obliges us to notify, or None when it owes nothing.

    `decision` is the gate's decision as stored (`Decision.to_json`): the send-time one on the dispatcher's
    path; on reconciliation's, the planner's, stored in the row's payload. Both ask the same gate about the
    same proposal; only a conversation in between could change "initial", and that conversation was itself
    a first communication, so the notice is owed all the same. A row without a stored decision (queued by a
    conversation, which is not a first communication) owes nothing here.
    """
    if step_id == VALIDATION_STEP or not decision:
        return None
    ends = decision.get("validation_period_end")
    return date.fromisoformat(ends) if isinstance(ends, str) and ends else None


def record_sent(
    writes: DeliveryWrites,
    row: Any,
    facts: CaseFacts | None,
    sent: tuple[str, str | None],
    decision: Mapping[str, Any] | None,
    at: datetime,
    *,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Record that `row` left (`sent` = provider, provider id) and queue what the law attaches to it."""
    provider, provider_id = sent
    writes.mark_sent(row, provider, provider_id, dict(decision or {}), at=at, detail=detail)
    ends = owed_validation_end(row.step_id, decision)
    # The gate gives a business no consumer notices; a decision stored before it did must not queue one.
    if ends is not None and facts is not None and facts.customer_kind != "business":
        notice = validation_notice_row(row, facts, ends, writes.now)
        if notice is not None:
            writes.follow_up(row.id, notice)


def validation_notice_row(row: Any, facts: CaseFacts, ends_on: date, now: datetime) -> dict[str, Any] | None:
    """The outbox row of the notice owed by first contact `row`: by personal e-mail, else by letter."""
    email = next(
        (
            p
            for p in facts.contact_points
            if p.channel == "email" and p.kind != "work" and not p.undeliverable
        ),
        None,
    )
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
        return None  # no way to deliver it in writing: the case's task queue will surface the gap
    return {
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
        "not_before": now,
        "attempts": 0,
        "created_at": now,
    }


def printed_validation_end(payload: Mapping[str, Any], decision: Mapping[str, Any]) -> str | None:
    """The end date a validation notice prints: the later of the one queued with it and the one its own
    send-time decision computes. A notice that leaves days after the first contact (deferred, or queued by
    reconciliation an hour later) must not print a period that ends before the consumer's 30 days."""
    dates = [d for d in (payload.get("validation_period_end"), decision.get("validation_period_end")) if d]
    return max(str(d) for d in dates) if dates else None
