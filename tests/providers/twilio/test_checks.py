"""`arrears providers check` for Twilio: the account fetched and the from number found among the account's
IncomingPhoneNumbers, through the official SDK against the fake; each failure explained with its fix."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from arrears.fakes.twilio import AUTH_TOKEN, FakeTwilio, fake_twilio
from arrears.providers.twilio.checks import check
from tests.providers.twilio.support import config


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with fake_twilio(auth_token=AUTH_TOKEN) as running:
        yield running


def test_good_credentials_and_an_owned_number(fake: FakeTwilio) -> None:
    result = check(config(fake.url))
    assert result.ok and fake.account_sid in result.detail
    paths = [(r.method, r.path, r.query.get("PhoneNumber")) for r in fake.requests]
    assert paths == [
        ("GET", f"/2010-04-01/Accounts/{fake.account_sid}.json", None),
        ("GET", f"/2010-04-01/Accounts/{fake.account_sid}/IncomingPhoneNumbers.json", ["+15005550006"]),
    ]


def test_a_wrong_token_is_explained(fake: FakeTwilio) -> None:
    result = check(config(fake.url, token="not-the-token"))
    assert not result.ok and "20003" in result.detail
    assert result.fix is not None and "ARREARS_TWILIO_AUTH_TOKEN" in result.fix
    assert "not-the-token" not in result.detail + result.fix


def test_a_number_of_another_account_is_explained(fake: FakeTwilio) -> None:
    fake.numbers = {"+15005550009"}
    result = check(config(fake.url))
    assert not result.ok and "ARREARS_TWILIO_FROM_NUMBER" in result.detail
    assert result.fix is not None and "Active numbers" in result.fix


def test_an_unknown_account_and_an_outage(fake: FakeTwilio) -> None:
    wrong = check(config(fake.url, account="AC" + "0" * 32))
    assert not wrong.ok and "20003" in wrong.detail  # Twilio answers 401 to another account's SID
    fake.fail_next.append(500)
    down = check(config(fake.url))
    assert not down.ok and down.fix == "Twilio is busy or down: try again in a minute"
    unreachable = check(config("http://127.0.0.1:9"))
    assert not unreachable.ok and "could not reach" in unreachable.detail
