"""Provider resilience from settings: one breaker and one set of rate limits per provider, per process.

The local sinks (`local`) are left bare: they write files, there is no provider to protect and nothing to
throttle. Every other provider's channels are wrapped (docs/providers/resilience.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from arrears.channels.base import Channel
from arrears.channels.resilience import Guards, parse_rates
from arrears.providers.base import Offer
from arrears.settings import Settings

UNGUARDED = frozenset({"local"})


def provider_guards(settings: Settings) -> Guards:
    return Guards(
        failures=settings.breaker_failures,
        cooldown=settings.breaker_cooldown_seconds,
        provider_rates=parse_rates(settings.rate_limits, "ARREARS_RATE_LIMITS"),
        sender_rates=parse_rates(settings.sender_rate_limits, "ARREARS_SENDER_RATE_LIMITS"),
        max_wait=settings.rate_limit_wait_seconds,
    )


def guarded_channels(offers: Iterable[Offer], guards: Guards) -> dict[str, Channel]:
    """Every provider's channels behind its guards; a later provider replaces an earlier one on a channel."""
    chosen: dict[str, Channel] = {}
    for offer in offers:
        chosen.update(_guarded(offer.name, offer.channels, guards))
    return chosen


def _guarded(provider: str, channels: Mapping[str, Channel], guards: Guards) -> dict[str, Channel]:
    if provider in UNGUARDED:
        return dict(channels)
    return {name: guards.wrap(provider, channel) for name, channel in channels.items()}
