"""What an HTTP answer means for a write-back: delivered, try again later (and when), or refused for good."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from arrears.writeback.base import DeliveryRefused, DeliveryUnavailable

#: Answers that mean "not now" rather than "never" (besides every 5xx).
RETRYABLE = frozenset({408, 409, 425, 429})


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def judge(response: httpx.Response, what: str) -> None:
    """Return on 2xx; raise DeliveryUnavailable on retryable answers, DeliveryRefused on the rest."""
    status = response.status_code
    if 200 <= status < 300:
        return
    body = response.text[:200].strip()
    message = f"{what} answered {status}" + (f": {body}" if body else "")
    if status in RETRYABLE or status >= 500:
        raise DeliveryUnavailable(message, retry_after=retry_after(response.headers.get("retry-after")))
    raise DeliveryRefused(message)


def post(client: httpx.Client, url: str, what: str, *, content: bytes, headers: Mapping[str, str]) -> None:
    """POST and judge the answer; a network failure or timeout is retryable."""
    try:
        response = client.post(url, content=content, headers=dict(headers))
    except httpx.TimeoutException:
        raise DeliveryUnavailable(f"{what} timed out") from None
    except httpx.TransportError as exc:
        raise DeliveryUnavailable(f"{what} unreachable ({type(exc).__name__})") from None
    judge(response, what)
