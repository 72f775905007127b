"""Routing and review rules from the strategy file, as pure functions over plain facts.

Routing fails safe: an outcome completes automatically only when every label is listed as auto-complete and
nothing else (value, confidence, a policy exception) asks for a person. Anything unlisted goes to review.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from arrears.core.clock import ensure_utc
from arrears.strategy.schema import PromiseSettings, RetrySettings, Strategy

PROMISE_TOO_FAR = "promise_too_far"
PROMISE_TOO_SMALL = "promise_too_small"


class Route(StrEnum):
    COMPLETE = "complete"
    REVIEW = "review"


@dataclass(frozen=True, slots=True)
class OutcomeFacts:
    """What the agent concluded from a conversation, reduced to what routing needs."""

    labels: frozenset[str]
    confidence: float  # 0..1: how sure the agent is of its reading (and of who it spoke to)
    currency: str
    balance_minor: int
    promise_due_on: date | None = None
    promise_amount_minor: int | None = None
    today: date | None = None  # the customer's local date of the conversation (for promise_too_far)
    exceptions: frozenset[str] = frozenset()  # policy exceptions raised upstream (agent, engine)


@dataclass(frozen=True, slots=True)
class RoutingVerdict:
    route: Route
    reasons: tuple[str, ...]  # why it goes to review; empty when it completes


def promise_exceptions(settings: PromiseSettings, facts: OutcomeFacts) -> frozenset[str]:
    """Promise terms outside the strategy's policy: too far out, or too small a part of the balance."""
    found: set[str] = set()
    due, today, amount = facts.promise_due_on, facts.today, facts.promise_amount_minor
    if due is not None and today is not None and (due - today).days > settings.max_days_out:
        found.add(PROMISE_TOO_FAR)
    minimum = facts.balance_minor * settings.min_amount_bps
    if amount is not None and settings.min_amount_bps > 0 and amount * 10_000 < minimum:
        found.add(PROMISE_TOO_SMALL)
    return frozenset(found)


def route_outcome(strategy: Strategy, facts: OutcomeFacts) -> RoutingVerdict:
    rules = strategy.routing
    reasons: list[str] = []
    if not facts.labels:
        reasons.append("no outcome label")
    for label in sorted(facts.labels):
        if label in rules.review:
            reasons.append(f"label {label!r} always goes to review")
        elif label not in rules.auto_complete:
            reasons.append(f"label {label!r} is not listed for automatic completion")
    threshold = rules.high_value_minor.get(facts.currency)
    if threshold is not None and facts.balance_minor >= threshold:
        reasons.append(f"high value: balance {facts.balance_minor} {facts.currency} >= {threshold}")
    if facts.confidence < rules.low_confidence:
        reasons.append(f"low confidence {facts.confidence:.2f} < {rules.low_confidence:.2f}")
    exceptions = facts.exceptions | promise_exceptions(strategy.promise, facts)
    for exception in sorted(exceptions & set(rules.policy_exceptions)):
        reasons.append(f"policy exception {exception!r}")
    return RoutingVerdict(Route.REVIEW if reasons else Route.COMPLETE, tuple(reasons))


def needs_review(strategy: Strategy, planned_before: int) -> bool:
    """Whether the next action of this (name, version) must wait for a person: the first
    `review_first_n` actions of a new version do, so a changed strategy is watched before it runs alone.

    `planned_before` is how many actions of this exact version were planned before this one.
    """
    return planned_before < strategy.review_first_n


class DeliveryResult(StrEnum):
    FAILED = "failed"  # the provider refused or bounced it: it was not delivered
    UNKNOWN = "unknown"  # the send may have happened (lease expired mid-send, timeout)


class RetryMove(StrEnum):
    RETRY = "retry"
    GIVE_UP = "give_up"
    RECONCILE = "reconcile"  # ask the provider what happened; never resend blind
    REVIEW = "review"


@dataclass(frozen=True, slots=True)
class RetryDecision:
    move: RetryMove
    at: datetime | None  # when to retry or reconcile


def after_delivery(
    settings: RetrySettings, result: DeliveryResult, attempts_made: int, at: datetime
) -> RetryDecision:
    """Failed sends retry with backoff up to max_attempts; unknown ones are reconciled or reviewed, because
    resending what may already have arrived is the one mistake a collections system must not make."""
    at = ensure_utc(at)
    if result is DeliveryResult.UNKNOWN:
        if settings.on_unknown == "review":
            return RetryDecision(RetryMove.REVIEW, None)
        return RetryDecision(RetryMove.RECONCILE, at + timedelta(minutes=settings.reconcile_after_minutes))
    if attempts_made >= settings.max_attempts:
        return RetryDecision(RetryMove.GIVE_UP, None)
    backoff = settings.backoff_minutes[min(max(attempts_made, 1) - 1, len(settings.backoff_minutes) - 1)]
    return RetryDecision(RetryMove.RETRY, at + timedelta(minutes=backoff))
