"""Routing fails safe: only listed labels complete alone; value, confidence and policy can send to review."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from arrears.strategy import (
    DeliveryResult,
    OutcomeFacts,
    RetryMove,
    Route,
    after_delivery,
    needs_review,
    route_outcome,
)
from tests.strategy.helpers import shipped, strategy_from

CONSUMER = shipped("consumer-overdue")


def _facts(*labels: str, **overrides: object) -> OutcomeFacts:
    base: dict[str, object] = {"confidence": 0.95, "currency": "EUR", "balance_minor": 100_000}
    return OutcomeFacts(labels=frozenset(labels), **{**base, **overrides})  # type: ignore[arg-type]


def test_listed_label_completes_automatically() -> None:
    verdict = route_outcome(CONSUMER, _facts("pay_now"))
    assert verdict.route is Route.COMPLETE and verdict.reasons == ()


def test_review_labels_and_unlisted_labels_go_to_review() -> None:
    dispute = route_outcome(CONSUMER, _facts("promise_to_pay", "dispute"))
    assert dispute.route is Route.REVIEW and dispute.reasons == ("label 'dispute' always goes to review",)
    assert route_outcome(CONSUMER, _facts("something_new")).route is Route.REVIEW
    assert route_outcome(CONSUMER, _facts()).reasons == ("no outcome label",)


def test_high_value_is_per_currency() -> None:
    assert route_outcome(CONSUMER, _facts("pay_now", balance_minor=500_000)).route is Route.REVIEW
    assert route_outcome(CONSUMER, _facts("pay_now", balance_minor=499_999)).route is Route.COMPLETE
    # No threshold configured for CHF: value alone does not send it to review.
    verdict = route_outcome(CONSUMER, _facts("pay_now", currency="CHF", balance_minor=10**9))
    assert verdict.route is Route.COMPLETE


def test_low_confidence_goes_to_review() -> None:
    verdict = route_outcome(CONSUMER, _facts("pay_now", confidence=0.5))
    assert verdict.route is Route.REVIEW and verdict.reasons[0].startswith("low confidence 0.50")


def test_promise_policy_exceptions() -> None:
    today = date(2024, 3, 1)
    ok = _facts(
        "promise_to_pay", promise_due_on=today + timedelta(days=30), promise_amount_minor=20_000, today=today
    )
    assert route_outcome(CONSUMER, ok).route is Route.COMPLETE
    too_far = _facts("promise_to_pay", promise_due_on=today + timedelta(days=31), today=today)
    assert route_outcome(CONSUMER, too_far).reasons == ("policy exception 'promise_too_far'",)
    too_small = _facts("promise_to_pay", promise_amount_minor=19_999)  # under 20% of 1,000.00
    assert route_outcome(CONSUMER, too_small).reasons == ("policy exception 'promise_too_small'",)
    flagged = _facts("pay_now", exceptions=frozenset({"promise_too_far", "not_in_policy_list"}))
    assert route_outcome(CONSUMER, flagged).reasons == ("policy exception 'promise_too_far'",)


def test_review_first_n_actions_of_a_version() -> None:
    strategy = strategy_from(
        "  - {id: a, day: 1, channel: email, template: t, tone: friendly}", "review_first_n: 2"
    )
    assert [needs_review(strategy, n) for n in range(4)] == [True, True, False, False]
    assert not needs_review(CONSUMER, 0)


def test_failed_delivery_retries_with_backoff_then_gives_up() -> None:
    at = datetime(2024, 3, 1, 12, tzinfo=UTC)
    retry = CONSUMER.retry
    first = after_delivery(retry, DeliveryResult.FAILED, 1, at)
    assert (first.move, first.at) == (RetryMove.RETRY, at + timedelta(minutes=30))
    assert after_delivery(retry, DeliveryResult.FAILED, 2, at).at == at + timedelta(minutes=240)
    assert after_delivery(retry, DeliveryResult.FAILED, 3, at).move is RetryMove.GIVE_UP


def test_unknown_delivery_is_never_resent() -> None:
    at = datetime(2024, 3, 1, 12, tzinfo=UTC)
    for attempts in (1, 2, 3):
        decision = after_delivery(CONSUMER.retry, DeliveryResult.UNKNOWN, attempts, at)
        assert (decision.move, decision.at) == (RetryMove.RECONCILE, at + timedelta(minutes=60))
    review = CONSUMER.retry.model_copy(update={"on_unknown": "review"})
    assert after_delivery(review, DeliveryResult.UNKNOWN, 1, at).move is RetryMove.REVIEW
