"""Email out through the team's own mail server or relay over SMTP (Gmail, Microsoft 365, SES, Postmark,
...): docs/providers/email.md. When configured it replaces the local email sink."""

from __future__ import annotations

from functools import partial

from arrears.providers.base import Offer
from arrears.providers.smtp.channel import SmtpEmail
from arrears.providers.smtp.check import check
from arrears.providers.smtp.session import DEFAULT_PORTS, SmtpConfig, SmtpConfigError


def offer(config: SmtpConfig) -> Offer:
    return Offer("smtp", channels={"email": SmtpEmail(config)}, checks=(partial(check, config),))


__all__ = ["DEFAULT_PORTS", "SmtpConfig", "SmtpConfigError", "SmtpEmail", "check", "offer"]
