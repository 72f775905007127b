"""Twilio behind the ``Channel`` interface: outbound calls (voice) and texts (SMS, WhatsApp).

Only the dispatcher calls ``send``, and only after the contact gate allowed that very contact, so nothing
dials or texts without the gate. A call carries no script: Twilio fetches the answer webhook, which hands
the call to the conversation service (the dialogue speaks, not the rendered template). Answering-machine
detection runs synchronously (``DetectMessageEnd``), so the answer webhook already knows whether a person
or a machine picked up and a machine only ever hears the limited-content voicemail.

Twilio cannot be asked "did a request with this key leave?", so ``lookup`` returns None: an action whose
send was interrupted stays ``unknown`` for a person instead of being sent twice.
"""

from __future__ import annotations

from urllib.parse import quote

from requests import RequestException

from arrears.channels.base import ChannelError, DeliveryResult, DeliveryStatus, OutboundMessage
from twilio.base.exceptions import TwilioException, TwilioRestException  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]

PROVIDER = "twilio"
_RETRYABLE = {429, 500, 502, 503, 504}


def _result_of(exc: Exception) -> DeliveryResult:
    """A refusal (bad number, unverified sender) is final; throttling and outages are retried."""
    if isinstance(exc, TwilioRestException) and exc.status not in _RETRYABLE:
        return DeliveryResult(DeliveryStatus.REJECTED, PROVIDER, error=f"twilio {exc.status} code {exc.code}")
    raise ChannelError(f"twilio unavailable: {type(exc).__name__}") from exc


class TwilioVoice:
    name = "voice"

    def __init__(self, client: Client, from_number: str, public_base_url: str) -> None:
        self.client = client
        self.from_number = from_number
        self.base = public_base_url.rstrip("/")

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
        del idempotency_key
        return None


class TwilioMessaging:
    """SMS, or WhatsApp when ``channel`` is "whatsapp" (addresses then carry the ``whatsapp:`` prefix)."""

    def __init__(self, client: Client, channel: str, from_number: str, public_base_url: str | None) -> None:
        if channel not in ("sms", "whatsapp"):
            raise ValueError(f"TwilioMessaging sends sms or whatsapp, not {channel!r}")
        self.client = client
        self.name = channel
        self.prefix = "whatsapp:" if channel == "whatsapp" else ""
        self.from_number = from_number
        self.status_url = (
            f"{public_base_url.rstrip('/')}/v1/twilio/messages/status" if public_base_url else None
        )

    def _address(self, number: str) -> str:
        return number if number.startswith(self.prefix) else f"{self.prefix}{number}"

    def send(self, message: OutboundMessage) -> DeliveryResult:
        extra = {"status_callback": self.status_url} if self.status_url else {}
        try:
            sent = self.client.messages.create(
                to=self._address(message.destination),
                from_=self._address(self.from_number),
                body=message.body,
                **extra,
            )
        except (TwilioException, RequestException) as exc:
            return _result_of(exc)
        return DeliveryResult(DeliveryStatus.SENT, PROVIDER, str(sent.sid))

    def lookup(self, idempotency_key: str) -> DeliveryResult | None:
        del idempotency_key
        return None
