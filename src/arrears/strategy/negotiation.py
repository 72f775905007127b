"""What a strategy lets the agent agree on its own, in the strategy file's format: plans (smallest
instalment per currency, most instalments, their spacing) and settlements (a floor as a share of the
balance, paid within so many days), for all customers or for some segments or tiers.

Anything a customer proposes outside these goes to a person with the proposal attached; a strategy that
declares none lets the agent agree no plan and no settlement at all."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from arrears.core.money import is_currency


class _Terms(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Settlement(_Terms):
    floor_bps: int = Field(ge=1, le=9_999, description="the least accepted, in basis points of the balance")
    valid_days: int = Field(default=14, ge=1, le=90, description="days to pay an agreed settlement in")


class Negotiation(_Terms):
    min_instalment_minor: dict[str, Annotated[int, Field(ge=1)]] = Field(
        default={}, description="smallest instalment per currency; a currency not listed gets no plans"
    )
    max_instalments: int = Field(default=6, ge=2, le=60)
    min_spacing_days: int = Field(default=7, ge=1, le=92)
    max_spacing_days: int = Field(default=31, ge=1, le=92)
    settlement: Settlement | None = None
    segments: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()

    @field_validator("min_instalment_minor")
    @classmethod
    def _currencies(cls, value: dict[str, int]) -> dict[str, int]:
        for code in value:
            if not is_currency(code):
                raise ValueError(f"unknown currency {code!r} (expected an ISO 4217 code such as USD)")
        return value

    @model_validator(mode="after")
    def _spacing(self) -> Negotiation:
        if self.min_spacing_days > self.max_spacing_days:
            raise ValueError("min_spacing_days must not exceed max_spacing_days")
        return self

    def applies_to(self, segment: str | None, tier: str | None) -> bool:
        return (not self.segments or segment in self.segments) and (not self.tiers or tier in self.tiers)


def terms_for(terms: tuple[Negotiation, ...], segment: str | None, tier: str | None) -> Negotiation | None:
    """The first terms that apply to the customer's segment and tier (list the narrow ones first)."""
    return next((t for t in terms if t.applies_to(segment, tier)), None)
