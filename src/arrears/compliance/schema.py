"""The shape of a profile file, validated with pydantic.

A profile is data a customer's counsel can change without touching code: every rule names its id and
source from RULES.md, so a refusal can always say which rule refused and why. Unknown keys are errors,
because a misspelt key that is silently ignored is a rule silently not enforced.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from arrears.compliance.model import CallerKind, ContactChannel, DestinationKind, Purpose

_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def _seconds_of_day(value: object) -> object:
    """Accept "HH:MM" (24:00 allowed as the end of the day) and return seconds since local midnight."""
    if isinstance(value, str):
        match = _CLOCK.match(value.strip())
        if not match:
            raise ValueError(f"expected HH:MM, got {value!r}")
        hours, minutes = int(match.group(1)), int(match.group(2))
        seconds = hours * 3600 + minutes * 60
        if seconds > 86400:
            raise ValueError(f"{value!r} is past 24:00")
        return seconds
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 86400:
        return value
    raise ValueError(f"expected HH:MM, got {value!r}")


ClockTime = Annotated[int, BeforeValidator(_seconds_of_day)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleRef(_Strict):
    """A rule id from RULES.md and the legal source it cites."""

    id: str = Field(min_length=3)
    source: str = Field(min_length=2)


class Scoped(RuleRef):
    """A rule limited to some channels / destination kinds (None: all of them)."""

    key: str | None = None  # merge key when one rule id has several entries (MA has two caps)
    channels: tuple[ContactChannel, ...] | None = None
    destination_kinds: tuple[DestinationKind, ...] | None = None

    @property
    def merge_key(self) -> str:
        return self.key or self.id


class WindowRule(Scoped):
    """Contact only between `open` and `close` local time, in every candidate zone."""

    open: ClockTime
    close: ClockTime
    blocked_weekdays: tuple[int, ...] = ()  # 0 = Monday

    @model_validator(mode="after")
    def _ordered(self) -> WindowRule:
        if self.open >= self.close:
            raise ValueError("open must be before close")
        if any(not 0 <= d <= 6 for d in self.blocked_weekdays):
            raise ValueError("blocked_weekdays are 0 (Monday) .. 6 (Sunday)")
        return self


class HolidayRule(Scoped):
    """No contact on public holidays of the customer's country (and state, when `subdivision`)."""

    country: str | None = None  # None: the country of the customer's address
    subdivision: bool = True
    # The region whose calendar applies when the address names none (GB: England's, not the few holidays
    # common to all four nations, which would let contact through on Easter Monday in London).
    default_subdivision: str | None = None


class CapRule(Scoped):
    """At most `max_contacts` counted contacts in any `days` consecutive local calendar days."""

    max_contacts: int = Field(ge=0)
    days: int = Field(ge=1, le=366)
    count_channels: tuple[ContactChannel, ...] | None = None
    count_destination_kinds: tuple[DestinationKind, ...] | None = None
    per_debt: bool = True
    count_failed: bool = False  # count calls that never connected (busy, not in service)
    direct_consent_exempt: bool = False  # Reg F: calls within the consumer's direct consent do not count


class QuietRule(Scoped):
    """No contact within `days` calendar days after a telephone conversation (conversation day = day 1)."""

    days: int = Field(ge=1, le=366)
    per_debt: bool = True
    direct_consent_exempt: bool = False


class ConsentRule(Scoped):
    """Prior express consent on the destination is required for these caller kinds (or autodialed)."""

    caller_kinds: tuple[CallerKind, ...] = ()
    autodialed: bool = False


class HoldRule(RuleRef):
    """Which hold kinds this rule covers and which purposes may still go out during the hold."""

    kinds: tuple[str, ...] = Field(min_length=1)
    permitted_purposes: tuple[Purpose, ...] = ()


class DestinationRule(Scoped):
    """Destinations of these kinds are barred (unless the consumer consented on that destination)."""

    unless_consent: bool = False


class OptOutRule(RuleRef):
    """Which opt-out reasons (as recorded on the fact) this rule names; "*" matches any reason."""

    reasons: tuple[str, ...] = ("*",)


class PurposeConsentRule(Scoped):
    """Purposes that need a consent record on the destination (marketing)."""

    purposes: tuple[Purpose, ...] = Field(min_length=1)


class Disclosure(BaseModel):
    """A text the message must carry; the gate returns its id, the channel renders its text."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=2)
    rule_id: str = Field(min_length=3)
    source: str = Field(min_length=2)
    text: str = Field(min_length=1)
    channels: tuple[ContactChannel, ...] | None = None
    caller_kinds: tuple[CallerKind, ...] | None = None
    purposes: tuple[Purpose, ...] | None = None
    when: Literal["always", "initial", "subsequent"] = "always"
    requires: Literal["time_barred"] | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    # say: words the customer hears or reads; voicemail: the only words a voicemail may hold;
    # instruction: what the agent must do (never said aloud, e.g. verify the right party first).
    use: Literal["say", "voicemail", "instruction"] = "say"
    # Whose debts the rule behind it protects: consumers' by default (FDCPA, Reg F, state law); a rule on
    # every call or text (TCPA) lists business too. A business debtor gets only the latter.
    debtors: tuple[Literal["person", "business"], ...] = ("person",)


class Keywords(RuleRef):
    words: tuple[str, ...] = Field(min_length=1)


class Obligation(RuleRef):
    """A rule the gate does not decide per contact (lawful basis, erasure, dialer rates), kept as data.

    Listed by `arrears compliance rules` so the rule table in force is complete: the compliance officer
    sees that the rule is known and who or what enforces it, instead of wondering whether it was missed.
    """

    requirement: str = Field(min_length=3)
    enforced_by: str = Field(min_length=3)


class ProfileFile(_Strict):
    """One YAML file: a country, an overlay, a collector kind or a tenant's own settings."""

    name: str = Field(min_length=1)
    description: str = ""
    includes: tuple[str, ...] = ()
    collector_kinds: tuple[Literal["third_party", "creditor"], ...] = ("third_party", "creditor")
    unknown_zone: RuleRef | None = None
    inconvenient_time: RuleRef | None = None
    inconvenient_place: RuleRef | None = None
    do_not_contact: RuleRef | None = None
    direct_consent_days: int | None = Field(default=None, ge=0, le=30)
    windows: tuple[WindowRule, ...] = ()
    holidays: tuple[HolidayRule, ...] = ()
    caps: tuple[CapRule, ...] = ()
    quiet: tuple[QuietRule, ...] = ()
    consent: tuple[ConsentRule, ...] = ()
    holds: tuple[HoldRule, ...] = ()
    destinations: tuple[DestinationRule, ...] = ()
    opt_outs: tuple[OptOutRule, ...] = ()
    purpose_consent: tuple[PurposeConsentRule, ...] = ()
    disclosures: tuple[Disclosure, ...] = ()
    revocation_keywords: Keywords | None = None
    obligations: tuple[Obligation, ...] = ()

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", value):
            raise ValueError("profile names are lower-case slugs such as us-ma")
        return value
