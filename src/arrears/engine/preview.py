"""What a held action would say if it were sent now, read-only: the words a reviewer approves.

The dispatcher renders at send time (render.py says why); a person reviewing a held action must see the
same text, so this loads the same case facts, asks the same gate for the disclosures it would require now,
and renders with the same arguments. Nothing is written: no lease, no attempt, no audit, and no payment
link (links are made at send time): the text shows a marker where the link will be.
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
from arrears.messages.config import MessageConfig
from arrears.messages.load import PrintedFacts, load_printed_facts
from arrears.messages.render import LINK_MARKER, UNSUBSCRIBE_MARKER, Business, MessageError

DisclosureRenderer = Callable[[CaseFacts, Mapping[str, Any]], RenderedDisclosures]


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
    messages: MessageConfig | None = None,
) -> dict[str, Preview]:
    """Each action's message were it sent at `now`, by action id; reads only."""
    cases = list({a.case_id for a in actions})
    facts = load_case_facts(session, cases, now)
    printed = load_printed_facts(session, cases)
    config = messages or MessageConfig(Business("[business name not configured]"))
    return {
        a.id: _preview(a, facts.get(a.case_id), printed.get(a.case_id), now, gate, disclosures_for, config)
        for a in actions
    }


def _preview(
    action: HeldAction,
    facts: CaseFacts | None,
    printed: PrintedFacts | None,
    now: datetime,
    gate: ContactGate,
    disclosures_for: DisclosureRenderer,
    config: MessageConfig,
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
    try:
        rendered = compose(
            template=action.template,
            step_id=action.step_id,
            channel=action.channel,
            payload=action.payload,
            facts=facts,
            printed=printed,
            decision=decision,
            disclosures=disclosures_for(facts, decision),
            config=config,
            now=now,
            link=LINK_MARKER,
            unsubscribe_url=UNSUBSCRIBE_MARKER,
        )
    except MessageError as exc:
        return Preview(gate=decision or None, note=f"cannot be sent as it stands: {exc}")
    subject = rendered.subject if action.channel == "email" else None  # only email carries one
    return Preview(subject, rendered.body, rendered.headers, decision or None)
