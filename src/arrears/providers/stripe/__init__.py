"""Stripe: payment links (Checkout Sessions or Payment Links) when an API key is set, and its webhook
`POST /v1/stripe/webhook` when a signing secret is set: docs/providers/stripe.md."""

from __future__ import annotations

from functools import partial

from sqlalchemy.orm import Session, sessionmaker

from arrears.cases.sync import StrategyResolver
from arrears.core.clock import Clock
from arrears.providers.base import Offer
from arrears.providers.stripe.checks import balance_check
from arrears.providers.stripe.client import StripeConfig, make_client
from arrears.providers.stripe.handlers import handlers
from arrears.providers.stripe.links import StripePaymentLinks
from arrears.providers.stripe.webhooks import routes


def offer(
    config: StripeConfig, sessions: sessionmaker[Session], clock: Clock, resolve_strategy: StrategyResolver
) -> Offer:
    links = None
    if config.api_key:
        links = StripePaymentLinks(sessions, clock, make_client(config), config.checkout)
    return Offer(
        "stripe",
        handlers=handlers(resolve_strategy),
        routes=partial(routes, config),
        payment_links=links,
        checks=(balance_check(config),) if config.api_key else (),
    )


__all__ = ["StripeConfig", "StripePaymentLinks", "make_client", "offer"]
