"""WhatsApp's 24-hour window, enforced before the send: the customer's last inbound WhatsApp message comes
in through Twilio's signed webhook (stored in the inbox); inside 24 hours the body goes out, outside them
the step's approved Content template (ContentSid + ContentVariables), and with no approved template the
send is rejected with the reason and no HTTP call. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from arrears.channels.base import Channel, DeliveryStatus
from arrears.core.clock import SimulatedClock
from arrears.fakes.twilio import WHATSAPP_FROM, FakeTwilio, fake_twilio
from arrears.providers.twilio.whatsapp import TemplatesError, load_templates
from arrears.system import System, build_system
from tests.conversations.support import NOW
from tests.providers.twilio.support import CUSTOMER, outbound
from tests.providers.twilio_support import signed, twilio_settings

SID = "HX" + "a" * 32
TEMPLATES = f"""
templates:
  consumer/reminder:
    content_sid: {SID}
    variables: {{"1": customer_name, "2": balance}}
  consumer/payment-link:
    content_sid: HX{"b" * 32}
    variables: {{"1": link}}
"""


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with fake_twilio() as running:
        yield running


@pytest.fixture
def system(engine: Engine, fake: FakeTwilio, tmp_path: Path) -> Iterator[System]:
    (tmp_path / "whatsapp.yaml").write_text(TEMPLATES)
    settings = twilio_settings(engine.url.render_as_string(hide_password=False), fake.url, tmp_path)
    settings = settings.model_copy(update={"twilio_whatsapp_templates": tmp_path / "whatsapp.yaml"})
    built = build_system(settings, clock=SimulatedClock(NOW), engine=engine)
    yield built


def whatsapp(system: System) -> Channel:
    offer = next(o for o in system.offers if o.name == "twilio")
    return offer.channels["whatsapp"]


def customer_writes(system: System) -> None:
    """The customer's WhatsApp message reaches our webhook at NOW, signed by Twilio."""
    form = {"From": f"whatsapp:{CUSTOMER}", "To": f"whatsapp:{WHATSAPP_FROM}", "Body": "hi"}
    form |= {"MessageSid": "SMin1", "AccountSid": "AC" + "2" * 32}
    with TestClient(system.web()) as client:
        assert signed(client, "/v1/twilio/messages", form).status_code == 200


def test_inside_the_window_the_body_goes_out(system: System, fake: FakeTwilio) -> None:
    customer_writes(system)
    result = whatsapp(system).send(outbound("whatsapp", at=NOW + timedelta(hours=23, minutes=59)))
    assert result.status is DeliveryStatus.SENT
    sent = fake.creates()[-1]
    assert sent.one("Body").startswith("Hi Dana") and "ContentSid" not in sent.form
    assert (sent.one("To"), sent.one("From")) == (f"whatsapp:{CUSTOMER}", f"whatsapp:{WHATSAPP_FROM}")
    assert (
        sent.one("StatusCallback") == "https://arrears.example/v1/twilio/messages/status?key=step-1%2Fcase-1"
    )


def test_outside_the_window_the_approved_template_goes_out(system: System, fake: FakeTwilio) -> None:
    customer_writes(system)
    result = whatsapp(system).send(outbound("whatsapp", at=NOW + timedelta(hours=24, minutes=1)))
    assert result.status is DeliveryStatus.SENT and (result.provider_id or "").startswith("SM")
    sent = fake.creates()[-1]
    assert sent.one("ContentSid") == SID and "Body" not in sent.form
    assert json.loads(sent.one("ContentVariables")) == {"1": "Dana Reyes", "2": "$243.50"}


def test_a_customer_who_never_wrote_gets_only_templates(system: System, fake: FakeTwilio) -> None:
    whatsapp(system).send(outbound("whatsapp", at=NOW))
    assert fake.creates()[-1].one("ContentSid") == SID


def test_outside_the_window_without_a_template_nothing_is_sent(system: System, fake: FakeTwilio) -> None:
    result = whatsapp(system).send(outbound("whatsapp", at=NOW, template="consumer/final-notice"))
    assert result.status is DeliveryStatus.REJECTED
    assert result.error == (
        "whatsapp: outside the 24-hour window and no approved template for 'consumer/final-notice'"
    )
    lacking = whatsapp(system).send(outbound("whatsapp", at=NOW, template="consumer/payment-link"))
    assert lacking.status is DeliveryStatus.REJECTED and "'link'" in (lacking.error or "")
    assert fake.requests == []  # decided before any HTTP call


def test_sms_ignores_the_window(system: System, fake: FakeTwilio) -> None:
    offer = next(o for o in system.offers if o.name == "twilio")
    assert offer.channels["sms"].send(outbound("sms", at=NOW)).status is DeliveryStatus.SENT
    assert "Body" in fake.creates()[-1].form


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("templates:\n  r:\n    content_sid: HX1\n", "templates.r.content_sid"),
        (
            f"templates:\n  r:\n    content_sid: {SID}\n    variables: {{'1': iban}}\n",
            "templates.r.variables.1",
        ),
        (
            f"templates:\n  r:\n    content_sid: {SID}\n    variables: {{x: balance}}\n",
            "templates.r.variables.x",
        ),
        ("- just a list\n", "'templates' mapping"),
    ],
)
def test_a_wrong_templates_file_names_the_field(tmp_path: Path, text: str, named: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    with pytest.raises(TemplatesError, match=named.replace(".", r"\.")):
        load_templates(path)


def test_json_templates_file(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"templates": {"r": {"content_sid": SID, "variables": {"1": "balance"}}}}))
    assert load_templates(path)["r"].variables == {"1": "balance"}
