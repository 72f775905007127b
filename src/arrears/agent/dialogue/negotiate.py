"""The dialogue's negotiation moves: from a customer's proposal and the bounds in the case context, what the
agent says next (an offer, a counter-offer, a read-back), what it books, or which proposal a person gets.

Pure, like the machine that turns these moves into steps: no clock (the context's local ``today``), no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from arrears.agent.dialogue import bargain_texts as say
from arrears.agent.dialogue import replies
from arrears.agent.dialogue.bargain import (
    Proposal,
    assess_plan,
    assess_settlement,
    plan_terms,
)
from arrears.agent.dialogue.model import (
    Action,
    CaseContext,
    ConversationState,
    OfferSettlement,
    OpenTask,
    RecordPromise,
    Routing,
    ScheduleCallback,
    Stage,
    Step,
    Urgency,
    WarmTransfer,
)
from arrears.agent.dialogue.turns import finish, summary
from arrears.core.money import Money


@dataclass(frozen=True, slots=True)
class Speak:
    """Say ``reply`` and move the conversation's state by ``changes``."""

    reply: str
    changes: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HandOver:
    """Terms the agent may not agree: a person gets the customer's proposal, in their words."""

    reason: str
    proposal: str
    reply: str


@dataclass(frozen=True, slots=True)
class Settle:
    amount: Money
    last_day: date
    reply: str


@dataclass(frozen=True, slots=True)
class PromiseInFull:
    """The "plan" covers the whole balance in one payment: an ordinary promise, drafted."""

    changes: dict[str, object]


Move = Speak | HandOver | Settle | PromiseInFull


def plan(state: ConversationState, proposal: Proposal, day: date | None, ctx: CaseContext) -> Move:
    """Agree the customer's plan when the bounds allow it; else counter once with the nearest plan they
    allow; a second proposal outside them (or one no plan fits) goes to a person."""
    language = state.language
    verdict = assess_plan(proposal, ctx.balance, ctx.plan_bounds)
    if verdict.terms is None or (verdict.countered and state.countered is not None):
        return _hand_over("payment_plan", _after_earlier(proposal, state), ctx, language)
    terms = verdict.terms
    if terms.count == 1:
        return PromiseInFull({"draft_amount": terms.per, "draft_day": _in_range(day, ctx)})
    changes: dict[str, object] = {
        "draft_amount": terms.per,
        "draft_instalments": terms.count,
        "draft_every_days": terms.every_days,
        "draft_day": _in_range(day, ctx) or state.draft_day,
        "countered": proposal.words if verdict.countered else state.countered,
        "attempts": 0,
    }
    first = changes["draft_day"]
    first_day = first if isinstance(first, date) else None
    if first_day is None:
        limit = ctx.today + timedelta(days=ctx.max_promise_days)
        ask = replies.ask_date(limit, ctx.locale) if language == "en" else _ask_first_date(limit, ctx)
        lead = say.counter_plan(terms, None, ctx.locale, language) + " " if verdict.countered else ""
        return Speak(lead + ask, changes | {"stage": Stage.PROMISE_DATE})
    if verdict.countered:
        offer = say.counter_plan(terms, first_day, ctx.locale, language)
    else:
        offer = say.plan_offer(terms, first_day, ctx.locale, language)
    return Speak(offer, changes | {"stage": Stage.PLAN_CONFIRM})


def _ask_first_date(limit: date, ctx: CaseContext) -> str:
    latest = say.day(limit, ctx.locale, "es")
    return f"¿Qué fecha le va bien para el primer pago? Lo más tarde que puedo fijar es el {latest}."


def plan_offer(state: ConversationState, ctx: CaseContext) -> str:
    """The read-back of a drafted plan (its first day known)."""
    assert state.draft_amount is not None and state.draft_day is not None
    every = state.draft_every_days
    terms = plan_terms(state.draft_amount.minor, state.draft_instalments, every, ctx.balance)
    return say.plan_offer(terms, state.draft_day, ctx.locale, state.language)


def settle(state: ConversationState, proposal: Proposal, ctx: CaseContext) -> Move:
    """Accept a settlement at or above the floor, counter below it once, else a person."""
    language = state.language
    verdict = assess_settlement(proposal, ctx.balance, ctx.settlement)
    if verdict.amount is None or ctx.settlement is None or (verdict.countered and state.countered):
        return _hand_over("settlement", _after_earlier(proposal, state), ctx, language)
    last_day = ctx.settlement.last_day
    reply = say.settlement_offer(verdict.amount, last_day, ctx.locale, language, countered=verdict.countered)
    changes: dict[str, object] = {
        "stage": Stage.SETTLE_CONFIRM,
        "draft_amount": verdict.amount,
        "draft_day": last_day,
        "countered": proposal.words if verdict.countered else state.countered,
        "attempts": 0,
    }
    return Speak(reply, changes)


def settle_confirmed(state: ConversationState, ctx: CaseContext) -> Settle:
    assert state.draft_amount is not None and state.draft_day is not None
    reply = say.settlement_booked(state.draft_amount, state.draft_day, ctx.locale, state.language)
    return Settle(state.draft_amount, state.draft_day, reply)


def declined(state: ConversationState, ctx: CaseContext, reason: str) -> HandOver | None:
    """The customer turned down a counter-offer: their own proposal goes to a person."""
    if state.countered is None:
        return None
    words = Proposal(None, None, None, reason == "settlement", state.countered)
    return _hand_over(reason, words, ctx, state.language)


def _after_earlier(proposal: Proposal, state: ConversationState) -> Proposal:
    """A second proposal after a counter-offer: the person sees both, in the customer's order."""
    if state.countered is None:
        return proposal
    return replace(proposal, words=f"{state.countered}" + " ... then: " + proposal.words)


def _hand_over(reason: str, proposal: Proposal, ctx: CaseContext, language: str) -> HandOver:
    return HandOver(reason, say.describe_proposal(proposal, ctx.locale), say.proposal_to_person(language))


def _in_range(day: date | None, ctx: CaseContext) -> date | None:
    limit = ctx.today + timedelta(days=ctx.max_promise_days)
    return day if day is not None and ctx.today <= day <= limit else None


def finished(state: ConversationState, move: Settle | HandOver, ctx: CaseContext) -> Step:
    """A settlement booked (its link and the promise that follows it), or a proposal handed to a person
    with the customer's words attached to the task."""
    if isinstance(move, Settle):
        settle = OfferSettlement(move.amount, move.last_day, ctx.link_channel)
        promise = RecordPromise(move.last_day, move.amount)
        next_step = "settlement link sent; remind before its last day"
        return finish(state, ctx, move.reply, (settle,), Routing.BOOKED, next_step, promise=promise)
    note = summary(state, ctx, f"Asked for terms outside the automatic bounds ({move.reason})")
    actions: tuple[Action, ...] = (OpenTask(move.reason, note, Urgency.NORMAL, proposal=move.proposal),)
    actions += (WarmTransfer(note),) if ctx.staff_available else (ScheduleCallback(move.reason),)
    routing, next_step = Routing.SENT_TO_REVIEW, "person to agree terms"
    return finish(state, ctx, move.reply, actions, routing, next_step, urgency=Urgency.NORMAL)
