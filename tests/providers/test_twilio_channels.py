"""The Twilio channels through the official SDK against a local fake of the REST API (real sockets)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from arrears.channels.base import ChannelError, DeliveryStatus, OutboundMessage
from arrears.providers.twilio.channels import TwilioMessaging, TwilioVoice
from arrears.providers.twilio.client import TwilioConfig, make_client
from tests.fakes.twilio_api import FakeTwilio, fake_twilio

ACCOUNT = "AC" + "1" * 32


def config(api: str) -> TwilioConfig:
    return TwilioConfig(
        ACCOUNT, "secret-token", "+15005550006", "+15005550007", "https://arrears.example", api
    )


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with fake_twilio() as running:
        yield running


def message(channel: str, to: str = "+12125550143") -> OutboundMessage:
    return OutboundMessage("key/1", channel, to, "Hi Dana, please pay.", case_id="c1", customer_id="u1")


def test_a_call_is_placed_with_machine_detection_and_signed_webhook_urls(fake: FakeTwilio) -> None:
    voice = TwilioVoice(make_client(config(fake.url)), "+15005550006", "https://arrears.example")
    result = voice.send(message("voice"))
    assert result.status is DeliveryStatus.SENT and result.provider == "twilio"
    assert result.provider_id is not None and result.provider_id.startswith("CA")
    sent = fake.requests[-1]
    assert sent.path == f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json" and sent.account == ACCOUNT
    assert (sent.one("To"), sent.one("From")) == ("+12125550143", "+15005550006")
    assert sent.one("Url") == "https://arrears.example/v1/twilio/voice/answer?key=key%2F1"
    assert sent.one("StatusCallback") == "https://arrears.example/v1/twilio/voice/status?key=key%2F1"
    assert (sent.one("MachineDetection"), sent.one("AsyncAmd")) == ("DetectMessageEnd", "false")
    assert voice.lookup("key/1") is None  # no way to recall the action: it stays unknown for a person


def test_sms_messages_carry_our_key_in_the_status_callback(fake: FakeTwilio) -> None:
    client = make_client(config(fake.url))
    sms = TwilioMessaging(client, "sms", "+15005550006", "https://arrears.example")
    result = sms.send(message("sms"))
    assert result.status is DeliveryStatus.SENT and (result.provider_id or "").startswith("SM")
    assert (fake.requests[-1].one("To"), fake.requests[-1].one("Body")) == (
        "+12125550143",
        "Hi Dana, please pay.",
    )
    assert fake.requests[-1].one("StatusCallback") == (
        "https://arrears.example/v1/twilio/messages/status?key=key%2F1"
    )
    # WhatsApp (its 24-hour window and templates): tests/providers/twilio/test_whatsapp.py


def test_a_refused_number_is_final_and_an_outage_is_retried(fake: FakeTwilio) -> None:
    fake.reject.add("+19999999999")
    sms = TwilioMessaging(make_client(config(fake.url)), "sms", "+15005550006", None)
    refused = sms.send(message("sms", "+19999999999"))
    assert refused.status is DeliveryStatus.REJECTED and "21211" in (refused.error or "")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    down = TwilioMessaging(
        make_client(config(f"http://127.0.0.1:{closed_port}")), "sms", "+15005550006", None
    )
    with pytest.raises(ChannelError):
        down.send(message("sms"))
