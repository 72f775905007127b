"""The worker sends yesterday's summary once, after the summary hour, through SMTP when it is configured:
the system built from settings, two workers ticking, a real SMTP server (the SMTP fake) receiving."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import Engine

from arrears.core.clock import SimulatedClock
from arrears.fakes import smtp as smtp_fake
from arrears.settings import Settings
from arrears.system import build_system

SIX_AM = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)  # 06:00 in New York


def test_two_workers_send_one_summary_after_the_hour(engine: Engine, tmp_path: Path) -> None:
    fake = smtp_fake.start(security="none")
    try:
        smtp = {key.removeprefix("ARREARS_").lower(): value for key, value in fake.env.items()}
        settings = Settings.model_validate(
            {
                "database_url": engine.url.render_as_string(hide_password=False),
                "outbox_dir": tmp_path / "out",
                "agent_business_name": "Acme",
                "summary_recipients": "boss@example.com",
                "summary_hour": 7,
                "summary_time_zone": "America/New_York",
                "summary_locale": "de-DE",
            }
            | smtp
        )
        clock = SimulatedClock(SIX_AM)
        system = build_system(settings, clock=clock, engine=engine)
        one, two = system.worker("w1"), system.worker("w2")
        one.tick()
        assert fake.received == []  # before 07:00 local
        clock.advance(timedelta(hours=2))
        for worker in (one, two, one, two):
            worker.tick()
        (received,) = fake.received
        assert received.rcpt_tos == ("boss@example.com",)
        mail = message_from_bytes(received.data, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        assert mail["Subject"] == "Acme: collections summary for 30.11.2026"
        text = mail.get_body(("plain",))
        html = mail.get_body(("html",))
        assert text is not None and html is not None
        assert "Montag, 30. November 2026" in text.get_content()
        assert "<table" in html.get_content()
    finally:
        fake.stop()


def test_a_bad_recipient_is_refused_at_start_naming_the_setting() -> None:
    with pytest.raises(ValueError, match="ARREARS_SUMMARY_RECIPIENTS: 'boss' is not an e-mail address"):
        Settings.model_validate({"summary_recipients": "a@b.example, boss"})
    with pytest.raises(ValueError, match="ARREARS_SUMMARY_TIME_ZONE"):
        Settings.model_validate({"summary_time_zone": "Mars/Olympus"})
