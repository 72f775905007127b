"""Strategies: the YAML ladder format, loading it, and the pure decision of what a case needs at an instant.

Pure: no database, no web, no vendor SDKs, no clock. The planner passes `now` in.
"""

from arrears.strategy.calendar import day_start, days_past_due, local_date, start_of_day
from arrears.strategy.case import CaseStatus, CaseView, PromiseView
from arrears.strategy.catalog import StrategyLibrary
from arrears.strategy.conditions import matches
from arrears.strategy.loader import LoadedStrategy, StrategyError, StrategyIssue, content_hash, load_strategy
from arrears.strategy.plan import Action, ActionKind, OfferTerms, PauseReason, Plan, action_key, next_actions
from arrears.strategy.reactions import (
    PaymentEffect,
    PromiseState,
    after_payment,
    hold_task_step_id,
    promise_breaks_at,
    promise_state,
    reminder_step_id,
)
from arrears.strategy.routing import (
    DeliveryResult,
    OutcomeFacts,
    RetryDecision,
    RetryMove,
    Route,
    RoutingVerdict,
    after_delivery,
    needs_review,
    route_outcome,
)
from arrears.strategy.schema import Channel, CustomerKind, Priority, Step, Strategy, Tone

__all__ = [
    "Action",
    "ActionKind",
    "CaseStatus",
    "CaseView",
    "Channel",
    "CustomerKind",
    "DeliveryResult",
    "LoadedStrategy",
    "OfferTerms",
    "OutcomeFacts",
    "PauseReason",
    "PaymentEffect",
    "Plan",
    "Priority",
    "PromiseState",
    "PromiseView",
    "RetryDecision",
    "RetryMove",
    "Route",
    "RoutingVerdict",
    "Step",
    "Strategy",
    "StrategyError",
    "StrategyIssue",
    "StrategyLibrary",
    "Tone",
    "action_key",
    "after_delivery",
    "after_payment",
    "content_hash",
    "day_start",
    "days_past_due",
    "hold_task_step_id",
    "load_strategy",
    "local_date",
    "matches",
    "needs_review",
    "next_actions",
    "promise_breaks_at",
    "promise_state",
    "reminder_step_id",
    "route_outcome",
    "start_of_day",
]
