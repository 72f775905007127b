"""How the conversation service reads a customer's words: always with the conversation's earlier turns and
the account's facts at hand, which only a second opinion (the optional LLM backend) uses; the local reading
is a pure function of the turn itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from arrears.agent import Understanding, understand
from arrears.agent.dialogue import CaseContext, ConversationState
from arrears.agent.llm import AccountFacts
from arrears.core.money import format_minor

EARLIER_TURNS = 6
"""How many earlier turns a second opinion sees: enough for "yes, that date" to mean something."""


class ReadTurn(Protocol):
    def __call__(
        self,
        text: str | bytes,
        reference: date,
        channel: str,
        *,
        default_currency: str | None,
        context: Sequence[tuple[str, str]],
        facts: AccountFacts | None,
    ) -> Understanding: ...


def read_locally(
    text: str | bytes,
    reference: date,
    channel: str,
    *,
    default_currency: str | None,
    context: Sequence[tuple[str, str]] = (),
    facts: AccountFacts | None = None,
) -> Understanding:
    """The deterministic reading alone (no second opinion configured)."""
    del context, facts
    return understand(text, reference, channel, default_currency=default_currency)


def earlier_turns(state: ConversationState) -> tuple[tuple[str, str], ...]:
    """The last turns as (speaker, redacted text): the transcript only ever holds redacted words."""
    return tuple((turn.speaker, turn.text) for turn in state.transcript[-EARLIER_TURNS:])


def account_facts(ctx: CaseContext, state: ConversationState) -> AccountFacts:
    """Facts about the account, told to a second opinion only once the customer is verified."""
    balance = format_minor(ctx.balance.minor, ctx.balance.currency) if state.verified else ""
    days = ctx.days_overdue if state.verified else 0
    return AccountFacts(balance, ctx.balance.currency, days, state.stage.value)
