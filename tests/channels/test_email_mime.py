"""The one email builder: what the file sink writes and SMTP sends, deterministic per idempotency key."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from arrears.channels.base import OutboundMessage
from arrears.channels.email_mime import (
    MAX_MESSAGE_ID,
    EmailAddressError,
    address_domain,
    build_email,
    message_id,
)
from arrears.providers.local.sinks import EmailFileSink

KEY = "00702c991f2e11a3276a5ea2a45bad937f4eec64"


def _message(key: str = KEY) -> OutboundMessage:
    return OutboundMessage(
        idempotency_key=key,
        channel="email",
        destination="ana@example.com",
        body="Hello Ana,",
        subject="Your account",
        html="<p>Hello Ana,</p>",
        headers={"List-Unsubscribe": "<https://x.example/u/1>"},
        sent_at=datetime(2026, 3, 2, 14, 0, tzinfo=UTC),
        sender_name="Acme",
    )


def test_the_message_id_comes_from_the_key() -> None:
    assert message_id(KEY, "acme.example") == f"<{KEY}@acme.example>"
    assert message_id("not a dot-atom!", "acme.example") == message_id("not a dot-atom!", "acme.example")
    assert " " not in message_id("not a dot-atom!", "acme.example")
    long_domain = "mail." + "x" * 90 + ".example"  # 103 characters
    assert len(message_id(KEY, long_domain)) <= MAX_MESSAGE_ID  # fits interactions.provider_id


def test_the_file_sink_writes_what_smtp_sends(tmp_path: Path) -> None:
    EmailFileSink(tmp_path, sender="Arrears <collections@acme.example>").send(_message())
    written = (tmp_path / f"{KEY}.eml").read_bytes()
    assert written == bytes(build_email(_message(), "Arrears <collections@acme.example>"))
    parsed = message_from_bytes(written, policy=policy.default)
    assert parsed["Message-ID"] == f"<{KEY}@acme.example>" and parsed["X-Arrears-Idempotency-Key"] == KEY
    assert parsed["From"].addresses[0].display_name == "Acme"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]


def test_a_sender_without_a_domain_is_refused() -> None:
    assert address_domain("Acme <Billing@Acme.Example>") == "acme.example"
    for bad in ("collections", "collections@", "@acme.example", "a@localhost"):
        with pytest.raises(EmailAddressError, match="not an email address"):
            address_domain(bad)
