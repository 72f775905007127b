"""The demo's telephone network and mail server: simulated people reach the running app the way real ones
do, through Twilio's signed webhooks (texts, calls) and the events API (e-mails relayed by a mail system,
payments reported by the billing system). Nothing here touches the store: every word and every payment
goes in through the one way in.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from arrears.core.ids import idempotency_key
from arrears.fakes import mailgun
from arrears.fakes import stripe as stripe_fake

if TYPE_CHECKING:
    from arrears.demo.providers import LocalFakes

#: The demo's own Twilio number and mailbox (what customers write to).
OUR_NUMBER = "+15550100100"
OUR_MAILBOX = "collections@demo.arrears.local"


@dataclass(frozen=True)
class Spoken:
    """What the agent said on a call, and where Twilio would post the next turn (None: the call ended)."""

    text: str
    next_turn: str | None


class Network:
    def __init__(
        self,
        client: TestClient,
        base_url: str,
        auth_token: str,
        api_key: str,
        fakes: LocalFakes | None = None,
    ) -> None:
        """With `fakes`, e-mails arrive as Mailgun posts them and card payments as Stripe's signed events."""
        self.client = client
        self.base = base_url.rstrip("/")
        self.validator = RequestValidator(auth_token)
        self.api_headers = {"Authorization": f"Bearer {api_key}"}
        self.fakes = fakes

    def text(self, channel: str, sender: str, body: str, sent_at: str) -> None:
        """A customer's SMS or WhatsApp message to our number, as Twilio posts it."""
        prefix = "whatsapp:" if channel == "whatsapp" else ""
        sid = "SM" + idempotency_key("demo-text", sender, sent_at, body)[:32]
        form = {"MessageSid": sid, "From": f"{prefix}{sender}", "To": f"{prefix}{OUR_NUMBER}", "Body": body}
        self._twilio("/v1/twilio/messages", form)

    def email(self, sender: str, body: str, sent_at: str) -> None:
        """A customer's e-mail: relayed by the mail system through the events API, or with the local fakes
        posted by Mailgun's inbound route, signed at the simulated time."""
        if self.fakes is not None:
            stamp = int(datetime.fromisoformat(sent_at).timestamp())
            reply = mailgun.customer_reply(sender, OUR_MAILBOX, body)
            key = self.fakes.mailgun_signing_key
            answer = mailgun.post_inbound(self.base, key, reply, client=self.client, timestamp=stamp)
            if answer.status_code not in (200, 202, 204):
                raise RuntimeError(f"the demo's Mailgun post was refused: {answer.status_code}")
            return
        message_id = "<" + idempotency_key("demo-mail", sender, sent_at, body)[:24] + "@mail.demo>"
        event = {
            "type": "message.received",
            "message_id": message_id,
            "channel": "email",
            "sender": sender,
            "recipient": OUR_MAILBOX,
            "text": body,
        }
        self.post_event(event, message_id)

    def post_event(self, event: dict[str, Any], key: str) -> None:
        response = self.client.post(
            "/v1/events", json=event, headers={**self.api_headers, "Idempotency-Key": key}
        )
        if response.status_code not in (200, 202):
            raise RuntimeError(f"the demo's event was refused: {response.status_code} {response.text}")

    def pay_online(self, url: str) -> None:
        """A customer opens the payment link of a message and pays on its page (the local provider's test
        payment: the page records it through the inbox)."""
        path = urlsplit(url).path
        for method in (self.client.get, self.client.post):
            response = method(path)
            if response.status_code != 200:
                raise RuntimeError(f"the demo's payment page answered {response.status_code}: {url}")

    def pay_with_stripe(self, reference: str, at: int) -> None:
        """A customer pays a Stripe Checkout Session or Payment Link: Stripe's two signed events."""
        assert self.fakes is not None, "Stripe links only exist with the local fakes"
        state = self.fakes.stripe_state
        for event in stripe_fake.payment_events(state, reference):
            payload = json.dumps(event, separators=(",", ":"))
            header = stripe_fake.signed(payload, state.webhook_secret, at)
            response = self.client.post(
                "/v1/stripe/webhook",
                content=payload,
                headers={"Content-Type": "application/json", "Stripe-Signature": header},
            )
            if response.status_code != 200:
                raise RuntimeError(f"the demo's Stripe event was refused: {response.status_code}")

    def answer_call(self, key: str, call_sid: str, customer: str) -> Spoken:
        form = {"CallSid": call_sid, "From": OUR_NUMBER, "To": customer, "AnsweredBy": "human"}
        return self._spoken(self._twilio(f"/v1/twilio/voice/answer?key={quote(key)}", form))

    def say(self, turn_url: str, call_sid: str, words: str) -> Spoken:
        return self._spoken(self._twilio(turn_url, {"CallSid": call_sid, "SpeechResult": words}))

    def hang_up(self, key: str, call_sid: str, seconds: int) -> None:
        form = {"CallSid": call_sid, "CallStatus": "completed", "CallDuration": str(seconds)}
        self._twilio(f"/v1/twilio/voice/status?key={quote(key)}", form)

    def _twilio(self, path: str, form: dict[str, str]) -> str:
        url = f"{self.base}{path}"
        signature = self.validator.compute_signature(url, form)
        response = self.client.post(path, data=form, headers={"X-Twilio-Signature": signature})
        if response.status_code not in (200, 204):
            raise RuntimeError(
                f"the demo's Twilio webhook was refused: {response.status_code} {response.text}"
            )
        return str(response.text)

    def _spoken(self, twiml: str) -> Spoken:
        root = ET.fromstring(twiml)
        said = " ".join((say.text or "").strip() for say in root.iter("Say"))
        gather = root.find("Gather")
        if gather is None:
            return Spoken(said, None)
        action = urlsplit(gather.attrib["action"])
        return Spoken(said, f"{action.path}?{action.query}")
