"""Slack alerts through an incoming webhook: a person is told when a task needs them, never of routine
events. All the tasks opened in one write-back pass go out as one message (`deliver_batch`)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from arrears.feed import EventKind, FeedEvent
from arrears.providers.base import Offer
from arrears.providers.checks import CheckResult, ProviderCheck
from arrears.providers.slack.message import tasks_message
from arrears.providers.webhooks.http import post
from arrears.writeback.base import CaseSnapshot, Item

#: https://hooks.slack.com/services/T.../B.../secret: what Slack hands out for an incoming webhook.
SLACK_URL = re.compile(r"^https://hooks\.slack\.com/services/[A-Z0-9]+/[A-Z0-9]+/[A-Za-z0-9]+$")


@dataclass(frozen=True)
class SlackConfig:
    webhook_url: str
    case_url: str | None = None  # e.g. https://arrears.example.com/v1/cases/{case_id}
    timeout_seconds: float = 10.0


class SlackAlerts:
    """The "slack" destination: task.opened only, one message per pass. Slack's incoming webhooks take no
    idempotency key, so a crash between posting and recording can repeat one alert (at-least-once)."""

    name = "slack"

    def __init__(self, config: SlackConfig, client: httpx.Client | None = None) -> None:
        self.config = config
        self._client = client or httpx.Client(timeout=httpx.Timeout(config.timeout_seconds))

    def accepts(self, kind: str) -> bool:
        return kind == EventKind.TASK_OPENED

    def deliver(self, event: FeedEvent, case: CaseSnapshot | None) -> None:
        self.deliver_batch([(event, case)])

    def deliver_batch(self, items: Sequence[Item]) -> None:
        """200 "ok" delivered; 400/403/404/410 (invalid_payload, invalid_token, no_service,
        channel_is_archived) refused; 429 (Retry-After) and 5xx retried."""
        content = json.dumps(tasks_message(items, self.config.case_url)).encode("utf-8")
        headers = {"content-type": "application/json"}
        post(self._client, self.config.webhook_url, "slack", content=content, headers=headers)


def url_check(url: str) -> ProviderCheck:
    def check() -> CheckResult:
        if urlsplit(url).hostname in ("127.0.0.1", "localhost"):
            return CheckResult("slack", True, "a local receiver on this machine (not Slack): not called")
        if not SLACK_URL.match(url):
            fix = "set ARREARS_SLACK_WEBHOOK_URL to the URL Slack shows for the app's incoming webhook"
            return CheckResult("slack", False, "not a Slack incoming-webhook URL", fix)
        detail = "the webhook URL has Slack's shape; Slack offers no read-only call, so it is not called"
        return CheckResult("slack", True, detail)

    return check


def offer(config: SlackConfig) -> Offer:
    return Offer(name="slack", destinations=[SlackAlerts(config)], checks=[url_check(config.webhook_url)])


__all__ = ["SLACK_URL", "SlackAlerts", "SlackConfig", "offer"]
