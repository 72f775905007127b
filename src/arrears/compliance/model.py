"""The seam between the engine and the contact gate: plain, immutable data in, a decision out.

The engine builds a `GateRequest` from stored facts; any `ContactGate` answers it without I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any, Protocol


class ContactChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    VOICE = "voice"
    LETTER = "letter"


class DestinationKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    WORK_PHONE = "work_phone"
    PERSONAL_EMAIL = "personal_email"
    WORK_EMAIL = "work_email"
    POSTAL = "postal"
    UNKNOWN = "unknown"


class Purpose(StrEnum):
    COLLECTION = "collection"
    VALIDATION_NOTICE = "validation_notice"
    CEASE_CONFIRMATION = "cease_confirmation"
    MARKETING = "marketing"
    OPT_OUT_CONFIRMATION = "opt_out_confirmation"  # the one confirmation allowed after a revocation
    REMEDY_NOTICE = "remedy_notice"  # after a cease request: notice that a specific remedy is invoked
    REPLY = "reply"  # the agent's answer to a customer who wrote to us (consumer-initiated)


#: Purposes that need no consent record on the destination: the one confirmation of an opt-out, and an
#: answer to the customer's own message, which is their request for it (an on-demand text, FCC 15-72).
CONSENT_NOT_NEEDED = frozenset({Purpose.OPT_OUT_CONFIRMATION, Purpose.REPLY})
#: Answers to what the customer wrote: not creditor-initiated, so frequency caps and the quiet period after
#: a conversation do not hold them back (they still count toward the caps of later collection contacts).
RESPONSES = frozenset({Purpose.OPT_OUT_CONFIRMATION, Purpose.REPLY})


class CallerKind(StrEnum):
    HUMAN = "human"
    AI_VOICE = "ai_voice"
    PRERECORDED = "prerecorded"
    TEXT = "text"


class Verdict(StrEnum):
    ALLOW = "allow"
    DENY = "deny"
    DEFER = "defer"


@dataclass(frozen=True, slots=True)
class Address:
    country: str | None = None  # ISO 3166-1 alpha-2
    state: str | None = None  # ISO 3166-2 subdivision without the country prefix, e.g. "MA"
    city: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True, slots=True)
class ContactProposal:
    person_id: str
    debt_id: str
    channel: ContactChannel
    destination: str
    destination_kind: DestinationKind
    purpose: Purpose = Purpose.COLLECTION
    caller_kind: CallerKind = CallerKind.TEXT
    address: Address = field(default_factory=Address)
    recorded_time_zone: str | None = None  # the customer's zone as stored, IANA name
    autodialed: bool = False  # placed by an automatic dialer (TCPA consent applies to mobiles)
    debtor_kind: str = "person"  # person | business: consumer-only disclosures are for persons


@dataclass(frozen=True, slots=True)
class PriorContact:
    at: datetime
    channel: ContactChannel
    destination: str
    destination_kind: DestinationKind
    debt_id: str
    connected: bool = False  # a call that reached someone, or a delivered message
    conversation: bool = False  # a telephone conversation with the consumer took place
    consumer_initiated: bool = False
    failed_to_connect: bool = False  # busy, not in service, network error: not a Reg F call attempt
    with_direct_consent: bool = False  # placed within the consumer's direct prior consent (Reg F exclusion)


@dataclass(frozen=True, slots=True)
class HoldFact:
    kind: str  # dispute, cease, attorney, bankruptcy, deceased, hardship, vulnerable
    channel: ContactChannel | None = None  # None: every channel
    debt_id: str | None = None  # None: every debt of the person
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class ConsentFact:
    channel: ContactChannel
    destination: str
    granted_at: datetime
    source: str
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OptOutFact:
    channel: ContactChannel | None  # None: every channel
    destination: str | None  # None: every destination of that channel
    at: datetime
    reason: str = "opt_out"


@dataclass(frozen=True, slots=True)
class InconvenientTime:
    """A time of day the consumer said is inconvenient, in the consumer's local time.

    `end` before `start` wraps past midnight (22:00-09:00). Empty `weekdays` means every day (0 = Monday).
    """

    start: time
    end: time
    weekdays: tuple[int, ...] = ()
    channel: ContactChannel | None = None  # None: every channel


@dataclass(frozen=True, slots=True)
class InconvenientPlace:
    """A place (one destination, or a kind such as work phone) the consumer or employer ruled out."""

    destination: str | None = None
    destination_kind: DestinationKind | None = None
    reason: str = "consumer"  # consumer, employer_prohibits


@dataclass(frozen=True, slots=True)
class DoNotContactEntry:
    """A destination found on a do-not-contact list (the engine looks it up in the imported lists)."""

    destination: str
    list_name: str = "tenant"
    channel: ContactChannel | None = None  # None: every channel


@dataclass(frozen=True, slots=True)
class DirectConsentFact:
    """The consumer's direct prior consent to be called (Reg F: such calls are not counted, up to 7 days)."""

    given_at: datetime
    channel: ContactChannel = ContactChannel.VOICE
    debt_id: str | None = None


@dataclass(frozen=True, slots=True)
class GateRequest:
    proposal: ContactProposal
    now: datetime
    history: tuple[PriorContact, ...] = ()  # every contact with the person, any debt (the gate filters)
    holds: tuple[HoldFact, ...] = ()
    consents: tuple[ConsentFact, ...] = ()
    opt_outs: tuple[OptOutFact, ...] = ()
    profiles: tuple[str, ...] = ()  # empty: resolved from the address and the tenant's collector kind
    phone_numbers: tuple[str, ...] = ()  # every number on file for the person (time-zone inputs)
    inconvenient_times: tuple[InconvenientTime, ...] = ()
    inconvenient_places: tuple[InconvenientPlace, ...] = ()
    do_not_contact: tuple[DoNotContactEntry, ...] = ()
    direct_consents: tuple[DirectConsentFact, ...] = ()
    time_barred: bool = False  # statute of limitations expired (a person decided)


@dataclass(frozen=True, slots=True)
class Reason:
    rule_id: str
    source: str
    message: str


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    reasons: tuple[Reason, ...] = ()
    not_before: datetime | None = None  # for DEFER: the earliest instant it would be allowed
    time_zones: tuple[str, ...] = ()  # the candidate zones the decision used
    disclosures: tuple[str, ...] = ()  # disclosure ids the message must carry
    zone_inputs: tuple[str, ...] = ()  # where each candidate zone came from (address, phone, recorded)
    validation_period_end: date | None = None  # when the validation notice is due with this contact

    @property
    def allowed(self) -> bool:
        return self.verdict is Verdict.ALLOW

    def to_json(self) -> dict[str, object]:
        return {
            "verdict": self.verdict.value,
            "reasons": [
                {"rule_id": r.rule_id, "source": r.source, "message": r.message} for r in self.reasons
            ],
            "not_before": self.not_before.isoformat() if self.not_before else None,
            "time_zones": list(self.time_zones),
            "disclosures": list(self.disclosures),
            "zone_inputs": list(self.zone_inputs),
            "validation_period_end": (
                self.validation_period_end.isoformat() if self.validation_period_end else None
            ),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Decision:
        """The inverse of `to_json`, for decisions read back from the store (explain, exports)."""
        not_before = data.get("not_before")
        end = data.get("validation_period_end")
        return cls(
            verdict=Verdict(data.get("verdict", "deny")),
            reasons=tuple(
                Reason(str(r.get("rule_id", "")), str(r.get("source", "")), str(r.get("message", "")))
                for r in data.get("reasons") or ()
                if isinstance(r, Mapping)
            ),
            not_before=datetime.fromisoformat(not_before) if not_before else None,
            time_zones=tuple(data.get("time_zones") or ()),
            disclosures=tuple(data.get("disclosures") or ()),
            zone_inputs=tuple(data.get("zone_inputs") or ()),
            validation_period_end=date.fromisoformat(end) if end else None,
        )


class ContactGate(Protocol):
    def decide(self, request: GateRequest) -> Decision: ...
