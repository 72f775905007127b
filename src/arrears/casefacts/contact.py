"""From a planned step to a concrete contact: which destination, and the gate request that judges it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from arrears.casefacts.model import CaseFacts, ContactPointFact
from arrears.compliance.model import (
    CallerKind,
    ContactChannel,
    ContactProposal,
    DestinationKind,
    GateRequest,
    Purpose,
)

_PHONE_KIND = {
    "mobile": DestinationKind.MOBILE,
    "landline": DestinationKind.LANDLINE,
    "work": DestinationKind.WORK_PHONE,
}
_VOICE_ORDER = {"mobile": 0, "landline": 1, "unknown": 2, "work": 3}


@dataclass(frozen=True, slots=True)
class Destination:
    value: str
    kind: DestinationKind


def _ranked(points: list[ContactPointFact], channel: str) -> list[ContactPointFact]:
    """The channel's live points, primary first: an address a hard bounce condemned is never chosen."""
    live = (p for p in points if p.channel == channel and not p.undeliverable)
    return sorted(live, key=lambda p: not p.is_primary)


def choose_destination(facts: CaseFacts, channel: str) -> Destination | None:
    """The best destination on file for a channel; None when the customer cannot be reached that way."""
    points = facts.contact_points
    if channel == "email":
        emails = _ranked(points, "email")
        personal = [p for p in emails if p.kind != "work"]
        candidates = personal or emails
        if not candidates:
            return None
        chosen = candidates[0]
        kind = DestinationKind.WORK_EMAIL if chosen.kind == "work" else DestinationKind.PERSONAL_EMAIL
        return Destination(chosen.value, kind)
    if channel == "sms":
        mobiles = [p for p in _ranked(points, "phone") if p.kind == "mobile"]
        return Destination(mobiles[0].value, DestinationKind.MOBILE) if mobiles else None
    if channel == "whatsapp":
        wa = _ranked(points, "whatsapp") or [p for p in _ranked(points, "phone") if p.kind == "mobile"]
        return Destination(wa[0].value, DestinationKind.MOBILE) if wa else None
    if channel == "voice":
        phones = sorted(_ranked(points, "phone"), key=lambda p: _VOICE_ORDER.get(p.kind, 2))
        if not phones:
            return None
        return Destination(phones[0].value, _PHONE_KIND.get(phones[0].kind, DestinationKind.UNKNOWN))
    if channel == "letter":
        postal = _ranked(points, "postal")
        if postal:
            return Destination(postal[0].value, DestinationKind.POSTAL)
        address = facts.address
        if address.country and address.postal_code:
            parts = [address.city, address.state, address.postal_code, address.country]
            return Destination(", ".join(p for p in parts if p), DestinationKind.POSTAL)
        return None
    return None


def caller_kind(channel: str) -> CallerKind:
    """How the contact is made: calls are placed by the AI voice agent, messages are automated text."""
    return CallerKind.AI_VOICE if channel == "voice" else CallerKind.TEXT


def gate_request(
    facts: CaseFacts,
    channel: str,
    destination: Destination,
    now: datetime,
    *,
    purpose: Purpose = Purpose.COLLECTION,
    profiles: tuple[str, ...] = (),
) -> GateRequest:
    proposal = ContactProposal(
        person_id=facts.customer_id,
        debt_id=facts.case_id,
        channel=ContactChannel(channel),
        destination=destination.value,
        destination_kind=destination.kind,
        purpose=purpose,
        caller_kind=caller_kind(channel),
        address=facts.address,
        recorded_time_zone=facts.time_zone,
        debtor_kind=facts.customer_kind,
    )
    return GateRequest(
        proposal=proposal,
        now=now,
        history=tuple(facts.history),
        holds=tuple(facts.holds),
        consents=tuple(facts.consents),
        opt_outs=tuple(facts.opt_outs),
        profiles=profiles,
        phone_numbers=tuple(p.value for p in facts.contact_points if p.channel in ("phone", "whatsapp")),
        inconvenient_times=tuple(facts.inconvenient_times),
        inconvenient_places=tuple(facts.inconvenient_places),
        do_not_contact=tuple(facts.do_not_contact),
    )
