"""One signed-webhook endpoint as a write-back destination ("webhook:<name>").

Each event is POSTed as `{"type", "timestamp", "data"}` with the Standard Webhooks headers; the event id is
the `webhook-id`, so a receiver that deduplicates on it sees a redelivery (after a crash, a replay) as the
same message. `data` carries the event and a snapshot of its case as it stands at delivery.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import httpx

from arrears.feed import FeedEvent
from arrears.providers.webhooks.config import Endpoint
from arrears.providers.webhooks.http import post
from arrears.providers.webhooks.signing import signed_headers
from arrears.writeback.base import CaseSnapshot


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def body(event: FeedEvent, case: CaseSnapshot | None) -> bytes:
    """The message body: compact JSON, keys in a fixed order (the signature covers these exact bytes)."""
    data = event.to_json()
    data.pop("position")
    data["case"] = {k: _plain(v) for k, v in dataclasses.asdict(case).items()} if case else None
    message = {"type": event.kind, "timestamp": event.occurred_at.isoformat(), "data": data}
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class WebhookDestination:
    """POSTs each accepted event to one endpoint, signed with each of its secrets."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        timeout_seconds: float = 10.0,
        client: httpx.Client | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.endpoint = endpoint
        self.name = f"webhook:{endpoint.name}"
        self._client = client or httpx.Client(timeout=httpx.Timeout(timeout_seconds), follow_redirects=False)
        self._wall = wall  # the signing time is the sending time: receivers reject stale timestamps

    def accepts(self, kind: str) -> bool:
        return self.endpoint.accepts(kind)

    def deliver(self, event: FeedEvent, case: CaseSnapshot | None) -> None:
        content = body(event, case)
        headers = signed_headers(self.endpoint.secrets, event.id, int(self._wall()), content)
        headers["content-type"] = "application/json"
        headers["user-agent"] = "arrears-webhooks/1"
        post(
            self._client, self.endpoint.url, f"webhook {self.endpoint.name}", content=content, headers=headers
        )
