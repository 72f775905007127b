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
        language: str = "en",
        *,
        default_currency: str | None,
        context: Sequence[tuple[str, str]],
        facts: AccountFacts | None,
    ) -> Understanding: ...


def read_locally(
    text: str | bytes,
    reference: date,
    channel: str,
    language: str = "en",
    *,
    default_currency: str | None,
    context: Sequence[tuple[str, str]] = (),
    facts: AccountFacts | None = None,
) -> Understanding:
    """The deterministic reading alone (no second opinion configured). ``language``: the customer's locale
    (it decides, for one, whether "3/4" is the 3rd of April or March the 4th)."""
    del context, facts
    return understand(text, reference, channel, language, default_currency=default_currency)


def earlier_turns(state: ConversationState) -> tuple[tuple[str, str], ...]:
    """The last turns as (speaker, redacted text): the transcript only ever holds redacted words."""
    return tuple((turn.speaker, turn.text) for turn in state.transcript[-EARLIER_TURNS:])


def account_facts(ctx: CaseContext, state: ConversationState) -> AccountFacts:
    """Facts about the account, told to a second opinion only once the customer is verified: then also
    the customer's segment and tier and what the agent may offer them."""
    if not state.verified:
        return AccountFacts("", ctx.balance.currency, 0, state.stage.value)
    balance = format_minor(ctx.balance.minor, ctx.balance.currency)
    options = ["payment link", f"promise to pay within {ctx.max_promise_days} days"]
    if ctx.plan_bounds is not None:
        plan = ctx.plan_bounds
        smallest = format_minor(plan.min_instalment.minor, plan.min_instalment.currency)
        options.append(f"plan: 2 to {plan.max_instalments} instalments of at least {smallest}")
    if ctx.settlement is not None:
        floor = format_minor(ctx.settlement.floor.minor, ctx.settlement.floor.currency)
        options.append(f"settlement: at least {floor} paid by {ctx.settlement.last_day.isoformat()}")
    days = ctx.days_overdue
    return AccountFacts(
        balance, ctx.balance.currency, days, state.stage.value, ctx.segment, ctx.tier, tuple(options)
    )
