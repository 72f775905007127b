"""Mailgun's signature as Mailgun documents it: hex HMAC-SHA256 of timestamp + token under the signing key,
compared in constant time, within a tolerance window of our clock."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from arrears.providers.mailgun import sign, signature_problem

KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
STAMP = str(int(NOW.timestamp()))
TOKEN = "e0b5477167110d68991efc6b9f89f0a11066af27834600e123"


def test_the_signature_is_the_hex_hmac_sha256_of_timestamp_then_token() -> None:
    expected = hmac.new(KEY.encode(), (STAMP + TOKEN).encode(), hashlib.sha256).hexdigest()
    assert sign(KEY, STAMP, TOKEN) == expected and len(expected) == 64
    assert signature_problem(KEY, STAMP, TOKEN, expected, NOW, 300) is None
    assert signature_problem(KEY, STAMP, TOKEN, expected.upper(), NOW, 300) is None


@pytest.mark.parametrize(
    ("timestamp", "token", "signature", "problem"),
    [
        (STAMP, TOKEN, None, "required"),
        (None, TOKEN, "x", "required"),
        ("yesterday", TOKEN, "x", "seconds since the epoch"),
        (STAMP, TOKEN + "x", sign(KEY, STAMP, TOKEN), "does not match"),
        (STAMP, TOKEN, sign("another-key", STAMP, TOKEN), "does not match"),
        (STAMP, TOKEN, "é" * 64, "does not match"),
    ],
)
def test_a_wrong_or_missing_signature_is_named(
    timestamp: str | None, token: str | None, signature: str | None, problem: str
) -> None:
    found = signature_problem(KEY, timestamp, token, signature, NOW, 300)
    assert found is not None and problem in found


@pytest.mark.parametrize("skew", [timedelta(seconds=-301), timedelta(seconds=301)])
def test_a_signed_timestamp_outside_the_window_is_refused(skew: timedelta) -> None:
    stamp = str(int((NOW + skew).timestamp()))
    found = signature_problem(KEY, stamp, TOKEN, sign(KEY, stamp, TOKEN), NOW, 300)
    assert found is not None and "300 seconds" in found
    assert signature_problem(KEY, stamp, TOKEN, sign(KEY, stamp, TOKEN), NOW, 600) is None
