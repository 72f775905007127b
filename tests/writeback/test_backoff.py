"""Backoff with full jitter: reproducible per event and attempt, under a doubling ceiling, never before the
destination's Retry-After, and no further attempt once the allowance is spent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from arrears.writeback.backoff import RetryPolicy, next_attempt, retry_delay

POLICY = RetryPolicy(max_attempts=5, base_seconds=10.0, cap_seconds=100.0)
NOW = datetime(2026, 3, 10, tzinfo=UTC)


def test_the_same_event_and_attempt_wait_the_same() -> None:
    assert retry_delay(POLICY, "evt-1", 2, None) == retry_delay(POLICY, "evt-1", 2, None)
    spread = {retry_delay(POLICY, f"evt-{n}", 3, None) for n in range(50)}
    assert len(spread) == 50  # events do not retry in lockstep


def test_the_ceiling_doubles_up_to_the_cap() -> None:
    for attempts, ceiling in ((1, 10.0), (2, 20.0), (3, 40.0), (4, 80.0), (5, 100.0), (9, 100.0)):
        delays = [retry_delay(POLICY, f"evt-{n}", attempts, None) for n in range(200)]
        assert all(0.0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # full jitter uses the whole window


def test_retry_after_is_a_floor() -> None:
    assert retry_delay(POLICY, "evt-1", 1, 3600.0) == 3600.0


def test_no_attempt_after_the_allowance() -> None:
    when = next_attempt(POLICY, "evt-1", 4, None, NOW)
    assert when is not None and NOW <= when <= NOW + timedelta(seconds=80)
    assert next_attempt(POLICY, "evt-1", 5, None, NOW) is None
