"""What a held action would say if it were sent now, read-only: the words a reviewer approves.

The dispatcher renders at send time (render.py says why); a person reviewing a held action must see the
same text, so this loads the same case facts, asks the same gate for the disclosures it would require now,
and renders with the same arguments. Nothing is written: no lease, no attempt, no audit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from arrears.casefacts.contact import Destination, gate_request
from arrears.casefacts.load import load_case_facts
from arrears.casefacts.model import CaseFacts
from arrears.compliance.model import ContactGate, DestinationKind, Purpose
from arrears.compliance.rendering import RenderedDisclosures
from arrears.engine.compose import compose

DisclosureRenderer = Callable[[CaseFacts, Mapping[str, Any]], RenderedDisclosures]
PaymentLink = Callable[[str], str]


def default_payment_link(case_id: str) -> str:
    """The link the dispatcher puts in a message when the deployment configures no payment provider."""
    return f"https://pay.arrears.local/c/{case_id}"


@dataclass(frozen=True, slots=True)
class HeldAction:
    """The columns of an outbox row that decide its words."""

    id: str
    case_id: str
    channel: str
    destination: str | None
    destination_kind: str | None
    template: str
    payload: Mapping[str, Any]
    step_id: str = ""


@dataclass(frozen=True, slots=True)
class Preview:
    """The message as the customer would receive it now, or why there is none (`note`)."""

    subject: str | None = None
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    gate: dict[str, Any] | None = None  # the gate's decision were it sent now (Decision.to_json)
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "body": self.body,
            "headers": self.headers,
            "gate_now": self.gate,
            "note": self.note,
        }


def preview_actions(
    session: Session,
    actions: Sequence[HeldAction],
    now: datetime,
    gate: ContactGate,
    disclosures_for: DisclosureRenderer,
    payment_link: PaymentLink = default_payment_link,
) -> dict[str, Preview]:
    """Each action's message were it sent at `now`, by action id; reads only."""
    facts = load_case_facts(session, list({a.case_id for a in actions}), now)
    return {
        a.id: _preview(a, facts.get(a.case_id), now, gate, disclosures_for, payment_link) for a in actions
    }


def _preview(
    action: HeldAction,
    facts: CaseFacts | None,
    now: datetime,
    gate: ContactGate,
    disclosures_for: DisclosureRenderer,
    payment_link: PaymentLink,
) -> Preview:
    if facts is None or facts.status == "closed":
        return Preview(note="case closed: the dispatcher cancels this action instead of sending it")
    decision: dict[str, Any] = {}
    if action.destination is not None and action.destination_kind is not None:
        destination = Destination(action.destination, DestinationKind(action.destination_kind))
        purpose = Purpose(action.payload.get("purpose", Purpose.COLLECTION.value))
        decision = gate.decide(
            gate_request(facts, action.channel, destination, now, purpose=purpose)
        ).to_json()
    rendered = compose(
        template=action.template,
        step_id=action.step_id,
        channel=action.channel,
        payload=action.payload,
        facts=facts,
        decision=decision,
        disclosures=disclosures_for(facts, decision),
        payment_link=payment_link(facts.case_id),
        now=now,
    )
    subject = rendered.subject if action.channel == "email" else None  # only email carries one
    return Preview(subject, rendered.body, rendered.headers, decision or None)
