"""Link tokens: what they carry, and that an altered, forged or expired one is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from arrears.payments.tokens import (
    TokenExpired,
    TokenInvalid,
    pay_token,
    read_pay_token,
    read_unsubscribe_token,
    unsubscribe_token,
)
from tests.payments.support import base36

KEY = b"k" * 32
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
LINK = "0123456789abcdef0123456789abcdef"


def test_a_pay_token_names_its_link_and_expiry_until_it_expires() -> None:
    until = NOW + timedelta(days=30)
    token = pay_token(KEY, LINK, until)
    assert read_pay_token(KEY, token, NOW) == read_pay_token(KEY, token, until - timedelta(seconds=1))
    assert read_pay_token(KEY, token, NOW).link_id == LINK
    assert read_pay_token(KEY, token, NOW).expires_at == until
    with pytest.raises(TokenExpired):
        read_pay_token(KEY, token, until)


def test_a_pay_url_is_short_enough_for_a_text() -> None:
    """About 75 characters with a host: the token is 46 (a text's two segments hold 306)."""
    assert len(pay_token(KEY, LINK, NOW + timedelta(days=30))) <= 46


def _tampered(token: str) -> list[str]:
    link_id, seconds, signature = token.split(".")
    later = base36(int(seconds, 36) + 86_400)
    other = ("A" if link_id[0] != "A" else "B") + link_id[1:]
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    return [
        f"{link_id}.{later}.{signature}",  # expiry pushed back
        f"{other}.{seconds}.{signature}",  # another link
        f"{link_id}.{seconds}.{flipped}",  # signature altered
        f"{link_id}.{seconds}",  # signature dropped
        "",
        "not-a-token",
    ]


@pytest.mark.parametrize("index", range(6))
def test_an_altered_pay_token_is_refused(index: int) -> None:
    token = pay_token(KEY, LINK, NOW + timedelta(days=1))
    with pytest.raises(TokenInvalid):
        read_pay_token(KEY, _tampered(token)[index], NOW)


def test_a_token_signed_with_another_key_is_refused_even_when_expired() -> None:
    past = pay_token(b"other", LINK, NOW - timedelta(days=1))
    with pytest.raises(TokenInvalid):  # forged wins over expired: 404, not 410
        read_pay_token(KEY, past, NOW)


def test_an_unsubscribe_token_round_trips_any_key_and_refuses_tampering() -> None:
    for key in ("a1b2c3", "reply/with.dots and spaces", "é" * 20):
        token = unsubscribe_token(KEY, key)
        assert "/" not in token and read_unsubscribe_token(KEY, token) == key
    token = unsubscribe_token(KEY, "a1b2c3")
    body, signature = token.split(".")
    with pytest.raises(TokenInvalid):
        read_unsubscribe_token(KEY, f"{unsubscribe_token(KEY, 'x').split('.')[0]}.{signature}")
    with pytest.raises(TokenInvalid):
        read_unsubscribe_token(b"other", token)
    with pytest.raises(TokenInvalid):
        read_unsubscribe_token(KEY, body)


def test_a_pay_token_and_an_unsubscribe_token_are_not_interchangeable() -> None:
    """Each signature covers its purpose: a valid unsubscribe body cannot be replayed as a pay token."""
    token = pay_token(KEY, LINK, NOW + timedelta(days=1))
    with pytest.raises(TokenInvalid):
        read_unsubscribe_token(KEY, token)
