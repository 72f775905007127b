"""The circuit breaker, the token buckets and the wrapper, with the official Twilio SDK against its wire."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Iterator

import pytest

from arrears.channels.base import ChannelError, DeliveryStatus, OutboundMessage
from arrears.channels.resilience import (
    BreakerState,
    ChannelBusy,
    CircuitBreaker,
    Guards,
    ResilientChannel,
    TokenBucket,
    parse_rates,
)
from arrears.providers.twilio.channels import TwilioMessaging
from arrears.providers.twilio.client import TwilioConfig, make_client
from tests.channels.twilio_wire import TwilioWire, twilio_wire

FROM = "+15005550006"


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.at = 100.0

    def __call__(self) -> float:
        return self.at


def sms(wire: TwilioWire, *, timeout: float = 5.0) -> TwilioMessaging:
    config = TwilioConfig("AC" + "0" * 32, "token", FROM, None, None, api_base_url=wire.url)
    return TwilioMessaging(make_client(config, timeout=timeout), "sms", FROM, None)


def message(i: int) -> OutboundMessage:
    return OutboundMessage(f"key-{i}", "sms", f"+1212555{i:04d}", f"hello {i}")


@pytest.fixture
def wire() -> Iterator[TwilioWire]:
    with twilio_wire() as running:
        yield running


def guards(failures: int = 3, cooldown: float = 0.3, **rates: dict[str, float]) -> Guards:
    return Guards(
        failures=failures,
        cooldown=cooldown,
        provider_rates=rates.get("provider", {}),
        sender_rates=rates.get("sender", {}),
        max_wait=0.5,
    )


def test_the_breaker_opens_after_n_failures_in_a_row_and_a_successful_probe_closes_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ticks = Ticks()
    breaker = CircuitBreaker("twilio", 3, 30.0, now=ticks)
    caplog.set_level(logging.WARNING, "arrears.channels.resilience")
    for _ in range(2):
        breaker.before()
        breaker.failed()
    breaker.before()
    breaker.succeeded()  # a success in between: the streak starts again
    for _ in range(3):
        breaker.before()
        breaker.failed()
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(ChannelBusy, match="twilio circuit open") as refused:
        breaker.before()
    assert refused.value.retry_after == pytest.approx(30.0)
    ticks.at += 30.0
    breaker.before()  # the probe
    assert breaker.state.value == "half_open"
    with pytest.raises(ChannelBusy):
        breaker.before()  # one probe at a time
    breaker.succeeded()
    assert breaker.state.value == "closed"
    moves = [(vars(r)["from_state"], vars(r)["to_state"], vars(r)["provider"]) for r in caplog.records]
    assert moves == [
        ("closed", "open", "twilio"),
        ("open", "half_open", "twilio"),
        ("half_open", "closed", "twilio"),
    ]


def test_a_failed_probe_opens_the_breaker_for_another_cool_down() -> None:
    ticks = Ticks()
    breaker = CircuitBreaker("smtp", 1, 10.0, now=ticks)
    breaker.before()
    breaker.failed()
    ticks.at += 10.0
    breaker.before()
    breaker.failed()
    assert breaker.state is BreakerState.OPEN
    ticks.at += 9.0
    with pytest.raises(ChannelBusy):
        breaker.before()


def test_the_token_bucket_spaces_concurrent_senders_and_puts_off_what_would_wait_too_long() -> None:
    bucket = TokenBucket("twilio sender ...0006", 10.0)  # 10 a second, no burst beyond one
    starts: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        bucket.take(max_wait=2.0)
        with lock:
            starts.append(time.monotonic())

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    starts.sort()
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.08, gaps  # 100 ms apart, whatever the threads' timing
    slow = TokenBucket("smtp", 1.0)
    slow.reserve(max_wait=0.0)
    with pytest.raises(ChannelBusy, match="smtp rate limit") as busy:
        slow.reserve(max_wait=0.2)
    assert busy.value.retry_after == pytest.approx(1.0, abs=0.05)


def test_rate_pairs_are_parsed_and_a_bad_one_names_the_setting() -> None:
    assert parse_rates("twilio=10, smtp=2.5", "ARREARS_RATE_LIMITS") == {"twilio": 10.0, "smtp": 2.5}
    assert parse_rates("", "ARREARS_RATE_LIMITS") == {}
    for bad in ("twilio", "twilio=0", "=3", "twilio=fast"):
        with pytest.raises(ValueError, match="ARREARS_SENDER_RATE_LIMITS"):
            parse_rates(bad, "ARREARS_SENDER_RATE_LIMITS")


@pytest.mark.parametrize("trouble", ["429", "500"])
def test_throttling_and_outages_open_the_circuit_and_stop_calling_twilio(
    wire: TwilioWire, trouble: str
) -> None:
    channel = guards().wrap("twilio", sms(wire))
    wire.trouble = trouble  # type: ignore[assignment]
    for i in range(3):
        with pytest.raises(ChannelError, match="twilio unavailable"):
            channel.send(message(i))
    calls = sum(wire.answered.values())
    with pytest.raises(ChannelBusy, match="circuit open"):
        channel.send(message(3))
    assert sum(wire.answered.values()) == calls == 3  # the open circuit asked Twilio nothing
    wire.trouble = "ok"
    time.sleep(0.35)  # the cool-down
    assert channel.send(message(4)).status is DeliveryStatus.SENT  # the probe
    assert channel.limits.breaker.state is BreakerState.CLOSED
    assert wire.accepted == [("+12125550004", "hello 4")]


def test_a_rejection_is_an_answer_not_an_outage(wire: TwilioWire) -> None:
    """A refused number (400) is final for that message and leaves the breaker closed."""
    channel = guards(failures=1).wrap("twilio", sms(wire))
    wire.reject.add("+12125550001")
    assert channel.send(message(1)).status is DeliveryStatus.REJECTED
    assert channel.limits.breaker.state is BreakerState.CLOSED
    assert channel.send(message(2)).status is DeliveryStatus.SENT


def test_a_timeout_counts_against_the_breaker(wire: TwilioWire) -> None:
    channel = guards(failures=1).wrap("twilio", sms(wire, timeout=0.3))
    wire.trouble, wire.stall_seconds = "stall", 0.6
    with pytest.raises(ChannelError):
        channel.send(message(1))
    assert channel.limits.breaker.state is BreakerState.OPEN
    assert wire.accepted == []


def test_a_provider_that_is_down_opens_the_circuit(wire: TwilioWire) -> None:
    channel = guards(failures=2).wrap("twilio", sms(wire))
    wire.down()
    for i in range(2):
        with pytest.raises(ChannelError):
            channel.send(message(i))
    with pytest.raises(ChannelBusy):
        channel.send(message(2))


def test_one_sender_number_is_limited_across_the_channels_that_share_it(wire: TwilioWire) -> None:
    shared = guards(sender={"twilio": 1.0})
    text = shared.wrap("twilio", sms(wire))
    again = shared.wrap("twilio", sms(wire))  # voice, say: the same number
    assert isinstance(text, ResilientChannel) and text.limits.sender_bucket is again.limits.sender_bucket
    assert text.limits.breaker is again.limits.breaker
    assert text.send(message(1)).status is DeliveryStatus.SENT
    with pytest.raises(ChannelBusy, match=r"twilio sender \.\.\.0006 rate limit"):
        again.send(message(2))  # the next token is ~1 s away; the bound is 0.5 s
    time.sleep(1.0)
    assert again.send(message(3)).status is DeliveryStatus.SENT
    assert [to for to, _ in wire.accepted] == ["+12125550001", "+12125550003"]
    assert text.limits.breaker.state is BreakerState.CLOSED  # a put-off send is no failure
