"""What a plan asks for: actions with deterministic keys (own module so the fallback rules can build them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from arrears.core.ids import idempotency_key
from arrears.strategy.case import CaseView
from arrears.strategy.schema import Channel, Priority, Strategy, Tone


class ActionKind(StrEnum):
    CONTACT = "contact"
    PROMISE_REMINDER = "promise_reminder"
    HANDOFF = "handoff"
    PLACEMENT = "placement"
    TASK = "task"


@dataclass(frozen=True, slots=True)
class OfferTerms:
    """An offer priced for this case at planning time, so the message and the payment link agree."""

    currency: str
    discount_minor: int
    pay_minor: int  # what settles the account while the offer holds
    expires_on: date  # last local day the offer holds
    discount_bps: int | None = None


@dataclass(frozen=True, slots=True)
class Action:
    action_key: str  # deterministic: use it as the outbox idempotency key
    kind: ActionKind
    step_id: str  # feed back into CaseView.completed_step_ids once the action is written
    channel: Channel
    template: str
    tone: Tone
    due_at: datetime  # when it became due (UTC); earlier than now on a catch-up
    reason: str
    offer: OfferTerms | None = None
    payment_link: bool = False
    team: str | None = None  # handoff and task queues
    priority: Priority | None = None
    agency: str | None = None  # placement only
    late: bool = False  # its ladder day has passed (catching up): spaced as a late step
    #: Channels to try in order when `channel` has no deliverable destination (strategy fallback_channels).
    fallbacks: tuple[Channel, ...] = ()
    #: The step's own channel, set when the action may leave on another one (the planner then records
    #: which channel it used, see `strategy.fallback.tried_marker`).
    step_channel: Channel | None = None


def action_key(case: CaseView, strategy: Strategy, step_id: str, channel: Channel, *extra: object) -> str:
    return step_key(case.case_id, strategy, step_id, channel, *extra)


def step_key(case_id: str, strategy: Strategy, step_id: str, channel: Channel, *extra: object) -> str:
    """The key names the channel, so a step sent again on a fallback channel is a new action, once."""
    return idempotency_key(case_id, strategy.name, strategy.version, step_id, channel.value, *extra)
