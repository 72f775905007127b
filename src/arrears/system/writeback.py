"""Write-back wiring (the composition root's part): the webhook and Slack offers from settings, and the
runner the worker drives over every destination the offers bring (webhooks, Slack, CRMs)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import Clock
from arrears.providers import slack, webhooks
from arrears.providers.base import Offer
from arrears.settings import Settings
from arrears.system.errors import ConfigError
from arrears.writeback.backoff import RetryPolicy
from arrears.writeback.runner import WritebackRunner


def case_url(settings: Settings) -> str | None:
    """Where an alert links a case to, when the app's public address is known."""
    if not settings.public_base_url:
        return None
    return settings.public_base_url.rstrip("/") + "/v1/cases/{case_id}"


def writeback_offers(settings: Settings) -> list[Offer]:
    """Signed webhooks when ARREARS_WEBHOOK_ENDPOINTS is set; Slack when ARREARS_SLACK_WEBHOOK_URL is."""
    offers: list[Offer] = []
    if settings.webhook_endpoints is not None:
        config = webhooks.WebhooksConfig(settings.webhook_endpoints, settings.webhook_timeout_seconds)
        try:
            offers.append(webhooks.offer(config))
        except webhooks.EndpointsError as exc:
            raise ConfigError(f"ARREARS_WEBHOOK_ENDPOINTS: {exc}") from None
    if settings.slack_webhook_url is not None:
        url = settings.slack_webhook_url.get_secret_value()
        offers.append(
            slack.offer(slack.SlackConfig(url, case_url(settings), settings.webhook_timeout_seconds))
        )
    return offers


def writeback_runner(
    settings: Settings, sessions: sessionmaker[Session], clock: Clock, offers: Sequence[Offer], owner: str
) -> WritebackRunner | None:
    """The runner over every offer's destinations; None when no provider writes back."""
    destinations = [d for o in offers for d in o.destinations]
    if not destinations:
        return None
    policy = RetryPolicy(
        max_attempts=settings.writeback_max_attempts,
        base_seconds=settings.writeback_backoff_seconds,
        cap_seconds=settings.writeback_backoff_cap_seconds,
    )
    return WritebackRunner(
        sessions,
        clock,
        destinations,
        owner=owner,
        policy=policy,
        lease_seconds=settings.writeback_lease_seconds,
        batch_size=settings.writeback_batch_size,
    )
