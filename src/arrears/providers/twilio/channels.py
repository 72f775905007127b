"""Twilio behind the ``Channel`` interface: outbound calls (voice) and texts (SMS, WhatsApp).

Only the dispatcher calls ``send``, and only after the contact gate allowed that very contact, so nothing
dials or texts without the gate. A call carries no script: Twilio fetches the answer webhook, which hands
the call to the conversation service (the dialogue speaks, not the rendered template). Answering-machine
detection runs synchronously (``DetectMessageEnd``), so the answer webhook already knows whether a person
or a machine picked up and a machine only ever hears the limited-content voicemail.

Twilio cannot be asked "did a request with this key leave?"; ``lookup`` lists the messages or calls between
the two numbers since the action was planned instead (see ``lookup.py`` for the reasoning and the residual
risk). Without a way to recall the action (``recall``), ``lookup`` returns None: the action stays
``unknown`` for a person instead of being sent twice. A WhatsApp message obeys the 24-hour window
(``whatsapp.py``), decided before any HTTP call.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from requests import RequestException

from arrears.channels.base import ChannelError, DeliveryResult, DeliveryStatus, OutboundMessage
from arrears.providers.twilio import lookup as found
from arrears.providers.twilio import whatsapp
from arrears.providers.twilio.history import LastInbound, Recall
from twilio.base.exceptions import TwilioException, TwilioRestException  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]

PROVIDER = "twilio"
_RETRYABLE = {429, 500, 502, 503, 504}
#: Error codes Twilio answers with a 400 that say nothing against the message: 21611, the sender's queue
#: is full (over 10 hours of messages waiting); it drains, so the send is retried later.
_RETRYABLE_CODES = {21611}


def _result_of(exc: Exception) -> DeliveryResult:
    """A refusal of the message (bad number, unverified sender) is final; throttling and outages are
    retried, and so is a refusal of our credentials (401, code 20003): it says nothing about the message,
    and a rotated token must not end every customer's step (`arrears providers check` explains it)."""
    if (
        isinstance(exc, TwilioRestException)
        and exc.status not in _RETRYABLE | {401}
        and exc.code not in _RETRYABLE_CODES
    ):
        return DeliveryResult(DeliveryStatus.REJECTED, PROVIDER, error=f"twilio {exc.status} code {exc.code}")
    raise ChannelError(f"twilio unavailable: {type(exc).__name__}") from exc


class TwilioVoice:
    name = "voice"

    def __init__(
        self, client: Client, from_number: str, public_base_url: str, recall: Recall | None = None
    ) -> None:
        self.client = client
        self.from_number = from_number
        self.base = public_base_url.rstrip("/")
        self.recall = recall

    def send(self, message: OutboundMessage) -> DeliveryResult:
        key = quote(message.idempotency_key, safe="")
        try:
            call = self.client.calls.create(
                to=message.destination,
                from_=self.from_number,
                url=f"{self.base}/v1/twilio/voice/answer?key={key}",
                method="POST",
                status_callback=f"{self.base}/v1/twilio/voice/status?key={key}",
                status_callback_event=["initiated", "ringing", "answered", "completed"],
                status_callback_method="POST",
                machine_detection="DetectMessageEnd",
                async_amd="false",
            )
        except (TwilioException, RequestException) as exc:
            return _result_of(exc)
        return DeliveryResult(DeliveryStatus.SENT, PROVIDER, str(call.sid))

    def lookup(self, idempotency_key: str) -> DeliveryResult | None:
        """Calls from our number to this one started since the action was planned (``lookup.py``)."""
        record = self.recall(idempotency_key) if self.recall else None
        if record is None:
            return None
        try:
            calls = self.client.calls.list(
                to=record.destination,
                from_=self.from_number,
                start_time_after=found.day_of(record.since),
                limit=found.MAX_LISTED,
                page_size=found.PAGE_SIZE,
            )
        except Exception as exc:
            raise found.listing_failed(exc) from exc
        return found.settle(record, calls)


class TwilioMessaging:
    """SMS, or WhatsApp when ``channel`` is "whatsapp" (addresses then carry the ``whatsapp:`` prefix).

    WhatsApp needs ``last_inbound`` (when the customer last wrote) to know the window; without it every
    WhatsApp message is treated as outside the window (the safe side: templates only)."""

    def __init__(
        self,
        client: Client,
        channel: str,
        from_number: str,
        public_base_url: str | None,
        *,
        recall: Recall | None = None,
        last_inbound: LastInbound | None = None,
        templates: Mapping[str, whatsapp.ApprovedTemplate] | None = None,
    ) -> None:
        if channel not in ("sms", "whatsapp"):
            raise ValueError(f"TwilioMessaging sends sms or whatsapp, not {channel!r}")
        self.client = client
        self.name = channel
        self.prefix = "whatsapp:" if channel == "whatsapp" else ""
        self.from_number = from_number
        self.status_url = (
            f"{public_base_url.rstrip('/')}/v1/twilio/messages/status" if public_base_url else None
        )
        self.recall = recall
        self.last_inbound = last_inbound
        self.templates = templates or {}

    def _address(self, number: str) -> str:
        return number if number.startswith(self.prefix) else f"{self.prefix}{number}"

    def _content(self, message: OutboundMessage) -> dict[str, Any] | DeliveryResult:
        """The body, or the approved template outside WhatsApp's window, or the refusal (no HTTP call)."""
        if self.name != "whatsapp":
            return {"body": message.body}
        now = message.sent_at or datetime.now(UTC)
        number = message.destination.removeprefix("whatsapp:")
        last = self.last_inbound(number, now) if self.last_inbound else None
        decided = whatsapp.plan(message.template, message.fields, last, now, self.templates)
        if isinstance(decided, whatsapp.Refusal):
            return DeliveryResult(DeliveryStatus.REJECTED, PROVIDER, error=decided.reason)
        if isinstance(decided, whatsapp.TemplateSend):
            return {"content_sid": decided.content_sid, "content_variables": decided.content_variables}
        return {"body": message.body}

    def send(self, message: OutboundMessage) -> DeliveryResult:
        content = self._content(message)
        if isinstance(content, DeliveryResult):
            return content
        extra: dict[str, Any] = {}
        if self.status_url:  # our key rides along, so a status report names the action it is about
            extra["status_callback"] = f"{self.status_url}?key={quote(message.idempotency_key, safe='')}"
        try:
            sent = self.client.messages.create(
                to=self._address(message.destination),
                from_=self._address(self.from_number),
                **content,
                **extra,
            )
        except (TwilioException, RequestException) as exc:
            return _result_of(exc)
        return DeliveryResult(DeliveryStatus.SENT, PROVIDER, str(sent.sid))

    def lookup(self, idempotency_key: str) -> DeliveryResult | None:
        """Messages from our number to this one sent since the action was planned (``lookup.py``)."""
        record = self.recall(idempotency_key) if self.recall else None
        if record is None:
            return None
        try:
            messages = self.client.messages.list(
                to=self._address(record.destination),
                from_=self._address(self.from_number),
                date_sent_after=found.day_of(record.since),
                limit=found.MAX_LISTED,
                page_size=found.PAGE_SIZE,
            )
        except Exception as exc:
            raise found.listing_failed(exc) from exc
        return found.settle(record, messages)
