"""The SMTP channel against a real SMTP server: each security mode and AUTH, and what each relay answer
means for the dispatcher (sent, rejected for good, or a ChannelError it retries)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from arrears.channels.base import ChannelError, DeliveryStatus, OutboundMessage
from arrears.fakes.smtp import Security, SmtpFake
from arrears.providers.smtp import SmtpEmail
from tests.providers.smtp.conftest import config_for

KEY = "5e1d0c2b7a9f4e3d8c6b5a4f3e2d1c0b9a8f7e6d"
SENT_AT = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def _message(to: str = "ana@example.com", key: str = KEY) -> OutboundMessage:
    return OutboundMessage(
        idempotency_key=key,
        channel="email",
        destination=to,
        body="Hello Ana,\n\nPay here: https://pay.example/p/1\n",
        subject="A quick reminder about your account",
        html='<p>Hello Ana,</p><p><a href="https://pay.example/p/1">Pay</a></p>',
        headers={
            "List-Unsubscribe": "<https://pay.example/u/1>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        sent_at=SENT_AT,
        sender_name="Northwind & Sons",
    )


def _parse(data: bytes) -> EmailMessage:
    parsed = message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.mark.parametrize("security", ["none", "starttls", "tls"])
def test_each_security_mode_with_auth_delivers_the_message(
    start_fake: Callable[..., SmtpFake], security: Security
) -> None:
    fake = start_fake(security, auth=True)
    result = SmtpEmail(config_for(fake)).send(_message())

    assert result.status is DeliveryStatus.SENT and result.provider == "smtp"
    assert result.provider_id == f"<{KEY}@acme.example>"
    [received] = fake.received
    assert received.mail_from == "collections@acme.example" and received.rcpt_tos == ("ana@example.com",)
    mail = _parse(received.data)
    assert mail["From"].addresses[0].display_name == "Northwind & Sons"
    assert mail["From"].addresses[0].addr_spec == "collections@acme.example"
    assert mail["Message-ID"] == result.provider_id and mail["X-Arrears-Idempotency-Key"] == KEY
    assert mail["Date"] == "Mon, 02 Mar 2026 14:00:00 +0000"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [part.get_content_type() for part in mail.iter_parts()] == ["text/plain", "text/html"]


def test_a_retry_is_the_same_message_byte_for_byte(start_fake: Callable[..., SmtpFake]) -> None:
    fake = start_fake()
    channel = SmtpEmail(config_for(fake))
    channel.send(_message())
    channel.send(_message())
    first, second = fake.received
    assert first.data == second.data  # Message-ID and MIME boundary both come from the key


def test_a_batch_reuses_one_session_and_a_session_the_relay_closed_is_replaced(
    start_fake: Callable[..., SmtpFake],
) -> None:
    fake = start_fake("starttls", auth=True, idle_timeout=0.5)
    channel = SmtpEmail(config_for(fake))
    for n in range(3):
        channel.send(_message(key=f"batch-{n}"))
    assert len({r.connection for r in fake.received}) == 1  # one TLS handshake and login for the batch
    time.sleep(1.0)  # the relay drops the idle connection; the kept session fails its NOOP
    assert channel.send(_message(key="after-idle")).status is DeliveryStatus.SENT
    assert len(fake.received) == 4 and fake.received[3].connection != fake.received[0].connection


def test_a_session_that_saw_a_refusal_is_not_reused(start_fake: Callable[..., SmtpFake]) -> None:
    fake = start_fake()
    fake.refuse("gone@example.com", 550)
    channel = SmtpEmail(config_for(fake))
    channel.send(_message(key="first"))
    assert channel.send(_message("gone@example.com", key="refused")).status is DeliveryStatus.REJECTED
    channel.send(_message(key="third"))
    first, third = fake.received
    assert first.connection != third.connection


def test_a_wrong_password_is_a_transient_error_naming_no_secret(start_fake: Callable[..., SmtpFake]) -> None:
    fake = start_fake("starttls", auth=True)
    channel = SmtpEmail(config_for(fake, password="wrong-password"))
    with pytest.raises(ChannelError, match="smtp 535") as raised:
        channel.send(_message())
    assert "wrong-password" not in str(raised.value)
    assert fake.received == []


def test_a_550_is_rejected_for_good_without_the_address(start_fake: Callable[..., SmtpFake]) -> None:
    fake = start_fake()
    fake.refuse("gone@example.com", 550)
    result = SmtpEmail(config_for(fake)).send(_message("gone@example.com"))
    assert result.status is DeliveryStatus.REJECTED
    assert result.error == "smtp 550 5.1.1 <address>: Recipient address rejected: mailbox unavailable"


def test_a_451_is_a_channel_error_the_dispatcher_retries(start_fake: Callable[..., SmtpFake]) -> None:
    fake = start_fake()
    fake.refuse("busy@example.com", 451)
    with pytest.raises(ChannelError, match="smtp 451"):
        SmtpEmail(config_for(fake)).send(_message("busy@example.com"))


def test_a_server_that_is_down_is_a_channel_error(start_fake: Callable[..., SmtpFake]) -> None:
    fake = start_fake()
    config = config_for(fake)
    fake.stop()
    with pytest.raises(ChannelError, match="connection refused"):
        SmtpEmail(config).send(_message())


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word (a firewall or a hung relay)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield int(server.getsockname()[1])


def test_a_relay_that_never_answers_times_out(start_fake: Callable[..., SmtpFake], silent_port: int) -> None:
    config = replace(config_for(start_fake()), port=silent_port, timeout_seconds=0.5)
    started = time.monotonic()
    with pytest.raises(ChannelError, match="timeout"):
        SmtpEmail(config).send(_message())
    assert time.monotonic() - started < 3


def test_an_untrusted_certificate_is_refused(start_fake: Callable[..., SmtpFake]) -> None:
    fake = start_fake("tls")
    with pytest.raises(ChannelError, match="tls failure"):
        SmtpEmail(config_for(fake, ca_file=None)).send(_message())  # the system CAs do not know the fake
    assert fake.received == []


def test_lookup_cannot_tell_so_the_strategy_decides(start_fake: Callable[..., SmtpFake]) -> None:
    assert SmtpEmail(config_for(start_fake())).lookup(KEY) is None
