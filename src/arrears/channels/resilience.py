"""A provider's channel behind a circuit breaker and rate limits: a struggling provider is left alone.

`ResilientChannel` keeps the `Channel` protocol, so the dispatcher and reconciliation do not know it is there.
The composition root wraps every channel of a provider with that provider's one `CircuitBreaker` (SMS, voice
and WhatsApp through Twilio share it) and its token buckets: one per provider, one per sender (a number).

- Breaker: after `failures` transient failures in a row (a `ChannelError` from the provider's channel: a
  timeout, a refused connection, a 429 or a 5xx) it opens; while open a send raises `ChannelBusy` at once,
  without calling the provider, until `cooldown` has passed; then one probe goes through (half-open). The
  probe's success closes it, its failure opens it for another cool-down. An answer, even a rejection, is a
  success: the provider is up. Each change of state is logged, structured.
- Rate limits: a send takes a token from the provider's bucket and the sender's. It waits for one at most
  `max_wait` (well under the dispatcher's lease margin), else raises `ChannelBusy`: the row goes back to the
  queue for later, no attempt spent, rather than a worker sleeping past its lease.
- Timeouts: each provider's client sets its own (the Twilio client 10 s, the SMTP client its socket
  timeout). The wrapper does not add one: a thread blocked in a socket read cannot be interrupted, and a
  timer that gave up on it would only hide a send that may still be accepted.

Retries stay where they were: a `ChannelError` is transient and the dispatcher retries it with the
strategy's backoff; a REJECTED result is final; `ChannelBusy` (breaker open, no token) spends no attempt.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from arrears.channels.base import Channel, ChannelError, DeliveryResult, OutboundMessage

log = logging.getLogger(__name__)

Now = Callable[[], float]


class ChannelBusy(ChannelError):
    """Nothing was sent and nothing was asked of the provider: try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = max(retry_after, 0.0)


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Closed -> open after `failures` transient failures in a row -> half-open after `cooldown` seconds,
    when a single probe is let through -> closed on its success, open again on its failure. Thread-safe."""

    def __init__(self, provider: str, failures: int, cooldown: float, *, now: Now = time.monotonic) -> None:
        if failures < 1 or cooldown <= 0:
            raise ValueError(f"breaker for {provider}: failures must be >= 1 and cooldown > 0")
        self.provider = provider
        self.failures = failures
        self.cooldown = cooldown
        self._now = now
        self._lock = threading.Lock()
        self.state = BreakerState.CLOSED
        self._streak = 0
        self._open_until = 0.0
        self._probing = False

    def before(self) -> None:
        """Let a call through, or raise `ChannelBusy` (open, or a probe is already out)."""
        with self._lock:
            if self.state is BreakerState.CLOSED:
                return
            now = self._now()
            if self.state is BreakerState.OPEN and now >= self._open_until:
                self._move(BreakerState.HALF_OPEN)
            if self.state is BreakerState.HALF_OPEN and not self._probing:
                self._probing = True
                return
            wait = max(self._open_until - now, 0.0) or self.cooldown / 10
            raise ChannelBusy(f"{self.provider} circuit open for {wait:.1f}s more", wait)

    def succeeded(self) -> None:
        with self._lock:
            self._streak = 0
            self._probing = False
            if self.state is not BreakerState.CLOSED:
                self._move(BreakerState.CLOSED)

    def unused(self) -> None:
        """The call let through was not made (no token): a probe it carried may go to the next caller."""
        with self._lock:
            self._probing = False

    def failed(self) -> None:
        with self._lock:
            self._streak += 1
            probe, self._probing = self._probing, False
            if probe or (self.state is BreakerState.CLOSED and self._streak >= self.failures):
                self._open_until = self._now() + self.cooldown
                self._move(BreakerState.OPEN)

    def _move(self, state: BreakerState) -> None:
        log.warning(
            "provider circuit %s",
            state.value,
            extra={"provider": self.provider, "from_state": self.state.value, "to_state": state.value,
                   "failures_in_a_row": self._streak},
        )  # fmt: skip
        self.state = state


class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up. `take` waits up to `max_wait` for a token, in a
    reservation made under the lock (so concurrent senders are spaced, not bunched), else takes nothing and
    raises `ChannelBusy`."""

    def __init__(self, name: str, rate: float, *, burst: float = 1.0, now: Now = time.monotonic) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"rate limit {name}: rate must be > 0 and burst >= 1")
        self.name = name
        self.rate = rate
        self.burst = burst
        self._now = now
        self._lock = threading.Lock()
        self._tokens = burst
        self._at = now()

    def reserve(self, max_wait: float) -> float:
        """Seconds to wait before the reserved token is ours; `ChannelBusy` if more than `max_wait`."""
        with self._lock:
            now = self._now()
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
            self._at = now
            wait = (1.0 - self._tokens) / self.rate if self._tokens < 1.0 else 0.0
            if wait > max_wait:
                raise ChannelBusy(f"{self.name} rate limit: next token in {wait:.2f}s", wait)
            self._tokens -= 1.0  # may go negative: later callers queue behind this reservation
            return wait

    def take(self, max_wait: float, sleep: Callable[[float], None] = time.sleep) -> None:
        wait = self.reserve(max_wait)
        if wait > 0:
            sleep(wait)


@dataclass(frozen=True)
class Limits:
    """One provider's guards: its breaker, its bucket (None: unlimited), its senders' buckets by sender."""

    breaker: CircuitBreaker
    provider_bucket: TokenBucket | None
    sender_bucket: TokenBucket | None
    max_wait: float


class ResilientChannel:
    """`inner` behind its provider's breaker and rate limits; `lookup` passes straight through (it runs
    only for the rare `unknown` send, and an answer there must not wait for a quieter provider)."""

    def __init__(self, inner: Channel, limits: Limits) -> None:
        self.inner = inner
        self.name = inner.name
        self.limits = limits

    def send(self, message: OutboundMessage) -> DeliveryResult:
        limits = self.limits
        limits.breaker.before()
        try:
            for bucket in (limits.provider_bucket, limits.sender_bucket):
                if bucket is not None:
                    bucket.take(limits.max_wait)
        except ChannelBusy:
            limits.breaker.unused()
            raise
        try:
            result = self.inner.send(message)
        except ChannelError:
            limits.breaker.failed()
            raise
        limits.breaker.succeeded()
        return result

    def lookup(self, idempotency_key: str) -> DeliveryResult | None:
        return self.inner.lookup(idempotency_key)


def parse_rates(spec: str, field: str) -> dict[str, float]:
    """ "twilio=10,smtp=20" -> {"twilio": 10.0, "smtp": 20.0}; an error names `field` and the bad pair."""
    rates: dict[str, float] = {}
    for pair in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, value = pair.partition("=")
        try:
            rate = float(value) if sep and name.strip() else -1.0
        except ValueError:
            rate = -1.0
        if rate <= 0:
            raise ValueError(f"{field}: {pair!r} must be provider=messages_per_second with a rate above 0")
        rates[name.strip()] = rate
    return rates


class Guards:
    """Every provider's breaker and buckets, made once per process and shared by its channels and threads."""

    def __init__(
        self,
        *,
        failures: int,
        cooldown: float,
        provider_rates: Mapping[str, float],
        sender_rates: Mapping[str, float],
        max_wait: float,
    ) -> None:
        self.failures, self.cooldown, self.max_wait = failures, cooldown, max_wait
        self.provider_rates, self.sender_rates = dict(provider_rates), dict(sender_rates)
        self.breakers: dict[str, CircuitBreaker] = {}
        self._buckets: dict[tuple[str, str], TokenBucket] = {}

    def wrap(self, provider: str, channel: Channel) -> ResilientChannel:
        """`channel` of `provider`; its sender is its `from_number` when it has one (Twilio's numbers)."""
        breaker = self.breakers.setdefault(provider, CircuitBreaker(provider, self.failures, self.cooldown))
        sender = getattr(channel, "from_number", None)
        per_sender = self.sender_rates.get(provider)
        limits = Limits(
            breaker,
            self._bucket((provider, ""), provider, self.provider_rates.get(provider)),
            self._bucket((provider, str(sender)), f"{provider} sender {_tail(sender)}", per_sender)
            if sender and per_sender
            else None,
            self.max_wait,
        )
        return ResilientChannel(channel, limits)

    def _bucket(self, key: tuple[str, str], name: str, rate: float | None) -> TokenBucket | None:
        if rate is None:
            return None
        if key not in self._buckets:
            self._buckets[key] = TokenBucket(name, rate, burst=max(1.0, rate))
        return self._buckets[key]


def _tail(sender: str) -> str:
    """A sender named in errors and logs by its last four characters only."""
    return f"...{str(sender)[-4:]}"


__all__ = [
    "BreakerState",
    "ChannelBusy",
    "CircuitBreaker",
    "Guards",
    "Limits",
    "ResilientChannel",
    "TokenBucket",
    "parse_rates",
]
