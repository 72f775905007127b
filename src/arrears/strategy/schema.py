"""The strategy file format as pydantic models: the single source of truth for what a YAML file may say.

Every model forbids unknown keys, so a typo ("chanel:") is an error with a line number instead of a step
that silently runs with defaults. Cross-field rules (unique step ids, an offer priced in every currency a
step can meet) are checked here too, so a strategy that loads is a strategy the planner can run.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from arrears.core.money import is_currency
from arrears.strategy.negotiation import Negotiation

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
TEMPLATE_ID = r"^[a-z0-9][a-z0-9._/-]*$"
LABEL = r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$"

Slug = Annotated[str, Field(pattern=SLUG, max_length=80)]
TemplateId = Annotated[str, Field(pattern=TEMPLATE_ID, max_length=120)]
Label = Annotated[str, Field(pattern=LABEL, max_length=80)]


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    VOICE = "voice"
    LETTER = "letter"
    TASK = "task"  # a human-owned item in a team queue, never a contact


CONTACT_CHANNELS = frozenset({Channel.EMAIL, Channel.SMS, Channel.WHATSAPP, Channel.VOICE, Channel.LETTER})


class Tone(StrEnum):
    FRIENDLY = "friendly"
    NEUTRAL = "neutral"
    FIRM = "firm"
    FINAL = "final"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class CustomerKind(StrEnum):
    PERSON = "person"
    BUSINESS = "business"


def _check_currency(code: str) -> str:
    if not is_currency(code):
        raise ValueError(f"unknown currency {code!r} (expected an ISO 4217 code such as USD)")
    return code


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Offer(_Model):
    """An early-payment discount: a percentage (basis points) of the balance or a fixed amount per currency.

    Fixed amounts are keyed by currency because money is never converted inside the engine.
    """

    discount_bps: int | None = Field(default=None, ge=1, le=10_000)
    discount_minor: dict[str, Annotated[int, Field(ge=1)]] | None = None
    valid_days: int = Field(ge=1, le=365)

    @field_validator("discount_minor")
    @classmethod
    def _currencies(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        for code in value or {}:
            _check_currency(code)
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> Offer:
        if (self.discount_bps is None) == (self.discount_minor is None):
            raise ValueError("an offer needs exactly one of discount_bps or discount_minor")
        return self


class AmountBand(_Model):
    """Balance bands in minor units of one currency: min inclusive, max exclusive, so bands can abut."""

    currency: str
    min_minor: int | None = Field(default=None, ge=0)
    max_minor: int | None = Field(default=None, ge=1)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return _check_currency(value)

    @model_validator(mode="after")
    def _ordered(self) -> AmountBand:
        if self.min_minor is not None and self.max_minor is not None and self.min_minor >= self.max_minor:
            raise ValueError("min_minor must be below max_minor")
        return self


class Range(_Model):
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not exceed max")
        return self


class Conditions(_Model):
    """Who a step applies to. An absent or empty list means "any"; all present parts must match."""

    segments: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    amount_bands: tuple[AmountBand, ...] = ()
    currencies: tuple[str, ...] = ()
    broken_promises: Range | None = None
    customer_kind: CustomerKind | None = None

    @field_validator("currencies")
    @classmethod
    def _currencies(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            _check_currency(code)
        return value


class Handoff(_Model):
    """Move the case to a human team's queue with its whole history; the automated ladder ends here."""

    action: Literal["handoff"]
    team: Slug
    priority: Priority = Priority.NORMAL


class Placement(_Model):
    """Place the case with an outside agency, only where the account allows it.

    Where it is not allowed the step hands off to `fallback_team` instead, or is skipped if there is none.
    """

    action: Literal["placement"]
    agency: Slug
    fallback_team: Slug | None = None
    priority: Priority = Priority.NORMAL


StageAction = Annotated[Handoff | Placement, Field(discriminator="action")]


class Step(_Model):
    id: Slug
    day: int = Field(ge=0, le=3650, description="days past due of the oldest unpaid invoice")
    channel: Channel
    template: TemplateId
    tone: Tone
    offer: Offer | None = None
    payment_link: bool = False
    #: What the agent may agree in conversations this step opens, instead of the strategy's terms.
    negotiation: tuple[Negotiation, ...] | None = None
    conditions: Conditions = Conditions()
    stage: StageAction | None = None
    #: Contact channels tried in order when `channel` cannot reach the customer (no deliverable
    #: destination) or its message failed for good (docs/strategies.md, "Fallback channels").
    fallback_channels: tuple[Channel, ...] = ()

    @field_validator("fallback_channels")
    @classmethod
    def _fallbacks(cls, value: tuple[Channel, ...]) -> tuple[Channel, ...]:
        for channel in value:
            if channel not in CONTACT_CHANNELS:
                raise ValueError(f"fallback_channels: {channel.value!r} is not a contact channel")
        if len(set(value)) != len(value):
            raise ValueError("fallback_channels: a channel is listed twice")
        return value

    @model_validator(mode="after")
    def _stage_is_a_task(self) -> Step:
        if self.fallback_channels and self.channel not in CONTACT_CHANNELS:
            raise ValueError("fallback_channels need a step with a contact channel, not 'task'")
        if self.channel in self.fallback_channels:
            raise ValueError(f"fallback_channels: {self.channel.value!r} is the step's own channel")
        if self.stage is not None and self.channel is not Channel.TASK:
            raise ValueError("a step with a stage action must use channel 'task' (people take it from there)")
        if self.offer is not None and self.channel is Channel.TASK:
            raise ValueError("an offer needs a contact channel, not 'task'")
        return self


class PromiseSettings(_Model):
    """How promises to pay are followed: the reminder, the grace period, and what counts as an exception."""

    reminder_days_before: int = Field(default=1, ge=0, le=30)
    reminder_channel: Channel = Channel.SMS
    reminder_template: TemplateId = "promise-reminder"
    grace_days: int = Field(default=2, ge=0, le=60)
    max_days_out: int = Field(default=30, ge=1, le=366)
    min_amount_bps: int = Field(default=0, ge=0, le=10_000)

    @field_validator("reminder_channel")
    @classmethod
    def _contact(cls, value: Channel) -> Channel:
        if value not in CONTACT_CHANNELS:
            raise ValueError("the promise reminder must go through a contact channel")
        return value


class RoutingRules(_Model):
    """Which conversation outcomes complete on their own and which a person must review."""

    auto_complete: tuple[Label, ...] = ()
    review: tuple[Label, ...] = ()
    high_value_minor: dict[str, Annotated[int, Field(ge=0)]] = {}
    low_confidence: float = Field(default=0.7, ge=0.0, le=1.0)
    policy_exceptions: tuple[Label, ...] = ()

    @field_validator("high_value_minor")
    @classmethod
    def _currencies(cls, value: dict[str, int]) -> dict[str, int]:
        for code in value:
            _check_currency(code)
        return value

    @model_validator(mode="after")
    def _disjoint(self) -> RoutingRules:
        both = sorted(set(self.auto_complete) & set(self.review))
        if both:
            raise ValueError(f"labels both auto_complete and review: {', '.join(both)}")
        return self


class RetrySettings(_Model):
    """Failed deliveries are retried with backoff; unknown ones (a send that may have happened) never are."""

    max_attempts: int = Field(default=3, ge=1, le=10)
    backoff_minutes: tuple[Annotated[int, Field(ge=1)], ...] = (30, 240, 1440)
    on_unknown: Literal["reconcile", "review"] = "reconcile"
    reconcile_after_minutes: int = Field(default=60, ge=1)


class Spacing(_Model):
    """How far apart the messages of one case leave (tasks for people are not messages).

    Applied where a step is planned and again where it is sent, so no path around it sends a burst.
    """

    same_channel_hours: int = Field(default=24, ge=0, le=24 * 31)  # two e-mails a day apart, at least
    any_channel_hours: int = Field(default=0, ge=0, le=24 * 31)  # 0: a call and an e-mail may share a day
    #: A step running late (its ladder day has passed: after an import, a pause, a deferral) leaves at
    #: least this long after the case's previous message, so catching up never bunches.
    late_step_hours: int = Field(default=24, ge=0, le=24 * 31)
    #: The first message of a case leaves alone: nothing else of the case for a day after it.
    first_contact_alone: bool = True


class HoldTask(_Model):
    template: TemplateId = "hold-review"
    priority: Priority = Priority.HIGH


class Strategy(_Model):
    name: Slug
    version: int = Field(ge=1)
    description: str = Field(min_length=1)
    review_first_n: int = Field(default=0, ge=0)
    default_team: Slug = "collections"
    #: What a case planned after its steps' days have passed gets (docs/strategies.md, "Catching up"):
    #: `current_step` starts a case the ladder has not yet touched at the step its days past due call
    #: for and records the earlier ones as skipped; `all_at_once` replays every missed step;
    #: `one_day_at_a_time` replays one missed ladder day per calendar day.
    catch_up: Literal["current_step", "all_at_once", "one_day_at_a_time"] = "current_step"
    spacing: Spacing = Spacing()
    steps: tuple[Step, ...] = Field(min_length=1)
    promise: PromiseSettings = PromiseSettings()
    routing: RoutingRules = RoutingRules()
    retry: RetrySettings = RetrySettings()
    hold_task: HoldTask = HoldTask()
    #: What the agent may agree without a person (plans, settlements); none: every proposal to a person.
    negotiation: tuple[Negotiation, ...] = ()

    @model_validator(mode="after")
    def _cross_checks(self) -> Strategy:
        errors: list[InitErrorDetails] = []
        seen: dict[str, int] = {}
        for index, step in enumerate(self.steps):
            if step.id in seen:
                errors.append(
                    _error(
                        ("steps", index, "id"),
                        step.id,
                        "duplicate_step",
                        f"duplicate step id {step.id!r} (first used by steps[{seen[step.id]}])",
                    )
                )
            seen.setdefault(step.id, index)
            fixed = step.offer.discount_minor if step.offer else None
            if fixed is not None:
                missing = sorted(set(step.conditions.currencies or ("<any>",)) - set(fixed))
                if missing:
                    errors.append(
                        _error(
                            ("steps", index, "offer", "discount_minor"),
                            fixed,
                            "offer_currency",
                            "a fixed discount needs conditions.currencies and an amount for each "
                            f"(missing: {', '.join(missing)})",
                        )
                    )
        if errors:
            raise ValidationError.from_exception_data("Strategy", errors)
        return self

    @cached_property
    def fallback_step_ids(self) -> frozenset[str]:
        """Steps naming fallback channels: the planner reads failed messages only for cases that did one."""
        return frozenset(step.id for step in self.steps if step.fallback_channels)

    @cached_property
    def ordered_steps(self) -> tuple[Step, ...]:
        """Steps by day, keeping file order within a day: the order catch-up replays them in.

        Cached because the planner asks for it once per case, a million times a run.
        """
        return tuple(sorted(self.steps, key=lambda s: s.day))


def _error(loc: tuple[str | int, ...], value: object, kind: str, message: str) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError(kind, message), loc=loc, input=value)
