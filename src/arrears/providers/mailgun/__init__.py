"""Mailgun: inbound e-mail (customers' replies and bounces) through a route's "forward" action posting to
our webhook, verified with the account's webhook signing key: docs/providers/email-inbound.md."""

from __future__ import annotations

from functools import partial

from arrears.providers.base import Offer, Parts
from arrears.providers.mailgun.check import routes_check
from arrears.providers.mailgun.handlers import handlers
from arrears.providers.mailgun.signature import sign, signature_problem
from arrears.providers.mailgun.webhooks import MailgunConfig, routes


def offer(config: MailgunConfig, parts: Parts) -> Offer:
    return Offer(
        "mailgun",
        handlers=handlers(parts.words),
        routes=partial(routes, config, parts.clock),
        checks=(routes_check(config),) if config.api_key else (),
    )


__all__ = ["MailgunConfig", "offer", "sign", "signature_problem"]
