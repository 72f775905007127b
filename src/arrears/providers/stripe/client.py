"""Stripe's official SDK, configured once: the key, where the API is (Stripe, a proxy or the local fake),
a timeout on every call and the SDK's own retries (it retries only what Stripe marks retryable, with the
same Idempotency-Key)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import stripe

CheckoutKind = Literal["auto", "checkout_session", "payment_link"]


@dataclass(frozen=True)
class StripeConfig:
    api_key: str | None  # sk_/rk_: links and checks; None: webhooks only
    webhook_secret: str | None  # whsec_: the endpoint's signing secret; None: webhooks refused
    api_base: str | None = None  # replaces https://api.stripe.com
    checkout: CheckoutKind = "auto"
    timeout_seconds: float = 10.0
    max_network_retries: int = 2

    @property
    def live(self) -> bool:
        return bool(self.api_key) and "_live_" in (self.api_key or "")


def make_client(config: StripeConfig) -> stripe.StripeClient:
    if not config.api_key:
        raise ValueError("StripeConfig.api_key: required to call Stripe's API")
    base = {"api": config.api_base.rstrip("/")} if config.api_base else None
    return stripe.StripeClient(
        config.api_key,
        base_addresses=base,  # type: ignore[arg-type]
        max_network_retries=config.max_network_retries,
        http_client=stripe.RequestsClient(timeout=config.timeout_seconds),
    )
