"""Twilio's error answers through the official SDK: throttling and outages are retried (ChannelError), a
refused number is final (REJECTED naming Twilio's code), and every error body is Twilio's own shape."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.request import Request, urlopen

import pytest

from arrears.channels.base import ChannelError, DeliveryStatus
from arrears.fakes.twilio import ACCOUNT_SID, FROM_NUMBER, FakeTwilio, fake_twilio
from arrears.providers.twilio.channels import TwilioMessaging, TwilioVoice
from arrears.providers.twilio.client import make_client
from tests.providers.twilio.support import BASE, config, outbound


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with fake_twilio() as running:
        yield running


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (500, 20500)])
def test_throttling_and_outages_are_retried(fake: FakeTwilio, status: int, code: int) -> None:
    sms = TwilioMessaging(make_client(config(fake.url)), "sms", FROM_NUMBER, BASE)
    fake.fail_next.append(status)
    with pytest.raises(ChannelError, match="twilio unavailable"):
        sms.send(outbound("sms"))
    assert len(fake.creates()) == 1
    assert sms.send(outbound("sms")).status is DeliveryStatus.SENT  # the retry goes through


def test_a_full_sender_queue_is_retried_not_a_refusal_of_the_message(fake: FakeTwilio) -> None:
    """21611 comes as a 400, but says the sender's queue is full (it drains), not that the message is bad."""
    sms = TwilioMessaging(make_client(config(fake.url)), "sms", FROM_NUMBER, BASE)
    fake.fail_next.append((400, 21611))
    with pytest.raises(ChannelError, match="twilio unavailable"):
        sms.send(outbound("sms"))
    assert sms.send(outbound("sms")).status is DeliveryStatus.SENT


def test_refused_credentials_are_not_the_messages_fault() -> None:
    with fake_twilio(auth_token="the-real-token") as fake:
        sms = TwilioMessaging(
            make_client(config(fake.url, token="a-rotated-token")), "sms", FROM_NUMBER, BASE
        )
        with pytest.raises(ChannelError):
            sms.send(outbound("sms"))


def test_an_invalid_number_is_final_with_twilios_code(fake: FakeTwilio) -> None:
    fake.reject.add("+19999999999")
    sms = TwilioMessaging(make_client(config(fake.url)), "sms", FROM_NUMBER, BASE)
    refused = sms.send(outbound("sms", to="+19999999999"))
    assert refused.status is DeliveryStatus.REJECTED and refused.error == "twilio 400 code 21211"
    voice = TwilioVoice(make_client(config(fake.url)), FROM_NUMBER, BASE)
    assert voice.send(outbound("voice", to="+19999999999")).status is DeliveryStatus.REJECTED


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (500, 20500), (400, 21211)])
def test_error_bodies_are_twilios(fake: FakeTwilio, status: int, code: int) -> None:
    fake.fail_next.append(status)
    request = Request(f"{fake.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json", method="GET")
    with pytest.raises(Exception) as raised:
        urlopen(request, timeout=5)
    body = json.loads(raised.value.read())  # type: ignore[attr-defined]
    assert body == {
        "code": code,
        "message": body["message"],
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    assert raised.value.code == status  # type: ignore[attr-defined]
