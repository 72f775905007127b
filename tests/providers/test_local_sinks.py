"""The local email sink writes what a mail client would read: headers as plain lines, not encoded words."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

from arrears.channels.base import OutboundMessage
from arrears.providers.local.sinks import EmailFileSink

KEY = "00702c991f2e11a3276a5ea2a45bad937f4eec64"
UNSUBSCRIBE = (
    "<https://collections.example.com/u/MDA3MDJjOTkxZjJlMTFhMzI3NmE1ZWEyYTQ1YmFkOTM3ZjRlZWM2NA."
    "jA945lFbGoQLU6gDCa2GFA>, <mailto:unsubscribe@example.com>"
)


def test_a_long_list_unsubscribe_url_stays_one_plain_header_line(tmp_path: Path) -> None:
    sink = EmailFileSink(tmp_path)
    message = OutboundMessage(
        idempotency_key=KEY,
        channel="email",
        destination="ana@example.com",
        body="Hello Ana,",
        subject="A quick reminder about your account",
        headers={"List-Unsubscribe": UNSUBSCRIBE, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        sent_at=datetime(2026, 3, 2, 14, 0, tzinfo=UTC),
    )
    sink.send(message)
    raw = (tmp_path / f"{KEY}.eml").read_bytes()
    assert f"List-Unsubscribe: {UNSUBSCRIBE}\n".encode() in raw  # RFC 8058: a URL a client can POST to
    assert b"=?utf-8?" not in raw
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["List-Unsubscribe"] == UNSUBSCRIBE
    assert parsed["Date"] == "Mon, 02 Mar 2026 14:00:00 +0000"
