"""Signed outbound webhooks (Standard Webhooks): every endpoint in ARREARS_WEBHOOK_ENDPOINTS is its own
write-back destination, with its own cursor, retries and dead letters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from arrears.providers.base import Offer
from arrears.providers.webhooks.checks import endpoint_check
from arrears.providers.webhooks.config import Endpoint, EndpointsError, load_endpoints
from arrears.providers.webhooks.destination import WebhookDestination


@dataclass(frozen=True)
class WebhooksConfig:
    endpoints_file: Path
    timeout_seconds: float = 10.0


def offer(config: WebhooksConfig) -> Offer:
    """One destination and one reachability check per endpoint (the file is validated here, at start)."""
    endpoints = load_endpoints(config.endpoints_file)
    return Offer(
        name="webhooks",
        destinations=[WebhookDestination(e, timeout_seconds=config.timeout_seconds) for e in endpoints],
        checks=[endpoint_check(e) for e in endpoints],
    )


__all__ = ["Endpoint", "EndpointsError", "WebhookDestination", "WebhooksConfig", "load_endpoints", "offer"]
