"""The dialogue's data: what the caller knows about the case, the conversation state, the actions the
dialogue asks the shell to perform, and the outcome it leaves behind.

Everything is frozen: a step returns a new state, so a conversation can be replayed, persisted between
webhook calls (voice turns arrive as separate HTTP requests) and tested turn by turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from arrears.agent.labels import Label
from arrears.core.money import Money


class Tone(StrEnum):
    FRIENDLY = "friendly"
    FIRM = "firm"
    FINAL = "final"


class Stage(StrEnum):
    OPENING = "opening"
    VERIFY = "verify"
    ASK = "ask"
    PROMISE_DATE = "promise_date"
    PROMISE_AMOUNT = "promise_amount"
    PROMISE_CONFIRM = "promise_confirm"
    PLAN_CONFIRM = "plan_confirm"
    SETTLE_CONFIRM = "settle_confirm"
    ENDED = "ended"


class Routing(StrEnum):
    """booked: a promise, plan or link the customer committed to; confirmed: the customer confirmed a
    payment already recorded; sent_to_review: a claim or request a person must check; escalated: an
    escalation label; nurtured: no commitment yet, keep the strategy going; closed: stop (wrong party,
    contact refused); retried: try again later (callback, no usable answer); recovered: paid in full on the
    call (set by the shell when the payment event arrives)."""

    BOOKED = "booked"
    RECOVERED = "recovered"
    CONFIRMED = "confirmed"
    ESCALATED = "escalated"
    NURTURED = "nurtured"
    CLOSED = "closed"
    RETRIED = "retried"
    SENT_TO_REVIEW = "sent_to_review"


class Urgency(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class IdentityCheck:
    """One fact from the record the customer must state ("date_of_birth" as YYYY-MM-DD, "postcode", ...)."""

    kind: str
    value: str

    @property
    def spoken(self) -> str:
        return self.kind.replace("_", " ")


@dataclass(frozen=True, slots=True)
class PlanBounds:
    """The plans the strategy lets the agent agree without a person: the smallest instalment, the most
    instalments, and how far apart they may fall (monthly plans fall on the same day of each month)."""

    min_instalment: Money
    max_instalments: int
    min_spacing_days: int = 7
    max_spacing_days: int = 31


@dataclass(frozen=True, slots=True)
class SettlementBounds:
    """The least the agent may accept to settle the whole balance, and the last day it must be paid by."""

    floor: Money
    last_day: date


@dataclass(frozen=True, slots=True)
class PriorPromise:
    day: date
    amount: Money | None
    kept: bool | None


@dataclass(frozen=True, slots=True)
class CaseContext:
    customer_name: str
    identity: IdentityCheck
    business_name: str
    balance: Money
    days_overdue: int
    today: date
    """The customer's local date now: promises are checked against it (the dialogue reads no clock)."""
    invoice_numbers: tuple[str, ...] = ()
    prior_promises: tuple[PriorPromise, ...] = ()
    tone: Tone = Tone.FRIENDLY
    plan_bounds: PlanBounds | None = None
    settlement: SettlementBounds | None = None
    segment: str = ""
    tier: str = ""
    disclosures: tuple[str, ...] = ()
    staff_available: bool = False
    callback_number: str = ""
    channel: str = "voice"
    link_channel: str = "sms"
    max_promise_days: int = 30
    max_attempts: int = 2
    failed_identity: int = 0
    """Failed verification answers for this customer in the recent window, on every channel (the shell
    counts them): at ``identity_limit`` the identity is locked out and nothing about the debt is said."""
    identity_limit: int = 3
    locale: str = "en-US"  # the customer's: amounts, dates and day counts are written their way


@dataclass(frozen=True, slots=True)
class SendPaymentLink:
    channel: str


@dataclass(frozen=True, slots=True)
class RecordPromise:
    day: date
    amount: Money
    instalments: int = 1
    """More than one for a plan: ``amount`` is then each instalment, the first due on ``day``."""
    every_days: int | None = None
    """A plan's spacing in days; None: monthly, on the same day of each month."""


@dataclass(frozen=True, slots=True)
class OfferSettlement:
    """The customer agreed to settle the whole balance for ``amount`` paid by ``last_day``: a link for that
    amount, valid until then, which settles the rest once paid in full; and a promise to follow it."""

    amount: Money
    last_day: date
    channel: str
    """Where the link goes (the context's ``link_channel``)."""


@dataclass(frozen=True, slots=True)
class OpenTask:
    reason: str
    summary: str
    urgency: Urgency
    proposal: str | None = None
    """The customer's own proposal in their words, when they asked for terms the agent may not agree."""
    language: str | None = None
    """For a hand-over to a person who speaks it: the customer's language (BCP 47 primary code)."""


@dataclass(frozen=True, slots=True)
class MarkWrongNumber:
    pass


@dataclass(frozen=True, slots=True)
class WarmTransfer:
    summary: str


@dataclass(frozen=True, slots=True)
class ScheduleCallback:
    reason: str


@dataclass(frozen=True, slots=True)
class StopContact:
    """The customer asked for contact to stop (on ``channel``, or all channels when None)."""

    channel: str | None


@dataclass(frozen=True, slots=True)
class EndConversation:
    pass


@dataclass(frozen=True, slots=True)
class IdentityFailed:
    """A verification answer that did not match: the shell stores it so the limit spans conversations."""


Action = (
    SendPaymentLink
    | RecordPromise
    | OfferSettlement
    | OpenTask
    | MarkWrongNumber
    | WarmTransfer
    | ScheduleCallback
    | StopContact
    | EndConversation
    | IdentityFailed
)


@dataclass(frozen=True, slots=True)
class Turn:
    speaker: str  # "agent" or "customer"
    text: str  # customer text is always the redacted form


@dataclass(frozen=True, slots=True)
class Outcome:
    labels: tuple[Label, ...]
    urgency: Urgency
    objection: str | None
    promise: RecordPromise | None
    next_step: str
    routing: Routing
    summary: str
    transcript: tuple[Turn, ...]
    language: str | None = None
    """The conversation's language; for a hand-over to a person who speaks it, the customer's."""


@dataclass(frozen=True, slots=True)
class ConversationState:
    stage: Stage = Stage.OPENING
    verified: bool = False
    attempts: int = 0
    labels: tuple[Label, ...] = ()
    draft_day: date | None = None
    draft_amount: Money | None = None
    draft_instalments: int = 1
    draft_every_days: int | None = None
    countered: str | None = None
    """The customer's own proposal (their words) when the agent answered it with a counter-offer: if they
    turn the counter down, a person gets the proposal."""
    objection: str | None = None
    link_sent: bool = False
    clarifying: bool = False
    """The agent's last turn asked the customer to clarify a turn the model could not read with confidence."""
    transcript: tuple[Turn, ...] = field(default_factory=tuple)
    language: str = "en"
    """The language the agent speaks in this conversation (BCP 47 primary code)."""


@dataclass(frozen=True, slots=True)
class Step:
    state: ConversationState
    reply: str
    actions: tuple[Action, ...]
    outcome: Outcome | None = None
