"""Finding a send whose outcome is unknown (the sender died or stalled mid-request) in Twilio's own lists.

Twilio cannot be searched by our idempotency key: it keeps no client reference on a Message or a Call (the
key rides in the StatusCallback URL, which the list endpoints do not return). What it can list is the
traffic between two numbers since a date, and that is enough: every message and call from our number is
ours, each recorded with its SID once it is known, so a listed SID that no other outbox row claims, created
after this row was planned, is this row's send. The answer is:

- SENT with that SID when exactly one unclaimed message or call is listed;
- FAILED when the whole window was listed and none is: the request never reached Twilio, so it is queued
  again;
- None (unsure: a person decides) when two or more unclaimed ones are listed, or the list is too long to
  read whole.

Residual risk, documented in docs/providers/twilio.md: something else sending from the same number to the
same customer in the window (another system sharing the number, a person in Twilio's console) would be
taken for our send; and a message still queued at Twilio (not yet sent) has no DateSent, so it is missed if
the lookup runs before Twilio sends it. Lookups run `retry.reconcile_after_minutes` (an hour by default)
after the lease ran out, far beyond Twilio's usual queueing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from requests import RequestException

from arrears.channels.base import ChannelError, DeliveryResult, DeliveryStatus
from arrears.providers.twilio.history import SendRecord
from twilio.base.exceptions import TwilioException  # type: ignore[import-untyped]

PROVIDER = "twilio"
#: More than this many records between two numbers since the row was planned: too many to be sure.
MAX_LISTED = 200
#: Records per page asked of Twilio (it answers at most 1000; the SDK follows next_page_uri).
PAGE_SIZE = 50
#: Clocks differ: a record created a little before the row's planning time still counts.
SKEW = timedelta(minutes=5)


class _Listed(Protocol):
    sid: str
    date_created: datetime | None


def settle(record: SendRecord, listed: Iterable[Any]) -> DeliveryResult | None:
    """The verdict on one unknown send, from what Twilio listed between the two numbers (pure)."""
    items: list[_Listed] = list(listed)
    if len(items) >= MAX_LISTED:
        return None
    since = record.since if record.since.tzinfo else record.since.replace(tzinfo=UTC)
    ours = [
        item
        for item in items
        if str(item.sid) not in record.known
        and (item.date_created is None or item.date_created >= since - SKEW)
    ]
    if len(ours) == 1:
        return DeliveryResult(DeliveryStatus.SENT, PROVIDER, str(ours[0].sid))
    if not ours:
        return DeliveryResult(DeliveryStatus.FAILED, PROVIDER, error="twilio: not in the listing")
    return None


def listing_failed(exc: Exception) -> ChannelError:
    """A lookup that could not list (throttled, down, refused): ask again later, never guess."""
    if isinstance(exc, TwilioException | RequestException):
        status = getattr(exc, "status", None)
        return ChannelError(f"twilio lookup failed: {type(exc).__name__} {status or ''}".strip())
    raise exc


def day_of(at: datetime) -> datetime:
    """Twilio filters lists by GMT day: start from the day the row was planned."""
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    at = (at - SKEW).astimezone(UTC)
    return datetime(at.year, at.month, at.day, tzinfo=UTC)
